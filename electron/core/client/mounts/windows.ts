// Windows: SMB mapped in the user's own (unelevated) session with New-SmbMapping, the password
// saved as a Windows credential when the mapping is persistent; NFS through the Windows NFS
// client (mount.exe). PowerShell scripts are constants; values and the password arrive as JSON
// on stdin (../../../../shared/reference: client-commands.md §0, §1).
import type { MountProfile } from '../../../../shared/domain';
import { AppError, type ErrorCode } from '../../../../shared/errors';
import { type Exec, type ExecResult, execAnswered } from '../exec';
import {
  type Action,
  type MountBackend,
  type ObservedMount,
  type ParsedMountUrl,
  type Probe,
  type Secrets,
  type UnmountOptions,
  parseMountUrl,
  step,
  tail,
} from './backend';

const POWERSHELL = ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command'];

// Reads {localPath, remotePath, user?, password?, persistent} from stdin. On failure prints one
// JSON line {"error":{"code":<win32 code>,"message":…}} and exits 1.
const MAP_SCRIPT = [
  '$ErrorActionPreference = "Stop"',
  '$p = [Console]::In.ReadToEnd() | ConvertFrom-Json',
  '$a = @{ LocalPath = $p.localPath; RemotePath = $p.remotePath; Persistent = [bool]$p.persistent }',
  'if ($p.user) { $a.UserName = $p.user }',
  'if ($p.password) { $a.Password = $p.password; if ($p.persistent) { $a.SaveCredentials = $true } }',
  'try { New-SmbMapping @a | Out-Null }',
  'catch {',
  '  $e = $_.Exception; $c = 0',
  '  if ($e.ErrorData -and $e.ErrorData.CimInstanceProperties["error_Code"]) { $c = [int64]$e.ErrorData.CimInstanceProperties["error_Code"].Value }',
  '  elseif (($e.HResult -band 0xFFFF0000) -eq 0x80070000) { $c = $e.HResult -band 0xFFFF }',
  '  else { $c = $e.HResult }',
  '  @{ error = @{ code = $c; message = $e.Message } } | ConvertTo-Json -Compress; exit 1',
  '}',
].join('\n');

const UNMAP_SCRIPT = [
  '$ErrorActionPreference = "Stop"',
  '$p = [Console]::In.ReadToEnd() | ConvertFrom-Json',
  // -UpdateProfile also forgets a persistent mapping; without it Windows restores it at the next logon.
  'if ($p.forget) { Remove-SmbMapping -LocalPath $p.localPath -Force -UpdateProfile } else { Remove-SmbMapping -LocalPath $p.localPath -Force }',
].join('\n');

/** Status as a word: ConvertTo-Json would turn the enum into its number. */
export const OBSERVE_SCRIPT = [
  '$m = @(Get-SmbMapping | Select-Object @{ n = "Status"; e = { [string]$_.Status } }, LocalPath, RemotePath)',
  'ConvertTo-Json -InputObject $m -Compress',
].join('\n');

/** MSFT_SmbMapping.Status values (the Win32 USE_INFO_1 ui1_status order) → words. */
const SMB_STATUS = ['OK', 'Paused', 'Disconnected', 'NetworkError', 'Connecting', 'Reconnecting', 'Unavailable'];

export interface WindowsError {
  code: ErrorCode;
  message: string;
  fix?: string;
}

/** The errors users meet with mapped drives, in plain words with what to do (client-commands.md §1.4, §6). */
export function explainWindowsError(win32: number, server = 'the NAS'): WindowsError {
  switch (win32) {
    case 5:
      return {
        code: 'PERMISSION_DENIED',
        message: 'The NAS refused access to this share.',
        fix: 'Ask the NAS admin to give this account access to the share.',
      };
    case 53:
      return {
        code: 'UNREACHABLE',
        message: `Windows cannot find ${server} on the network (error 53).`,
        fix: 'Check that the NAS is on and on this network, that TCP port 445 is open, and that the NAS has SMB2 or SMB3 turned on.',
      };
    case 67:
      return {
        code: 'NOT_FOUND',
        message: `${server} has no share by that name (error 67).`,
        fix: 'Check the share name with `nasdeck share list`.',
      };
    case 85:
      return {
        code: 'CONFLICT',
        message: 'That drive letter is already in use (error 85).',
        fix: 'Pick another letter with --at, or disconnect the drive that uses it.',
      };
    case 86:
    case 1326:
      return {
        code: 'AUTH_FAILED',
        message: 'The NAS did not accept this user name or password.',
        fix: 'Check them; for an account on the NAS itself write NAS\\user.',
      };
    case 1202:
      return {
        code: 'CONFLICT',
        message: 'Windows remembers another share on that drive letter (error 1202).',
        fix: 'Pick another letter, or forget the old one: net use <letter> /delete.',
      };
    case 1219:
      return {
        code: 'CONFLICT',
        message: `This computer is already connected to ${server} as a different user (error 1219); Windows allows one user per server.`,
        fix: `Disconnect the other connections first: net use \\\\${server}\\IPC$ /delete (or use the same user).`,
      };
    case 1272:
    case 0xc000a000:
    case 3227320323:
      return {
        code: 'AUTH_FAILED',
        message: `Windows refuses guest access or unsigned SMB connections, and ${server} offers only that (error ${win32 > 0xffff ? `0x${win32.toString(16).toUpperCase()}` : win32}).`,
        fix: 'On the NAS, turn on SMB signing and sign in with a real account (not guest). Do not turn signing off on Windows.',
      };
    default:
      return { code: 'INTERNAL', message: `Windows could not map the drive (error ${win32}).` };
  }
}

