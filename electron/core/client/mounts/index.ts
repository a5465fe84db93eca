// This computer's mounts: saved profiles (config store; passwords in the keychain keyed by the
// profile id), one backend per OS (windows.ts, macos.ts, linux.ts) chosen once, and a liveness
// monitor that keeps them mounted (monitor.ts).
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rmdir, symlink, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { CommandResult, ParsedParams } from '../../../../shared/api';
import type { ClientOs, Mount, MountProfile, MountState, Outcome, PlanStep } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { EventBus } from '../../events';
import type { JobManager } from '../../jobs/jobs';
import { secretAccount, type SecretVault } from '../../secrets/vault';
import type { ConfigStore } from '../../store/config';
import { createExec, type Exec } from '../exec';
import { type MountBackend, type ObservedMount, parseMountUrl, runActions, shareLabel } from './backend';
import { currentLinuxEnv, LinuxMounts } from './linux';
import { MacMounts } from './macos';
import { defaultMonitorOptions, LivenessMonitor, type MonitorOptions, whyNotAlive } from './monitor';
import { WindowsMounts } from './windows';

export type { MountBackend } from './backend';

export interface MountServiceDeps {
  store: ConfigStore;
  vault: SecretVault;
  events: EventBus;
  jobs: JobManager;
  /** Runs the OS tools (default: real child processes with `env`). */
  exec?: Exec;
  /** The environment the OS tools see (HOME, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS…). */
  env?: NodeJS.ProcessEnv;
  /** Which OS this computer is (default: from process.platform). */
  hostOs?: ClientOs;
  monitor?: Partial<MonitorOptions>;
}

/** The one place that maps the platform to a backend. */
export function hostOsOf(platform: NodeJS.Platform): ClientOs | null {
  return platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : platform === 'linux' ? 'linux' : null;
}

const PASSWORD = 'password';

interface Runtime {
  state: MountState;
  reason?: string;
  since: string;
  path?: string;
  /** The user wants it mounted (mount add/up, or autoReconnect at start); `down` clears it. */
  wanted: boolean;
}

export class MountService {
  private readonly exec: Exec;
  private readonly env: NodeJS.ProcessEnv;
  private readonly hostOs: ClientOs | null;
  private hostBackend: MountBackend | undefined;
  private readonly runtime = new Map<string, Runtime>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private profiles: MountProfile[] = [];
  private monitor: LivenessMonitor | undefined;

  constructor(readonly deps: MountServiceDeps) {
    this.env = deps.env ?? process.env;
    this.exec = deps.exec ?? createExec({ baseEnv: this.env });
    this.hostOs = deps.hostOs ?? hostOsOf(process.platform);
  }

  /** The backend for an OS: this computer's (real), or another one's (to plan with --os). */
  backend(os: ClientOs = this.requireHostOs()): MountBackend {
    const local = os === this.hostOs;
    if (local && this.hostBackend) return this.hostBackend;
    const home = local ? (this.env.HOME ?? homedir()) : '~';
    const backend =
      os === 'windows'
        ? new WindowsMounts(this.exec, local)
        : os === 'macos'
          ? new MacMounts(this.exec, home)
          : new LinuxMounts(
              this.exec,
              local
                ? currentLinuxEnv(this.env)
                : { home, uid: 1000, gid: 1000, runtimeDir: '/run/user/1000', sessionBus: true },
            );
    if (local) this.hostBackend = backend;
    return backend;
  }

  private requireHostOs(): ClientOs {
    if (!this.hostOs) throw new AppError('NOT_SUPPORTED', `Mounting shares is not supported on ${process.platform}.`);
    return this.hostOs;
  }

  async list(): Promise<Mount[]> {
    const profiles = await this.loadProfiles();
    await this.refresh(profiles);
    return profiles.map((p) => this.view(p));
  }

