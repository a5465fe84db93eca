// `nasdeck` against the DSM emulator: device add (certificate pinned, 2-step code, remembered
// computer), then status / pool list / share list in the same JSON shapes as every vendor.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSynologyEmulator, type SynologyEmulator } from '../../../e2e/emulators/synology/server';
import { cliHarness } from '../test-harness';

let emu: SynologyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function cli() {
  return cliHarness('nasdeck-syno-cli-');
}

/** `device add` of the emulator under a name and account, its certificate accepted, the password read from stdin. */
const addDevice = (url: string, name: string, user: string) => [
  'device',
  'add',
  url,
  '--name',
  name,
  '--vendor',
  'synology',
  '--user',
  user,
  '--password-stdin',
  '--accept-new-cert',
];

describe('nasdeck with a Synology DSM', () => {
  it('adds the NAS over its API and shows status, pools and shares in the shared shapes', async () => {
    emu = await startSynologyEmulator({ dsm: 7 });
    const { run, configDir, vault } = await cli();
    const url = `https://127.0.0.1:${emu.port}`;

    const untrusted = await run(
      ['device', 'add', url, '--vendor', 'synology', '--user', 'admin', '--password-stdin'],
      'admin-pass\n',
    );
    expect(untrusted.code).toBe(4);
    expect(untrusted.err).toMatch(/SHA256:/);

    const add = await run([...addDevice(url, 'syno', 'admin'), '--json'], 'admin-pass\n');
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    const device = JSON.parse(add.out);
    expect(device).toMatchObject({
      name: 'syno',
      host: '127.0.0.1',
      port: emu.port,
      vendor: 'synology',
      model: 'DS920+',
      osVersion: 'DSM 7.2.2-72806 Update 3',
      access: { user: 'admin', secrets: ['password'], certSha256: expect.stringMatching(/^SHA256:/) },
    });
    for (const file of await readdir(configDir))
      expect(await readFile(join(configDir, file), 'utf8').catch(() => '')).not.toContain('admin-pass');
    expect([...vault.entries.values()]).toContain('admin-pass');

    const status = await run(['status', 'syno', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out);
    expect(s).toMatchObject({
      device: device.id,
      health: 'healthy',
      system: { hostname: 'nas-emu', os: 'DSM 7.2.2-72806 Update 3', model: 'DS920+' },
      capabilities: { pools: true, snapshots: true, iscsi: true, scrub: false },
      alerts: [],
    });
    expect(s.disks[0]).toEqual({
      name: '/dev/sda',
      model: 'WD80EFAX-68KNBN0',
      serial: 'VAHG1001L',
      sizeBytes: 8001563222016,
      temperatureC: 38,
      smart: 'ok',
    });

    const pools = JSON.parse((await run(['pool', 'list', 'syno', '--json'])).out);
    expect(
      pools.map((p: { name: string; raidLevel: string; state: string }) => [p.name, p.raidLevel, p.state]),
    ).toEqual([
      ['Storage Pool 1', 'SHR', 'healthy'],
      ['Storage Pool 2', 'raid1', 'healthy'],
    ]);
    expect(Object.keys(pools[0])).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'kind',
        'raidLevel',
        'state',
        'rawState',
        'sizeBytes',
        'usedBytes',
        'devices',
      ]),
    );

    const shares = JSON.parse((await run(['share', 'list', 'syno', '--json'])).out);
    expect(shares).toContainEqual(
      expect.objectContaining({ name: 'media', protocol: 'nfs', path: '/volume1/media', clients: ['192.168.1.0/24'] }),
    );

    // A degraded pool shows in the overall health and the alerts.
    emu.model.pools[0]!.status = 'degraded';
    const degraded = JSON.parse((await run(['status', 'syno', '--json'])).out);
    expect(degraded.health).toBe('degraded');
    expect(degraded.alerts[0]).toMatchObject({ level: 'critical' });
  });

  it('adds a 2-step account with --otp and --remember-device; later commands need no code', async () => {
    emu = await startSynologyEmulator({ dsm: 6 });
    const { run, vault } = await cli();
    const url = `https://127.0.0.1:${emu.port}`;
    const base = addDevice(url, 'syno6', 'otpadmin');

    const noCode = await run([...base, '--json'], 'otp-pass\n');
    expect(noCode.code).toBe(4);
    expect(JSON.parse(noCode.err).error).toMatchObject({ code: 'AUTH_FAILED', details: { otpRequired: true } });

    const otp = emu.model.otpFor('otpadmin');
    const add = await run([...base, '--otp', otp, '--remember-device', '--json'], 'otp-pass\n');
    expect(add.err).toBe('');
    const device = JSON.parse(add.out);
    expect(device.access.secrets).toEqual(['password', 'deviceToken']);
    expect(device).toMatchObject({ model: 'DS918+', osVersion: 'DSM 6.2.4-25556 Update 7' });
    const token = await vault.get(`${device.id}:deviceToken`);
    expect(emu.model.deviceTokens.has(token!)).toBe(true);

    const pools = await run(['pool', 'list', 'syno6', '--json']);
    expect(pools.code).toBe(0);
    expect(JSON.parse(pools.out)).toHaveLength(2);
    const last = emu.calls('SYNO.API.Auth', 'login').at(-1)!;
    expect(last).toMatchObject({ cgi: 'auth.cgi', version: '6' });
    expect(last.params.otp_code).toBeUndefined();
    expect(last.params.device_id).toBe(token);
  });

  it('a non-administrator gets exit 4 with the reason; a dry run prints the API calls and changes nothing', async () => {
    emu = await startSynologyEmulator({ dsm: 7 });
    const { run } = await cli();
    const url = `https://127.0.0.1:${emu.port}`;
    await run(addDevice(url, 'alice', 'alice'), 'alice-pass\n');
    const denied = await run(['pool', 'list', 'alice']);
    expect(denied.code).toBe(4);
    expect(denied.err).toMatch(/needs an administrator account/);

    await run(['device', 'remove', 'alice']);
    await run(addDevice(url, 'syno', 'admin'), 'admin-pass\n');
    const dry = await run([
      'share',
      'create',
      'syno',
      '--protocol',
      'nfs',
      '--name',
      'backup',
      '--client',
      '10.0.0.0/8',
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.out);
    expect(plan.steps.map((s: { call: string }) => s.call.split(' ')[0])).toEqual([
      'SYNO.Core.Share.create',
      'SYNO.Core.FileServ.NFS.SharePrivilege.save',
    ]);
    expect(emu.model.share('backup')).toBeUndefined();
  });
});
