// Linux: two ways to mount.
// - desktop (no root): gvfs, `gio mount smb://…` with the domain and password answered on stdin;
//   the files appear under $XDG_RUNTIME_DIR/gvfs (FUSE); state from that folder (or `gio mount -l`).
// - system (root through pkexec): kernel `mount -t cifs` with a 0600 credentials file removed
//   right after, `mount -t nfs`, and for persistent profiles systemd .mount/.automount units named
//   with systemd-escape. State from `findmnt -J -l`.
// Persistent profiles use the system way; the others gvfs when a session bus is there.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

export interface LinuxEnv {
  home: string;
  uid: number;
  gid: number;
  /** Where gvfs puts its FUSE folder and where a credentials file may live for a moment. */
  runtimeDir?: string;
  /** A D-Bus session bus is there (gvfs needs one). */
  sessionBus: boolean;
  /** /proc/filesystems, to tell whether the kernel can mount cifs / nfs at all. */
  readFilesystems?: () => Promise<string>;
}

export function currentLinuxEnv(env: NodeJS.ProcessEnv = process.env): LinuxEnv {
  return {
    home: env.HOME ?? '~',
    uid: process.getuid?.() ?? 1000,
    gid: process.getgid?.() ?? 1000,
    ...(env.XDG_RUNTIME_DIR ? { runtimeDir: env.XDG_RUNTIME_DIR } : {}),
    sessionBus: !!env.DBUS_SESSION_BUS_ADDRESS,
    readFilesystems: () => readFile('/proc/filesystems', 'utf8'),
  };
}

