import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MountProfile } from '../../../../shared/domain';
import { runActions } from './backend';
import { gvfsFolderName, LinuxMounts, type LinuxEnv, parseGioMounts, systemdEscapePath } from './linux';
import { recordingExec } from '../recording-exec';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', 'linux', name), 'utf8');

const desktop: LinuxEnv = { home: '/home/ann', uid: 1000, gid: 1000, runtimeDir: '/run/user/1000', sessionBus: true };
const profile = (over: Partial<MountProfile> = {}): MountProfile => ({
  id: 'mnt-1',
  name: 'share1',
  url: 'smb://10.212.101.11/share1',
  mountPoint: '/home/ann/NAS/share1',
  user: 'ndmnt-smb',
  hasPassword: true,
  persistent: false,
  autoReconnect: true,
  ...over,
});

describe('Linux mounts: desktop (gvfs)', () => {
  it('mounts with gio, the domain and password on stdin, and knows the FUSE folder', async () => {
    const { exec, calls } = recordingExec();
    const linux = new LinuxMounts(exec, desktop);
    const actions = linux.mountActions(profile({ user: 'WORKGROUP\\ndmnt-smb' }), { password: 'Canary-pw-3' });
    expect(actions.map((a) => a.step.argv)).toEqual([['gio', 'mount', 'smb://ndmnt-smb@10.212.101.11/share1']]);
    await runActions(exec, actions);
    expect(calls[0]!.options!.stdin).toBe('WORKGROUP\nCanary-pw-3\n');
    expect(linux.linkTarget(profile())).toBe(
      '/run/user/1000/gvfs/smb-share:server=10.212.101.11,share=share1,user=ndmnt-smb',
    );
    expect(linux.linkTarget(profile({ url: 'nfs://10.212.101.11/export', user: undefined }))).toBe(
      '/run/user/1000/gvfs/nfs:host=10.212.101.11,prefix=%2Fexport',
    );
    expect(gvfsFolderName({ protocol: 'smb', host: 'nas', share: 'my share', subPath: '' })).toBe(
      'smb-share:server=nas,share=my%20share',
    );
  });

  it('reads mounted locations from gvfs’s FUSE folder', async () => {
    const { exec, calls } = recordingExec(() => ({ code: 0, stdout: fixture('gvfs-fuse-root.txt') }));
    const seen = await new LinuxMounts(exec, desktop).observe([
      profile({ id: 'a' }),
      profile({ id: 'b', url: 'nfs://10.212.101.11/export', user: undefined }),
      profile({ id: 'c', url: 'smb://10.212.101.11/share2' }),
    ]);
    expect(calls.map((c) => c.argv)).toEqual([['ls', '-1', '-A', '--', '/run/user/1000/gvfs']]);
    expect(seen.get('a')).toEqual({
      mounted: true,
      path: '/run/user/1000/gvfs/smb-share:server=10.212.101.11,share=share1,user=ndmnt-smb',
    });
    expect(seen.get('b')).toEqual({
      mounted: true,
      path: '/run/user/1000/gvfs/nfs:host=10.212.101.11,prefix=%2Fexport',
    });
    expect(seen.get('c')).toEqual({ mounted: false });
  });

  it('falls back to gio mount -l without the FUSE folder', async () => {
    const text = fixture('gio-mount-l.txt');
    expect(parseGioMounts(text)).toEqual(['nfs://10.212.101.11/export', 'smb://ndmnt-smb@10.212.101.11/share1']);
    const linux = new LinuxMounts(
      recordingExec((argv) => (argv[0] === 'ls' ? { code: 2, stderr: 'ls: cannot access' } : { code: 0, stdout: text }))
        .exec,
      desktop,
    );
    const seen = await linux.observe([
      profile({ id: 'a' }),
      profile({ id: 'b', url: 'nfs://10.212.101.11/export', user: undefined }),
      profile({ id: 'c', url: 'smb://10.212.101.11/share2' }),
    ]);
    expect(seen.get('a')).toEqual({
      mounted: true,
      path: '/run/user/1000/gvfs/smb-share:server=10.212.101.11,share=share1,user=ndmnt-smb',
    });
    expect(seen.get('b')?.mounted).toBe(true);
    expect(seen.get('c')).toEqual({ mounted: false });
  });

  it.each([
    ['gio-mount-wrong-password.txt', 'AUTH_FAILED'],
    ['gio-mount-no-route.txt', 'UNREACHABLE'],
    ['gio-mount-nfs-no-export.txt', 'NOT_FOUND'],
  ])('maps %s to %s', async (file, code) => {
    const linux = new LinuxMounts(recordingExec(() => ({ code: 2, stderr: fixture(file) })).exec, desktop);
    await expect(runActions(linux['exec'], linux.mountActions(profile(), { password: 'x' }))).rejects.toMatchObject({
      code,
    });
  });

  it('takes "already mounted" as success', async () => {
    const linux = new LinuxMounts(
      recordingExec(() => ({ code: 2, stderr: fixture('gio-mount-already.txt') })).exec,
      desktop,
    );
    await expect(runActions(linux['exec'], linux.mountActions(profile(), { password: 'x' }))).resolves.toBeUndefined();
  });
});

