import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliHarness } from './test-harness';

async function harness(stdin = '') {
  const h = await cliHarness();
  return { ...h, run: (...argv: string[]) => h.run(argv, stdin) };
}

describe('nasdeck CLI', () => {
  it('adds, lists (human and --json), shows and removes a device', async () => {
    const { run } = await harness();
    const add = await run('device', 'add', '127.0.0.1', '--name', 'lab');
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).toMatch(/^Added lab \(127\.0\.0\.1\) as [0-9a-f]{8}\.\n$/);

    const list = await run('device', 'list', '--json');
    expect(list.code).toBe(0);
    const devices = JSON.parse(list.out);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ name: 'lab', host: '127.0.0.1', addresses: [], services: [], macs: [] });
    expect(Object.keys(devices[0])).toEqual(
      expect.arrayContaining(['id', 'name', 'host', 'addresses', 'vendor', 'model', 'osVersion', 'services', 'macs']),
    );

    const human = await run('device', 'list');
    expect(human.out.split('\n')[0]).toMatch(/^NAME\s+ID\s+ADDRESS\s+VENDOR\s+MODEL$/);
    expect(human.out).toMatch(/lab\s+[0-9a-f]{8}\s+127\.0\.0\.1\s+unknown/);

    const info = await run('--json', 'device', 'info', 'LAB');
    expect(JSON.parse(info.out).id).toBe(devices[0].id);

    expect((await run('device', 'remove', devices[0].id)).out).toMatch(/^Removed lab/);
    expect(JSON.parse((await run('device', 'list', '--json')).out)).toEqual([]);
  });

  it('maps errors to the exit codes of CLI.md, as JSON on stderr with --json', async () => {
    const { run } = await harness();
    const bad = await run('device', 'add', 'not a host', '--json');
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(JSON.parse(bad.err)).toMatchObject({ error: { code: 'INVALID_INPUT' } });

    await run('device', 'add', 'nas.lan');
    const dup = await run('device', 'add', 'nas.lan');
    expect(dup.code).toBe(6);
    expect(dup.err).toMatch(/^error: Already exists or busy: nas\.lan is already in the list/);

    const missing = await run('device', 'info', 'ghost');
    expect(missing.code).toBe(2);
    expect((await run('device', 'add', 'nas2', '--ssh-port', '99999')).code).toBe(2);
    expect((await run('device', 'add', 'nas2', '--vendor', 'acme')).code).toBe(2);
    expect((await run('device', 'frobnicate')).code).toBe(2);
    expect((await run('device', 'add', 'nas2', '--host-key', 'MD5:abc')).code).toBe(2);
  });

  it('reads a password from stdin into the keychain, never into the config file', async () => {
    const { run, configDir, vault } = await harness('CANARY-secret-42\n');
    const add = await run('device', 'add', 'nas.lan', '--user', 'admin', '--password-stdin', '--offline', '--json');
    expect(add.code).toBe(0);
    const device = JSON.parse(add.out);
    expect(device.access).toEqual({ user: 'admin', secrets: ['password'] });
    expect(await vault.get(`${device.id}:password`)).toBe('CANARY-secret-42');
    expect(await readFile(join(configDir, 'config.json'), 'utf8')).not.toContain('CANARY');
    expect(add.out + add.err).not.toContain('CANARY');
  });

  it('refuses an empty stdin secret', async () => {
    const { run } = await harness('');
    const res = await run('device', 'add', 'nas.lan', '--password-stdin');
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/No password on standard input/);
  });

  it('prints help and version with exit 0', async () => {
    const { run } = await harness();
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: nasdeck/);
    expect(help.out).toMatch(/--config-dir/);
    expect((await run('device', '--help')).out).toMatch(/add \[options\] <host>/);
    expect((await run('--version')).out.trim()).toBe('0.1.0');
  });

  it('never lets control characters from names reach the terminal', async () => {
    const { run } = await harness();
    expect((await run('device', 'add', 'nas.lan', '--name', 'evil\u001b[2Jname')).code).toBe(2);
  });
});