  /**
   * No monitor in this process (the CLI): ask the OS once (never touches the network), then check
   * each of these mounts the way the monitor does, all at once and bounded by its timeouts. With a
   * monitor running its state is current already.
   */
  private async refresh(profiles: readonly MountProfile[]): Promise<void> {
    if (this.monitor?.running) return;
    const seen = await this.observe(profiles).catch(() => new Map<string, ObservedMount>());
    const options = { ...defaultMonitorOptions, ...this.deps.monitor };
    await Promise.all(
      profiles.map(async (p) => {
        const o = seen.get(p.id);
        if (!o) return;
        const problem = o.mounted ? await whyNotAlive(this.backend(), this.exec, p, o, options) : null;
        const state: MountState = !o.mounted ? 'unmounted' : problem ? 'offline' : 'mounted';
        if (this.runtime.get(p.id)?.state === state) return;
        this.runtime.set(p.id, {
          state,
          ...(problem ? { reason: problem } : {}),
          since: new Date().toISOString(),
          ...(o.path ? { path: o.path } : {}),
          wanted: o.mounted,
        });
      }),
    );
  }

  async add(params: ParsedParams<'mounts.add'>): Promise<CommandResult<'mounts.add'>> {
    const os = this.targetOs(params.os, params.dryRun);
    const backend = this.backend(os);
    const url = parseMountUrl(params.url);
    const user = params.user ?? url.user;
    if (params.password && !user && url.protocol === 'smb') {
      throw new AppError('INVALID_INPUT', 'A password needs a user: add --user.');
    }
    if (url.protocol === 'nfs' && (user || params.password)) {
      throw new AppError('INVALID_INPUT', 'NFS mounts take no user or password; access is by this computer’s address.');
    }
    const profiles = await this.loadProfiles();
    const name = params.name ?? uniqueName(shareLabel(url), profiles);
    if (profiles.some((p) => p.name === name))
      throw new AppError('CONFLICT', `A mount named "${name}" exists already.`);
    let mountPoint =
      params.at ??
      (await backend.defaultMountPoint(
        url,
        profiles.map((p) => p.mountPoint),
      ));
    if (os !== 'windows' && mountPoint.startsWith('~/') && os === this.hostOs)
      mountPoint = `${this.env.HOME ?? homedir()}${mountPoint.slice(1)}`;
    if (os === 'windows' && !/^[D-Z]:$/i.test(mountPoint))
      throw new AppError(
        'INVALID_INPUT',
        `On Windows a share goes on a drive letter from D: to Z:, not "${mountPoint}".`,
      );
    if (os !== 'windows' && /^[A-Za-z]:$/.test(mountPoint))
      throw new AppError(
        'INVALID_INPUT',
        `Drive letters are for Windows; give a folder like ~/NAS/${shareLabel(url)}.`,
      );
    if (os === 'windows') mountPoint = mountPoint.toUpperCase();
    if (profiles.some((p) => p.mountPoint === mountPoint))
      throw new AppError('CONFLICT', `${mountPoint} is used by another mount already.`);
    const profile: MountProfile = {
      id: `mnt-${randomBytes(5).toString('hex')}`,
      name,
      url: params.url,
      mountPoint,
      ...(user ? { user } : {}),
      ...(params.password ? { hasPassword: true } : {}),
      ...(params.readOnly ? { readOnly: true } : {}),
      ...(params.smbVersion ? { smbVersion: params.smbVersion } : {}),
      persistent: params.persistent,
      autoReconnect: params.autoReconnect,
    };
    const steps: PlanStep[] = [
      ...(params.password
        ? [
            {
              where: 'api' as const,
              call: 'keychain.set',
              description: `Save the password (***) in the system keychain for ${name}`,
            },
          ]
        : []),
      {
        where: 'api',
        call: 'config.mounts.add',
        description: `Save the mount profile "${name}" (${params.url} → ${mountPoint})`,
      },
      ...(params.mountNow ? this.mountSteps(backend, profile) : []),
    ];
    if (params.dryRun) return { applied: false, steps };

    const account = secretAccount(profile.id, PASSWORD);
    if (params.password) await this.deps.vault.set(account, params.password);
    try {
      await this.deps.store.mutate((c) => void c.mounts.push(profile));
      this.profiles = [...profiles, profile];
      if (params.mountNow) await this.exclusive(profile.id, () => this.mountNow(profile));
      else this.setState(profile.id, 'unmounted', undefined, undefined, false);
    } catch (err) {
      // Nothing half-made stays behind: no profile, no keychain entry.
      await this.deps.store
        .mutate((c) => void (c.mounts = c.mounts.filter((m) => m.id !== profile.id)))
        .catch(() => undefined);
      await this.deps.vault.delete(account).catch(() => false);
      this.profiles = this.profiles.filter((p) => p.id !== profile.id);
      this.runtime.delete(profile.id);
      throw scrub(err, params.password);
    }
    return { applied: true, value: this.view(profile), steps };
  }

