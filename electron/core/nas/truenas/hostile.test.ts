// A hostile or broken TrueNAS: truncated JSON, wrong types, a reply larger than the cap, a non-object
// frame, HTML error pages instead of JSON. Each is one typed error (never a crash or a hang), and
// the session keeps working once the NAS behaves again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNasEmulator, type Hostile } from '../../../../e2e/emulators/truenas/server';
import { deviceFor, newDriver } from './test-helpers';

const kinds: Hostile[] = ['truncated', 'wrong-types', 'not-object', 'html', 'huge'];

describe.each(['25.04', '24.10'] as const)('TrueNAS %s with hostile replies', (release) => {
  let emu: TrueNasEmulator;
  // A small cap keeps the test quick on a busy machine; the logic is the same as the 32 MiB default.
  const driver = newDriver({ maxPayloadBytes: 4 * 1024 * 1024 });
  beforeAll(async () => {
    emu = await TrueNasEmulator.start({ release });
  });
  afterAll(async () => {
    await driver.closeAll();
    await emu.close();
  });

  it.each(kinds)('%s reply to pool.query → INTERNAL "Could not parse…", then recovers', async (kind) => {
    const a = await driver.adapter(await deviceFor(emu));
    emu.faults.hostile = { method: 'pool.query', kind, bytes: 8 * 1024 * 1024 };
    const err = await a.pools().catch((e: unknown) => e);
    delete emu.faults.hostile;
    expect(err).toMatchObject({ code: 'INTERNAL', details: { vendor: 'truenas' } });
    expect((err as Error).message).toMatch(
      kind === 'html' && release === '24.10' ? /HTML page/ : /Could not parse TrueNAS/,
    );
    expect((err as Error).message.length).toBeLessThan(400);
    expect((await a.pools()).length).toBe(2);
  });

  it.each([
    ['system.info', 'systemInfo'],
    ['disk.query', 'disks'],
    ['sharing.nfs.query', 'shares'],
    ['zfs.snapshot.query', 'snapshots'],
    ['iscsi.target.query', 'iscsiTargets'],
    ['alert.list', 'alerts'],
  ] as const)('wrong types in %s → a typed error naming the method', async (method, read) => {
    const a = await driver.adapter(await deviceFor(emu));
    emu.faults.hostile = { method, kind: 'wrong-types' };
    try {
      await expect((a[read] as () => Promise<unknown>).call(a)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining(`Could not parse TrueNAS ${method} reply`),
      });
    } finally {
      delete emu.faults.hostile;
    }
  });

  it('an HTML 502 page instead of the API (nginx up, middleware down) → UNREACHABLE, not a crash', async () => {
    emu.faults.htmlEverywhere = true;
    try {
      const fresh = newDriver();
      await expect(fresh.adapter(await deviceFor(emu))).rejects.toMatchObject({
        code: 'UNREACHABLE',
        message: expect.stringMatching(/HTML page \(HTTP 502\)/),
      });
      await fresh.closeAll();
    } finally {
      delete emu.faults.htmlEverywhere;
    }
  });
});
