import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliHarness } from './test-harness';

/** The shared in-process harness, called as run(stdin, ...argv). */
async function harness() {
  const { run, configDir } = await cliHarness('nasdeck-cli-mount-');
  return { run: (stdin: string, ...argv: string[]) => run(argv, stdin), configDir };
}

describe('nasdeck mount', () => {
  it('--dry-run --os windows|macos|linux prints the exact steps with the password as *** and saves nothing', async () => {
    const { run, configDir } = await harness();
    for (const os of ['windows', 'macos', 'linux']) {
      const r = await run(
        'Canary-pw-7\n',
        'mount',
        'add',
        'smb://nas.local/media',
        '--user',
        'alice',
        '--password-stdin',
        '--os',
        os,
        '--dry-run',
        '--json',
      );
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).not.toContain('Canary-pw-7');
      const plan = JSON.parse(r.out) as {
        steps: { where: string; argv?: string[]; call?: string; description: string }[];
      };
      expect(plan.steps[0]).toEqual({
        where: 'api',
        call: 'keychain.set',
        description: 'Save the password (***) in the system keychain for media',
      });
      const first = plan.steps.find((s) => s.where === 'local')!.argv![0];
      expect(first).toBe(
        {
          windows: 'powershell.exe',
          macos: 'osascript',
          linux: process.env.DBUS_SESSION_BUS_ADDRESS ? 'gio' : 'mkdir',
        }[os],
      );
    }
    const human = await run(
      '',
      'mount',
      'add',
      'nfs://nas.local/volume1/data',
      '--at',
      'Y:',
      '--os',
      'windows',
      '--dry-run',
    );
    expect(human.out).toBe(
      [
        'Would run, in order (nothing was changed):',
        '  1. Save the mount profile "data" (nfs://nas.local/volume1/data → Y:)',
        '     config.mounts.add',
        '  2. Mount the NFS export nas.local:/volume1/data on Y: (Client for NFS, NFSv3)',
        '     mount.exe -o anon,nolock,mtype=hard "\\\\\\\\nas.local\\\\volume1\\\\data" Y:',
        '',
      ].join('\n'),
    );
    await expect(readFile(join(configDir, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('saves with --no-mount, lists (human and --json), removes; usage errors exit 2', async () => {
    const { run, configDir } = await harness();
    const add = await run(
      'pw-8\n',
      'mount',
      'add',
      'smb://nas.local/media',
      '--user',
      'alice',
      '--password-stdin',
      '--at',
      '/tmp/x/media',
      '--no-mount',
    );
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).toBe(
      'Saved "media" (smb://nas.local/media → /tmp/x/media); mount it with `nasdeck mount up media`.\n',
    );
    const list = JSON.parse((await run('', 'mount', 'list', '--json')).out);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      name: 'media',
      url: 'smb://nas.local/media',
      mountPoint: '/tmp/x/media',
      state: 'unmounted',
    });
    expect(Object.keys(list[0])).toEqual(expect.arrayContaining(['id', 'name', 'url', 'mountPoint', 'state', 'since']));
    expect((await run('', 'mount', 'list')).out).toMatch(
      /^NAME\s+STATE\s+URL\s+MOUNT POINT\s+SINCE\nmedia\s+unmounted\s+smb:\/\/nas.local\/media\s+\/tmp\/x\/media\s+\d{4}-/,
    );
    expect(await readFile(join(configDir, 'config.json'), 'utf8')).not.toContain('pw-8');
    expect((await run('', 'mount', 'up')).code).toBe(2);
    expect((await run('', 'mount', 'down', 'media', '--all')).code).toBe(2);
    expect((await run('', 'mount', 'add', 'smb://nas/media', '--password-stdin')).code).toBe(2);
    expect((await run('', 'mount', 'remove', 'nope')).code).toBe(2);
    expect((await run('', 'mount', 'remove', 'media')).out).toBe('Removed media (/tmp/x/media): unmounted.\n');
    expect(JSON.parse((await run('', 'mount', 'list', '--json')).out)).toEqual([]);
  });
});
