// Every screen checked the same way: axe with 0 violations and a screenshot, in light and in dark
// (the app follows prefers-color-scheme while its theme setting is "system").
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { repoRoot } from './web-host';

export const screenshotDir = join(repoRoot, 'e2e', 'output', 'screenshots');

/** axe in both colour schemes (contrast differs), then a full-page screenshot of each. */
export async function checkScreen(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).analyze();
    const summary = result.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
    expect(summary, `axe violations on ${name} (${scheme})`).toEqual([]);
    const path = join(screenshotDir, `${name}-${scheme}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${name}-${scheme}`, { path, contentType: 'image/png' });
  }
  await page.emulateMedia({ colorScheme: null });
}
