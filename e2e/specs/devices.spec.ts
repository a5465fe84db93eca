import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { DevicesPage } from '../pages/devices-page';
import { repoRoot, startBuiltWebHost, type RunningWebHost } from '../support/web-host';

const run = promisify(execFile);
let host: RunningWebHost;

test.beforeAll(async () => {
  host = await startBuiltWebHost();
});
test.afterAll(async () => {
  await host?.stop();
});

/** The CLI reads the same config: one API behind every front door. */
async function cliDevices(): Promise<Array<{ name: string; host: string }>> {
  const { stdout } = await run(process.execPath, [join(repoRoot, 'bin', 'nasdeck.mjs'), 'device', 'list', '--json'], {
    env: { ...process.env, NASDECK_CONFIG_DIR: host.configDir },
  });
  return JSON.parse(stdout);
}

test('adds a device through the UI, shows it, and removes it', async ({ page }, testInfo) => {
  await page.goto(host.url);
  await expect(page).not.toHaveURL(/token=/); // the token is taken out of the address bar
  const devices = new DevicesPage(page);
  await devices.open();

  await devices.add('127.0.0.1', 'lab');
  await expect(devices.row('lab')).toBeVisible();
  await expect(devices.row('lab')).toContainText('127.0.0.1');
  expect(await cliDevices()).toEqual([expect.objectContaining({ name: 'lab', host: '127.0.0.1' })]);

  const shot = testInfo.outputPath('devices-with-lab.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('devices-with-lab', { path: shot, contentType: 'image/png' });

  // Bad input gets plain words and loses nothing typed.
  await devices.add('not a host!', 'broken');
  await expect(page.getByRole('alert')).toContainText('not valid');
  await expect(devices.address).toHaveValue('not a host!');
  await expect(devices.rows).toHaveCount(1);

  await devices.remove('lab');
  await expect(devices.row('lab')).toHaveCount(0);
  expect(await cliDevices()).toEqual([]);
});

test('reflects a device the CLI adds, live', async ({ page }) => {
  await page.goto(host.url);
  const devices = new DevicesPage(page);
  await devices.open();
  await expect(devices.rows).toHaveCount(0);
  // A device added by another front door (another process) appears without a reload.
  await run(
    process.execPath,
    [join(repoRoot, 'bin', 'nasdeck.mjs'), 'device', 'add', 'nas.example', '--name', 'from-cli'],
    {
      env: { ...process.env, NASDECK_CONFIG_DIR: host.configDir },
    },
  );
  await expect(devices.row('from-cli')).toBeVisible();
});