describe('Linux mounts: system (kernel, pkexec, systemd)', () => {
  it('names units exactly as systemd-escape --path does', () => {
    for (const path of [
      '/mnt/nas',
      '/mnt/nas share/data-1',
      '/home/ann/NAS/.hidden',
      '/srv/Ünï/x_y:z.1',
      '/',
      '//a//b/',
    ]) {
      const real = execFileSync('systemd-escape', ['-p', path], { encoding: 'utf8' }).trim();
      expect(systemdEscapePath(path)).toBe(real);
    }
  });

  it('mounts cifs once with a 0600 credentials file that is removed afterwards, even when mounting fails', async () => {
    const { exec, calls } = recordingExec((argv) =>
      argv[1] === 'mount' ? { code: 32, stderr: 'mount error(13): Permission denied' } : { code: 0 },
    );
    const linux = new LinuxMounts(exec, { ...desktop, sessionBus: false });
    const actions = linux.mountActions(profile({ smbVersion: '3.1.1', readOnly: true }), { password: 'Canary-pw-4' });
    expect(actions.map((a) => a.step.argv)).toEqual([
      ['mkdir', '-p', '-m', '700', '/home/ann/NAS/share1'],
      ['install', '-m', '0600', '/dev/stdin', '/run/user/1000/nasdeck-mnt-1.cred'],
      [
        'pkexec',
        'mount',
        '-t',
        'cifs',
        '//10.212.101.11/share1',
        '/home/ann/NAS/share1',
        '-o',
        'ro,uid=1000,gid=1000,vers=3.1.1,credentials=/run/user/1000/nasdeck-mnt-1.cred',
      ],
      ['rm', '-f', '/run/user/1000/nasdeck-mnt-1.cred'],
    ]);
    await expect(runActions(exec, actions)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(calls.map((c) => c.argv[0])).toEqual(['mkdir', 'install', 'pkexec', 'rm']);
    expect(calls[1]!.options!.stdin).toBe('username=ndmnt-smb\npassword=Canary-pw-4\n');
    expect(JSON.stringify(calls.map((c) => c.argv))).not.toContain('Canary-pw-4');
  });

  it('keeps a persistent mount with systemd units named by systemd-escape', () => {
    const linux = new LinuxMounts(recordingExec().exec, desktop);
    const p = profile({
      url: 'nfs://nas/volume1/data',
      user: undefined,
      hasPassword: false,
      persistent: true,
      mountPoint: '/home/ann/NAS/my data',
    });
    const actions = linux.mountActions(p, {});
    expect(actions.map((a) => a.step.argv)).toEqual([
      ['mkdir', '-p', '-m', '700', '/home/ann/NAS/my data'],
      ['pkexec', 'install', '-m', '0644', '/dev/stdin', '/etc/systemd/system/home-ann-NAS-my\\x20data.mount'],
      ['pkexec', 'install', '-m', '0644', '/dev/stdin', '/etc/systemd/system/home-ann-NAS-my\\x20data.automount'],
      ['pkexec', 'systemctl', 'daemon-reload'],
      ['pkexec', 'systemctl', 'enable', '--now', 'home-ann-NAS-my\\x20data.automount'],
      ['pkexec', 'systemctl', 'start', 'home-ann-NAS-my\\x20data.mount'],
    ]);
    expect(actions[1]!.stdin).toContain(
      'What=nas:/volume1/data\nWhere=/home/ann/NAS/my data\nType=nfs\nOptions=rw,hard,_netdev\n',
    );
    expect(actions.every((a) => a.step.argv![0] !== 'pkexec' || a.step.elevated)).toBe(true);
  });

  it('says what to install when this kernel cannot mount cifs or nfs (this machine’s real /proc/filesystems)', async () => {
    const linux = new LinuxMounts(recordingExec().exec, {
      ...desktop,
      readFilesystems: async () => fixture('proc-filesystems-no-cifs.txt'),
    });
    await expect(linux.preflight(profile({ persistent: true }))).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.stringContaining('cifs-utils'), missing: 'cifs' },
    });
    await expect(linux.preflight(profile({ url: 'nfs://nas/x', persistent: true }))).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { fix: expect.stringContaining('nfs-common') },
    });
    await expect(linux.preflight(profile())).resolves.toBeUndefined(); // gvfs needs no kernel module
  });
});
