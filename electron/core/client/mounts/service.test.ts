// MountService without a live mount: dry-run plans for every OS, profiles in the config store
// with the password only in the vault, and the errors a user meets first.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientOs } from '../../../../shared/domain';
import { EventBus } from '../../events';
import { JobManager } from '../../jobs/jobs';
import { MemoryVault } from '../../secrets/vault';
import { ConfigStore } from '../../store/config';
import type { Exec } from '../exec';
import { MountService } from '.';

async function harness(hostOs: ClientOs = 'linux', exec: Exec = async () => ({ code: 0, stdout: '', stderr: '' })) {
  const dir = await mkdtemp(join(tmpdir(), 'nasdeck-mounts-'));
  const events = new EventBus();
  const vault = new MemoryVault();
  const service = new MountService({
    store: new ConfigStore(dir),
    vault,
    events,
    jobs: new JobManager(events),
    exec,
    hostOs,
    env: {
      HOME: '/home/ann',
      XDG_RUNTIME_DIR: '/run/user/1000',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
      PATH: '/usr/bin',
    },
  });
  return { service, vault, dir };
}

// This machine's kernel has no cifs (see __fixtures__/linux/proc-filesystems-no-cifs.txt); elsewhere the test is skipped.
const kernelHasCifs = /\scifs$/m.test(readFileSync('/proc/filesystems', 'utf8'));

const add = { readOnly: false, persistent: false, autoReconnect: true, mountNow: true } as const;

