import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MountProfile } from '../../../../shared/domain';
import { runActions } from './backend';
import {
  explainWindowsError,
  freeDriveLetters,
  OBSERVE_SCRIPT,
  parseSmbMappings,
  WindowsMounts,
  windowsErrorCode,
} from './windows';
import { recordingExec } from '../recording-exec';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', 'windows', name), 'utf8');
const PS = ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command'];

const profile = (over: Partial<MountProfile> = {}): MountProfile => ({
  id: 'mnt-1',
  name: 'media',
  url: 'smb://nas.local/media/photos',
  mountPoint: 'Z:',
  user: 'NAS\\alice',
  hasPassword: true,
  persistent: true,
  autoReconnect: true,
  ...over,
});

describe('Windows mounts', () => {
  it('maps SMB with New-SmbMapping: a constant script in argv, values and the password only on stdin', async () => {
    const { exec, calls } = recordingExec(() => ({ code: 0 }));
    const w = new WindowsMounts(exec);
    const actions = w.mountActions(profile(), { password: 'Canary-pw-1' });
    expect(actions).toHaveLength(1);
    const argv = actions[0]!.step.argv!;
    expect(argv.slice(0, 4)).toEqual(PS);
    expect(argv[4]).toContain('New-SmbMapping @a');
    expect(argv[4]).toContain('$a.SaveCredentials = $true');
    expect(JSON.stringify(actions.map((a) => a.step))).not.toContain('Canary-pw-1');
    await runActions(exec, actions);
    expect(calls[0]!.argv).toEqual(argv);
    expect(JSON.parse(calls[0]!.options!.stdin!)).toEqual({
      localPath: 'Z:',
      remotePath: '\\\\nas.local\\media\\photos',
      user: 'NAS\\alice',
      persistent: true,
      password: 'Canary-pw-1',
    });
  });

  it('mounts NFS with mount.exe (never PowerShell’s mount alias) and unmaps with Remove-SmbMapping', () => {
    const w = new WindowsMounts(recordingExec(() => ({ code: 0 })).exec);
    expect(
      w.mountActions(profile({ url: 'nfs://nas/volume1/data', user: undefined, hasPassword: false }), {})[0]!.step.argv,
    ).toEqual(['mount.exe', '-o', 'anon,nolock,mtype=hard', '\\\\nas\\volume1\\data', 'Z:']);
    const un = w.unmountActions(profile(), { forget: true })[0]!;
    expect(un.step.argv!.slice(0, 4)).toEqual(PS);
    expect(un.step.argv![4]).toContain('Remove-SmbMapping -LocalPath $p.localPath -Force -UpdateProfile');
    expect(JSON.parse(un.stdin!)).toEqual({ localPath: 'Z:', forget: true });
  });

  it('reads state from Get-SmbMapping | ConvertTo-Json (array, single object, numeric status)', async () => {
    expect(parseSmbMappings(fixture('get-smbmapping.json'))).toEqual([
      { status: 'OK', localPath: 'X:', remotePath: '\\\\Contoso-SO\\VMFiles' },
      { status: 'OK', localPath: 'Y:', remotePath: '\\\\Contoso-FS\\VMS1' },
    ]);
    expect(parseSmbMappings(fixture('get-smbmapping-single-numeric.json'))).toEqual([
      { status: 'Disconnected', localPath: 'Z:', remotePath: '\\\\nas\\media' },
    ]);
    const json = fixture('get-smbmapping.json');
    const { exec, calls } = recordingExec(() => ({ code: 0, stdout: json }));
    const w = new WindowsMounts(exec);
    const seen = await w.observe([
      profile({ id: 'a', url: 'smb://Contoso-SO/VMFiles', mountPoint: 'X:' }),
      profile({ id: 'b', url: 'smb://Contoso-FS/VMS1', mountPoint: 'Z:' }),
    ]);
    expect(calls[0]!.argv).toEqual([...PS, OBSERVE_SCRIPT]);
    expect(seen.get('a')).toEqual({ mounted: true, path: 'X:\\' });
    expect(seen.get('b')).toEqual({ mounted: false });
    const broken = await new WindowsMounts(
      recordingExec(() => ({ code: 0, stdout: fixture('get-smbmapping-single-numeric.json') })).exec,
    ).observe([profile({ id: 'c', url: 'smb://nas/media', mountPoint: 'Z:' })]);
    expect(broken.get('c')).toEqual({
      mounted: true,
      path: 'Z:\\',
      broken: 'Windows reports the drive as Disconnected',
    });
  });

  it.each([
    ['net-use-53.txt', 53, 'UNREACHABLE', /port 445/],
    ['net-use-67.txt', 67, 'NOT_FOUND', /share list/],
    ['net-use-85.txt', 85, 'CONFLICT', /another letter/],
    ['net-use-1202.txt', 1202, 'CONFLICT', /\/delete/],
    ['net-use-1219.txt', 1219, 'CONFLICT', /IPC\$ \/delete/],
    ['net-use-1326.txt', 1326, 'AUTH_FAILED', /NAS\\user/],
    ['net-use-1272.txt', 1272, 'AUTH_FAILED', /SMB signing/],
    ['net-use-3227320323.txt', 3227320323, 'AUTH_FAILED', /SMB signing/],
  ])('explains %s in plain words with the fix', async (file, code, appCode, fix) => {
    const text = fixture(file);
    expect(windowsErrorCode(text)).toBe(code);
    const e = explainWindowsError(code, 'nas.local');
    expect(e.code).toBe(appCode);
    expect(e.fix).toMatch(fix);
    // the same through a failing mapping run
    const w = new WindowsMounts(recordingExec(() => ({ code: 2, stderr: text })).exec);
    await expect(runActions(w['exec'], w.mountActions(profile(), { password: 'x' }))).rejects.toMatchObject({
      code: appCode,
      details: { win32: code },
    });
  });

  it('understands the script’s own JSON error line, with a signed HRESULT too', () => {
    expect(windowsErrorCode('{"error":{"code":1326,"message":"The user name or password is incorrect."}}')).toBe(1326);
    expect(windowsErrorCode('{"error":{"code":-2147024843,"message":"x"}}')).toBe(53); // 0x80070035
    expect(windowsErrorCode('{"error":{"code":-1073700864,"message":"The cryptographic signature is invalid."}}')).toBe(
      0xc000a000,
    );
  });

  it('offers free drive letters from Z: downward', async () => {
    expect(freeDriveLetters(['C:', 'Z:', 'y']).slice(0, 3)).toEqual(['X:', 'W:', 'V:']);
    const w = new WindowsMounts(recordingExec(() => ({ code: 0, stdout: 'C:\\,D:\\,Z:\\\r\n' })).exec);
    expect(await w.defaultMountPoint({ protocol: 'smb', host: 'h', share: 's', subPath: '' }, ['Y:'])).toBe('X:');
  });
});