/** systemd-escape --path (systemd.unit(5) "STRING ESCAPING"): / → -, other bytes outside [A-Za-z0-9:_.] → \xNN. */
export function systemdEscapePath(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (!trimmed) return '-';
  const bytes = Buffer.from(trimmed, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const ch = String.fromCharCode(b);
    if (ch === '/') out += '-';
    else if (/[A-Za-z0-9:_]/.test(ch) || (ch === '.' && i > 0)) out += ch;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The URL gvfs mounts: the share (never a folder inside it), with the user but no password. */
export function gvfsMountUrl(url: ParsedMountUrl, user?: string): string {
  const host = url.port ? `${url.host}:${url.port}` : url.host;
  if (url.protocol === 'nfs') return `nfs://${host}${url.share.split('/').map(encodeURIComponent).join('/')}`;
  return `smb://${user ? `${encodeURIComponent(user)}@` : ''}${host}/${encodeURIComponent(url.share)}`;
}

const gvfsEscape = (s: string) => s.replace(/[^A-Za-z0-9._~-]/g, (c) => encodeURIComponent(c).toUpperCase());

/** gvfsd-fuse's folder name for a mount: `smb-share:server=H,share=S[,user=U]`, `nfs:host=H,prefix=%2Fexport`. */
export function gvfsFolderName(url: ParsedMountUrl, user?: string): string {
  if (url.protocol === 'nfs') return `nfs:host=${gvfsEscape(url.host)},prefix=${gvfsEscape(url.share)}`;
  return `smb-share:server=${gvfsEscape(url.host)},share=${gvfsEscape(url.share)}${user ? `,user=${gvfsEscape(user)}` : ''}`;
}

/** `gio mount -l` → the URLs of mounted gvfs locations, normalized (no trailing slash). */
export function parseGioMounts(text: string): string[] {
  const urls: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^Mount\(\d+\): .* -> ((?:smb|nfs):\/\/\S+)$/.exec(line.trim());
    if (m) urls.push(m[1]!.replace(/\/+$/, ''));
  }
  return urls;
}

const sameGvfsUrl = (a: string, b: string) =>
  a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

function gioFailure(r: ExecResult, url: ParsedMountUrl): AppError | null {
  const out = `${r.stderr}\n${r.stdout}`;
  if (r.code === 0 || /Location is already mounted/i.test(out)) return null;
  const details = { output: tail(out) };
  // gio asks again after a refused password; with stdin at its end it gives up (rc 2).
  if ((out.match(/Password:/g) ?? []).length >= 2 || (out.match(/Authentication Required/g) ?? []).length >= 2)
    return new AppError(
      'AUTH_FAILED',
      `${url.host} did not accept this user name or password (or has no share "${url.share}").`,
      details,
    );
  if (/No route to host|Connection timed out|Host is down|Network is unreachable|Connection refused/i.test(out))
    return new AppError('UNREACHABLE', `${url.host} did not answer.`, {
      ...details,
      fix: 'Check that the NAS is on and on this network.',
    });
  if (/Mount point does not exist|No such file|not found/i.test(out))
    return new AppError(
      'NOT_FOUND',
      `${url.host} has no ${url.protocol === 'nfs' ? 'NFS export' : 'share'} "${url.share}", or did not answer.`,
      details,
    );
  if (/not supported|Operation not supported/i.test(out))
    return new AppError('NOT_SUPPORTED', `gvfs cannot mount ${url.protocol} here.`, {
      ...details,
      fix: 'Install gvfs-backends and gvfs-fuse.',
    });
  return new AppError('INTERNAL', `gio could not mount ${url.host}/${url.share}.`, details);
}

/** findmnt -J -l output → mounts. */
export function parseFindmnt(json: string): { target: string; source: string; fstype: string; options: string }[] {
  if (!json.trim()) return [];
  return ((JSON.parse(json) as { filesystems?: unknown[] }).filesystems ?? []) as {
    target: string;
    source: string;
    fstype: string;
    options: string;
  }[];
}

export class LinuxMounts implements MountBackend {
  readonly os = 'linux' as const;
  constructor(
    private readonly exec: Exec,
    private readonly env: LinuxEnv,
  ) {}

  /** Persistent profiles are kernel mounts kept by systemd; others go through gvfs when a desktop session is there. */
  mode(p: MountProfile): 'desktop' | 'system' {
    return p.persistent || !this.env.sessionBus ? 'system' : 'desktop';
  }

  async defaultMountPoint(url: ParsedMountUrl, taken: readonly string[]): Promise<string> {
    const base = `${this.env.home}/NAS/${shareLabel(url)}`;
    let candidate = base;
    for (let i = 2; taken.includes(candidate); i++) candidate = `${base}-${i}`;
    return candidate;
  }

  async preflight(p: MountProfile): Promise<void> {
    const url = parseMountUrl(p.url);
    if (this.mode(p) === 'desktop') return;
    const fs = (await this.env.readFilesystems?.().catch(() => '')) ?? '';
    const needed = url.protocol === 'smb' ? ['cifs', 'smb3'] : ['nfs', 'nfs4'];
    if (!needed.some((n) => new RegExp(`\\s${n}$`, 'm').test(fs))) {
      const what = url.protocol === 'smb' ? 'SMB (cifs)' : 'NFS';
      throw new AppError('NOT_SUPPORTED', `This Linux kernel cannot mount ${what} shares itself.`, {
        fix:
          url.protocol === 'smb'
            ? 'Install cifs-utils and a kernel with the cifs module (e.g. linux-image with linux-modules-extra), then `sudo modprobe cifs`; or mount without --persistent in a desktop session (gvfs: install gvfs-backends gvfs-fuse).'
            : 'Install nfs-common and a kernel with the nfs module, then `sudo modprobe nfs`; or mount without --persistent in a desktop session (gvfs: install gvfs-backends gvfs-fuse).',
        missing: needed[0],
      });
    }
  }

  mountActions(p: MountProfile, secrets: Secrets): Action[] {
    return this.mode(p) === 'desktop' ? this.gvfsMount(p, secrets) : this.kernelMount(p, secrets);
  }

  private gvfsMount(p: MountProfile, secrets: Secrets): Action[] {
    const url = parseMountUrl(p.url);
    const { domain, user } = splitDomainUser(p.user);
    const target = gvfsMountUrl(url, user);
    const check = (r: ExecResult) => gioFailure(r, url);
    if (url.protocol === 'nfs') {
      return [{ step: step(['gio', 'mount', target], `Mount ${target} through gvfs (no root needed)`), check }];
    }
    if (!user) {
      return [{ step: step(['gio', 'mount', '-a', target], `Mount ${target} as guest through gvfs`), check }];
    }
    // With the user in the URL gio asks "Domain [WORKGROUP]:" then "Password:"; both answered on stdin.
    return [
      {
        step: step(
          ['gio', 'mount', target],
          `Mount ${target} through gvfs (domain and password *** answered on stdin)`,
        ),
        stdin: `${domain ?? ''}\n${secrets.password ?? ''}\n`,
        check,
      },
    ];
  }

  /** gvfsd-fuse lists a folder under its root only for what gvfs has mounted. */
  liveFolder(p: MountProfile): string | null {
    return this.linkTarget(p);
  }

  /** Where gvfs shows the files; the profile's folder becomes a link to it. */
  linkTarget(p: MountProfile): string | null {
    if (this.mode(p) !== 'desktop') return null;
    const url = parseMountUrl(p.url);
    const base = join(
      this.env.runtimeDir ?? `/run/user/${this.env.uid}`,
      'gvfs',
      gvfsFolderName(url, splitDomainUser(p.user).user),
    );
    return url.subPath ? join(base, url.subPath) : base;
  }

  private unitBase(p: MountProfile) {
    return systemdEscapePath(p.mountPoint);
  }

  private credentialsFile(p: MountProfile) {
    return p.persistent
      ? `/etc/nasdeck/credentials/${p.id}.cred`
      : join(this.env.runtimeDir ?? '/tmp', `nasdeck-${p.id}.cred`);
  }

  private kernelMount(p: MountProfile, secrets: Secrets): Action[] {
    const url = parseMountUrl(p.url);
    const actions: Action[] = [
      {
        step: step(
          ['mkdir', '-p', '-m', '700', p.mountPoint],
          `Create the folder ${p.mountPoint} (only you can open it)`,
        ),
      },
    ];
    const mountCheck = (r: ExecResult) => (r.code === 0 ? null : kernelFailure(r, url));
    let what: string;
    let type: string;
    const options: string[] = [p.readOnly ? 'ro' : 'rw'];
    if (url.protocol === 'smb') {
      what = `//${url.host}/${[url.share, ...url.subPath.split('/').filter(Boolean)].join('/')}`;
      type = 'cifs';
      const cred = this.credentialsFile(p);
      options.push(`uid=${this.env.uid}`, `gid=${this.env.gid}`, ...(p.smbVersion ? [`vers=${p.smbVersion}`] : []));
      if (p.user) options.push(`credentials=${cred}`);
      else options.push('guest');
      if (p.user) {
        const { domain, user } = splitDomainUser(p.user);
        const body = `username=${user}\npassword=${secrets.password ?? ''}\n${domain ? `domain=${domain}\n` : ''}`;
        actions.push({
          step: p.persistent
            ? step(
                ['pkexec', 'install', '-D', '-m', '0600', '-o', 'root', '-g', 'root', '/dev/stdin', cred],
                `Save the credentials (password ***) in ${cred}, readable by root only`,
                true,
              )
            : step(
                ['install', '-m', '0600', '/dev/stdin', cred],
                `Write the credentials (password ***) to ${cred} (mode 0600, removed right after mounting)`,
              ),
          stdin: body,
        });
      }
    } else {
      what = `${url.host}:${url.share}`;
      type = 'nfs';
      options.push('hard');
    }
    if (!p.persistent) {
      actions.push({
        step: step(
          ['pkexec', 'mount', '-t', type, what, p.mountPoint, '-o', options.join(',')],
          `Mount ${what} on ${p.mountPoint}`,
          true,
        ),
        check: mountCheck,
        timeoutMs: 60_000,
      });
      if (url.protocol === 'smb' && p.user)
        actions.push({
          step: step(['rm', '-f', this.credentialsFile(p)], 'Remove the credentials file'),
          always: true,
        });
      return actions;
    }
    const unit = this.unitBase(p);
    const mountUnit = [
      '[Unit]',
      `Description=Nasdeck: ${p.name}`,
      'Wants=network-online.target',
      'After=network-online.target',
      '[Mount]',
      `What=${what}`,
      `Where=${p.mountPoint}`,
      `Type=${type}`,
      `Options=${[...options, '_netdev'].join(',').replace(/%/g, '%%')}`,
      'TimeoutSec=30',
      '[Install]',
      'WantedBy=remote-fs.target',
      '',
    ].join('\n');
    const automountUnit = [
      '[Unit]',
      `Description=Nasdeck: ${p.name} (mounted on first use)`,
      '[Automount]',
      `Where=${p.mountPoint}`,
      'TimeoutIdleSec=600',
      '[Install]',
      'WantedBy=remote-fs.target',
      '',
    ].join('\n');
    actions.push(
      {
        step: step(
          ['pkexec', 'install', '-m', '0644', '/dev/stdin', `/etc/systemd/system/${unit}.mount`],
          `Write the systemd unit ${unit}.mount`,
          true,
        ),
        stdin: mountUnit,
      },
      {
        step: step(
          ['pkexec', 'install', '-m', '0644', '/dev/stdin', `/etc/systemd/system/${unit}.automount`],
          `Write the systemd unit ${unit}.automount`,
          true,
        ),
        stdin: automountUnit,
      },
      { step: step(['pkexec', 'systemctl', 'daemon-reload'], 'Tell systemd about the new units', true) },
      {
        step: step(
          ['pkexec', 'systemctl', 'enable', '--now', `${unit}.automount`],
          `Mount on first use and at every boot (${unit}.automount)`,
          true,
        ),
        check: mountCheck,
      },
      {
        step: step(['pkexec', 'systemctl', 'start', `${unit}.mount`], `Mount ${what} on ${p.mountPoint} now`, true),
        check: mountCheck,
        timeoutMs: 60_000,
      },
    );
    return actions;
  }

  unmountActions(p: MountProfile, opts: UnmountOptions = {}): Action[] {
    if (this.mode(p) === 'desktop') {
      const url = parseMountUrl(p.url);
      const target = gvfsMountUrl(url, splitDomainUser(p.user).user);
      return [
        {
          step: step(['gio', 'mount', '-u', ...(opts.force ? ['-f'] : []), target], `Unmount ${target} (gvfs)`),
          check: (r) =>
            r.code === 0 || /not mounted/i.test(r.stderr) ? null : gioFailure({ ...r, code: r.code || 1 }, url),
          timeoutMs: 15_000,
        },
      ];
    }
    const unit = this.unitBase(p);
    const notMounted = (r: ExecResult) =>
      r.code === 0 || /not mounted|not loaded/i.test(r.stderr) ? null : kernelFailure(r, parseMountUrl(p.url));
    if (!p.persistent)
      return [{ step: step(['pkexec', 'umount', p.mountPoint], `Unmount ${p.mountPoint}`, true), check: notMounted }];
    if (!opts.forget) {
      return [
        {
          step: step(
            ['pkexec', 'systemctl', 'stop', `${unit}.automount`, `${unit}.mount`],
            `Unmount ${p.mountPoint} until the next boot`,
            true,
          ),
          check: notMounted,
        },
      ];
    }
    return [
      {
        step: step(
          ['pkexec', 'systemctl', 'disable', '--now', `${unit}.automount`],
          `Stop mounting ${p.mountPoint} at boot`,
          true,
        ),
        check: notMounted,
      },
      {
        step: step(['pkexec', 'systemctl', 'stop', `${unit}.mount`], `Unmount ${p.mountPoint}`, true),
        check: notMounted,
      },
      {
        step: step(
          [
            'pkexec',
            'rm',
            '-f',
            `/etc/systemd/system/${unit}.mount`,
            `/etc/systemd/system/${unit}.automount`,
            this.credentialsFile(p),
          ],
          'Remove the units and the credentials file',
          true,
        ),
        always: true,
      },
      { step: step(['pkexec', 'systemctl', 'daemon-reload'], 'Tell systemd the units are gone', true), always: true },
    ];
  }

  async observe(profiles: readonly MountProfile[]): Promise<Map<string, ObservedMount>> {
    const out = new Map<string, ObservedMount>();
    const desktop = profiles.filter((p) => this.mode(p) === 'desktop');
    const system = profiles.filter((p) => this.mode(p) === 'system');
    if (desktop.length) {
      // gvfsd-fuse's root folder lists what gvfs has mounted without asking any NAS, and is far
      // quicker than `gio mount -l` (which starts every volume monitor first); the listing runs in
      // a child with a timeout all the same.
      const fuseRoot = join(this.env.runtimeDir ?? `/run/user/${this.env.uid}`, 'gvfs');
      const listing = await this.exec({ argv: ['ls', '-1', '-A', '--', fuseRoot], timeoutMs: 5000 }).catch(() => null);
      const folders = listing?.code === 0 ? new Set(listing.stdout.split('\n').filter(Boolean)) : null;
      const urls = folders
        ? []
        : parseGioMounts((await execAnswered(this.exec, { argv: ['gio', 'mount', '-l'], timeoutMs: 10_000 })).stdout);
      for (const p of desktop) {
        const url = parseMountUrl(p.url);
        const user = splitDomainUser(p.user).user;
        const mounted = folders
          ? folders.has(gvfsFolderName(url, user))
          : urls.some((u) => sameGvfsUrl(u, gvfsMountUrl(url, user)));
        out.set(p.id, mounted ? { mounted: true, path: this.linkTarget(p)! } : { mounted: false });
      }
    }
    if (system.length) {
      const r = await execAnswered(this.exec, {
        argv: ['findmnt', '-J', '-l', '-t', 'cifs,smb3,nfs,nfs4', '-o', 'TARGET,SOURCE,FSTYPE,OPTIONS'],
        timeoutMs: 10_000,
      });
      const rows = r.code === 0 ? parseFindmnt(r.stdout) : [];
      for (const p of system) {
        const row = rows.find((x) => x.target === p.mountPoint);
        out.set(p.id, row ? { mounted: true, path: row.target } : { mounted: false });
      }
    }
    return out;
  }

  openInFileManager(path: string): Probe {
    // The desktop's default file manager for folders; `--` so a path cannot read as an option.
    return { argv: ['gio', 'open', '--', path] };
  }

  probe(path: string): Probe {
    return { argv: ['ls', '-f', '--', path] };
  }
}

function kernelFailure(r: ExecResult, url: ParsedMountUrl): AppError {
  const out = `${r.stderr}\n${r.stdout}`;
  const details = { output: tail(out), exitCode: r.code };
  if (r.code === 126 || r.code === 127 || /Not authorized|dismissed/i.test(out))
    return new AppError('PERMISSION_DENIED', 'Mounting needs an administrator, and permission was not given.', details);
  if (/No such device|filesystem not supported|bad option; for several filesystems/i.test(out))
    return new AppError('NOT_SUPPORTED', `This Linux cannot mount ${url.protocol === 'smb' ? 'cifs' : 'nfs'} shares.`, {
      ...details,
      fix:
        url.protocol === 'smb'
          ? 'Install cifs-utils and load the cifs kernel module.'
          : 'Install nfs-common and load the nfs kernel module.',
    });
  if (/error\(13\)|Permission denied|access denied by server/i.test(out))
    return new AppError('AUTH_FAILED', `${url.host} refused this user, password or computer.`, details);
  if (/error\(2\)|No such file|does not exist/i.test(out))
    return new AppError('NOT_FOUND', `${url.host} has no share or export "${url.share}".`, details);
  if (/error\(22\)/.test(out))
    return new AppError('NOT_SUPPORTED', 'The NAS and this computer share no SMB dialect (an SMB1-only NAS?).', {
      ...details,
      fix: 'Turn on SMB2/SMB3 on the NAS; see dmesg for the kernel note.',
    });
  if (/error\((110|112|113|111)\)|could not resolve|timed out|No route to host|Host is down/i.test(out))
    return new AppError('UNREACHABLE', `${url.host} did not answer.`, details);
  return new AppError('INTERNAL', `Mounting ${url.host}/${url.share} failed.`, details);
}
