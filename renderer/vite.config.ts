import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Electron loads the build over file://, so asset URLs must be relative ('./').
export default defineConfig({
  // The config's own folder, so the build works from any working directory.
  root: import.meta.dirname,
  base: './',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2023',
    // Chromium (Electron and every supported browser) has native modulepreload.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', strictPort: true },
  preview: { host: '127.0.0.1' },
});
