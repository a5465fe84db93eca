// Editing a share's access rules against the emulator, for each API generation: sharing.smb.update
// with this release's read-only field (ro → readonly in 25.10), sharing.nfs.update with CIDR ranges in
// networks and names in hosts, over JSON-RPC (25.04+) or REST PUT (CORE 13, 24.10). The emulator
// validates the update bodies strictly and changes its state, so a wrong mapping fails here.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../../shared/domain';
import { emulatedTrueNas, RELEASES } from './test-helpers';

describe.each(RELEASES)('TrueNAS %s share edits', (release) => {
  const t = emulatedTrueNas(release);
  const adapter = t.adapter;
  const roField = release === '25.10' ? 'readonly' : 'ro';

  it('makes an SMB share read-only and limits its hosts, in this release’s field names', async () => {
    const a = await adapter();
    const share = await a.updateShare('media', undefined, { readOnly: true, clients: ['10.1.0.0/16'] });
    expect(share).toEqual({
      name: 'media',
      protocol: 'smb',
      path: '/mnt/tank/media',
      readOnly: true,
      users: [],
      clients: ['10.1.0.0/16'],
    });
    const row = t.emu.model.smb.find((r) => r.name === 'media')!;
    expect(row[roField]).toBe(true);
    expect(row.hostsallow).toEqual(['10.1.0.0/16']);
    expect((await a.shares()).find((s) => s.name === 'media' && s.protocol === 'smb')).toEqual(share);

    await a.updateShare('media', 'smb', { readOnly: false });
    expect(t.emu.model.smb.find((r) => r.name === 'media')![roField]).toBe(false);
    expect(t.emu.model.smb.find((r) => r.name === 'media')!.hostsallow).toEqual(['10.1.0.0/16']);
  });

  it('rewrites an NFS export’s clients (networks and hosts) and read-only', async () => {
    const a = await adapter();
    const share = await a.updateShare('backups', 'nfs', { readOnly: true, clients: ['10.9.0.0/24', 'pc.lan'] });
    expect(share).toMatchObject({ protocol: 'nfs', path: '/mnt/tank/backups', readOnly: true });
    expect(share.clients).toEqual(['10.9.0.0/24', 'pc.lan']);
    const row = t.emu.model.nfs.find((r) => r.id === 1)!;
    expect([row.networks, row.hosts, row.ro]).toEqual([['10.9.0.0/24'], ['pc.lan'], true]);
    if (release === 'core13') expect(row.paths).toEqual(['/mnt/tank/backups']);
    else expect(row.path).toBe('/mnt/tank/backups');
    // An empty list (or "*") is everyone: both lists emptied.
    await a.updateShare('backups', 'nfs', { clients: ['*'] });
    expect([row.networks, row.hosts, row.ro]).toEqual([[], [], true]);
  });

  it('refuses users (dataset ACL on TrueNAS), unknown shares, and an ambiguous name', async () => {
    const a = await adapter();
    await expect(a.updateShare('media', 'smb', { users: ['alice'] })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.stringMatching(/ACL/) },
    });
    await expect(a.updateShare('backups', 'nfs', { users: ['alice'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(a.updateShare('nope', undefined, { readOnly: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('dry run: the exact update call planned, nothing changed', async () => {
    const plan: PlanStep[] = [];
    const a = await adapter(plan);
    const before = JSON.stringify(t.emu.model);
    const share = await a.updateShare('media', 'smb', { readOnly: true });
    expect(share).toMatchObject({ name: 'media', readOnly: true });
    await a.updateShare('backups', 'nfs', { clients: ['192.168.7.0/24'] });
    expect(JSON.stringify(t.emu.model)).toBe(before);
    const calls = plan.map((s) => s.call);
    if (release === '25.04' || release === '25.10') {
      expect(calls).toEqual([
        `sharing.smb.update [1,{"${roField}":true}]`,
        'sharing.nfs.update [1,{"networks":["192.168.7.0/24"],"hosts":[]}]',
      ]);
    } else {
      expect(calls).toEqual([
        `PUT /api/v2.0/sharing/smb/id/1 {"${roField}":true}`,
        'PUT /api/v2.0/sharing/nfs/id/1 {"networks":["192.168.7.0/24"],"hosts":[]}',
      ]);
    }
    expect(plan.map((s) => s.description)).toEqual([
      'Change SMB share media: read-only',
      'Change NFS share backups: clients 192.168.7.0/24',
    ]);
  });
});