  async up(params: ParsedParams<'mounts.up'>): Promise<CommandResult<'mounts.up'>> {
    const os = this.targetOs(params.os, params.dryRun);
    const chosen = await this.select(params);
    const backend = this.backend(os);
    const steps = chosen.flatMap((p) => this.mountSteps(backend, p));
    if (params.dryRun) return { applied: false, steps };
    const seen = await this.observe(chosen);
    const errors: unknown[] = [];
    for (const p of chosen) {
      await this.exclusive(p.id, async () => {
        if (seen.get(p.id)?.mounted && !seen.get(p.id)?.broken) {
          this.setState(p.id, 'mounted', undefined, seen.get(p.id)!.path, true);
          return;
        }
        await this.mountNow(p);
      }).catch((err: unknown) => errors.push(err));
    }
    if (errors.length && chosen.length === 1) throw errors[0];
    return { applied: true, value: chosen.map((p) => this.view(p)), steps };
  }

  async down(params: ParsedParams<'mounts.down'>): Promise<CommandResult<'mounts.down'>> {
    return this.unmountSome(params, false);
  }

  async remove(params: ParsedParams<'mounts.remove'>): Promise<CommandResult<'mounts.remove'>> {
    return this.unmountSome(params, true);
  }

  /** Starts the liveness monitor (the app and browser host call this; the CLI does not). */
  startMonitor(): void {
    if (!this.hostOs) return;
    this.monitor ??= new LivenessMonitor(
      {
        backend: this.backend(),
        exec: this.exec,
        wanted: async () => {
          const profiles = await this.loadProfiles().catch(() => this.profiles);
          // At start (login) every auto-reconnect profile is wanted; after that, what the user chose.
          for (const p of profiles)
            if (!this.runtime.has(p.id) && p.autoReconnect)
              this.runtime.set(p.id, { state: 'unmounted', since: new Date().toISOString(), wanted: true });
          return profiles.filter((p) => this.runtime.get(p.id)?.wanted);
        },
        state: (id) => this.runtime.get(id)?.state,
        setState: (id, state, reason, path) => this.setState(id, state, reason, path),
        remount: async (p) => {
          await runActions(
            this.exec,
            this.backend().unmountActions(p, { force: true, mountedAt: this.runtime.get(p.id)?.path }),
          ).catch(() => undefined);
          await this.mountNow(p);
        },
        tryExclusive: (id, fn) => (this.locks.has(id) ? null : this.exclusive(id, fn)),
      },
      { ...defaultMonitorOptions, ...this.deps.monitor },
    );
    this.monitor.start();
  }

  /** Shows a mounted profile's files in the file manager. */
  async open(ref: string): Promise<{ opened: string }> {
    const [p] = await this.select({ mount: ref });
    await this.refresh([p!]); // this mount only: the others' liveness checks are not needed here
    const mount = this.view(p!);
    if (mount.state !== 'mounted') {
      throw new AppError('CONFLICT', `"${mount.name}" is ${mount.state}, not mounted: mount it first.`, {
        fix: `nasdeck mount up ${mount.name}`,
      });
    }
    const { argv, env } = this.backend().openInFileManager(mount.mountPoint);
    const r = await this.exec({ argv, ...(env ? { env } : {}), timeoutMs: 10_000 });
    // Explorer answers 1 even when it opened the window; the others answer 0.
    if (r.missing || r.timedOut || (r.code !== 0 && argv[0] !== 'explorer.exe')) {
      throw new AppError('NOT_SUPPORTED', `Could not open a file manager for ${mount.mountPoint}.`, {
        fix: `Open ${mount.mountPoint} yourself.`,
        stderr: r.stderr.slice(0, 2000),
      });
    }
    return { opened: mount.mountPoint };
  }

  /** The Electron shell calls this when the computer wakes from sleep. */
  onResume(): void {
    this.monitor?.wake();
  }

  /** The Electron shell calls this when the network changes (new Wi-Fi, VPN up or down). */
  onNetworkChange(): void {
    this.monitor?.wake();
  }

  async close(): Promise<void> {
    await this.monitor?.stop();
  }

