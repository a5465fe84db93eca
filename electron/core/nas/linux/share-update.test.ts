// Editing shares on the Linux adapter with an injected runner: it answers with the tools' real output
// (Samba 4.17 `net conf list` / `testparm -s`, `exportfs -v`, ganesha configs; see
// parsers/__fixtures__/*/SOURCES.md) and records every command, so the exact argv, the stdin of each
// rewritten file, the rollback after a failed step and the dry-run plan are asserted.
import { describe, expect, it } from 'vitest';
import { PlanRunner } from '../../remote/runner';
import type { ExecResult } from '../../remote/ssh';
import { fakeHost, fixture } from './fake-host';
import { LinuxAdapter } from './index';
import { GANESHA_CONF, GANESHA_MANAGED, KERNEL_MANAGED } from './nfs';

const samba = (testparm = 'testparm-registry.txt', extra: Array<[RegExp, string | ExecResult]> = []) =>
  fakeHost(
    ['net', 'testparm'],
    [...extra, [/^net conf list/, fixture('samba', 'net-conf-list.txt')], [/^testparm -s/, fixture('samba', testparm)]],
  );

describe('SMB registry share edits (injected runner)', () => {
  it('sets "read only" and "valid users" with net conf setparm, as root, one argv element per value', async () => {
    const h = samba();
    const share = await new LinuxAdapter(h.runner).updateShare('share2', 'smb', {
      readOnly: false,
      users: ['alice', 'bob'],
    });
    expect(h.argvs()).toEqual([
      ['net', 'conf', 'setparm', 'share2', 'read only', 'no'],
      ['net', 'conf', 'setparm', 'share2', 'valid users', 'alice bob'],
    ]);
    expect(h.mutating().every((c) => c.options.sudo)).toBe(true);
    expect(share).toMatchObject({ name: 'share2', protocol: 'smb', readOnly: false, users: ['alice', 'bob'] });
  });

  it('removes "valid users" with delparm when the list is emptied, and writes only what differs', async () => {
    const h = samba();
    // share1: read only = no, valid users = ndparse-smb.
    await new LinuxAdapter(h.runner).updateShare('share1', undefined, { readOnly: false, users: [] });
    expect(h.argvs()).toEqual([['net', 'conf', 'delparm', 'share1', 'valid users']]);
  });

  it('sets and clears "hosts allow" from clients', async () => {
    const h = samba();
    const a = new LinuxAdapter(h.runner);
    await a.updateShare('share1', 'smb', { clients: ['10.0.0.0/8', '192.168.1.7'] });
    await a.updateShare('media files', 'smb', { clients: [] });
    expect(h.argvs()).toEqual([
      ['net', 'conf', 'setparm', 'share1', 'hosts allow', '10.0.0.0/8 192.168.1.7'],
      ['net', 'conf', 'delparm', 'media files', 'hosts allow'],
    ]);
  });

  it('undoes the first change when a later one fails, and reports the failure', async () => {
    const h = samba('testparm-registry.txt', [
      [/setparm share2 valid users/, { code: 255, stdout: '', stderr: 'setparm failed: WERR_ACCESS_DENIED' }],
    ]);
    await expect(
      new LinuxAdapter(h.runner).updateShare('share2', 'smb', { readOnly: false, users: ['alice'] }),
    ).rejects.toThrow(/WERR_ACCESS_DENIED/);
    expect(h.argvs()).toEqual([
      ['net', 'conf', 'setparm', 'share2', 'read only', 'no'],
      ['net', 'conf', 'setparm', 'share2', 'valid users', 'alice'],
      ['net', 'conf', 'setparm', 'share2', 'read only', 'yes'],
    ]);
  });

  it('refuses a share defined in smb.conf, with the fix, changing nothing', async () => {
    const h = samba('testparm-file-and-registry.txt');
    const err = await new LinuxAdapter(h.runner)
      .updateShare('legacy', 'smb', { readOnly: true })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', details: { fix: expect.stringMatching(/smb\.conf/) } });
    expect(h.argvs()).toEqual([]);
  });

  it('names a missing share', async () => {
    const h = samba();
    await expect(new LinuxAdapter(h.runner).updateShare('nope', 'smb', { readOnly: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('dry run: the plan holds the exact commands and nothing runs', async () => {
    const h = samba();
    const plan = new PlanRunner(h.runner);
    await new LinuxAdapter(plan).updateShare('share1', 'smb', { readOnly: true, users: ['alice'] });
    expect(h.argvs()).toEqual([]);
    expect(plan.steps).toEqual([
      {
        where: 'remote',
        argv: ['net', 'conf', 'setparm', 'share1', 'read only', 'yes'],
        elevated: true,
        description: 'Make SMB share share1 read-only',
      },
      {
        where: 'remote',
        argv: ['net', 'conf', 'setparm', 'share1', 'valid users', 'alice'],
        elevated: true,
        description: 'Allow only alice',
      },
    ]);
  });
});

describe('nfs-kernel-server export edits (injected runner)', () => {
  const OURS =
    '/opt/dados 10.0.0.0/8(rw,sync,no_subtree_check,root_squash)\n' +
    '/opt/prometheus 192.168.1.0/24(ro,sync,no_subtree_check,root_squash)\n';
  const host = (extra: Array<[RegExp, string | ExecResult]> = []) =>
    fakeHost(
      ['exportfs'],
      [
        ...extra,
        [/^exportfs -v/, fixture('nfs-kernel', 'exportfs-v-three.txt')],
        [/^cat -- \/etc\/exports\.d\/nasdeck\.exports/, OURS],
      ],
    );

  it('rewrites only its own line in /etc/exports.d/nasdeck.exports through stdin, then re-exports', async () => {
    const h = host();
    const share = await new LinuxAdapter(h.runner).updateShare('dados', 'nfs', {
      readOnly: true,
      clients: ['10.1.0.0/16', 'pc.lan'],
    });
    expect(h.argvs()).toEqual([
      ['tee', '--', KERNEL_MANAGED],
      ['exportfs', '-ra'],
    ]);
    expect(h.mutating()[0]!.options.stdin).toBe(
      '/opt/dados 10.1.0.0/16(ro,sync,no_subtree_check,root_squash) pc.lan(ro,sync,no_subtree_check,root_squash)\n' +
        '/opt/prometheus 192.168.1.0/24(ro,sync,no_subtree_check,root_squash)\n',
    );
    expect(share).toMatchObject({ path: '/opt/dados', readOnly: true, clients: ['10.1.0.0/16', 'pc.lan'] });
  });

  it('read-write alone keeps the clients and their options', async () => {
    const h = host();
    await new LinuxAdapter(h.runner).updateShare('prometheus', 'nfs', { readOnly: false });
    expect(h.mutating()[0]!.options.stdin).toBe(
      '/opt/dados 10.0.0.0/8(rw,sync,no_subtree_check,root_squash)\n' +
        '/opt/prometheus 192.168.1.0/24(rw,sync,no_subtree_check,root_squash)\n',
    );
  });

  it('puts the old file back when re-exporting fails', async () => {
    const h = host([[/^exportfs -ra/, { code: 1, stdout: '', stderr: 'exportfs: bad option list' }]]);
    await expect(new LinuxAdapter(h.runner).updateShare('dados', 'nfs', { clients: ['10.2.0.0/16'] })).rejects.toThrow(
      /bad option list/,
    );
    const tees = h.mutating().filter((c) => c.argv[0] === 'tee');
    expect(tees.map((c) => c.options.stdin)).toEqual([
      '/opt/dados 10.2.0.0/16(rw,sync,no_subtree_check,root_squash)\n' +
        '/opt/prometheus 192.168.1.0/24(ro,sync,no_subtree_check,root_squash)\n',
      OURS,
    ]);
  });

  it('refuses an export it did not make, and users on NFS', async () => {
    const h = host();
    const a = new LinuxAdapter(h.runner);
    await expect(a.updateShare('alertmanager', 'nfs', { readOnly: true })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.any(String) },
    });
    await expect(a.updateShare('dados', 'nfs', { users: ['alice'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(h.argvs()).toEqual([]);
  });
});

describe('NFS-Ganesha export edits (injected runner)', () => {
  it('rewrites Nasdeck’s own EXPORT block with the new clients, then reloads ganesha', async () => {
    // The managed file as createShare writes it (captured from a create on the same fake host).
    const main = `${fixture('ganesha', 'lab-ganesha.conf').trimEnd()}\n%include "${GANESHA_MANAGED}"\n`;
    const creating = fakeHost(
      ['ganesha.nfsd'],
      [
        [new RegExp(`^cat -- ${GANESHA_CONF}`), main],
        [/^cat -- /, { code: 1, stdout: '', stderr: 'No such file' }],
      ],
    );
    await new LinuxAdapter(creating.runner).createShare({
      protocol: 'nfs',
      name: 'media',
      path: '/srv/media',
      readOnly: false,
      users: [],
      clients: ['10.0.0.0/8'],
    });
    const managed = creating.mutating().find((c) => c.argv[0] === 'tee')!.options.stdin!;

    const h = fakeHost(
      ['ganesha.nfsd'],
      [
        [new RegExp(`^cat -- ${GANESHA_CONF}`), main],
        [new RegExp(`^cat -- ${GANESHA_MANAGED}`), managed],
      ],
    );
    const a = new LinuxAdapter(h.runner);
    expect((await a.shares()).find((s) => s.name === 'media')).toMatchObject({ managed: true, readOnly: false });
    const share = await a.updateShare('media', 'nfs', { readOnly: true, clients: ['192.168.5.0/24', '10.0.0.9'] });
    expect(h.argvs()).toEqual([
      ['tee', '--', GANESHA_MANAGED],
      ['pkill', '-HUP', '-x', 'ganesha.nfsd'],
    ]);
    const written = h.mutating()[0]!.options.stdin!;
    expect(managed).toContain('\t\tClients = 10.0.0.0/8;\n\t\tAccess_Type = RW;\n');
    // Everything else in the block stays byte for byte.
    expect(written).toBe(
      managed.replace(
        '\t\tClients = 10.0.0.0/8;\n\t\tAccess_Type = RW;\n',
        '\t\tClients = 192.168.5.0/24, 10.0.0.9;\n\t\tAccess_Type = RO;\n',
      ),
    );
    expect(share).toMatchObject({ path: '/media', readOnly: true, clients: ['192.168.5.0/24', '10.0.0.9'] });
  });
});
