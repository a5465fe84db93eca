// Passwords, API keys and CHAP secrets live in the OS keychain (keytar: Keychain on macOS,
// Credential Manager on Windows, Secret Service on Linux). There is no plaintext fallback:
// when no keychain answers, saving fails with KEYCHAIN_UNAVAILABLE.
import { AppError } from '../../../shared/errors';

export const KEYCHAIN_SERVICE = 'Nasdeck';

export interface SecretVault {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** Whether a keychain answers right now (for app.info and the setup assistant). */
  probe(): Promise<boolean>;
}

/** Keychain account names: one per device and secret kind. */
export const secretAccount = (deviceId: string, kind: string) => `${deviceId}:${kind}`;

type Keytar = typeof import('keytar');

export interface KeytarVaultOptions {
  service?: string;
  timeoutMs?: number;
  /** Injected for tests; defaults to the real native module. */
  load?: () => Promise<Keytar>;
}

export class KeytarVault implements SecretVault {
  private readonly service: string;
  private readonly timeoutMs: number;
  private readonly load: () => Promise<Keytar>;
  private module: Promise<Keytar> | undefined;

  constructor(options: KeytarVaultOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.load =
      options.load ??
      (async () => {
        const mod = (await import('keytar')) as Keytar & { default?: Keytar };
        return mod.default ?? mod;
      });
  }

  get(account: string): Promise<string | null> {
    return this.run('read a secret from', (k) => k.getPassword(this.service, account));
  }

  async set(account: string, secret: string): Promise<void> {
    await this.run('save a secret to', (k) => k.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.run('delete a secret from', (k) => k.deletePassword(this.service, account));
  }

  async probe(): Promise<boolean> {
    try {
      await this.run('reach', (k) => k.findCredentials(`${this.service}.probe`));
      return true;
    } catch {
      return false;
    }
  }

  private async run<T>(what: string, op: (k: Keytar) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      this.module ??= this.load();
      const keytar = await this.module;
      return await Promise.race([
        op(keytar),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError(
        'KEYCHAIN_UNAVAILABLE',
        `Could not ${what} the system keychain: ${reason}`,
        { reason },
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** For tests and for --dry-run paths that must not touch the real keychain. */
export class MemoryVault implements SecretVault {
  readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
  async probe() {
    return true;
  }
}
