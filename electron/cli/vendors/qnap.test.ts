// `nasdeck` against the QTS emulator: add with certificate confirmation, then the read commands
// in the shared JSON shapes, and the exit codes of CLI.md for what QNAP cannot do.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QnapEmulator } from '../../../e2e/emulators/qnap/server';
import { cliHarness } from '../test-harness';

const PASSWORD = 'correct horse';
let emu: QnapEmulator;

beforeAll(async () => {
  emu = await QnapEmulator.start();
});
afterAll(() => emu.stop());

async function harness() {
  const h = await cliHarness('nasdeck-qnap-cli-');
  return { ...h, run: (stdin: string, ...argv: string[]) => h.run(argv, stdin) };
}

describe('nasdeck with a QNAP', () => {
  it('adds it (certificate confirmed), then status, pool, disk and share lists in the shared shapes', async () => {
    const { run, configDir, vault } = await harness();
    const add = ['device', 'add', emu.url, '--vendor', 'qnap', '--user', 'admin', '--password-stdin', '--json'];
    const loginsBefore = emu.logins().length;

    const unconfirmed = await run(`${PASSWORD}\n`, ...add);
    expect(unconfirmed.code).toBe(4);
    expect(JSON.parse(unconfirmed.err).error).toMatchObject({
      code: 'CERT_MISMATCH',
      details: { actual: emu.certSha256 },
    });

    const added = await run(`${PASSWORD}\n`, ...add, '--accept-new-cert');
    expect(added).toMatchObject({ code: 0, err: '' });
    const device = JSON.parse(added.out);
    expect(device).toMatchObject({
      vendor: 'qnap',
      host: '127.0.0.1',
      port: emu.port,
      model: 'TS-328',
      osVersion: 'QTS 5.2.6 (build 20250715)',
      access: { user: 'admin', certSha256: emu.certSha256, secrets: ['password'] },
    });
    expect(await vault.get(`${device.id}:password`)).toBe(PASSWORD);
    expect(await readFile(join(configDir, 'config.json'), 'utf8')).not.toContain('horse');

    const status = await run('', 'status', device.name, '--json');
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out);
    expect(s).toMatchObject({
      device: device.id,
      health: 'healthy',
      system: { hostname: 'QNAP06', os: 'QTS 5.2.6', model: 'TS-328' },
      capabilities: { pools: true, disks: true, smart: true, smbShares: false, snapshots: false },
      alerts: [],
    });
    expect(s.pools).toHaveLength(1);
    expect(s.disks).toHaveLength(3);

    const pools = JSON.parse((await run('', 'pool', 'list', device.id, '--json')).out);
    expect(pools).toEqual([
      {
        id: '1',
        name: 'DataVol1',
        kind: 'vendor',
        raidLevel: 'raid5',
        state: 'healthy',
        rawState: 'ready',
        sizeBytes: 5934928510976,
        usedBytes: 5068972916736,
        devices: [
          { name: 'Disk 1', state: 'healthy' },
          { name: 'Disk 2', state: 'healthy' },
          { name: 'Disk 3', state: 'healthy' },
        ],
      },
    ]);

    const disks = JSON.parse((await run('', 'disk', 'list', device.id, '--json')).out);
    expect(
      disks.map((d: { name: string; smart: string; temperatureC: number }) => [d.name, d.smart, d.temperatureC]),
    ).toEqual([
      ['Disk 1', 'ok', 37],
      ['Disk 2', 'ok', 38],
      ['Disk 3', 'ok', 39],
    ]);

    const shares = JSON.parse((await run('', 'share', 'list', device.id, '--json')).out);
    expect(shares).toContainEqual({
      name: 'Public',
      protocol: 'smb',
      path: '/Public',
      readOnly: false,
      users: [],
      clients: [],
      managed: false,
    });

    // Human output works too.
    const human = await run('', 'pool', 'list', device.id);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/DataVol1/);

    // What QTS has no public API for: exit 5 with the fix, also as a dry run.
    const create = await run(
      '',
      'share',
      'create',
      device.id,
      '--protocol',
      'smb',
      '--name',
      'New',
      '--dry-run',
      '--json',
    );
    expect(create.code).toBe(5);
    expect(JSON.parse(create.err).error).toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.stringMatching(/SSH/) },
    });
    expect((await run('', 'snapshot', 'list', device.id)).code).toBe(5);

    // One sign-in per CLI run that read something: add, status, pool, disk, share, human pool list.
    expect(emu.logins().length - loginsBefore).toBe(6);
    const everything = JSON.stringify(emu.received) + status.out + status.err;
    expect(everything).not.toContain(PASSWORD);
  });

  it('a wrong password or a 2-step account without a code → exit 4; the code makes it work', async () => {
    const { run } = await harness();
    const add = [
      'device',
      'add',
      emu.url,
      '--vendor',
      'qnap',
      '--user',
      'admin',
      '--password-stdin',
      '--accept-new-cert',
    ];
    const wrong = await run('wrong horse\n', ...add, '--json');
    expect(wrong.code).toBe(4);
    expect(JSON.parse(wrong.err).error.code).toBe('AUTH_FAILED');

    emu.state.users.admin!.twoStepCode = '246810';
    try {
      const needsCode = await run(`${PASSWORD}\n`, ...add, '--json');
      expect(needsCode.code).toBe(4);
      expect(JSON.parse(needsCode.err).error.details).toMatchObject({ otpRequired: true });
      const added = await run(`${PASSWORD}\n`, ...add, '--otp', '246810', '--remember-device', '--json');
      expect(added.code).toBe(0);
      const device = JSON.parse(added.out);
      expect(device.access.secrets).toEqual(['password', 'deviceToken']);
      // The remembered computer signs in later without a code.
      const pools = await run('', 'pool', 'list', device.id, '--json');
      expect(pools.code).toBe(0);
      expect(JSON.parse(pools.out)[0].name).toBe('DataVol1');
    } finally {
      delete emu.state.users.admin!.twoStepCode;
    }
  });
});