  // ---------------------------------------------------------------- internals

  private targetOs(os: ClientOs | undefined, dryRun: boolean | undefined): ClientOs {
    const target = os ?? this.requireHostOs();
    if (target !== this.hostOs && !dryRun) {
      throw new AppError(
        'INVALID_INPUT',
        `--os ${target} only plans for another computer; add --dry-run to see the steps.`,
      );
    }
    return target;
  }

  private async loadProfiles(): Promise<MountProfile[]> {
    this.profiles = (await this.deps.store.read()).mounts;
    return this.profiles;
  }

  private async select(params: { mount?: string; all?: boolean }): Promise<MountProfile[]> {
    const profiles = await this.loadProfiles();
    if (params.all) return profiles;
    const found = profiles.find((p) => p.id === params.mount || p.name === params.mount);
    if (!found) throw new AppError('NOT_FOUND', `No mount "${params.mount}"; see \`nasdeck mount list\`.`);
    return [found];
  }

  private async observe(profiles: readonly MountProfile[]): Promise<Map<string, ObservedMount>> {
    if (profiles.length === 0 || !this.hostOs) return new Map();
    return this.backend().observe(profiles);
  }

  private mountSteps(backend: MountBackend, p: MountProfile): PlanStep[] {
    const steps = backend.mountActions(p, {}).map((a) => a.step);
    const target = backend.linkTarget?.(p);
    if (target)
      steps.push({
        where: 'local',
        argv: ['ln', '-sfn', target, p.mountPoint],
        description: `Make ${p.mountPoint} lead to the files`,
      });
    return steps;
  }

  /** Mounts one profile on this computer; the caller holds its lock. */
  private async mountNow(p: MountProfile): Promise<void> {
    const backend = this.backend();
    let password: string | undefined;
    try {
      await backend.preflight?.(p);
      if (p.hasPassword) {
        password = (await this.deps.vault.get(secretAccount(p.id, PASSWORD))) ?? undefined;
        if (password === undefined) {
          throw new AppError('AUTH_FAILED', `The keychain has no password for "${p.name}" any more.`, {
            fix: 'Remove the mount and add it again with --password-stdin.',
          });
        }
      }
      await runActions(this.exec, backend.mountActions(p, { ...(password !== undefined ? { password } : {}) }));
      // Where the files answering proves the mount, one listing does both; else ask the OS first.
      const live = backend.liveFolder?.(p);
      let path: string | undefined;
      if (live && (await this.settle(backend, live))) path = live;
      else {
        const seen = (await backend.observe([p])).get(p.id);
        if (!seen?.mounted) throw new AppError('INTERNAL', `The mount command succeeded but ${p.url} is not mounted.`);
        path = seen.path;
        if (path && path !== live) await this.settle(backend, path);
      }
      const target = backend.linkTarget?.(p);
      if (target) await linkFolder(path ?? target, p.mountPoint);
      this.setState(p.id, 'mounted', undefined, path, true);
    } catch (err) {
      const clean = scrub(err, password);
      this.setState(
        p.id,
        'error',
        clean instanceof Error ? clean.message : String(clean),
        undefined,
        this.runtime.get(p.id)?.wanted ?? true,
      );
      throw clean;
    }
  }

