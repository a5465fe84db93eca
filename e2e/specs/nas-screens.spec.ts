// The app's screens against the real lab NAS, in browser mode: the first-run assistant from
// discovery to a share, the dashboard, a snapshot rolled back, a scrub with live progress, an SMB
// share previewed then created and mounted. axe finds nothing on any screen, in light or dark,
// and every screen is photographed (e2e/output/screenshots).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { nasExec, nasPath } from '../lab/lab-state';
import { DevicePage } from '../pages/device-page';
import { SetupPage } from '../pages/setup-page';
import { bringUpLab, isRoot, startDesktopSession, type DesktopSession, type LabNas } from '../support/lab-nas';
import { checkScreen } from '../support/screens';
import { startBuiltWebHost, type RunningWebHost } from '../support/web-host';

test.describe.configure({ mode: 'serial' });
test.skip(!isRoot(), 'the lab NAS needs root (network namespaces, loop devices)');
// axe runs twice per screen (light, dark) on a shared 2-core machine: generous, not a timing claim.
test.setTimeout(300_000);

/** Per run, so a reused lab (NASDECK_LAB_REUSE=1) does not meet last run's shares. */
const run = String(Date.now() % 100_000);
const setupShare = `ndsetup${run}`;
const uiShare = `nde2esmb${run}`;

let lab: LabNas;
let desktop: DesktopSession;
let host: RunningWebHost;
let page: Page;
/** Set by the assistant: the saved device's page. */
let deviceUrl = '';

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  lab = await bringUpLab();
  desktop = await startDesktopSession();
  host = await startBuiltWebHost(desktop.env);
  const context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  // Each step runs even when an earlier one fails: nothing of the lab or the session is left behind.
  test.setTimeout(120_000);
  try {
    await page?.context().close();
  } finally {
    try {
      await host?.stop();
    } finally {
      try {
        await desktop?.stop();
      } finally {
        await lab?.stop();
      }
    }
  }
});

const nasFile = (share: string, file: string) => join(lab.nas.pool!.mountPoint, share, file);
const readOnNas = async (path: string) => (await nasExec(lab.state, lab.nas.index, ['cat', path])).stdout;

test('first run: the setup assistant finds the NAS, signs in with the host key confirmed, and provisions a share', async () => {
  const testInfo = test.info();
  const { nas } = lab;
  await page.goto(host.url);
  const setup = new SetupPage(page);
  // First start: the assistant opens by itself.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up Nasdeck');
  await setup.expectStep('Welcome');
  await checkScreen(page, 'setup-welcome', testInfo);

  await setup.button('Start').click();
  await setup.expectStep('Find your NAS');
  await setup.probe(nas.address);
  const row = setup.discovered(nas.address).or(setup.discovered(nas.hostname)).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'setup-find', testInfo);
  await row.getByRole('button').click();
  await expect(page.getByText('Chosen:')).toBeVisible();
  await setup.next();

  await setup.expectStep('Sign in');
  await setup.signIn(nas.ssh!.user, nas.ssh!.password);
  // The fingerprint shown is the NAS's real host key.
  await expect(setup.fingerprint()).toHaveText(nas.ssh!.hostKeySha256, { timeout: 30_000 });
  await checkScreen(page, 'setup-signin-hostkey', testInfo);
  await setup.button('Trust this SSH host key and continue').click();

  await setup.expectStep('Shares to mount');
  await expect(page.getByRole('checkbox', { name: /share1/ }).first()).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'setup-shares', testInfo);

  // Provision: a new share, then mount it. Mounting needs the mounts backend; if it fails, the
  // assistant deletes the new share again, and the NAS is as before.
  await page.getByLabel('Share user').fill(nas.smb!.user);
  await page.getByLabel('Share password').fill(nas.smb!.password);
  await page.getByLabel('New share name').fill(setupShare);
  await setup.button('Create and mount').click();
  const mounted = page.getByText(new RegExp(`^Mounted: ${setupShare} at `));
  const failed = page.getByRole('alert');
  await expect(mounted.or(failed)).toBeVisible({ timeout: 60_000 });
  if (await failed.isVisible()) {
    await expect(failed).toContainText('so the new share was deleted again');
    const smbShares = (await nasExec(lab.state, nas.index, ['net', 'conf', 'listshares'])).stdout;
    expect(smbShares.split('\n')).not.toContain(setupShare);
    testInfo.annotations.push({
      type: 'mount',
      description: `mount failed and was rolled back: ${await failed.innerText()}`,
    });
  } else {
    const where = (await mounted.innerText()).replace(new RegExp(`^Mounted: ${setupShare} at `), '').trim();
    await writeFile(join(where, 'from-setup.txt'), 'written through the mount\n');
    expect(await readOnNas(nasFile(setupShare, 'from-setup.txt'))).toBe('written through the mount\n');
  }
  await setup.next();

  await setup.expectStep('Options');
  await page.getByRole('checkbox', { name: /Reconnect mounted shares automatically/ }).check();
  await checkScreen(page, 'setup-options', testInfo);
  await setup.next();
  await setup.expectStep('Done');
  await expect(page.getByText(`Created the SMB share ${setupShare}`)).toBeVisible();
  await checkScreen(page, 'setup-done', testInfo);
  await setup.button('Finish').click();

  // Finished: the device's own page.
  await expect(page).toHaveURL(/#\/device\//);
  deviceUrl = page.url();
});

