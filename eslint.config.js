// Layers are enforced here (VS Code style): a wrong import arrow fails lint, and so CI.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronImport = {
  name: 'electron',
  message: 'Only electron/main and electron/preload may import Electron; core, shared, web and cli stay pure Node.',
};
const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'release/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'e2e/output/',
      'renderer/.svelte-kit/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off', // we match control characters on purpose, to refuse them
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // shared/: the contract. Imports nothing but itself (and zod).
  {
    files: ['shared/**'],
    rules: restrict(
      [electronImport],
      [
        {
          group: ['../electron/**', '../renderer/**', 'node:*', 'ws', 'ssh2', 'keytar', 'commander'],
          message: 'shared/ is the contract: no I/O, no other layer.',
        },
      ],
    ),
  },
  // electron/core: pure Node; never Electron, never a front door.
  {
    files: ['electron/core/**'],
    rules: restrict(
      [electronImport],
      [
        {
          group: ['**/main/**', '**/preload/**', '**/web/**', '**/cli/**', '**/renderer/**'],
          message: 'core must not depend on a front door.',
        },
      ],
    ),
  },
  // Front doors other than the Electron shell: core and shared only.
  {
    files: ['electron/web/**', 'electron/cli/**'],
    rules: restrict(
      [electronImport],
      [{ group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'front doors do not import each other.' }],
    ),
  },
  {
    files: ['electron/preload/**'],
    rules: restrict(
      [],
      [
        {
          group: ['**/core/**', '**/main/**', 'node:*'],
          message: 'the sandboxed preload sees only electron and shared/.',
        },
      ],
    ),
  },
  // The renderer talks only to window.nasdeck; shared/ for types and constants.
  {
    files: ['renderer/**'],
    rules: restrict(
      [electronImport],
      [
        {
          group: ['**/electron/**', 'node:*'],
          message: 'the renderer imports shared/ only, never ../electron or Node.',
        },
      ],
    ),
  },
);
