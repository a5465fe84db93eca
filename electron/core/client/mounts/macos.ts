// macOS: NFS with mount_nfs into a folder under home; SMB with a password through NetFS
// (`osascript` "mount volume", the password read from an environment variable only that child
// sees, never argv), SMB without one with mount_smbfs -N into the folder. State from `mount`.
import type { MountProfile } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
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
  shareLabel,
  splitDomainUser,
  step,
  tail,
} from './backend';

export const PASSWORD_ENV = 'NASDECK_SMB_PASSWORD';

// Constant script: the URL and user arrive as arguments, the password from the environment.
const MOUNT_VOLUME = [
  'on run argv',
  `  mount volume (item 1 of argv) as user name (item 2 of argv) with password (system attribute "${PASSWORD_ENV}")`,
  'end run',
];

export interface MacMountLine {
  source: string;
  path: string;
  fstype: string;
  options: string[];
}

/** `mount` output lines: `//user@host/share on /Volumes/share (smbfs, nodev, nosuid, mounted by u)`. */
export function parseMacMount(text: string): MacMountLine[] {
  const out: MacMountLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.+?) on (.+) \(([^()]*)\)$/.exec(line.trim());
    if (!m) continue;
    const [fstype = '', ...options] = m[3]!.split(',').map((s) => s.trim());
    out.push({ source: m[1]!, path: m[2]!, fstype, options });
  }
  return out;
}

