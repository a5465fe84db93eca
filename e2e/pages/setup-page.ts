import { expect, type Locator, type Page } from '@playwright/test';

/** The setup assistant, as a user sees it. */
export class SetupPage {
  readonly stepHeading: Locator;

  constructor(readonly page: Page) {
    this.stepHeading = page.getByRole('heading', { level: 2 }).first();
  }

  async expectStep(title: string) {
    await expect(this.stepHeading).toContainText(title);
  }

  button(name: string | RegExp) {
    return this.page.getByRole('button', { name, exact: typeof name === 'string' });
  }

  async next() {
    await this.button('Next').click();
  }

  async probe(address: string) {
    await this.page.getByLabel('Probe address or range').fill(address);
    await this.button('Probe').click();
  }

  discovered(text: string) {
    return this.page.getByTestId('discovered-row').filter({ hasText: text });
  }

  async signIn(user: string, password: string) {
    await this.page.getByLabel('User', { exact: true }).fill(user);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.button('Sign in').click();
  }

  fingerprint() {
    return this.page.getByTestId('fingerprint');
  }
}
