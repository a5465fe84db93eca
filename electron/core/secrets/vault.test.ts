import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeyring, type TestKeyring } from '../../../e2e/support/keyring';
import { KeytarVault } from './vault';

const run = promisify(execFile);

describe('KeytarVault on a real Secret Service (gnome-keyring on a private bus)', () => {
  let keyring: TestKeyring;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    keyring = await startTestKeyring();
    for (const [k, v] of Object.entries(keyring.env)) {
      if (k === 'PATH') continue;
      saved[k] = process.env[k];
      process.env[k] = v; // libsecret reads these when it first connects
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await keyring?.stop();
  });

  it('stores, reads, overwrites and deletes a secret', async () => {
    const vault = new KeytarVault({ service: 'Nasdeck-test' });
    expect(await vault.probe()).toBe(true);
    expect(await vault.get('dev1:password')).toBeNull();
    await vault.set('dev1:password', 'first s3cret');
    await vault.set('dev1:password', 'p@ss "quoted" ünïcode');
    await vault.set('dev2:password', 'other');
    expect(await vault.get('dev1:password')).toBe('p@ss "quoted" ünïcode');
    expect(await vault.delete('dev1:password')).toBe(true);
    expect(await vault.get('dev1:password')).toBeNull();
    expect(await vault.get('dev2:password')).toBe('other');
  });

  it('fails with KEYCHAIN_UNAVAILABLE when no keychain is reachable, never falling back', async () => {
    // A fresh process with no session bus, as on a headless box without a Secret Service.
    const script = `
      import { KeytarVault } from ${JSON.stringify(new URL('./vault.ts', import.meta.url).pathname)};
      const v = new KeytarVault({ service: 'Nasdeck-test', timeoutMs: 5000 });
      try { await v.set('x:password', 'canary'); console.log('STORED'); }
      catch (e) { console.log(e.code + ' ' + e.message); }`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, HOME: keyring.env.HOME, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    expect(stdout).toMatch(/^KEYCHAIN_UNAVAILABLE Could not save a secret to the system keychain/);
  });
});