function sameHost(a: string, b: string) {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

/** Whether a mount line is this URL's share (the user in the source does not matter). */
export function macLineMatches(line: MacMountLine, url: ParsedMountUrl): boolean {
  if (url.protocol === 'smb') {
    if (line.fstype !== 'smbfs') return false;
    const m = /^\/\/(?:[^@]*@)?([^/]+)\/([^/]+)/.exec(line.source);
    if (!m) return false;
    let share = m[2]!;
    try {
      share = decodeURIComponent(share);
    } catch {
      // keep as printed
    }
    return sameHost(m[1]!.replace(/:\d+$/, ''), url.host) && share.toLowerCase() === url.share.toLowerCase();
  }
  if (line.fstype !== 'nfs') return false;
  const i = line.source.indexOf(':/');
  return (
    i > 0 && sameHost(line.source.slice(0, i), url.host) && line.source.slice(i + 1).replace(/\/$/, '') === url.share
  );
}

function macFailure(r: ExecResult, url: ParsedMountUrl): AppError {
  const out = `${r.stderr}\n${r.stdout}`;
  const details = { output: tail(out) };
  if (/Authentication error|-6600|-6602|\(80\)|EAUTH/i.test(out))
    return new AppError('AUTH_FAILED', 'The NAS did not accept this user name or password.', details);
  if (/Operation not permitted/i.test(out) && url.protocol === 'nfs')
    return new AppError(
      'PERMISSION_DENIED',
      'The NAS wants NFS from a privileged port, which needs an administrator on macOS.',
      {
        ...details,
        fix: 'Mark the export "insecure" on the NAS, or mount as an administrator with -o resvport.',
      },
    );
  if (/can't resolve host|No route to host|Host is down|timed out|-5996|-6003/i.test(out))
    return new AppError('UNREACHABLE', `${url.host} did not answer.`, {
      ...details,
      fix: 'Check that the NAS is on and on this network.',
    });
  if (/RPC prog\. not avail/i.test(out))
    return new AppError('NOT_SUPPORTED', 'The NAS offers no NFS lock service.', {
      ...details,
      fix: 'Mount with nolocks (Nasdeck does) or start rpc.statd on the NAS.',
    });
  if (/No such file or directory|does not exist|-5998/i.test(out))
    return new AppError('NOT_FOUND', `${url.host} has no share or export "${url.share}".`, details);
  return new AppError('INTERNAL', `Mounting ${url.host}/${url.share} failed.`, details);
}

export class MacMounts implements MountBackend {
  readonly os = 'macos' as const;
  constructor(
    private readonly exec: Exec,
    private readonly home = '~',
  ) {}

  async defaultMountPoint(url: ParsedMountUrl, taken: readonly string[]): Promise<string> {
    const base = `${this.home}/NAS/${shareLabel(url)}`;
    let candidate = base;
    for (let i = 2; taken.includes(candidate); i++) candidate = `${base}-${i}`;
    return candidate;
  }

  mountActions(p: MountProfile, secrets: Secrets): Action[] {
    const url = parseMountUrl(p.url);
    const mkdir = {
      step: step(
        ['mkdir', '-p', '-m', '700', p.mountPoint],
        `Create the folder ${p.mountPoint} (only you can open it)`,
      ),
    };
    const check = (r: ExecResult) => (r.code === 0 ? null : macFailure(r, url));
    if (url.protocol === 'nfs') {
      const opts = ['nolocks', 'vers=3', ...(p.readOnly ? ['rdonly'] : [])].join(',');
      return [
        mkdir,
        {
          step: step(
            ['mount_nfs', '-o', opts, `${url.host}:${url.share}`, p.mountPoint],
            `Mount ${url.host}:${url.share} on ${p.mountPoint}`,
          ),
          check,
        },
      ];
    }
    const { domain, user } = splitDomainUser(p.user);
    const who = user ? `${domain ? `${encodeURIComponent(domain)};` : ''}${encodeURIComponent(user)}@` : 'guest@';
    const host = url.port ? `${url.host}:${url.port}` : url.host;
    const share = [url.share, ...url.subPath.split('/').filter(Boolean)].map(encodeURIComponent).join('/');
    if (p.hasPassword) {
      // NetFS mounts under /Volumes and may add "-1"; the service links the folder to where it landed.
      const smbUrl = `smb://${host}/${share}`;
      return [
        {
          step: step(
            ['osascript', ...MOUNT_VOLUME.flatMap((l) => ['-e', l]), smbUrl, p.user ?? ''],
            `Mount ${smbUrl} as ${p.user} through NetFS (password *** from the environment, not the command line)`,
          ),
          env: secrets.password ? { [PASSWORD_ENV]: secrets.password } : {},
          check,
          timeoutMs: 60_000,
        },
      ];
    }
    const opts = ['nobrowse', ...(p.readOnly ? ['rdonly'] : [])].join(',');
    return [
      mkdir,
      {
        step: step(
          ['mount_smbfs', '-N', '-o', opts, `//${who}${host}/${share}`, p.mountPoint],
          `Mount //${host}/${share} on ${p.mountPoint} without a password`,
        ),
        check,
      },
    ];
  }

  /** NetFS's own place for a share: the service links the profile's folder there. */
  linkTarget(p: MountProfile): string | null {
    const url = parseMountUrl(p.url);
    return url.protocol === 'smb' && p.hasPassword ? `/Volumes/${url.share}` : null;
  }

  unmountActions(p: MountProfile, opts: UnmountOptions = {}): Action[] {
    const at = opts.mountedAt ?? this.linkTarget(p) ?? p.mountPoint;
    return [
      {
        step: step(['umount', ...(opts.force ? ['-f'] : []), at], `Unmount ${at}`),
        check: (r) =>
          r.code === 0 || /not currently mounted|not a mount point/i.test(r.stderr)
            ? null
            : macFailure(r, parseMountUrl(p.url)),
      },
    ];
  }

  async observe(profiles: readonly MountProfile[]): Promise<Map<string, ObservedMount>> {
    const r = await execAnswered(this.exec, { argv: ['mount'], timeoutMs: 10_000 });
    const lines = parseMacMount(r.stdout);
    const out = new Map<string, ObservedMount>();
    for (const p of profiles) {
      const url = parseMountUrl(p.url);
      const line = lines.find((l) => macLineMatches(l, url));
      out.set(p.id, line ? { mounted: true, path: line.path } : { mounted: false });
    }
    return out;
  }

  openInFileManager(path: string): Probe {
    return { argv: ['open', '--', path] };
  }

  probe(path: string): Probe {
    return { argv: ['ls', '-f', '--', path] };
  }
}
