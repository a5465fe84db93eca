// What every OS backend offers the mount manager, running their steps through the shared exec,
// and the URL parsing they all need. One file per OS implements MountBackend (windows.ts, macos.ts, linux.ts).
import type { ClientOs, MountProfile, PlanStep } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { type Exec, type ExecResult, execAnswered } from '../exec';

/** What an OS says about one profile right now. */
export interface ObservedMount {
  mounted: boolean;
  /** Where the files are: a drive root, a folder, or gvfs's FUSE folder. */
  path?: string;
  /** The OS reports the mapping but says it is broken (Windows "Disconnected", "Unavailable"). */
  broken?: string;
}

/** One step of a mount or unmount: what a plan shows, plus what only the real run carries. */
export interface Action {
  step: PlanStep;
  /** May carry the secret: never shown, never logged. */
  stdin?: string;
  /** For the child only; may carry the secret (an env var only that child reads). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** A plain AppError for a failed result, or null when the result is fine (default: exit code 0). */
  check?: (r: ExecResult) => AppError | null;
  /** Runs even when an earlier step failed (removing a credentials file). */
  always?: boolean;
}

export interface Probe {
  argv: string[];
  env?: Record<string, string>;
}

export interface UnmountOptions {
  /** Where it is mounted now, when the OS chose the place. */
  mountedAt?: string;
  /** Removing the profile: also forget boot-time mounting and saved credentials. */
  forget?: boolean;
  /** The NAS is gone: do not wait for open files. */
  force?: boolean;
}

/** The password for a mount, when the keychain has one; only the real run gets it. */
export interface Secrets {
  password?: string;
}

export interface MountBackend {
  readonly os: ClientOs;
  /** Where a new profile goes when the user names no place: a free drive letter or a folder under home. */
  defaultMountPoint(url: ParsedMountUrl, taken: readonly string[]): Promise<string>;
  /** Everything mounting takes, in order. A plan shows the steps; a real run executes the same argv. */
  mountActions(profile: MountProfile, secrets: Secrets): Action[];
  unmountActions(profile: MountProfile, options?: UnmountOptions): Action[];
  /** Where the OS puts the files when not in the profile's folder (gvfs, NetFS); the folder becomes a link there. */
  linkTarget?(profile: MountProfile): string | null;
  /**
   * A folder that exists and lists only while the share is mounted (gvfs's FUSE folders): a listing
   * of it proves the mount, so mounting needs no separate observe.
   */
  liveFolder?(profile: MountProfile): string | null;
  /** Checks before a real run (kernel support, a session bus, a folder in the way). */
  preflight?(profile: MountProfile): Promise<void>;
  /** One query for all profiles; never touches the network (a dead NAS must not slow it down). */
  observe(profiles: readonly MountProfile[]): Promise<Map<string, ObservedMount>>;
  /** A command whose success within a timeout proves the files answer (stat of the mount root). */
  probe(path: string): Probe;
  /** Opens a folder in the file manager; launchers return as soon as the window is asked for. */
  openInFileManager(path: string): Probe;
}

/** Runs actions in order through exec; the first failure stops the rest except `always` steps. */
export async function runActions(exec: Exec, actions: readonly Action[]): Promise<void> {
  let failure: unknown;
  for (const action of actions) {
    if (failure !== undefined && !action.always) continue;
    try {
      const r = await execAnswered(exec, {
        argv: action.step.argv ?? [],
        ...(action.stdin !== undefined ? { stdin: action.stdin } : {}),
        ...(action.env ? { env: action.env } : {}),
        timeoutMs: action.timeoutMs ?? 30_000,
      });
      const err = action.check ? action.check(r) : r.code === 0 ? null : commandFailed(action, r);
      if (err) throw err;
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
}

export function commandFailed(action: Action, r: ExecResult): AppError {
  return new AppError('INTERNAL', `${action.step.description} failed (exit ${r.code}).`, {
    argv: action.step.argv,
    output: tail(`${r.stderr}\n${r.stdout}`),
  });
}

export interface ParsedMountUrl {
  protocol: 'smb' | 'nfs';
  host: string;
  port?: number;
  /** SMB: the share; NFS: the export path with its leading slash. */
  share: string;
  /** SMB only: the folder inside the share, without leading slash ('' for the share root). */
  subPath: string;
  /** A user named in the URL (smb://user@host/share). */
  user?: string;
}

/** smb://[user@]host[:port]/share[/path] or nfs://host[:port]/export. Passwords in URLs are refused. */
export function parseMountUrl(url: string): ParsedMountUrl {
  const m = /^(smb|nfs):\/\/(?:([^@/]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(\/[^?#]*)$/.exec(url);
  if (!m) throw new AppError('INVALID_INPUT', `"${url}" is not a URL like smb://host/share or nfs://host/export.`);
  const protocol = m[1] as 'smb' | 'nfs';
  const [userInfo, host, port, rawPath] = [m[2], m[3]!, m[4], m[5]!];
  if (userInfo?.includes(':')) {
    throw new AppError('INVALID_INPUT', 'Put no password in the URL: it would be visible to other programs.', {
      fix: 'Use --user and --password-stdin; Nasdeck keeps the password in the system keychain.',
    });
  }
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new AppError('INVALID_INPUT', `The path in "${url}" has a broken %-escape.`);
  }
  if (/[\0\n\r]/.test(path) || path.split('/').includes('..')) {
    throw new AppError('INVALID_INPUT', `The path in "${url}" may not contain .. or control characters.`);
  }
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) throw new AppError('INVALID_INPUT', `"${url}" names no share or export.`);
  const base = {
    protocol,
    host,
    ...(port ? { port: Number(port) } : {}),
    ...(userInfo ? { user: decodeURIComponent(userInfo) } : {}),
  };
  if (protocol === 'nfs') return { ...base, share: `/${parts.join('/')}`, subPath: '' };
  return { ...base, share: parts[0]!, subPath: parts.slice(1).join('/') };
}

/** DOMAIN\user → { domain, user }. */
export function splitDomainUser(user: string | undefined): { domain?: string; user?: string } {
  if (!user) return {};
  const i = user.indexOf('\\');
  return i < 0 ? { user } : { domain: user.slice(0, i), user: user.slice(i + 1) };
}

/** A name for a folder or a profile from the URL: the last path segment. */
export function shareLabel(url: ParsedMountUrl): string {
  const last = (url.subPath || url.share).split('/').filter(Boolean).pop() ?? url.host;
  return last.replace(/[^\w.-]+/g, '_') || 'share';
}

export function step(argv: string[], description: string, elevated = false): PlanStep {
  return { where: 'local', argv, description, ...(elevated ? { elevated: true } : {}) };
}

/** The last lines of a tool's output for error details; never more than a screenful. */
export function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
