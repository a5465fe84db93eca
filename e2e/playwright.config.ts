import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/browser';

// Browser mode: the built app served by electron/web, driven in Debian's Chromium (no browser
// download). Electron: _electron.launch where an Electron binary exists, a clear skip elsewhere.
export default defineConfig({
  testDir: '.',
  outputDir: 'output/test-results',
  fullyParallel: false,
  workers: 1,
  // The specs drive a real lab NAS; one retry absorbs a daemon's hiccup, and the closing summary
  // (e2e/summary.mjs) names every test that needed it.
  retries: 1,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: 'output/playwright.json' }]],
  use: {
    launchOptions: chromiumLaunchOptions,
    viewport: { width: 1100, height: 720 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'browser', testMatch: 'specs/**/*.spec.ts' },
    { name: 'electron', testMatch: 'electron/**/*.spec.ts' },
  ],
});