/** The Win32 error code in New-SmbMapping's JSON error line or in `net use` text ("System error N has occurred."). */
export function windowsErrorCode(output: string): number | null {
  const json = /\{"error":\{[^\n]*\}\}/.exec(output);
  if (json) {
    try {
      const e = (JSON.parse(json[0]) as { error: { code: number; message?: string } }).error;
      if (e.code) {
        const unsigned = e.code >>> 0; // HRESULTs arrive signed
        return (unsigned & 0xffff0000) >>> 0 === 0x80070000 ? unsigned & 0xffff : unsigned;
      }
      const fromText = windowsErrorCode(e.message ?? '');
      if (fromText !== null) return fromText;
    } catch {
      // fall through to the text forms
    }
  }
  const sys = /System error (\d+) has occurred/i.exec(output);
  if (sys) return Number(sys[1]);
  if (/cryptographic signature is invalid/i.test(output)) return 0xc000a000;
  if (/guest access/i.test(output)) return 1272;
  if (/user name or password is incorrect|unknown user name or bad password/i.test(output)) return 1326;
  if (/network path was not found/i.test(output)) return 53;
  if (/network name cannot be found/i.test(output)) return 67;
  if (/local device name is already in use/i.test(output)) return 85;
  if (/remembered connection to another network resource/i.test(output)) return 1202;
  if (/Multiple connections to a server or shared resource by the same user/i.test(output)) return 1219;
  return null;
}

function failure(r: ExecResult, server: string): AppError {
  const out = `${r.stdout}\n${r.stderr}`;
  const code = windowsErrorCode(out);
  const e =
    code === null
      ? { code: 'INTERNAL' as const, message: 'Windows could not map the drive.' }
      : explainWindowsError(code, server);
  return new AppError(e.code, e.message, {
    ...(e.fix ? { fix: e.fix } : {}),
    ...(code !== null ? { win32: code } : {}),
    output: tail(out),
  });
}

export const uncPath = (u: ParsedMountUrl) =>
  u.protocol === 'smb'
    ? `\\\\${u.host}\\${[u.share, ...u.subPath.split('/').filter(Boolean)].join('\\')}`
    : `\\\\${u.host}${u.share.replace(/\//g, '\\')}`;

/** Drive letters Windows would pick itself: Z: downward, skipping those in use (A:–C: never). */
export function freeDriveLetters(used: readonly string[]): string[] {
  const taken = new Set(used.map((l) => l.slice(0, 1).toUpperCase()));
  const free: string[] = [];
  for (let c = 'Z'.charCodeAt(0); c >= 'D'.charCodeAt(0); c--) {
    const letter = String.fromCharCode(c);
    if (!taken.has(letter)) free.push(`${letter}:`);
  }
  return free;
}

/** Get-SmbMapping's JSON (one object or an array) → mounts by local path. */
export function parseSmbMappings(json: string): { status: string; localPath: string; remotePath: string }[] {
  const text = json.trim();
  if (!text) return [];
  const raw = JSON.parse(text) as unknown;
  const rows = (Array.isArray(raw) ? raw : [raw]) as { Status?: unknown; LocalPath?: unknown; RemotePath?: unknown }[];
  return rows.map((r) => ({
    status: typeof r.Status === 'number' ? (SMB_STATUS[r.Status] ?? String(r.Status)) : String(r.Status ?? ''),
    localPath: String(r.LocalPath ?? '').toUpperCase(),
    remotePath: String(r.RemotePath ?? ''),
  }));
}

export class WindowsMounts implements MountBackend {
  readonly os = 'windows' as const;
  /** `local`: this is the Windows computer itself, so its drive letters can be asked for. */
  constructor(
    private readonly exec: Exec,
    private readonly local = true,
  ) {}

  async defaultMountPoint(_url: ParsedMountUrl, taken: readonly string[]): Promise<string> {
    let inUse: string[] = [];
    if (this.local)
      try {
        const r = await execAnswered(this.exec, {
          argv: [...POWERSHELL, '[System.IO.DriveInfo]::GetDrives().Name -join ","'],
          timeoutMs: 10_000,
        });
        inUse = r.stdout.split(/[,\s]+/).filter(Boolean);
      } catch {
        // no answer: only the letters our own profiles use are known
      }
    const letter = freeDriveLetters([...inUse, ...taken])[0];
    if (!letter)
      throw new AppError('CONFLICT', 'Every drive letter from D: to Z: is in use.', {
        fix: 'Disconnect a drive first.',
      });
    return letter;
  }