test('the dashboard shows the RAID1 pool, the disks with SMART, and no alerts on a healthy NAS', async () => {
  const testInfo = test.info();
  await page.goto(deviceUrl);
  const card = page.getByTestId('pool-card').first();
  await expect(card).toBeVisible({ timeout: 30_000 });
  await expect(card).toContainText('RAID1');
  await expect(card).toContainText('Healthy');
  await expect(card.getByRole('img', { name: /used \(\d+%\)/ })).toBeVisible();
  await expect(page.getByTestId('disk-row').first()).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).not.toBeEmpty();
  await checkScreen(page, 'device-overview', testInfo);
});

test('a snapshot taken and rolled back from the UI brings the old file back', async () => {
  const testInfo = test.info();
  const device = new DevicePage(page);
  const file = nasFile('share1', 'e2e-rollback.txt');
  await writeFile(nasPath(lab.nas, file), 'before\n');

  await device.tab('Storage');
  await expect(page.getByLabel('Snapshots of')).toHaveValue('share1', { timeout: 30_000 });
  await page.getByLabel('New snapshot name').fill('e2e-snap');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await expect(device.snapshotRow('e2e-snap')).toBeVisible({ timeout: 30_000 });
  await expect(device.status).toHaveText('Snapshot e2e-snap of share1 taken.');

  await writeFile(nasPath(lab.nas, file), 'after\n');
  const rollBack = device.snapshotRow('e2e-snap').getByRole('button', { name: 'Roll back to e2e-snap' });
  await rollBack.click();
  const dialog = device.dialog();
  await expect(dialog).toContainText(/Every change made to share1 since .* will be lost/);
  await checkScreen(page, 'rollback-confirm', testInfo);
  // Keyboard: the safe choice has focus, Tab stays inside the dialog, Escape cancels and gives
  // focus back to the button that opened it; nothing was rolled back.
  const cancel = dialog.getByRole('button', { name: 'Cancel' });
  const confirm = dialog.getByRole('button', { name: 'Roll back', exact: true });
  await expect(cancel).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(confirm).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(cancel).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(rollBack).toBeFocused();
  expect(await readOnNas(file)).toBe('after\n');
  await rollBack.click();
  await confirm.click();
  await expect(device.status).toHaveText('share1 is back at snapshot e2e-snap.', { timeout: 60_000 });
  expect(await readOnNas(file)).toBe('before\n');

  // Tidy: the snapshot goes, through the UI as well.
  await device.snapshotRow('e2e-snap').getByRole('button', { name: 'Delete snapshot e2e-snap' }).click();
  await device.dialog().getByRole('button', { name: 'Delete snapshot', exact: true }).click();
  await expect(device.snapshotRow('e2e-snap')).toHaveCount(0, { timeout: 30_000 });
});

test('a scrub started from the UI shows its progress live, in the page and in the Jobs drawer', async () => {
  const testInfo = test.info();
  const scrub = page.getByRole('button', { name: /^Scrub / }).first();
  await expect(scrub).toBeEnabled();
  await scrub.click();
  const bar = page.getByRole('progressbar', { name: /^Scrub progress of / }).first();
  await expect(bar).toBeVisible();
  await page.getByRole('button', { name: /^Jobs/ }).click();
  const drawer = page.getByRole('complementary', { name: 'Jobs' });
  await expect(drawer.getByTestId('job').filter({ hasText: 'Scrub' }).first()).toBeVisible();
  await checkScreen(page, 'jobs-drawer', testInfo);
  await page.getByRole('button', { name: 'Close' }).click();
  // The end arrives as a jobs.progress push: the bar reaches 100% and the status says so.
  await expect(page.getByText('Scrub finished')).toBeVisible({ timeout: 90_000 });
  await expect(bar).toHaveAttribute('value', '1');
  await checkScreen(page, 'device-storage', testInfo);
});

