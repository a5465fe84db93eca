// One SSH connection per device, shared by every caller: reused while open, reconnected with
// backoff when it drops, closed when idle. Mutations on one host run one at a time.
import { AppError } from '../../../shared/errors';
import type { Argv } from './quote';
import type { Runner, RunOptions } from './runner';
import { SshSession, type ExecResult, type SshTarget } from './ssh';

const RETRYABLE = new Set(['UNREACHABLE', 'TIMEOUT']);

export interface SshPoolOptions {
  idleMs?: number;
  retries?: number;
  connect?: (target: SshTarget) => Promise<SshSession>;
}

interface Entry {
  session: Promise<SshSession>;
  idle?: NodeJS.Timeout;
  busy: number;
  /** Calls waiting for a free channel. */
  waiting: Array<() => void>;
  mutations: Promise<unknown>;
}

// OpenSSH's sshd allows 10 sessions (channels) per connection by default (MaxSessions); a
// dashboard refresh opens several at once, so calls beyond this wait for a free channel.
const MAX_CHANNELS = 6;

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private readonly idleMs: number;
  private readonly retries: number;
  private readonly connectFn: (target: SshTarget) => Promise<SshSession>;

  constructor(options: SshPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 60_000;
    this.retries = options.retries ?? 2;
    this.connectFn = options.connect ?? SshSession.connect;
  }

  /** A runner bound to one device's connection. */
  runner(key: string, target: () => Promise<SshTarget>): Runner {
    return {
      live: true,
      run: (argv: Argv, options: RunOptions) => this.exec(key, target, argv, options),
    };
  }

  async exec(key: string, target: () => Promise<SshTarget>, argv: Argv, options: RunOptions): Promise<ExecResult> {
    const entry = await this.entry(key, target);
    const go = async () => {
      clearTimeout(entry.idle);
      if (entry.busy >= MAX_CHANNELS) await new Promise<void>((resolve) => entry.waiting.push(resolve));
      entry.busy += 1;
      try {
        const session = await entry.session;
        return await session.exec(argv, options);
      } finally {
        entry.busy -= 1;
        entry.waiting.shift()?.();
        if (entry.busy === 0 && entry.waiting.length === 0) {
          // An idle connection must never keep a process (the CLI) alive.
          entry.idle = setTimeout(() => this.close(key), this.idleMs).unref();
        }
      }
    };
    if (!options.mutates) return go();
    const run = entry.mutations.then(go, go);
    entry.mutations = run.catch(() => undefined);
    return run;
  }

  /** Connects (or reuses); the first connection may pin the host key it saw. */
  async session(key: string, target: () => Promise<SshTarget>): Promise<SshSession> {
    return (await this.entry(key, target)).session;
  }

  private async entry(key: string, target: () => Promise<SshTarget>): Promise<Entry> {
    const existing = this.entries.get(key);
    if (existing) {
      const session = await existing.session.catch(() => null);
      if (session?.isOpen) return existing;
      if (this.entries.get(key) === existing) this.entries.delete(key);
      // Another caller may have replaced it meanwhile: use theirs.
      const replaced = this.entries.get(key);
      if (replaced) return replaced;
    }
    // Registered before any await, so callers arriving together share one connection.
    const entry: Entry = {
      session: target().then((t) => this.connectWithRetry(t)),
      busy: 0,
      waiting: [],
      mutations: Promise.resolve(),
    };
    this.entries.set(key, entry);
    entry.session.then(
      (s) => s.onClose(() => this.entries.get(key) === entry && this.entries.delete(key)),
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    return entry;
  }

  private async connectWithRetry(target: SshTarget): Promise<SshSession> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.connectFn(target);
      } catch (err) {
        if (!(err instanceof AppError) || !RETRYABLE.has(err.code) || attempt >= this.retries) throw err;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  close(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    clearTimeout(entry.idle);
    void entry.session.then((s) => s.close()).catch(() => undefined);
  }

  closeAll(): void {
    for (const key of [...this.entries.keys()]) this.close(key);
  }
}
