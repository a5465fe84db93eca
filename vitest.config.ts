import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Two projects: `unit` runs everywhere in seconds; `lab` needs root and brings the lab NAS up
// once per run (globalSetup) and down at the end, also when tests fail.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts'],
          exclude: ['**/*.lab.test.ts', '**/node_modules/**'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        plugins: [svelte({ configFile: false })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['renderer/src/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['renderer/src/test-setup.ts'],
        },
      },
      {
        test: {
          name: 'lab',
          // The lab's own suites, and capability tests against the lab beside their source (*.lab.test.ts).
          include: ['e2e/lab/**/*.test.ts', 'electron/**/*.lab.test.ts'],
          environment: 'node',
          globalSetup: ['e2e/lab/global-setup.ts'],
          fileParallelism: false,
          // Real daemons on real links can hiccup once; a test that needs its retry is named in
          // e2e/output/flaky.txt and the closing summary (e2e/support/flaky-reporter.ts).
          retry: 1,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