test('an SMB share created from the UI, previewed first, then mounted', async () => {
  const testInfo = test.info();
  const device = new DevicePage(page);
  await device.tab('Shares');
  await expect(device.shareRow('share1').first()).toBeVisible({ timeout: 30_000 });
  await page.getByLabel('Share name').fill(uiShare);
  await page.getByLabel('Users allowed').fill(lab.nas.smb!.user);
  await expect(page.getByRole('button', { name: 'Create share' })).toBeDisabled();
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const plan = page.getByTestId('plan-preview');
  await expect(plan).toContainText(`net conf addshare ${uiShare} ${lab.nas.pool!.mountPoint}/${uiShare}`);
  await checkScreen(page, 'device-shares-preview', testInfo);
  // Nothing changed yet.
  expect((await nasExec(lab.state, lab.nas.index, ['net', 'conf', 'listshares'])).stdout).not.toContain(uiShare);
  await page.getByRole('button', { name: 'Create share' }).click();
  await expect(device.shareRow(uiShare)).toBeVisible({ timeout: 60_000 });

  // Mount it from the Mounts page.
  await page.getByRole('navigation').getByRole('link', { name: 'Mounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mounts');
  await page.getByLabel('NAS', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('Share', { exact: true }).selectOption({ label: `${uiShare} (SMB)` });
  await page.getByLabel('Share user').fill(lab.nas.smb!.user);
  await page.getByLabel('Share password').fill(lab.nas.smb!.password);
  await page.getByRole('button', { name: 'Add and mount' }).click();
  const row = page.getByTestId('mount-row').filter({ hasText: uiShare });
  const failed = page.getByRole('alert');
  const mountedState = row.getByText('Mounted', { exact: true });
  await expect(mountedState.or(failed)).toBeVisible({ timeout: 60_000 });
  if (await failed.isVisible()) {
    testInfo.annotations.push({ type: 'mount', description: `mount failed: ${await failed.innerText()}` });
    await checkScreen(page, 'mounts', testInfo);
  } else {
    // Straight away, while it is fresh: the file goes through the mount and lands on the NAS.
    const where = (await row.locator('td').nth(1).innerText()).trim();
    await writeFile(join(where, 'from-ui.txt'), 'hello from the UI\n');
    expect(await readOnNas(nasFile(uiShare, 'from-ui.txt'))).toBe('hello from the UI\n');
    expect(await readFile(join(where, 'from-ui.txt'), 'utf8')).toBe('hello from the UI\n');
    await checkScreen(page, 'mounts', testInfo);
    const unmount = row.getByRole('button', { name: /^Unmount / });
    if (await unmount.isVisible()) {
      await unmount.click();
      await expect(row.getByText('Not mounted', { exact: true })).toBeVisible({ timeout: 30_000 });
    }
    await row.getByRole('button', { name: /^Remove / }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(row).toHaveCount(0, { timeout: 30_000 });
  }

  // Tidy: delete the share from the UI; the confirmation shows the plan.
  await page.goto(`${deviceUrl.replace(/\/(overview|storage|shares|iscsi)$/, '')}/shares`);
  await page.getByRole('button', { name: `Delete SMB share ${uiShare}` }).click();
  await expect(device.dialog().getByTestId('plan-preview')).toBeVisible({ timeout: 30_000 });
  await device.dialog().getByRole('button', { name: 'Delete share', exact: true }).click();
  await expect(device.shareRow(uiShare)).toHaveCount(0, { timeout: 30_000 });
});

test('the other screens pass axe in light and dark, and fit 800×600', async () => {
  const testInfo = test.info();
  const device = new DevicePage(page);
  await page.goto(deviceUrl);
  await device.tab('iSCSI');
  await expect(page.getByTestId('iscsi-row').first()).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'device-iscsi', testInfo);

  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByTestId('device-row').first()).toContainText('Healthy', { timeout: 30_000 });
  await expect(page.getByTestId('device-row').first()).toContainText('Reachable');
  await checkScreen(page, 'devices', testInfo);
  await nav.getByRole('link', { name: 'Storage' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Storage');
  await checkScreen(page, 'storage', testInfo);
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('radio', { name: 'System' })).toBeChecked();
  await checkScreen(page, 'settings', testInfo);

  await page.setViewportSize({ width: 800, height: 600 });
  for (const [name, url] of [
    ['small-devices', '#/devices'],
    ['small-device-overview', new URL(deviceUrl).hash],
    ['small-setup', '#/setup'],
  ] as const) {
    await page.evaluate((hash) => (window.location.hash = hash), url);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // Nothing wider than the window: no sideways scrolling of the page itself.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    await checkScreen(page, name, testInfo);
  }
});
