// SSH to a NAS with ssh2: host keys pinned on first use (shown to the user as SHA256:…),
// argv-only commands quoted by ./quote.ts, sudo with the password on stdin, a timeout on every
// call, keepalive, and errors mapped onto the shared taxonomy.
import { createHash } from 'node:crypto';
import { Client, type ConnectConfig } from 'ssh2';
import { AppError } from '../../../shared/errors';
import { shellLine, type Argv } from './quote';

export interface SshAuth {
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Path of an SSH agent socket (SSH_AUTH_SOCK). */
  agent?: string;
}

export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  auth: SshAuth;
  /** The pinned host key; absent on first contact. */
  hostKeySha256?: string;
  /** First contact only: accept the key the server shows (the user confirmed its fingerprint). */
  acceptNewHostKey?: boolean;
  readyTimeoutMs?: number;
}

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
  /** Run through sudo: `sudo -n` without a password, `sudo -S` with the password on stdin. */
  sudo?: boolean;
  signal?: AbortSignal;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** OpenSSH's fingerprint format: SHA256 of the key blob, base64 without padding. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

const MAX_OUTPUT = 32 * 1024 * 1024;

function connectError(err: Error & { level?: string; code?: string }, target: SshTarget): AppError {
  const where = `${target.host}:${target.port ?? 22}`;
  if (err instanceof AppError) return err;
  if (err.level === 'client-authentication') {
    return new AppError('AUTH_FAILED', `${target.username}@${where} refused the sign-in.`, { host: target.host });
  }
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
    return new AppError('TIMEOUT', `${where} did not finish the SSH handshake in time.`, { host: target.host });
  }
  if (
    ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(err.code ?? '')
  ) {
    return new AppError('UNREACHABLE', `Cannot reach SSH on ${where} (${err.code}).`, {
      host: target.host,
      code: err.code,
    });
  }
  return new AppError('UNREACHABLE', `SSH to ${where} failed: ${err.message}`, { host: target.host });
}

export class SshSession {
  /** The server's host key fingerprint, as verified. */
  hostKeySha256 = '';
  private closed = false;
  private readonly closeListeners = new Set<() => void>();

  private constructor(
    private readonly client: Client,
    readonly target: SshTarget,
  ) {
    client.on('close', () => {
      this.closed = true;
      for (const l of this.closeListeners) l();
    });
    client.on('error', () => undefined); // after ready, errors surface as 'close' and failed channels
  }

  get isOpen() {
    return !this.closed;
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  static connect(target: SshTarget): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      const session = new SshSession(client, target);
      let verifyError: AppError | null = null;
      const config: ConnectConfig = {
        host: target.host,
        port: target.port ?? 22,
        username: target.username,
        readyTimeout: target.readyTimeoutMs ?? 10_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          const seen = hostKeyFingerprint(key);
          session.hostKeySha256 = seen;
          if (target.hostKeySha256) {
            if (seen === target.hostKeySha256) return true;
            verifyError = new AppError(
              'HOST_KEY_CHANGED',
              `The SSH host key of ${target.host} changed: expected ${target.hostKeySha256}, got ${seen}.`,
              { host: target.host, expected: target.hostKeySha256, actual: seen },
            );
            return false;
          }
          if (target.acceptNewHostKey) return true;
          verifyError = new AppError(
            'HOST_KEY_UNKNOWN',
            `First connection to ${target.host}: its SSH host key is ${seen}.`,
            {
              host: target.host,
              fingerprint: seen,
            },
          );
          return false;
        },
        ...(target.auth.password !== undefined ? { password: target.auth.password } : {}),
        ...(target.auth.privateKey !== undefined ? { privateKey: target.auth.privateKey } : {}),
        ...(target.auth.passphrase !== undefined ? { passphrase: target.auth.passphrase } : {}),
        ...(target.auth.agent !== undefined ? { agent: target.auth.agent } : {}),
      };
      const onError = (err: Error) => {
        client.removeListener('ready', onReady);
        client.end();
        reject(verifyError ?? connectError(err, target));
      };
      const onReady = () => {
        client.removeListener('error', onError);
        resolve(session);
      };
      client.once('ready', onReady);
      client.once('error', onError);
      try {
        client.connect(config);
      } catch (err) {
        reject(new AppError('INVALID_INPUT', `Cannot use these SSH credentials: ${(err as Error).message}`));
      }
    });
  }

  /** Runs argv on the NAS. Exit codes are returned, not thrown: callers map them (see ./command-error.ts). */
  async exec(argv: Argv, options: ExecOptions = {}): Promise<ExecResult> {
    // sshd frees a closed channel a moment after we see it close; a refused open is retried.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.execOnce(argv, options);
      } catch (err) {
        if (!(err instanceof AppError) || err.details?.channelOpenFailed !== true || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  private execOnce(argv: Argv, options: ExecOptions): Promise<ExecResult> {
    const password = this.target.auth.password;
    const sudoArgv: Argv | null = options.sudo
      ? password !== undefined
        ? ['sudo', '-S', '-p', '', '--', ...argv]
        : ['sudo', '-n', '--', ...argv]
      : null;
    const line = shellLine(sudoArgv ?? argv);
    // sudo -S reads the password as the first line of stdin, before the command's own input.
    const stdin = options.sudo && password !== undefined ? `${password}\n${options.stdin ?? ''}` : options.stdin;
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      if (this.closed)
        return reject(new AppError('UNREACHABLE', `The SSH connection to ${this.target.host} is closed.`));
      this.client.exec(line, (err, channel) => {
        if (err)
          return reject(new AppError('UNREACHABLE', `SSH channel to ${this.target.host} failed: ${err.message}`));
        // Bytes until the end: a UTF-8 character may be split across two chunks.
        const out: Buffer[] = [];
        const errChunks: Buffer[] = [];
        let outBytes = 0;
        let errBytes = 0;
        const text = () => ({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errChunks).toString('utf8'),
        });
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          fn();
        };
        const onAbort = () => {
          channel.close();
          finish(() => reject(new AppError('CANCELLED', 'Cancelled')));
        };
        const timer = setTimeout(() => {
          channel.close();
          finish(() =>
            reject(
              new AppError('TIMEOUT', `\`${argv[0]}\` on ${this.target.host} took longer than ${timeoutMs / 1000} s.`, {
                argv: [...argv],
              }),
            ),
          );
        }, timeoutMs);
        options.signal?.addEventListener('abort', onAbort);
        channel.on('data', (d: Buffer) => {
          if (outBytes < MAX_OUTPUT) out.push(d);
          outBytes += d.length;
        });
        channel.stderr.on('data', (d: Buffer) => {
          if (errBytes < MAX_OUTPUT) errChunks.push(d);
          errBytes += d.length;
        });
        let exitCode = 255; // no exit status: the channel died with the connection
        channel.on('exit', (code: number | null, signal?: string) => {
          exitCode = code ?? (signal ? 128 : 255);
        });
        channel.on('close', () => finish(() => resolve({ code: exitCode, ...text() })));
        if (stdin !== undefined) channel.end(stdin);
        else channel.end();
      });
    });
  }

  close(): void {
    this.client.end();
  }
}