describe('MountService', () => {
  it('plans for Windows, macOS and Linux with --dry-run, the password shown nowhere', async () => {
    const { service, dir } = await harness();
    const plans: Record<string, string[][]> = {};
    for (const os of ['windows', 'macos', 'linux'] as const) {
      const r = await service.add({
        ...add,
        url: 'smb://nas.local/media',
        user: 'alice',
        password: 'Canary-pw-5',
        os,
        dryRun: true,
      });
      expect(r.applied).toBe(false);
      expect(JSON.stringify(r)).not.toContain('Canary-pw-5');
      plans[os] = r.steps.map((s) => s.argv ?? [s.call!]);
    }
    expect(plans.windows![0]).toEqual(['keychain.set']);
    expect(plans.windows![2]!.slice(0, 4)).toEqual(['powershell.exe', '-NoProfile', '-NonInteractive', '-Command']);
    expect(plans.macos![2]![0]).toBe('osascript');
    expect(plans.macos![3]).toEqual(['ln', '-sfn', '/Volumes/media', '~/NAS/media']);
    expect(plans.linux).toEqual([
      ['keychain.set'],
      ['config.mounts.add'],
      ['gio', 'mount', 'smb://alice@nas.local/media'],
      ['ln', '-sfn', '/run/user/1000/gvfs/smb-share:server=nas.local,share=media,user=alice', '/home/ann/NAS/media'],
    ]);
    // nothing was saved
    await expect(readFile(join(dir, 'config.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens only a mounted share, in each OS’s file manager', async () => {
    const { service } = await harness();
    const saved = await service.add({ ...add, url: 'smb://nas/media', mountNow: false });
    if (!saved.applied) throw new Error('not saved');
    await expect(service.open(saved.value.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(service.backend('windows').openInFileManager('Z:').argv).toEqual(['explorer.exe', 'Z:\\']);
    expect(service.backend('macos').openInFileManager('/Users/ann/NAS/media').argv).toEqual([
      'open',
      '--',
      '/Users/ann/NAS/media',
    ]);
    expect(service.backend('linux').openInFileManager('/home/ann/NAS/media').argv).toEqual([
      'gio',
      'open',
      '--',
      '/home/ann/NAS/media',
    ]);
  });

  it('refuses to run another OS’s steps for real', async () => {
    const { service } = await harness();
    await expect(service.add({ ...add, url: 'smb://nas/media', os: 'windows' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('saves a profile in config and its password only in the vault; remove forgets both', async () => {
    const { service, vault, dir } = await harness();
    const r = await service.add({
      ...add,
      url: 'smb://nas/media',
      user: 'alice',
      password: 'Canary-pw-6',
      mountNow: false,
      at: '/home/ann/media',
    });
    expect(r.applied && r.value).toMatchObject({
      name: 'media',
      mountPoint: '/home/ann/media',
      hasPassword: true,
      state: 'unmounted',
    });
    const id = r.applied ? r.value.id : '';
    expect(vault.entries.get(`${id}:password`)).toBe('Canary-pw-6');
    const config = await readFile(join(dir, 'config.json'), 'utf8');
    expect(config).not.toContain('Canary-pw-6');
    expect(JSON.parse(config).mounts[0]).toEqual({
      id,
      name: 'media',
      url: 'smb://nas/media',
      mountPoint: '/home/ann/media',
      user: 'alice',
      hasPassword: true,
      persistent: false,
      autoReconnect: true,
    });
    await expect(service.add({ ...add, url: 'smb://nas/other', name: 'media', mountNow: false })).rejects.toMatchObject(
      { code: 'CONFLICT' },
    );
    await expect(
      service.add({ ...add, url: 'smb://nas/other', at: '/home/ann/media', mountNow: false }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await service.remove({ mount: 'media' });
    expect(vault.entries.size).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).mounts).toEqual([]);
  });

  it('rejects passwords in URLs, drive letters off Windows, and unknown mounts', async () => {
    const { service } = await harness();
    await expect(service.add({ ...add, url: 'smb://alice:pw@nas/media', dryRun: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(service.add({ ...add, url: 'smb://nas/media', at: 'Z:', dryRun: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      service.add({ ...add, url: 'smb://nas/media', at: '/x', os: 'windows', dryRun: true }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.up({ mount: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a gvfs mount is proven by one listing of its folder, read again while gvfsd-fuse still says EIO', async () => {
    const calls: (readonly string[])[] = [];
    let eio = 2; // gvfsd-fuse's answers right after a folder is mounted again
    const exec: Exec = async ({ argv }) => {
      calls.push(argv);
      if (argv[0] === 'ls' && argv[1] === '-f')
        return eio-- > 0
          ? { code: 2, stdout: '', stderr: 'Input/output error' }
          : { code: 0, stdout: '.\n..\n', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    };
    const at = join(await mkdtemp(join(tmpdir(), 'nasdeck-home-')), 'media');
    const { service } = await harness('linux', exec);
    const r = await service.add({ ...add, url: 'nfs://nas/export/media', at });
    const live = '/run/user/1000/gvfs/nfs:host=nas,prefix=%2Fexport%2Fmedia';
    expect(r.applied && r.value).toMatchObject({ state: 'mounted' });
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['gio mount', 'ls -f', 'ls -f', 'ls -f']);
    expect(calls[1]).toEqual(['ls', '-f', '--', live]);
    expect(await readlink(at)).toBe(live);
    await service.close();
  });

  it('when the folder never lists, asks gvfs what it mounted and says so', async () => {
    const calls: (readonly string[])[] = [];
    const exec: Exec = async ({ argv }) => {
      calls.push(argv);
      if (argv[0] === 'ls') return { code: 2, stdout: '', stderr: 'No such file or directory' };
      return { code: 0, stdout: '', stderr: '' };
    };
    const at = join(await mkdtemp(join(tmpdir(), 'nasdeck-home-')), 'media');
    const { service } = await harness('linux', exec);
    await expect(service.add({ ...add, url: 'nfs://nas/export/media', at })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('is not mounted'),
    });
    // observe after the listings gave up: gvfsd-fuse's root, and `gio mount -l` when that does not list either
    expect(calls.slice(-2)).toEqual([
      ['ls', '-1', '-A', '--', '/run/user/1000/gvfs'],
      ['gio', 'mount', '-l'],
    ]);
    await service.close();
  });

  it.skipIf(kernelHasCifs)(
    'a persistent mount on a kernel without cifs is NOT_SUPPORTED with what to install, and nothing stays saved',
    async () => {
      const { service } = await harness();
      const err = await service
        .add({ ...add, url: 'smb://nas/media', user: 'a', password: 'p', persistent: true })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NOT_SUPPORTED', details: { fix: expect.stringContaining('cifs-utils') } });
      expect(await service.list()).toEqual([]);
    },
  );
});