  mountActions(p: MountProfile, secrets: Secrets): Action[] {
    const url = parseMountUrl(p.url);
    if (!/^[D-Z]:$/i.test(p.mountPoint)) {
      throw new AppError('INVALID_INPUT', `On Windows a share goes on a drive letter like Z:, not "${p.mountPoint}".`);
    }
    const letter = p.mountPoint.toUpperCase();
    if (url.protocol === 'nfs') {
      // Windows' NFS client speaks NFSv3 only and takes no password; `mount` alone would be PowerShell's New-PSDrive alias.
      const argv = ['mount.exe', '-o', 'anon,nolock,mtype=hard', uncPath(url), letter];
      return [
        {
          step: step(argv, `Mount the NFS export ${url.host}:${url.share} on ${letter} (Client for NFS, NFSv3)`),
          check: (r) =>
            r.code === 0
              ? null
              : /not recognized|cannot find/i.test(r.stderr)
                ? new AppError('NOT_SUPPORTED', 'The Windows NFS client is not installed.', {
                    fix: 'Turn on "Services for NFS → Client for NFS" (Enable-WindowsOptionalFeature -Online -FeatureName ServicesForNFS-ClientOnly,ClientForNFS-Infrastructure -All, as administrator; Pro/Enterprise editions only).',
                  })
                : failure(r, url.host),
        },
      ];
    }
    const input = {
      localPath: letter,
      remotePath: uncPath(url),
      ...(p.user ? { user: p.user } : {}),
      persistent: p.persistent,
    };
    const saved =
      p.persistent && p.hasPassword
        ? '; the password is saved as a Windows credential so the drive comes back after a restart'
        : '';
    return [
      {
        step: step(
          [...POWERSHELL, MAP_SCRIPT],
          `Map ${input.remotePath} to ${letter} in your own session (New-SmbMapping; values${p.hasPassword ? ' and password ***' : ''} on stdin${saved})`,
        ),
        stdin: JSON.stringify({ ...input, ...(secrets.password ? { password: secrets.password } : {}) }),
        check: (r) => (r.code === 0 ? null : failure(r, url.host)),
      },
    ];
  }

  unmountActions(p: MountProfile, opts: UnmountOptions = {}): Action[] {
    const url = parseMountUrl(p.url);
    const letter = p.mountPoint.toUpperCase();
    if (url.protocol === 'nfs')
      return [{ step: step(['umount.exe', '-f', letter], `Unmount the NFS drive ${letter}`) }];
    return [
      {
        step: step(
          [...POWERSHELL, UNMAP_SCRIPT],
          `Disconnect ${letter}${opts.forget ? ' and forget it at logon' : ''} (Remove-SmbMapping)`,
        ),
        stdin: JSON.stringify({ localPath: letter, forget: !!opts.forget }),
        check: (r) =>
          r.code === 0 || windowsErrorCode(`${r.stdout}${r.stderr}`) === 2250 ? null : failure(r, url.host),
      },
    ];
  }

  async observe(profiles: readonly MountProfile[]): Promise<Map<string, ObservedMount>> {
    const r = await execAnswered(this.exec, { argv: [...POWERSHELL, OBSERVE_SCRIPT], timeoutMs: 15_000 });
    if (r.code !== 0) throw new AppError('INTERNAL', 'Get-SmbMapping failed.', { output: tail(r.stderr) });
    const maps = parseSmbMappings(r.stdout);
    const out = new Map<string, ObservedMount>();
    for (const p of profiles) {
      const url = parseMountUrl(p.url);
      const m = maps.find(
        (x) => x.localPath === p.mountPoint.toUpperCase() && x.remotePath.toLowerCase() === uncPath(url).toLowerCase(),
      );
      if (!m) out.set(p.id, { mounted: false });
      else if (m.status === 'OK') out.set(p.id, { mounted: true, path: `${m.localPath}\\` });
      else
        out.set(p.id, { mounted: true, path: `${m.localPath}\\`, broken: `Windows reports the drive as ${m.status}` });
    }
    return out;
  }

  openInFileManager(path: string): Probe {
    // A drive letter alone ("Z:") would open Explorer's current folder on that drive, not its root.
    return { argv: ['explorer.exe', /^[A-Za-z]:$/.test(path) ? `${path}\\` : path] };
  }

  probe(path: string): Probe {
    return {
      argv: [...POWERSHELL, 'Get-Item -LiteralPath $env:NASDECK_PROBE_PATH | Out-Null'],
      env: { NASDECK_PROBE_PATH: path },
    };
  }
}
