// The Synology adapter against the DSM emulator over real HTTPS: reads in the shared shapes,
// mutations that change the emulator's state, and dry-run plans that change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/jobs';
import { harness, type Harness } from './test-helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof AppError ? e.code : `untyped: ${String(e)}`),
  );

describe.each([6, 7] as const)('Synology adapter (DSM %i)', (dsm) => {
  it('reads system, pools, disks, shares, snapshots in the shared shapes', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    const sys = await a.systemInfo();
    expect(sys).toEqual({
      hostname: 'nas-emu',
      os: dsm === 6 ? 'DSM 6.2.4-25556 Update 7' : 'DSM 7.2.2-72806 Update 3',
      kernel: null,
      uptimeSeconds: 1209600,
      model: dsm === 6 ? 'DS918+' : 'DS920+',
    });

    const pools = await a.pools();
    expect(pools).toHaveLength(2);
    expect(pools[0]).toMatchObject({
      id: 'reuse_1',
      name: 'Storage Pool 1',
      kind: 'vendor',
      raidLevel: 'SHR',
      state: 'healthy',
      rawState: 'normal',
      sizeBytes: 7_681_771_159_552,
      usedBytes: 2_724_878_606_336,
      devices: [
        { name: '/dev/sda', state: 'healthy' },
        { name: '/dev/sdb', state: 'healthy' },
      ],
      scrub: { state: 'done', progress: 1 },
    });
    expect(pools[1]).toMatchObject({ id: 'reuse_2', raidLevel: 'raid1' });
    expect(typeof pools[0]!.sizeBytes).toBe('number');

    const disks = await a.disks();
    expect(disks[0]).toEqual({
      name: '/dev/sda',
      model: 'WD80EFAX-68KNBN0',
      serial: 'VAHG1001L',
      sizeBytes: 8_001_563_222_016,
      temperatureC: 38,
      smart: 'ok',
    });

    const shares = await a.shares();
    expect(shares).toContainEqual({
      name: 'media',
      protocol: 'nfs',
      path: '/volume1/media',
      readOnly: true,
      users: [],
      clients: ['192.168.1.0/24'],
      managed: true,
    });
    expect(shares.find((s) => s.name === 'media' && s.protocol === 'smb')).toMatchObject({ users: ['alice'] });
    expect(shares.filter((s) => s.protocol === 'smb').map((s) => s.name)).toEqual(['homes', 'media', 'archive']);
    // The list is POSTed so that DSM includes the `additional` keys.
    expect(h.emu.calls('SYNO.Core.Share', 'list').every((r) => r.httpMethod === 'POST')).toBe(true);

    expect(await a.snapshots('media')).toEqual([
      { name: 'GMT+02-2025.06.01-03.00.00', of: 'media', createdAt: '2025-06-01T01:00:00.000Z', sizeBytes: 1_048_576 },
    ]);
    // Snapshot list at version 2 with JSON-quoted parameters (requestFormat JSON).
    const list = h.emu.calls('SYNO.Core.Share.Snapshot', 'list')[0]!;
    expect(list.version).toBe('2');
    expect(list.params.name).toBe('"media"');
    expect(list.params.additional).toBe('["desc","lock","schedule_snapshot","ruuid","snap_size"]');

    const caps = await a.capabilities();
    expect(caps).toMatchObject({ pools: true, scrub: false, snapshots: true, nfsShares: true, iscsi: true });
    expect(caps.notes.join(' ')).toMatch(/data scrubbing/);
  });

  it('uses the Auth path and version that SYNO.API.Info advertises, with the SynoToken header', async () => {
    h = await harness({ dsm });
    await (await h.adapter()).pools();
    const login = h.emu.calls('SYNO.API.Auth', 'login')[0]!;
    expect(login).toMatchObject({ cgi: dsm === 6 ? 'auth.cgi' : 'entry.cgi', version: String(dsm) });
    const load = h.emu.calls('SYNO.Storage.CGI.Storage', 'load_info').at(-1)!;
    expect(load.cgi).toBe('entry.cgi');
    expect(load.synoTokenHeader).toMatch(/.+/);
    expect(h.emu.calls('SYNO.API.Info')[0]!.cgi).toBe('query.cgi');
  });

  it('maps degraded and crashed pools, failing disks and full volumes onto health and alerts', async () => {
    h = await harness({ dsm });
    const m = h.emu.model;
    m.pools[0]!.status = 'degraded';
    m.disks[1]!.status = 'crashed';
    m.pools[1]!.status = 'crashed';
    m.volumes[1]!.baseUsedBytes = m.volumes[1]!.sizeBytes - 1000;
    const a = await h.adapter();
    const pools = await a.pools();
    expect(pools.map((p) => [p.state, p.rawState])).toEqual([
      ['degraded', 'degraded'],
      ['failed', 'crashed'],
    ]);
    expect(pools[0]!.devices[1]).toEqual({ name: '/dev/sdb', state: 'failed' });
    const disks = await a.disks();
    expect(disks[1]!.smart).toBe('failing');
    const alerts = await a.alerts(pools, disks);
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'critical', message: expect.stringMatching(/Storage Pool 1 is degraded/) }),
        expect.objectContaining({ level: 'critical', message: expect.stringMatching(/Storage Pool 2 has crashed/) }),
        expect.objectContaining({ level: 'critical', source: 'disk /dev/sdb' }),
        expect.objectContaining({ level: 'warning', source: 'volume /volume2' }),
      ]),
    );
  });

  it('creates and deletes SMB and NFS shares with NFS rules and user permissions', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    const smb = await a.createShare({
      protocol: 'smb',
      name: 'projects',
      pool: 'Storage Pool 1',
      readOnly: false,
      users: ['alice'],
      clients: [],
    });
    expect(smb).toMatchObject({ name: 'projects', protocol: 'smb', path: '/volume1/projects', users: ['alice'] });
    expect(h.emu.model.share('projects')).toMatchObject({ volPath: '/volume1', enableCow: true });
    expect(h.emu.model.share('projects')!.permissions.get('alice')).toMatchObject({ is_writable: true });
    const create = h.emu.calls('SYNO.Core.Share', 'create')[0]!;
    expect(create.params.name).toBe('"projects"');
    expect(JSON.parse(create.params.shareinfo!)).toMatchObject({ name: 'projects', vol_path: '/volume1' });

    // NFS on the existing folder only adds rules.
    await a.createShare({ protocol: 'nfs', name: 'projects', readOnly: true, users: [], clients: ['10.0.0.0/24'] });
    expect(h.emu.model.share('projects')!.nfs).toEqual([
      expect.objectContaining({ client: '10.0.0.0/24', privilege: 'ro' }),
    ]);
    expect(h.emu.calls('SYNO.Core.Share', 'create')).toHaveLength(1);
    expect((await a.shares()).filter((s) => s.name === 'projects').map((s) => s.protocol)).toEqual(['smb', 'nfs']);

    expect(
      await code(a.createShare({ protocol: 'smb', name: 'PROJECTS', readOnly: false, users: [], clients: [] })),
    ).toBe('CONFLICT');
    expect(await code(a.createShare({ protocol: 'smb', name: 'a/b', readOnly: false, users: [], clients: [] }))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await code(a.createShare({ protocol: 'nfs', name: 'x', readOnly: false, users: [], clients: ['1.2.3.4; rm'] })),
    ).toBe('INVALID_INPUT');

    await a.deleteShare('projects', 'nfs');
    expect(h.emu.model.share('projects')!.nfs).toEqual([]);
    await a.deleteShare('projects');
    expect(h.emu.model.share('projects')).toBeUndefined();
    expect(JSON.parse(h.emu.calls('SYNO.Core.Share', 'delete')[0]!.params.name!)).toEqual(['projects']);
    expect(await code(a.deleteShare('projects'))).toBe('NOT_FOUND');
  });

  it('undoes the shared folder when a later step (permissions for an unknown user) is refused', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    const err = await a
      .createShare({ protocol: 'smb', name: 'temp', readOnly: false, users: ['nobody'], clients: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_INPUT');
    expect(h.emu.model.share('temp')).toBeUndefined();
    expect(h.emu.calls('SYNO.Core.Share', 'delete')).toHaveLength(1);
  });

  it('creates and deletes snapshots; rollback is not offered', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    const snap = await a.createSnapshot('media', 'nightly');
    expect(snap.name).toMatch(/^GMT\+02-\d{4}\.\d{2}\.\d{2}-\d{2}\.\d{2}\.\d{2}$/);
    expect(Date.parse(snap.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(h.emu.model.share('media')!.snapshots.find((s) => s.time === snap.name)?.desc).toBe('nightly');
    const create = h.emu.calls('SYNO.Core.Share.Snapshot', 'create')[0]!;
    expect(create.version).toBe('1');
    expect(JSON.parse(create.params.snapinfo!)).toEqual({ desc: 'nightly', lock: true });

    expect((await a.snapshots()).map((s) => s.of).sort()).toEqual(['media', 'media']);
    await a.deleteSnapshot('media', snap.name);
    expect(h.emu.model.share('media')!.snapshots.map((s) => s.time)).toEqual(['GMT+02-2025.06.01-03.00.00']);
    expect(h.emu.calls('SYNO.Core.Share.Snapshot', 'delete')[0]!.version).toBe('1');

    expect(await code(a.deleteSnapshot('media', 'GMT+02-1999.01.01-00.00.00'))).toBe('NOT_FOUND');
    expect(await code(a.createSnapshot('archive', 'x'))).toBe('NOT_SUPPORTED'); // ext4
    expect(await code(a.rollbackSnapshot('media', 'GMT+02-2025.06.01-03.00.00'))).toBe('NOT_SUPPORTED');
    expect(await code(a.scrub('reuse_1', {} as JobContext))).toBe('NOT_SUPPORTED');
    expect(await code(a.setSmbPassword('alice', 'x'))).toBe('NOT_SUPPORTED');
  });

  it('creates an iSCSI target with a LUN, mapping and CHAP, lists it, and deletes both', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    const t = await a.createIscsiTarget({
      name: 'vmstore',
      sizeBytes: 2 * 1024 ** 3,
      chapUser: 'esx',
      chapSecret: 'chap-secret-123',
      initiators: [],
    });
    const listed = await a.iscsiTargets();
    expect(listed).toEqual([t]);
    expect(listed).toEqual([
      {
        name: 'vmstore',
        iqn: 'iqn.2000-01.com.synology:nas-emu.vmstore',
        luns: [{ id: 1, sizeBytes: 2 * 1024 ** 3, backing: '/volume1/vmstore' }],
        chapUser: 'esx',
        initiators: ['ALL'],
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain('chap-secret-123');
    expect(h.emu.model.luns[0]).toMatchObject({ type: 'BLUN', location: '/volume1' });
    expect(h.emu.model.targets[0]!.mapped).toEqual([h.emu.model.luns[0]!.uuid]);
    expect(JSON.parse(h.emu.calls('SYNO.Core.ISCSI.LUN', 'map_target')[0]!.params.target_ids!)).toEqual([1]);

    expect(await code(a.createIscsiTarget({ name: 'vmstore', sizeBytes: 1024 ** 3, initiators: [] }))).toBe('CONFLICT');
    expect(
      await code(
        a.createIscsiTarget({ name: 'x', sizeBytes: 1024 ** 3, chapUser: 'u', chapSecret: 'short', initiators: [] }),
      ),
    ).toBe('INVALID_INPUT');
    expect(
      await code(a.createIscsiTarget({ name: 'y', sizeBytes: 1024 ** 3, initiators: ['iqn.1998-01.com.vmware:esx1'] })),
    ).toBe('NOT_SUPPORTED');

    await a.deleteIscsiTarget('vmstore');
    expect(h.emu.model.targets).toEqual([]);
    expect(h.emu.model.luns).toEqual([]); // the adapter waited for the background deletion
    expect(await code(a.deleteIscsiTarget('vmstore'))).toBe('NOT_FOUND');
  });

  it('undoes the LUN when the target cannot be created (space, duplicate IQN)', async () => {
    h = await harness({ dsm });
    h.emu.model.addTarget('other', 'iqn.2000-01.com.synology:nas-emu.clash', 0, '', '');
    const a = await h.adapter();
    expect(await code(a.createIscsiTarget({ name: 'clash', sizeBytes: 1024 ** 3, initiators: [] }))).toBe('CONFLICT');
    expect(h.emu.model.luns.filter((l) => !l.deleting)).toEqual([]);
    expect(await code(a.createIscsiTarget({ name: 'toobig', sizeBytes: 100 * 1024 ** 4, initiators: [] }))).toBe(
      'CONFLICT',
    );
  });

  it('dry runs plan every API call with secrets as *** and change nothing', async () => {
    h = await harness({ dsm });
    const before = h.emu.requests.length;
    const plan: PlanStep[] = [];
    const a = await h.adapter(plan);
    await a.createShare({ protocol: 'nfs', name: 'newnfs', readOnly: false, users: [], clients: ['10.1.0.0/16'] });
    await a.createIscsiTarget({
      name: 'drylun',
      sizeBytes: 1024 ** 3,
      chapUser: 'esx',
      chapSecret: 'CANARY-chap-42',
      initiators: [],
    });
    await a.createSnapshot('media', 'dry');
    await a.deleteShare('media');
    expect(plan.map((s) => s.call!.split(' ').slice(0, 2).join(' '))).toEqual([
      'SYNO.Core.Share.create v1',
      'SYNO.Core.FileServ.NFS.SharePrivilege.save v1',
      'SYNO.Core.ISCSI.LUN.create v1',
      'SYNO.Core.ISCSI.Target.create v1',
      'SYNO.Core.ISCSI.LUN.map_target v1',
      'SYNO.Core.Share.Snapshot.create v1',
      'SYNO.Core.Share.delete v1',
    ]);
    expect(plan.every((s) => s.where === 'api' && s.description.length > 0)).toBe(true);
    expect(plan[3]!.call).toContain('password=***');
    expect(JSON.stringify(plan)).not.toContain('CANARY');
    expect(plan[0]!.call).toContain('name="newnfs"');
    const sent = h.emu.requests.slice(before).map((r) => `${r.api}.${r.method}`);
    expect(sent.filter((c) => /\.(create|save|delete|set|map_target)$/.test(c))).toEqual([]);
    expect(h.emu.model.share('newnfs')).toBeUndefined();
    expect(h.emu.model.share('media')).toBeDefined();
    expect(h.emu.model.luns).toEqual([]);
  });
});
