// Reads through the real network stack (pinned TLS, WebSocket JSON-RPC or HTTPS REST) against the
// TrueNAS emulator, in the shared shapes, for each API generation.
import { describe, expect, it } from 'vitest';
import { healthStates } from '../../../../shared/domain';
import { emulatedTrueNas, RELEASES, deviceFor, jobContext } from './test-helpers';

describe.each(RELEASES)('TrueNAS %s reads', (release) => {
  const t = emulatedTrueNas(release);
  const adapter = t.adapter;

  it('speaks JSON-RPC from 25.04 and REST v2.0 before, chosen by GET /api/versions', async () => {
    const a = await adapter();
    const modern = release === '25.04' || release === '25.10';
    expect((a as unknown as { client: { transport: string } }).client.transport).toBe(modern ? 'jsonrpc' : 'rest');
    expect(t.emu.received.some((r) => r.path === 'GET /api/versions')).toBe(true);
    if (!modern) expect(t.emu.received.some((r) => r.path.startsWith('GET /api/v2.0/system/version'))).toBe(true);
  });

  it('system info: the product, not the CPU, as model', async () => {
    const info = await (await adapter()).systemInfo();
    expect(info).toMatchObject({
      hostname: 'truenas',
      model: 'TRUENAS-MINI-3.0-XL+',
      kernel: null,
      uptimeSeconds: 526265,
    });
    expect(info.os).toMatch(/^TrueNAS/);
  });

  it('pools with topology, raid level, members, scrub state and sizes', async () => {
    const pools = await (await adapter()).pools();
    expect(pools).toHaveLength(2);
    const tank = pools.find((p) => p.name === 'tank')!;
    expect(tank).toEqual({
      id: 'tank',
      name: 'tank',
      kind: 'zfs',
      raidLevel: 'raidz1',
      state: 'healthy',
      rawState: 'ONLINE',
      sizeBytes: 11991548690432,
      usedBytes: 4123456789012,
      devices: [
        { name: 'sda', state: 'healthy' },
        { name: 'sdb', state: 'healthy' },
        { name: 'sdc', state: 'healthy' },
      ],
      scrub: { state: 'finished', progress: 1, errorsCorrected: 0, errorsUncorrectable: 0 },
    });
    const fast = pools.find((p) => p.name === 'fast')!;
    expect(fast).toMatchObject({ raidLevel: 'mirror', state: 'healthy' });
    expect(fast.scrub).toBeUndefined();
    for (const p of pools) expect(healthStates).toContain(p.state);
  });

  it('maps every ZFS state onto the shared vocabulary, keeping the raw word', async () => {
    const a = await adapter();
    const tank = t.emu.model.pools[0]!;
    const fast = t.emu.model.pools[1]!;
    const original = { tank: structuredClone(tank), fast: structuredClone(fast) };
    try {
      fast.status = 'DEGRADED';
      fast.topology.data[0]!.status = 'DEGRADED';
      fast.topology.data[0]!.children[1]!.status = 'FAULTED';
      tank.topology.data[0]!.children[0]!.stats.checksum_errors = 3;
      let pools = await a.pools();
      expect(pools.find((p) => p.name === 'fast')).toMatchObject({
        state: 'degraded',
        rawState: 'DEGRADED',
        devices: [
          { name: 'nvme0n1', state: 'healthy' },
          { name: 'nvme1n1', state: 'failed' },
        ],
      });
      expect(pools.find((p) => p.name === 'tank')!.devices[0]).toEqual({ name: 'sda', state: 'degraded' });

      fast.scan = { ...original.tank.scan!, function: 'RESILVER', state: 'SCANNING', percentage: 40 };
      tank.scan = { ...original.tank.scan!, state: 'SCANNING', percentage: 37.5 };
      pools = await a.pools();
      expect(pools.find((p) => p.name === 'fast')).toMatchObject({
        state: 'rebuilding',
        rawState: 'DEGRADED, resilver 40%',
      });
      expect(pools.find((p) => p.name === 'tank')).toMatchObject({
        state: 'scrubbing',
        rawState: 'ONLINE, scrub 38%',
        scrub: { state: 'running', progress: 0.375 },
      });
      for (const word of ['FAULTED', 'UNAVAIL', 'OFFLINE', 'REMOVED', 'SUSPENDED']) {
        fast.status = word;
        expect((await a.pools()).find((p) => p.name === 'fast')).toMatchObject({ state: 'failed' });
      }
      fast.scan = null;
      fast.status = 'SOMETHING_NEW';
      expect((await a.pools()).find((p) => p.name === 'fast')).toMatchObject({
        state: 'unknown',
        rawState: 'SOMETHING_NEW',
      });
    } finally {
      Object.assign(tank, original.tank);
      Object.assign(fast, original.fast);
    }
  });

  it('disks with trimmed models and temperatures', async () => {
    const disks = await (await adapter()).disks();
    expect(disks).toHaveLength(5);
    expect(disks[0]).toEqual({
      name: 'sda',
      model: 'WDC WD40EFRX-68N32N0',
      serial: 'WD-WCC7K0000001',
      sizeBytes: 4000787030016,
      temperatureC: 34,
      smart: 'unknown',
    });
    expect(disks.find((d) => d.name === 'nvme1n1')!.temperatureC).toBeNull();
  });

  it('SMB and NFS shares, whatever the field names of this release', async () => {
    expect(await (await adapter()).shares()).toEqual([
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
  });

  it('snapshots with dates decoded from {"$date": ms}, of a dataset or a share', async () => {
    const a = await adapter();
    const expected = {
      name: 'auto-2025-06-01_00-00',
      of: 'tank/media',
      createdAt: '2025-06-01T00:00:00.000Z',
      sizeBytes: 1048576,
    };
    expect(await a.snapshots()).toEqual([expected]);
    expect(await a.snapshots('tank/media')).toEqual([expected]);
    expect(await a.snapshots('media')).toEqual([expected]);
    expect(await a.snapshots('tank/backups')).toEqual([]);
    await expect(a.snapshots('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('iSCSI targets with IQN, LUN size from the zvol, and allowed initiators', async () => {
    expect(await (await adapter()).iscsiTargets()).toEqual([
      {
        name: 'vmstore',
        iqn: 'iqn.2005-10.org.freenas.ctl:vmstore',
        luns: [{ id: 0, sizeBytes: 107374182400, backing: 'zvol/tank/vmstore' }],
        initiators: [],
      },
    ]);
  });

  it("alerts: TrueNAS's own, with levels mapped", async () => {
    const a = await adapter();
    expect(await a.alerts([], [])).toEqual([
      { level: 'warning', message: 'NTP health check failed - No Active NTP peers', source: 'NTPHealthCheck' },
    ]);
    t.emu.model.pools[1]!.status = 'DEGRADED';
    try {
      expect(await a.alerts([], [])).toContainEqual({
        level: 'critical',
        message: 'Pool fast state is DEGRADED: One or more devices are faulted.',
        source: 'VolumeStatus',
      });
    } finally {
      t.emu.model.pools[1]!.status = 'ONLINE';
    }
  });

  it('capabilities', async () => {
    const caps = await (await adapter()).capabilities();
    expect(caps).toMatchObject({
      pools: true,
      scrub: true,
      snapshots: true,
      smbShares: true,
      nfsShares: true,
      iscsi: true,
    });
    if (release === '24.10' || release === 'core13') expect(caps.notes.join(' ')).toMatch(/REST v2\.0/);
  });

  it('scrub: started, followed to the end with progress, the pool re-read', async () => {
    const a = await adapter();
    const ctx = jobContext();
    const pool = await a.scrub('tank', ctx);
    expect(pool.scrub).toMatchObject({ state: 'finished', progress: 1 });
    const fractions = ctx.seen.map(([f]) => f).filter((f): f is number => f !== null);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(t.emu.model.jobs.at(-1)).toMatchObject({ method: 'pool.scrub', state: 'SUCCESS' });
    await expect(a.scrub('nope', jobContext())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps one session per device across adapters (one sign-in)', async () => {
    const { device, vault } = await deviceFor(t.emu);
    const before = t.emu.logins;
    for (let i = 0; i < 5; i++) await (await t.driver.adapter({ device, vault })).pools();
    if (release === '25.04' || release === '25.10') expect(t.emu.logins - before).toBe(1);
  });
});