  /**
   * Waits until the files answer. gvfsd-fuse gives EIO for up to about a second after a share is
   * mounted again under the same folder name (measured on the lab), so the first listing would fail.
   */
  private async settle(backend: MountBackend, path: string, deadlineMs = 3000): Promise<boolean> {
    const probe = backend.probe(path);
    const end = Date.now() + deadlineMs;
    for (;;) {
      const r = await this.exec({ argv: probe.argv, timeoutMs: 2500, ...(probe.env ? { env: probe.env } : {}) }).catch(
        () => null,
      );
      if (r?.code === 0) return true;
      if (Date.now() > end) return false; // still failing: the monitor takes it from here
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async unmountSome(params: ParsedParams<'mounts.down'>, forget: boolean): Promise<Outcome<Mount[]>> {
    const os = this.targetOs(params.os, params.dryRun);
    const chosen = await this.select(params);
    const backend = this.backend(os);
    const steps: PlanStep[] = chosen.flatMap((p) => [
      ...backend.unmountActions(p, { forget, mountedAt: this.runtime.get(p.id)?.path }).map((a) => a.step),
      ...(forget
        ? [
            ...(p.hasPassword
              ? [
                  {
                    where: 'api' as const,
                    call: 'keychain.delete',
                    description: `Delete the saved password of ${p.name}`,
                  },
                ]
              : []),
            {
              where: 'api' as const,
              call: 'config.mounts.remove',
              description: `Forget the mount profile "${p.name}"`,
            },
          ]
        : []),
    ]);
    if (params.dryRun) return { applied: false, steps };
    const seen = await this.observe(chosen);
    const done: Mount[] = [];
    for (const p of chosen) {
      await this.exclusive(p.id, async () => {
        const o = seen.get(p.id);
        if (o?.mounted)
          await runActions(this.exec, backend.unmountActions(p, { forget, ...(o.path ? { mountedAt: o.path } : {}) }));
        else if (forget) await runActions(this.exec, backend.unmountActions(p, { forget })).catch(() => undefined); // boot-time units, saved credentials
        this.setState(p.id, 'unmounted', undefined, undefined, false);
        if (forget) {
          if (backend.linkTarget?.(p)) await unlinkIfLink(p.mountPoint);
          await this.deps.store.mutate((c) => void (c.mounts = c.mounts.filter((m) => m.id !== p.id)));
          if (p.hasPassword) await this.deps.vault.delete(secretAccount(p.id, PASSWORD));
          done.push(this.view(p));
          this.runtime.delete(p.id);
          this.profiles = this.profiles.filter((x) => x.id !== p.id);
          this.emitChanged();
        } else done.push(this.view(p));
      });
    }
    return { applied: true, value: done, steps };
  }

  private view(p: MountProfile): Mount {
    const r = this.runtime.get(p.id);
    return {
      ...p,
      state: r?.state ?? 'unmounted',
      ...(r?.reason ? { reason: r.reason } : {}),
      since: r?.since ?? new Date().toISOString(),
    };
  }

  private setState(id: string, state: MountState, reason?: string, path?: string, wanted?: boolean): void {
    const prev = this.runtime.get(id);
    const next: Runtime = {
      state,
      ...(reason ? { reason } : {}),
      since: prev && prev.state === state ? prev.since : new Date().toISOString(),
      ...((path ?? prev?.path) ? { path: path ?? prev?.path } : {}),
      wanted: wanted ?? prev?.wanted ?? false,
    };
    this.runtime.set(id, next);
    if (prev?.state !== state || prev?.reason !== next.reason) this.emitChanged();
  }

  private emitChanged(): void {
    this.deps.events.emit('mounts.changed', { mounts: this.profiles.map((p) => this.view(p)) });
  }

  /** One operation per profile at a time (the user's and the monitor's). */
  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }
}

function uniqueName(base: string, profiles: readonly MountProfile[]): string {
  let name = base;
  for (let i = 2; profiles.some((p) => p.name === name); i++) name = `${base}-${i}`;
  return name;
}

/** An error with the password cut out of its message and details, whatever a tool printed. */
function scrub(err: unknown, secret: string | undefined): unknown {
  if (!secret) return err;
  const cut = (s: string) => s.split(secret).join('***');
  if (err instanceof AppError) {
    return new AppError(
      err.code,
      cut(err.message),
      err.details ? (JSON.parse(cut(JSON.stringify(err.details))) as Record<string, unknown>) : undefined,
    );
  }
  return new AppError('INTERNAL', cut(err instanceof Error ? err.message : String(err)));
}

/** The profile's folder leads to where the OS put the files: an empty folder or an old link makes way. */
async function linkFolder(target: string, at: string): Promise<void> {
  await mkdir(dirname(at), { recursive: true, mode: 0o700 });
  const info = await lstat(at).catch(() => null);
  if (info?.isSymbolicLink()) await unlink(at);
  else if (info?.isDirectory()) {
    if ((await readdir(at)).length > 0)
      throw new AppError('CONFLICT', `${at} is a folder with files in it; choose another place with --at.`);
    await rmdir(at);
  } else if (info) throw new AppError('CONFLICT', `${at} exists and is not a folder; choose another place with --at.`);
  await symlink(target, at);
}

async function unlinkIfLink(at: string): Promise<void> {
  const info = await lstat(at).catch(() => null);
  if (info?.isSymbolicLink()) await unlink(at);
}
