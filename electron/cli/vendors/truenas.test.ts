// `nasdeck device add wss://…/api/current --vendor truenas` and the management commands, run through
// runCli (the real CLI: argument parsing, core, vendor registry, pinned TLS, JSON-RPC) against the
// emulator; the same JSON shapes as the Linux adapter.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNasEmulator } from '../../../e2e/emulators/truenas/server';
import { cliHarness } from '../test-harness';

async function harness() {
  const h = await cliHarness('nasdeck-truenas-cli-');
  return { ...h, run: (stdin: string, ...argv: string[]) => h.run(argv, stdin) };
}

describe.each(['25.04', '24.10'] as const)('nasdeck against an emulated TrueNAS %s', (release) => {
  let emu: TrueNasEmulator;
  beforeAll(async () => {
    emu = await TrueNasEmulator.start({ release });
  });
  afterAll(() => emu.close());

  it('device add pins the certificate on confirmation; status, pool list, share list in the shared shapes', async () => {
    const { run, configDir, vault } = await harness();
    const url = release === '25.04' ? emu.url : emu.httpsUrl;
    const add = ['device', 'add', url, '--vendor', 'truenas', '--user', 'admin', '--password-stdin'];

    // Unknown certificate: exit 4 with the fingerprint, nothing saved.
    const refused = await run('admin-pass\n', ...add, '--json');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.err)).toMatchObject({
      error: { code: 'CERT_MISMATCH', details: { actual: emu.certSha256 } },
    });

    const added = await run('admin-pass\n', ...add, '--accept-new-cert', '--json');
    expect(added).toMatchObject({ code: 0, err: '' });
    const device = JSON.parse(added.out);
    expect(device).toMatchObject({
      vendor: 'truenas',
      host: '127.0.0.1',
      port: emu.port,
      model: 'TRUENAS-MINI-3.0-XL+',
      osVersion: release === '25.04' ? 'TrueNAS-SCALE-25.04.2.6' : 'TrueNAS-SCALE-24.10.2.4',
      access: { user: 'admin', certSha256: emu.certSha256, secrets: ['password'] },
    });
    expect(await vault.get(`${device.id}:password`)).toBe('admin-pass');
    expect(await readFile(join(configDir, 'config.json'), 'utf8')).not.toContain('admin-pass');

    const status = await run('', 'status', device.id, '--json');
    expect(status).toMatchObject({ code: 0, err: '' });
    const s = JSON.parse(status.out);
    expect(s).toMatchObject({
      device: device.id,
      health: 'healthy',
      system: { hostname: 'truenas', model: 'TRUENAS-MINI-3.0-XL+' },
      capabilities: { pools: true, iscsi: true },
    });
    expect(s.pools.map((p: { name: string }) => p.name)).toEqual(['tank', 'fast']);
    expect(s.disks).toHaveLength(5);
    expect(s.alerts).toContainEqual({
      level: 'warning',
      message: 'NTP health check failed - No Active NTP peers',
      source: 'NTPHealthCheck',
    });

    const pools = await run('', 'pool', 'list', device.id, '--json');
    expect(pools.code).toBe(0);
    const tank = JSON.parse(pools.out)[0];
    expect(Object.keys(tank).sort()).toEqual(
      ['id', 'name', 'kind', 'raidLevel', 'state', 'rawState', 'sizeBytes', 'usedBytes', 'devices', 'scrub'].sort(),
    );
    expect(tank).toMatchObject({
      name: 'tank',
      kind: 'zfs',
      raidLevel: 'raidz1',
      state: 'healthy',
      rawState: 'ONLINE',
    });

    const shares = await run('', 'share', 'list', device.id, '--json');
    expect(shares.code).toBe(0);
    expect(JSON.parse(shares.out)).toEqual([
      { name: 'media', protocol: 'smb', path: '/mnt/tank/media', readOnly: false, users: [], clients: [] },
      {
        name: 'backups',
        protocol: 'nfs',
        path: '/mnt/tank/backups',
        readOnly: false,
        users: [],
        clients: ['192.168.10.0/24'],
      },
    ]);

    // A dry run prints the API calls and changes nothing.
    const before = JSON.stringify(emu.model.smb);
    const plan = await run(
      '',
      'share',
      'create',
      device.id,
      '--protocol',
      'smb',
      '--name',
      'planned',
      '--pool',
      'tank',
      '--dry-run',
      '--json',
    );
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.out).steps.map((st: { where: string }) => st.where)).toEqual(['api', 'api']);
    expect(JSON.stringify(emu.model.smb)).toBe(before);

    // A wrong password stored for the device: exit 4.
    await vault.set(`${device.id}:password`, 'wrong');
    const denied = await run('', 'pool', 'list', device.id, '--json');
    expect(denied.code).toBe(4);
    expect(JSON.parse(denied.err).error.code).toBe('AUTH_FAILED');
  });
});
