// The liveness monitor: every mount that should be up is checked each tick without blocking the
// event loop. A check is a TCP connect to the NAS and a listing of the mount root in a child
// process with a timeout (a listing on a dead SMB/NFS mount can hang for minutes). A failed check
// marks the mount offline; when the NAS answers again it is remounted, with backoff on failures.
import { Socket } from 'node:net';
import type { MountProfile, MountState } from '../../../../shared/domain';
import type { Exec } from '../exec';
import type { MountBackend, ObservedMount } from './backend';
import { parseMountUrl } from './backend';

export interface MonitorOptions {
  /** How often each mount is looked at. */
  intervalMs: number;
  /** A listing of the mount root that takes longer than this counts as the NAS being gone. */
  probeTimeoutMs: number;
  tcpTimeoutMs: number;
  /** First wait after a failed remount; doubles up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const defaultMonitorOptions: MonitorOptions = {
  intervalMs: 1000,
  probeTimeoutMs: 2500,
  tcpTimeoutMs: 1500,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
};

/** What the monitor needs from the service. */
export interface MonitorHost {
  backend: MountBackend;
  exec: Exec;
  /** Profiles the user wants mounted right now. */
  wanted(): Promise<MountProfile[]>;
  state(id: string): MountState | undefined;
  setState(id: string, state: MountState, reason?: string, path?: string): void;
  /** Mounts again (force-unmounting a wedged mount first); throws an AppError on failure. */
  remount(profile: MountProfile): Promise<void>;
  /** Runs fn unless an operation on this profile is under way (then the tick skips it). */
  tryExclusive(id: string, fn: () => Promise<void>): Promise<void> | null;
}

export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host.replace(/^\[|\]$/g, ''));
  });
}

export function servicePort(profile: MountProfile): { host: string; port: number } {
  const url = parseMountUrl(profile.url);
  return { host: url.host, port: url.port ?? (url.protocol === 'smb' ? 445 : 2049) };
}

/** Null when the mount answers; else why not, in words. Never waits longer than the timeouts. */
export async function whyNotAlive(
  backend: MountBackend,
  exec: Exec,
  p: MountProfile,
  seen: ObservedMount | undefined,
  options: Pick<MonitorOptions, 'probeTimeoutMs' | 'tcpTimeoutMs'> = defaultMonitorOptions,
): Promise<string | null> {
  if (!seen?.mounted || !seen.path) return 'It is not mounted any more.';
  if (seen.broken) return seen.broken;
  const { host, port } = servicePort(p);
  const probe = backend.probe(seen.path);
  // Both run at once and the first failure answers: a NAS that stopped answering on its port is
  // offline then, without waiting out the longer listing timeout (its child is killed at its own).
  const unreachable = tcpReachable(host, port, options.tcpTimeoutMs).then((ok) =>
    ok ? null : `${host} does not answer on port ${port}.`,
  );
  const unlisted = exec({
    argv: probe.argv,
    timeoutMs: options.probeTimeoutMs,
    ...(probe.env ? { env: probe.env } : {}),
  })
    .then((r) => r.code === 0)
    .catch(() => false)
    .then((ok) => (ok ? null : `The files on ${host} do not answer (no listing within ${options.probeTimeoutMs} ms).`));
  return firstProblem([unreachable, unlisted]);
}

/** The first non-null answer, or null once every one of them is null. */
function firstProblem(checks: Array<Promise<string | null>>): Promise<string | null> {
  return new Promise((resolve) => {
    let pending = checks.length;
    for (const check of checks)
      void check.then((problem) => {
        if (problem !== null) resolve(problem);
        else if (--pending === 0) resolve(null);
      });
  });
}

export class LivenessMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly backoff = new Map<string, { waitMs: number; next: number }>();
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly host: MonitorHost,
    private readonly options: MonitorOptions = defaultMonitorOptions,
  ) {}

  get running() {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Resume from sleep or a network change: forget the backoff and look at every mount now. */
  wake(): void {
    this.backoff.clear();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([this.ticking, ...this.inFlight.values()]);
  }

  /** One round: each wanted profile gets one check at a time; a slow check never delays the others. */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(): Promise<void> {
    let profiles: MountProfile[];
    let observed: Map<string, ObservedMount>;
    try {
      profiles = await this.host.wanted();
      if (profiles.length === 0) return;
      observed = await this.host.backend.observe(profiles);
    } catch {
      return; // the OS query failed this time; the next tick tries again
    }
    for (const p of profiles) {
      if (this.inFlight.has(p.id)) continue;
      const run = this.host.tryExclusive(p.id, () => this.check(p, observed.get(p.id)));
      if (!run) continue;
      const tracked = run.catch(() => undefined).finally(() => this.inFlight.delete(p.id));
      this.inFlight.set(p.id, tracked);
    }
  }

  private alive(p: MountProfile, seen: ObservedMount | undefined): Promise<string | null> {
    return whyNotAlive(this.host.backend, this.host.exec, p, seen, this.options);
  }

  private async check(p: MountProfile, seen: ObservedMount | undefined): Promise<void> {
    const state = this.host.state(p.id);
    if (state === 'mounted') {
      const problem = await this.alive(p, seen);
      if (problem) this.host.setState(p.id, 'offline', problem);
      return;
    }
    // offline, reconnecting, error, or never mounted in this session
    const { host, port } = servicePort(p);
    if (!(await tcpReachable(host, port, this.options.tcpTimeoutMs))) {
      if (state !== 'offline' && state !== 'error')
        this.host.setState(p.id, 'offline', `${host} does not answer on port ${port}.`);
      return;
    }
    if (seen?.mounted && !(await this.alive(p, seen))) {
      this.backoff.delete(p.id);
      this.host.setState(p.id, 'mounted', undefined, seen.path);
      return;
    }
    if (!p.autoReconnect && state !== undefined && state !== 'unmounted') return;
    const wait = this.backoff.get(p.id);
    if (wait && Date.now() < wait.next) return;
    this.host.setState(p.id, 'reconnecting', `Mounting again: ${host} answers.`);
    try {
      await this.host.remount(p);
      this.backoff.delete(p.id);
    } catch (err) {
      const waitMs = Math.min(wait ? wait.waitMs * 2 : this.options.backoffMs, this.options.maxBackoffMs);
      this.backoff.set(p.id, { waitMs, next: Date.now() + waitMs });
      const reason = err instanceof Error ? err.message : String(err);
      this.host.setState(p.id, 'error', `${reason} Trying again in ${Math.round(waitMs / 1000)} s.`);
    }
  }
}
