// Bundles the Node/Electron side into dist/electron: the Electron main process and sandboxed
// preload (CommonJS), the CLI and the browser-mode host (ESM). npm packages stay external.
import { cpSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, sourcemap: true, target: 'node20', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main/index.ts'],
    outfile: 'dist/electron/main.cjs',
    platform: 'node',
    format: 'cjs',
    packages: 'external',
  }),
  // Sandboxed preloads can require nothing but 'electron': everything else is bundled in.
  build({
    ...common,
    entryPoints: ['electron/preload/index.ts'],
    outfile: 'dist/electron/preload.cjs',
    platform: 'browser',
    format: 'cjs',
    external: ['electron'],
    target: 'chrome120',
  }),
  build({
    ...common,
    entryPoints: ['electron/cli/index.ts'],
    outfile: 'dist/electron/cli.mjs',
    platform: 'node',
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['electron/web/index.ts'],
    outfile: 'dist/electron/web.mjs',
    platform: 'node',
    format: 'esm',
    packages: 'external',
  }),
]);

// Tray icons, one per overall state, beside main.cjs (electron/main/tray.ts loads them from there).
cpSync('build/icons/tray', 'dist/electron/tray', { recursive: true, filter: (src) => !src.endsWith('.svg') });
