// Changes through the real network stack against the emulator, for each API generation: the
// renamed methods and fields (zfs.snapshot → pool.snapshot, NFS paths[] → path, SMB ro → readonly)
// are what the emulator's strict validation demands, so a wrong mapping fails here. Dry runs plan
// the exact API calls with secrets as *** and change nothing.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../../shared/domain';
import { emulatedTrueNas, RELEASES } from './test-helpers';

const CHAP = 'Chap-Secret-42x';

describe.each(RELEASES)('TrueNAS %s changes', (release) => {
  const t = emulatedTrueNas(release);
  const adapter = t.adapter;

  it('creates an SMB share on a new dataset, in the field names of this release, and deletes it', async () => {
    const a = await adapter();
    const share = await a.createShare({
      protocol: 'smb',
      name: 'docs',
      pool: 'tank',
      readOnly: true,
      users: [],
      clients: [],
    });
    expect(share).toEqual({
      name: 'docs',
      protocol: 'smb',
      path: '/mnt/tank/docs',
      readOnly: true,
      users: [],
      clients: [],
    });
    const row = t.emu.model.smb.find((r) => r.name === 'docs')!;
    expect(row[release === '25.10' ? 'readonly' : 'ro']).toBe(true);
    expect(t.emu.model.datasets.some((d) => d.id === 'tank/docs')).toBe(true);
    expect(await a.shares()).toContainEqual(share);
    await expect(
      a.createShare({ protocol: 'smb', name: 'docs', readOnly: false, users: [], clients: [] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await a.deleteShare('docs');
    expect(t.emu.model.smb.some((r) => r.name === 'docs')).toBe(false);
    // The data stays.
    expect(t.emu.model.datasets.some((d) => d.id === 'tank/docs')).toBe(true);
    await expect(a.deleteShare('docs')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports an existing path over NFS (paths[] on CORE, path on SCALE) and deletes it', async () => {
    const a = await adapter();
    const share = await a.createShare({
      protocol: 'nfs',
      name: 'media-nfs',
      path: '/mnt/tank/media',
      readOnly: false,
      users: [],
      clients: ['10.0.0.0/24', 'host.lan'],
    });
    expect(share).toEqual({
      name: 'media-nfs',
      protocol: 'nfs',
      path: '/mnt/tank/media',
      readOnly: false,
      users: [],
      clients: ['10.0.0.0/24', 'host.lan'],
    });
    const row = t.emu.model.nfs.find((r) => r.comment === 'media-nfs')!;
    if (release === 'core13') expect(row.paths).toEqual(['/mnt/tank/media']);
    else expect(row.path).toBe('/mnt/tank/media');
    expect(await a.shares()).toContainEqual(share);
    await a.deleteShare('media-nfs', 'nfs');
    expect(t.emu.model.nfs.some((r) => r.comment === 'media-nfs')).toBe(false);
  });

  it('a share on a missing path is refused by TrueNAS as invalid input, nothing left behind', async () => {
    const a = await adapter();
    await expect(
      a.createShare({
        protocol: 'smb',
        name: 'ghost',
        path: '/mnt/tank/ghost',
        readOnly: false,
        users: [],
        clients: [],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(t.emu.model.smb.some((r) => r.name === 'ghost')).toBe(false);
  });

  it('snapshots: create, rollback to the latest only, delete', async () => {
    const a = await adapter();
    const first = await a.createSnapshot('media', 'before-upgrade');
    expect(first).toMatchObject({ name: 'before-upgrade', of: 'tank/media', sizeBytes: 1048576 });
    expect(Date.parse(first.createdAt)).toBeGreaterThan(Date.parse('2026-01-01'));
    await expect(a.createSnapshot('tank/media', 'before-upgrade')).rejects.toMatchObject({ code: 'CONFLICT' });
    await a.createSnapshot('tank/media', 'later');
    await expect(a.rollbackSnapshot('tank/media', 'before-upgrade')).rejects.toMatchObject({ code: 'CONFLICT' });
    await a.rollbackSnapshot('tank/media', 'later');
    expect(t.emu.model.rollbacks.at(-1)).toBe('tank/media@later');
    await a.deleteSnapshot('tank/media', 'later');
    await a.deleteSnapshot('media', 'before-upgrade');
    expect((await a.snapshots('tank/media')).map((s) => s.name)).toEqual(['auto-2025-06-01_00-00']);
    await expect(a.deleteSnapshot('tank/media', 'later')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('iSCSI: zvol, CHAP, initiator group, target, extent and LUN mapping; then deleted with its pieces', async () => {
    const a = await adapter();
    const created = await a.createIscsiTarget({
      name: 'esxi-ds1',
      sizeBytes: 10 * 2 ** 30,
      chapUser: 'esxi',
      chapSecret: CHAP,
      initiators: ['iqn.1998-01.com.vmware:esx1'],
    });
    const expected = {
      name: 'esxi-ds1',
      iqn: 'iqn.2005-10.org.freenas.ctl:esxi-ds1',
      luns: [{ id: 0, sizeBytes: 10 * 2 ** 30, backing: 'zvol/tank/esxi-ds1' }],
      chapUser: 'esxi',
      initiators: ['iqn.1998-01.com.vmware:esx1'],
    };
    expect(created).toEqual(expected);
    expect(await a.iscsiTargets()).toContainEqual(expected);
    expect(t.emu.model.auths).toContainEqual(expect.objectContaining({ user: 'esxi', secret: CHAP }));
    await expect(a.createIscsiTarget({ name: 'esxi-ds1', sizeBytes: 1, initiators: [] })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      a.createIscsiTarget({ name: 'short', sizeBytes: 2 ** 30, chapUser: 'u', chapSecret: 'short', initiators: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    await a.deleteIscsiTarget('esxi-ds1');
    expect((await a.iscsiTargets()).map((t) => t.name)).toEqual(['vmstore']);
    expect(t.emu.model.auths).toEqual([]);
    expect(t.emu.model.initiators.map((i) => i.id)).toEqual([1]);
    expect(t.emu.model.extents.map((e) => e.name)).toEqual(['vmstore-lun0']);
    // The zvol (the data) stays.
    expect(t.emu.model.datasets.some((d) => d.id === 'tank/esxi-ds1')).toBe(true);
    await expect(a.deleteIscsiTarget('esxi-ds1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a failing step undoes the steps before it, newest first', async () => {
    const a = await adapter();
    // An extent with the target's name already exists: the extent step fails after four others.
    t.emu.model.extents.push({ ...t.emu.model.extents[0]!, id: 99, name: 'clash' });
    try {
      const before = JSON.stringify({
        d: t.emu.model.datasets.map((d) => d.id),
        t: t.emu.model.targets,
        a: t.emu.model.auths,
      });
      await expect(
        a.createIscsiTarget({
          name: 'clash',
          sizeBytes: 2 ** 30,
          chapUser: 'u1',
          chapSecret: CHAP,
          initiators: ['iqn.x:y'],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(
        JSON.stringify({ d: t.emu.model.datasets.map((d) => d.id), t: t.emu.model.targets, a: t.emu.model.auths }),
      ).toBe(before);
      expect(t.emu.model.initiators.map((i) => i.id)).toEqual([1]);
    } finally {
      t.emu.model.extents = t.emu.model.extents.filter((e) => e.id !== 99);
    }
  });

  it("sets a user's SMB password (the account password on TrueNAS)", async () => {
    const a = await adapter();
    await a.setSmbPassword('alice', 'new-alice-pass');
    expect(t.emu.model.users.find((u) => u.username === 'alice')!.password).toBe('new-alice-pass');
    await expect(a.setSmbPassword('nobody', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('dry run: every change planned as API calls with secrets as ***, nothing changed on the NAS', async () => {
    const plan: PlanStep[] = [];
    const a = await adapter(plan);
    const before = JSON.stringify(t.emu.model);
    await a.createShare({ protocol: 'smb', name: 'planned', pool: 'tank', readOnly: false, users: [], clients: [] });
    await a.createShare({
      protocol: 'nfs',
      name: 'planned-nfs',
      path: '/mnt/tank/media',
      readOnly: true,
      users: [],
      clients: ['10.0.0.0/8'],
    });
    await a.deleteShare('media');
    await a.createSnapshot('tank/media', 'planned');
    await a.rollbackSnapshot('tank/media', 'auto-2025-06-01_00-00');
    await a.deleteSnapshot('tank/media', 'auto-2025-06-01_00-00');
    await a.createIscsiTarget({
      name: 'planned',
      sizeBytes: 2 ** 30,
      chapUser: 'u',
      chapSecret: CHAP,
      initiators: ['iqn.a:b'],
    });
    await a.deleteIscsiTarget('vmstore');
    await a.setSmbPassword('alice', 'Secret-Password-9');
    expect(JSON.stringify(t.emu.model)).toBe(before);

    const text = JSON.stringify(plan);
    expect(text).not.toContain(CHAP);
    expect(text).not.toContain('Secret-Password-9');
    expect(plan.every((s) => s.where === 'api' && typeof s.call === 'string' && s.description.length > 0)).toBe(true);
    const calls = plan.map((s) => s.call!);
    const snap = release === '25.10' ? 'pool.snapshot' : 'zfs.snapshot';
    if (release === '25.04' || release === '25.10') {
      expect(calls).toContain('pool.dataset.create [{"name":"tank/planned","type":"FILESYSTEM","share_type":"SMB"}]');
      expect(calls).toContain(`${snap}.create [{"dataset":"tank/media","name":"planned","recursive":false}]`);
      expect(calls).toContain('iscsi.auth.create [{"tag":1,"user":"u","secret":"***"}]');
      expect(calls).toContain('user.update [73,{"password":"***"}]');
      expect(calls.find((c) => c.startsWith('sharing.smb.create'))).toContain(
        release === '25.10' ? '"readonly":false' : '"ro":false',
      );
    } else {
      expect(calls).toContain(
        'POST /api/v2.0/pool/dataset {"name":"tank/planned","type":"FILESYSTEM","share_type":"SMB"}',
      );
      expect(calls).toContain(
        'POST /api/v2.0/zfs/snapshot/rollback {"id":"tank/media@auto-2025-06-01_00-00","options":{"recursive":false,"recursive_clones":false,"force":false}}',
      );
      expect(calls).toContain('DELETE /api/v2.0/zfs/snapshot/id/tank%2Fmedia%40auto-2025-06-01_00-00');
      expect(calls).toContain('POST /api/v2.0/iscsi/auth {"tag":1,"user":"u","secret":"***"}');
      expect(calls).toContain('PUT /api/v2.0/user/id/73 {"password":"***"}');
      expect(calls.find((c) => c.startsWith('POST /api/v2.0/sharing/nfs'))).toContain(
        release === 'core13' ? '"paths":["/mnt/tank/media"]' : '"path":"/mnt/tank/media"',
      );
    }
  });
});
