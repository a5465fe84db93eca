import { expect, type Locator, type Page } from '@playwright/test';

/** The Devices screen, as a user sees it. */
export class DevicesPage {
  readonly address: Locator;
  readonly name: Locator;
  readonly addButton: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.address = page.getByLabel('Address', { exact: true });
    this.name = page.getByLabel('Name', { exact: true });
    this.addButton = page.getByRole('button', { name: 'Add device', exact: true });
    this.rows = page.getByTestId('device-row');
  }

  async open() {
    await this.page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText('Devices');
  }

  row(name: string) {
    return this.rows.filter({ hasText: name });
  }

  async add(address: string, name?: string) {
    await this.address.fill(address);
    if (name !== undefined) await this.name.fill(name);
    await this.addButton.click();
  }

  async remove(name: string) {
    await this.page.getByRole('button', { name: `Remove ${name}` }).click();
    const dialog = this.page.getByRole('alertdialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  }
}
