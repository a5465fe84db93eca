// One schema-versioned config file, written atomically (temp file + fsync + rename + dir fsync),
// with a lock file so the app and the CLI never interleave their read-modify-write cycles.
// Secrets never go here: they live in the keychain (../secrets/vault.ts).
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { themes, vendors } from '../../../shared/domain';
import type { Settings } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';

export const CONFIG_VERSION = 2;
export const CONFIG_FILE = 'config.json';
const LOCK_FILE = 'config.lock';

const deviceRecord = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int().optional(),
  url: z.string().optional(),
  addresses: z.array(z.string()),
  vendor: z.enum(vendors),
  model: z.string().nullable(),
  osVersion: z.string().nullable(),
  services: z.array(z.object({ type: z.string(), port: z.number().int() })),
  macs: z.array(z.string()),
  access: z.object({
    user: z.string().optional(),
    sshPort: z.number().int().optional(),
    identityFile: z.string().optional(),
    hostKeySha256: z.string().optional(),
    certSha256: z.string().optional(),
    secrets: z.array(z.enum(['password', 'apiKey', 'deviceToken'])),
  }),
  addedAt: z.string(),
});

/** A saved mount (shared/domain.ts MountProfile). The password is in the keychain, never here. */
const mountProfileRecord = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  mountPoint: z.string(),
  user: z.string().optional(),
  hasPassword: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  smbVersion: z.string().optional(),
  persistent: z.boolean(),
  autoReconnect: z.boolean(),
});

export const defaultSettings: Settings = {
  theme: 'system',
  startAtLogin: false,
  autoReconnect: true,
  setupCompleted: false,
};

export const configSchema = z.object({
  version: z.literal(CONFIG_VERSION),
  settings: z
    .object({
      theme: z.enum(themes),
      startAtLogin: z.boolean(),
      autoReconnect: z.boolean(),
      setupCompleted: z.boolean(),
    })
    .default(defaultSettings),
  devices: z.array(deviceRecord).default([]),
  mounts: z.array(mountProfileRecord).default([]),
});

export type Config = z.infer<typeof configSchema>;

export function emptyConfig(): Config {
  return { version: CONFIG_VERSION, settings: { ...defaultSettings }, devices: [], mounts: [] };
}

/** One upgrade per version: `steps[n]` turns a version-n file into version n+1. */
const steps: Record<number, (raw: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: mount profiles gained readOnly, smbVersion and hasPassword (all optional); their
  // keys are kept as they were, so only the version moves.
  1: (raw) => ({ ...raw, version: 2 }),
};

/** Older files are upgraded here, one step per version; a newer file is never overwritten. */
export function migrate(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const version = (raw as { version?: unknown }).version;
  if (version === undefined) return { ...raw, version: CONFIG_VERSION };
  if (typeof version === 'number' && version > CONFIG_VERSION) {
    throw new AppError(
      'NOT_SUPPORTED',
      `The config file was written by a newer Nasdeck (version ${version}); this one understands version ${CONFIG_VERSION}. Update Nasdeck.`,
    );
  }
  let current = raw as Record<string, unknown>;
  while (typeof current.version === 'number' && current.version < CONFIG_VERSION) {
    const upgrade = steps[current.version];
    if (!upgrade) break; // left for the schema check to report
    current = upgrade(current);
  }
  return current;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ConfigStoreOptions {
  /** How long to wait for another process's lock before giving up with CONFLICT. */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over even if its owner still runs (a hung writer). */
  staleLockMs?: number;
}

export class ConfigStore {
  readonly file: string;
  private readonly lockFile: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(
    readonly dir: string,
    options: ConfigStoreOptions = {},
  ) {
    this.file = join(dir, CONFIG_FILE);
    this.lockFile = join(dir, LOCK_FILE);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  /** The current config; a missing file is an empty config. A corrupt file is kept aside, never lost. */
  async read(): Promise<Config> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.quarantine('it is not valid JSON');
    }
    const result = configSchema.safeParse(migrate(parsed));
    if (!result.success) return this.quarantine(result.error.issues[0]?.message ?? 'schema mismatch');
    return result.data;
  }

  /** Read-modify-write under the lock. `change` may return a value to hand back to the caller. */
  mutate<T>(change: (config: Config) => T | Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      this.withLock(async () => {
        const config = await this.read();
        const value = await change(config);
        await this.write(config);
        return value;
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Calls back (debounced) when another process replaces the file, e.g. the CLI while the app runs. */
  watch(onChange: () => void, debounceMs = 100): () => void {
    let timer: NodeJS.Timeout | undefined;
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      // Watch the directory: an atomic save replaces the file, which a file watch would lose.
      watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name !== CONFIG_FILE) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, debounceMs);
      });
      watcher.on('error', () => undefined);
    } catch {
      // No directory yet: nothing saved, nothing to follow until this process saves.
    }
    return () => {
      clearTimeout(timer);
      watcher?.close();
    };
  }

  private async quarantine(reason: string): Promise<Config> {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.file, aside).catch(() => undefined);
    process.emitWarning(`Nasdeck config was unreadable (${reason}); kept as ${aside}, starting empty.`);
    return emptyConfig();
  }

  private async write(config: Config): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const data = `${JSON.stringify(configSchema.parse(config), null, 2)}\n`;
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    // fsync the directory so the rename itself survives a power cut.
    const dirHandle = await open(this.dir, 'r').catch(() => null);
    if (dirHandle)
      await dirHandle
        .sync()
        .catch(() => undefined)
        .finally(() => dirHandle.close());
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const fh = await open(this.lockFile, 'wx', 0o600);
        await fh.writeFile(String(process.pid));
        await fh.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (await this.lockIsStale()) {
          await unlink(this.lockFile).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) {
          throw new AppError('CONFLICT', 'Another Nasdeck process is saving its settings; try again.', {
            lockFile: this.lockFile,
          });
        }
        await sleep(15 + Math.random() * 20);
      }
    }
    try {
      await this.removeOrphanTemps();
      return await fn();
    } finally {
      await unlink(this.lockFile).catch(() => undefined);
    }
  }

  private async lockIsStale(): Promise<boolean> {
    try {
      const [text, info] = await Promise.all([readFile(this.lockFile, 'utf8'), stat(this.lockFile)]);
      const pid = Number.parseInt(text, 10);
      // An empty lock is one whose writer died between create and write.
      if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 1000;
      return !processAlive(pid) || Date.now() - info.mtimeMs > this.staleLockMs;
    } catch {
      return false; // vanished meanwhile: retry the create
    }
  }

  /** Temp files left by a writer killed mid-save; only called while holding the lock. */
  private async removeOrphanTemps(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const m = /^config\.json\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (m && (Number(m[1]) === process.pid || !processAlive(Number(m[1])))) {
        await rm(join(this.dir, name), { force: true });
      }
    }
  }
}
