// Editing a shared folder's access rules against the DSM emulator over real HTTPS: NFS rules through
// SYNO.Core.FileServ.NFS.SharePrivilege save (the whole list, other rule options kept), SMB read-only
// and users through SYNO.Core.Share.Permission set; what DSM's documented API lacks is NOT_SUPPORTED.
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../../shared/domain';
import { harness, type Harness } from './test-helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each([6, 7] as const)('Synology share edits (DSM %i)', (dsm) => {
  it('rewrites the NFS rules of a folder: new clients, read-write, root squash kept', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    h.emu.model.share('media')!.nfs[0]!.root_squash = 'all';
    const share = await a.updateShare('media', 'nfs', { readOnly: false, clients: ['192.168.1.0/24', '10.0.0.5'] });
    expect(share).toEqual({
      name: 'media',
      protocol: 'nfs',
      path: '/volume1/media',
      readOnly: false,
      users: [],
      clients: ['192.168.1.0/24', '10.0.0.5'],
      managed: true,
    });
    const rules = h.emu.model.share('media')!.nfs;
    expect(rules.map((r) => [r.client, r.privilege, r.root_squash])).toEqual([
      ['192.168.1.0/24', 'rw', 'all'],
      ['10.0.0.5', 'rw', 'all'],
    ]);
    expect((await a.shares()).find((s) => s.name === 'media' && s.protocol === 'nfs')).toEqual(share);
    // Read-only alone keeps the clients.
    await a.updateShare('media', 'nfs', { readOnly: true });
    expect(h.emu.model.share('media')!.nfs.map((r) => [r.client, r.privilege])).toEqual([
      ['192.168.1.0/24', 'ro'],
      ['10.0.0.5', 'ro'],
    ]);
  });

  it('sets SMB users and read-only as per-user permissions; dropped users lose access', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    // Seeded: alice read-only on media.
    const share = await a.updateShare('media', 'smb', { readOnly: false, users: ['admin'] });
    expect(share).toMatchObject({ name: 'media', protocol: 'smb', readOnly: false, users: ['admin'] });
    const perms = h.emu.model.share('media')!.permissions;
    expect(perms.get('admin')).toEqual({ is_readonly: false, is_writable: true, is_deny: false });
    expect(perms.get('alice')).toEqual({ is_readonly: false, is_writable: false, is_deny: false });
    expect((await a.shares()).find((s) => s.name === 'media' && s.protocol === 'smb')).toMatchObject({
      users: ['admin'],
      readOnly: false,
    });
    // Read-only alone applies to the users who have access.
    await a.updateShare('media', 'smb', { readOnly: true });
    expect(perms.get('admin')).toEqual({ is_readonly: true, is_writable: false, is_deny: false });
    expect((await a.shares()).find((s) => s.name === 'media' && s.protocol === 'smb')!.readOnly).toBe(true);
  });

  it('refuses what DSM cannot do, and an ambiguous name', async () => {
    h = await harness({ dsm });
    const a = await h.adapter();
    await expect(a.updateShare('media', undefined, { readOnly: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(a.updateShare('media', 'smb', { clients: ['10.0.0.0/8'] })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.any(String) },
    });
    await expect(a.updateShare('archive', 'smb', { readOnly: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(a.updateShare('archive', 'nfs', { readOnly: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.updateShare('media', 'nfs', { users: ['alice'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(a.updateShare('nope', 'smb', { readOnly: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // DSM refuses a user it does not know (error 120), and nothing changes.
    await expect(a.updateShare('media', 'smb', { users: ['nobody'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(h.emu.model.share('media')!.permissions.get('alice')).toMatchObject({ is_readonly: true });
  });

  it('dry run: the exact API calls planned, nothing changed', async () => {
    h = await harness({ dsm });
    const plan: PlanStep[] = [];
    const a = await h.adapter(plan);
    const before =
      JSON.stringify([...h.emu.model.share('media')!.permissions], null, 0) +
      JSON.stringify(h.emu.model.share('media')!.nfs);
    await a.updateShare('media', 'nfs', { clients: ['10.2.0.0/16'] });
    await a.updateShare('media', 'smb', { users: ['admin'] });
    expect(
      JSON.stringify([...h.emu.model.share('media')!.permissions], null, 0) +
        JSON.stringify(h.emu.model.share('media')!.nfs),
    ).toBe(before);
    expect(plan.map((s) => s.description)).toEqual([
      'Allow NFS clients 10.2.0.0/16 (read-only) on media',
      'Give admin read-only access; take access from alice on media',
    ]);
    expect(plan.map((s) => s.call)).toEqual([
      'SYNO.Core.FileServ.NFS.SharePrivilege.save v1 share_name="media" rule=[{"client":"10.2.0.0/16","privilege":"ro","root_squash":"root","async":true,"crossmnt":true,"insecure":false,"security_flavor":{"sys":true,"kerberos":false,"kerberos_integrity":false,"kerberos_privacy":false}}]',
      'SYNO.Core.Share.Permission.set v1 name="media" user_group_type="local_user" permissions=[{"name":"admin","is_readonly":true,"is_writable":false,"is_deny":false},{"name":"alice","is_readonly":false,"is_writable":false,"is_deny":false}]',
    ]);
  });
});
