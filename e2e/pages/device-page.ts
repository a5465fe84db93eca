import { expect, type Locator, type Page } from '@playwright/test';

/** One NAS's page (overview, storage, shares, iSCSI), as a user sees it. */
export class DevicePage {
  constructor(readonly page: Page) {}

  async tab(name: 'Overview' | 'Storage' | 'Shares' | 'iSCSI') {
    await this.page.getByRole('tab', { name }).click();
    await expect(this.page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
  }

  get status(): Locator {
    return this.page.locator('.result [role="status"]');
  }

  snapshotRow(name: string) {
    return this.page.getByTestId('snapshot-row').filter({ hasText: name });
  }

  shareRow(name: string) {
    return this.page.getByTestId('share-row').filter({ hasText: name });
  }

  dialog() {
    return this.page.getByRole('alertdialog');
  }
}
