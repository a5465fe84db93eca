import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MountProfile } from '../../../../shared/domain';
import { runActions } from './backend';
import { MacMounts, parseMacMount, PASSWORD_ENV } from './macos';
import type { Exec } from '../exec';
import { recordingExec } from '../recording-exec';

const mountText = readFileSync(join(import.meta.dirname, '__fixtures__', 'macos', 'mount.txt'), 'utf8');

const profile = (over: Partial<MountProfile> = {}): MountProfile => ({
  id: 'm',
  name: 'media',
  url: 'smb://nas.local/Media',
  mountPoint: '/Users/lex/NAS/media',
  persistent: false,
  autoReconnect: true,
  ...over,
});

describe('macOS mounts', () => {
  it('parses mount lines, spaces in the mount point included', () => {
    const lines = parseMacMount(mountText);
    expect(lines.find((l) => l.path === '/Volumes/Shared Work')).toEqual({
      source: '//fixture@server/share',
      path: '/Volumes/Shared Work',
      fstype: 'smbfs',
      options: ['nodev', 'nosuid', 'mounted by fixture'],
    });
    expect(lines.filter((l) => l.fstype === 'nfs').map((l) => l.source)).toEqual([
      'server:/exports/project',
      'nas:/export/backups',
    ]);
  });

  it('finds each profile’s mount, also where macOS added "-1", and nothing for an unmounted one', async () => {
    const { exec, calls } = recordingExec(() => ({ code: 0, stdout: mountText }));
    const seen = await new MacMounts(exec).observe([
      profile({ id: 'a', url: 'smb://NAS.local/media' }),
      profile({ id: 'b', url: 'smb://nas.botasal.xyz/Book2', user: 'x' }),
      profile({ id: 'c', url: 'nfs://nas/export/backups' }),
      profile({ id: 'd', url: 'smb://nas.local/Other' }),
    ]);
    expect(calls[0]!.argv).toEqual(['mount']);
    expect(Object.fromEntries(seen)).toEqual({
      a: { mounted: true, path: '/Volumes/Media' },
      b: { mounted: true, path: '/Volumes/Book2-1' },
      c: { mounted: true, path: '/Users/lex/NAS/backups' },
      d: { mounted: false },
    });
  });

  it('mounts SMB with a password through NetFS, the password only in the child’s environment', async () => {
    const { exec, calls } = recordingExec();
    const mac = new MacMounts(exec, '/Users/lex');
    const actions = mac.mountActions(profile({ user: 'lex', hasPassword: true }), { password: 'Canary-pw-2' });
    expect(actions.map((a) => a.step.argv)).toEqual([
      [
        'osascript',
        '-e',
        'on run argv',
        '-e',
        `  mount volume (item 1 of argv) as user name (item 2 of argv) with password (system attribute "${PASSWORD_ENV}")`,
        '-e',
        'end run',
        'smb://nas.local/Media',
        'lex',
      ],
    ]);
    await runActions(exec, actions);
    expect(calls[0]!.options!.env).toEqual({ [PASSWORD_ENV]: 'Canary-pw-2' });
    expect(JSON.stringify(calls.map((c) => c.argv))).not.toContain('Canary-pw-2');
    expect(mac.linkTarget(profile({ hasPassword: true }))).toBe('/Volumes/Media');
  });

  it('mounts NFS and password-less SMB into a 0700 folder under home', () => {
    const mac = new MacMounts(recordingExec().exec, '/Users/lex');
    expect(
      mac.mountActions(profile({ url: 'nfs://nas/export/backups', readOnly: true }), {}).map((a) => a.step.argv),
    ).toEqual([
      ['mkdir', '-p', '-m', '700', '/Users/lex/NAS/media'],
      ['mount_nfs', '-o', 'nolocks,vers=3,rdonly', 'nas:/export/backups', '/Users/lex/NAS/media'],
    ]);
    expect(mac.mountActions(profile(), {}).map((a) => a.step.argv)[1]).toEqual([
      'mount_smbfs',
      '-N',
      '-o',
      'nobrowse',
      '//guest@nas.local/Media',
      '/Users/lex/NAS/media',
    ]);
  });

  it('turns mount failures into plain errors', async () => {
    const exec: Exec = async ({ argv }) =>
      argv[0] === 'mount_nfs'
        ? {
            code: 1,
            stdout: '',
            stderr:
              "mount_nfs: can't mount /export/backups from nas onto /Users/lex/NAS/media: Operation not permitted",
          }
        : { code: 0, stdout: '', stderr: '' };
    const mac = new MacMounts(exec);
    await expect(
      runActions(exec, mac.mountActions(profile({ url: 'nfs://nas/export/backups' }), {})),
    ).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { fix: expect.stringMatching(/insecure|resvport/) },
    });
  });
});
