import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { createCore } from './api';
import { MemoryVault } from './secrets/vault';

async function setup(vault = new MemoryVault()) {
  const configDir = await mkdtemp(join(tmpdir(), 'nasdeck-core-'));
  return { core: createCore({ configDir, vault }), configDir, vault };
}

describe('core service through the dispatcher', () => {
  it('adds, lists, gets by name or id and removes a device, persisting it', async () => {
    const { core, configDir } = await setup();
    const changes: number[] = [];
    core.events.on('devices.changed', (e) => changes.push(e.devices.length));

    const added = await core.dispatch('devices.add', { host: '127.0.0.1', name: 'lab', user: 'admin', sshPort: 2222 });
    expect(added.ok).toBe(true);
    const device = (added as { value: Device }).value;
    expect(device).toMatchObject({
      name: 'lab',
      host: '127.0.0.1',
      vendor: 'unknown',
      access: { user: 'admin', sshPort: 2222 },
    });

    const again = createCore({ configDir, vault: new MemoryVault() }); // a second process sees it
    expect(await again.dispatch('devices.list', {})).toEqual({ ok: true, value: [device] });
    expect(await again.dispatch('devices.get', { device: 'LAB' })).toEqual({ ok: true, value: device });
    expect(await again.dispatch('devices.get', { device: device.id })).toEqual({ ok: true, value: device });

    expect(await core.dispatch('devices.remove', { device: 'lab' })).toEqual({ ok: true, value: { removed: device } });
    expect(await core.dispatch('devices.list', {})).toEqual({ ok: true, value: [] });
    expect(changes).toEqual([1, 0]);
  });

  it('rejects bad params with INVALID_INPUT and unknown commands', async () => {
    const { core } = await setup();
    const bad = await core.dispatch('devices.add', { host: 'nas', sshPort: 70000 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/sshPort/);
    expect(await core.dispatch('devices.add', { host: 'nas', extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await core.dispatch('devices.add', { host: 'bad host' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await core.dispatch('devices.nuke', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: /Unknown command/ },
    });
    expect(await core.dispatch('devices.get', { device: 'ghost' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses a duplicate name or address with CONFLICT', async () => {
    const { core } = await setup();
    await core.dispatch('devices.add', { host: 'nas.lan', name: 'Home NAS' });
    expect(await core.dispatch('devices.add', { host: '10.0.0.9', name: 'home nas' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { field: 'name' } },
    });
    expect(await core.dispatch('devices.add', { host: 'NAS.lan' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { field: 'host' } },
    });
    // Same host on another port is another endpoint.
    expect(await core.dispatch('devices.add', { host: 'nas.lan:2222', name: 'alt' })).toMatchObject({ ok: true });
  });

  it('keeps secrets in the vault and never in the config file', async () => {
    const { core, configDir, vault } = await setup();
    const res = await core.dispatch('devices.add', { host: 'nas', password: 'CANARY-pw-1', apiKey: 'CANARY-key-2' });
    const device = (res as { value: Device }).value;
    expect(device.access.secrets).toEqual(['password', 'apiKey']);
    expect(await vault.get(`${device.id}:password`)).toBe('CANARY-pw-1');
    const text = await readFile(join(configDir, 'config.json'), 'utf8');
    expect(text).not.toMatch(/CANARY/);
    expect(JSON.stringify(res)).not.toMatch(/CANARY/);
    await core.dispatch('devices.remove', { device: device.id });
    expect(vault.entries.size).toBe(0);
  });

  it('adds nothing when the keychain is unavailable', async () => {
    const broken = new MemoryVault();
    broken.set = async () => {
      throw new AppError('KEYCHAIN_UNAVAILABLE', 'no keychain');
    };
    const { core } = await setup(broken);
    expect(await core.dispatch('devices.add', { host: 'nas', password: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'KEYCHAIN_UNAVAILABLE' },
    });
    expect(await core.dispatch('devices.list', {})).toEqual({ ok: true, value: [] });
  });

  it('gets and patches settings, emitting settings.changed', async () => {
    const { core } = await setup();
    const seen: string[] = [];
    core.events.on('settings.changed', (s) => seen.push(s.theme));
    expect(await core.dispatch('settings.set', { theme: 'dark' })).toMatchObject({
      ok: true,
      value: { theme: 'dark', autoReconnect: true },
    });
    expect(await core.dispatch('settings.set', { theme: 'purple' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await core.dispatch('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'dark' } });
    expect(seen).toEqual(['dark']);
  });

  it('reports app info', async () => {
    const { core, configDir } = await setup();
    expect(await core.dispatch('app.info', {})).toMatchObject({
      ok: true,
      value: { name: 'Nasdeck', configDir, keychain: 'available' },
    });
  });

  it('learns MACs and vendor for a saved device seen on the network; wake needs a MAC', async () => {
    const { core } = await setup();
    await core.dispatch('devices.add', { host: '10.9.0.5', name: 'ds' });
    expect(await core.dispatch('devices.wake', { device: 'ds' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_SUPPORTED' },
    });
    // What discovery reports for that address (the table calls onSeen for every found device).
    core.discovery.table.add({
      source: 'mdns',
      key: 'ds.local',
      hostname: 'ds.local',
      addresses: ['10.9.0.5'],
      services: [{ type: '_http._tcp', port: 5000 }],
      txt: { '_http._tcp': { vendor: 'Synology', model: 'DS920+', mac_address: '00:11:32:aa:bb:cc' } },
      ttl: 120,
    });
    await new Promise((r) => setTimeout(r, 100));
    const device = (await core.dispatch('devices.get', { device: 'ds' })) as { value: Device };
    expect(device.value).toMatchObject({
      vendor: 'synology',
      model: 'DS920+',
      macs: ['00:11:32:aa:bb:cc'],
      addresses: ['10.9.0.5'],
    });
  });
});
