// JSON-RPC 2.0 over one persistent WebSocket (TrueNAS 25.04+, `wss://host/api/current`): numbered
// requests with a timeout each, `auth.login_ex` with the OTP continuation, one transparent
// reconnect + re-login when the socket drops or the session expires, jobs followed through
// `collection_update` events with `core.get_jobs` polling as the fallback.
import type { Agent } from 'node:https';
import WebSocket from 'ws';
import { AppError } from '../../../../shared/errors';
import { pinnedAgent } from '../../remote/tls';
import {
  checkLockout,
  DEFAULTS,
  hostLabel,
  noteLockout,
  redactParams,
  refusePlainApiKey,
  type ClientOptions,
  type JobWatch,
  type TrueNasClient,
} from './client';
import { decodeEjson, encodeEjson } from './ejson';
import { badReply, ERRNO, isRpcErrorObject, jobError, rpcError, type RpcErrorObject } from './errors';
import { networkError } from './rest';
import { isIdempotent, profileFor, type ApiProfile } from './versions';

/** The socket closed before the reply came; `sent` says whether the request had left. */
class Dropped extends Error {
  constructor(
    readonly sent: boolean,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A JSON-RPC error reply, kept raw until the caller decides (re-login, lock-out, typed error). */
class RpcFailure extends Error {
  constructor(readonly error: RpcErrorObject) {
    super(error.message);
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

type Job = { id: number; state: string; progress?: { percent?: unknown; description?: unknown } | null } & Record<
  string,
  unknown
>;

function asJob(value: unknown): Job | null {
  if (typeof value !== 'object' || value === null) return null;
  const j = value as Job;
  return typeof j.id === 'number' && typeof j.state === 'string' ? j : null;
}

export class JsonRpcClient implements TrueNasClient {
  readonly transport = 'jsonrpc' as const;
  profile!: ApiProfile;
  roles: string[] = [];
  usedOtp = false;
  private ws: WebSocket | undefined;
  private authed = false;
  private opening: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jobWatchers = new Set<(job: Job) => void>();
  private closed = false;
  private readonly agent: Agent | undefined;
  private readonly o: Required<Omit<ClientOptions, 'seen'>> & Pick<ClientOptions, 'seen'>;

  private constructor(options: ClientOptions, agent?: Agent) {
    this.o = { ...DEFAULTS, ...options };
    this.agent = options.endpoint.secure
      ? (agent ?? pinnedAgent(options.endpoint.host, options.pin, options.seen))
      : undefined;
  }

  static async connect(options: ClientOptions, agent?: Agent): Promise<JsonRpcClient> {
    refusePlainApiKey(options);
    const client = new JsonRpcClient(options, agent);
    try {
      await client.ensureOpen();
      const version = await client.call('system.version');
      if (typeof version !== 'string') throw badReply('system.version', 'expected a version string', version);
      client.profile = profileFor(version);
      return client;
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  private get url(): string {
    const e = this.o.endpoint;
    return `${e.secure ? 'wss' : 'ws'}://${hostLabel(e)}${e.wsPath}`;
  }

  private ensureOpen(): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('CANCELLED', 'The TrueNAS session was closed.'));
    if (this.ws?.readyState === WebSocket.OPEN && this.authed) return Promise.resolve();
    this.opening ??= (async () => {
      if (this.ws?.readyState !== WebSocket.OPEN) await this.openSocket();
      await this.login();
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private openSocket(): Promise<void> {
    checkLockout(this.o.endpoint);
    refusePlainApiKey(this.o);
    this.authed = false;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        ...(this.agent ? { agent: this.agent } : {}),
        handshakeTimeout: this.o.connectTimeoutMs,
        maxPayload: this.o.maxPayloadBytes,
        perMessageDeflate: false,
        followRedirects: false,
      });
      this.ws = ws;
      let opened = false;
      // Only the first failure counts (a refused pin also closes the socket).
      let failure: AppError | undefined;
      ws.once('open', () => {
        opened = true;
        // An idle session must not keep a CLI process alive; pending calls hold their own timers.
        (ws as unknown as { _socket?: { unref?: () => void } })._socket?.unref?.();
        resolve();
      });
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        failure = new AppError(
          status === 404 ? 'NOT_SUPPORTED' : 'UNREACHABLE',
          status === 404
            ? `TrueNAS at ${hostLabel(this.o.endpoint)} has no JSON-RPC API at ${this.o.endpoint.wsPath} (older than 25.04?).`
            : `TrueNAS at ${hostLabel(this.o.endpoint)} refused the WebSocket (HTTP ${status}); its API service may be restarting.`,
          { vendor: 'truenas', status },
        );
        res.resume();
        ws.terminate();
      });
      ws.on('message', (data: WebSocket.RawData) => this.onMessage(ws, data));
      ws.on('error', (err: Error & { code?: string }) => {
        if (failure) return;
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          // Do not wait for a close handshake behind the rest of a huge message: fail now.
          failure = badReply('WebSocket', `a message is larger than ${this.o.maxPayloadBytes} bytes`);
          this.onClose(ws, failure);
          ws.terminate();
          return;
        }
        failure = /handshake has timed out/i.test(err.message)
          ? new AppError(
              'TIMEOUT',
              `TrueNAS at ${hostLabel(this.o.endpoint)} did not finish the WebSocket handshake in time.`,
            )
          : networkError(this.o.endpoint, err);
      });
      ws.on('close', () => {
        if (!opened)
          reject(
            failure ?? new AppError('UNREACHABLE', `TrueNAS at ${hostLabel(this.o.endpoint)} closed the connection.`),
          );
        this.onClose(ws, failure);
      });
    });
  }

  private onClose(ws: WebSocket, failure: AppError | undefined) {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.authed = false;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      // A fatal reply error (too large) is final; a plain drop may be retried by call().
      p.reject(
        failure && failure.code === 'INTERNAL' ? failure : new Dropped(true, failure?.message ?? 'connection closed'),
      );
    }
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData) {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      // Cannot tell which call this answered: fail them all and start clean.
      this.failAll(badReply('WebSocket', 'a message is not valid JSON', data.toString().slice(0, 200)));
      ws.terminate();
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.failAll(badReply('WebSocket', 'a message is not a JSON-RPC object', msg));
      ws.terminate();
      return;
    }
    const m = msg as { id?: unknown; result?: unknown; error?: unknown; method?: unknown; params?: unknown };
    if (typeof m.id === 'number' && this.pending.has(m.id)) {
      const p = this.pending.get(m.id)!;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined && m.error !== null) {
        p.reject(
          isRpcErrorObject(m.error) ? new RpcFailure(m.error) : badReply(p.method, 'malformed error object', m.error),
        );
      } else if (!('result' in m)) p.reject(badReply(p.method, 'neither result nor error', m));
      else p.resolve(decodeEjson(m.result));
      return;
    }
    if (m.method === 'collection_update' && typeof m.params === 'object' && m.params !== null) {
      const params = m.params as { collection?: unknown; fields?: unknown };
      const job = params.collection === 'core.get_jobs' ? asJob(decodeEjson(params.fields)) : null;
      if (job) for (const w of this.jobWatchers) w(job);
    }
  }

  private failAll(err: AppError) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  /** One request on the open socket: the result, or RpcFailure / Dropped / TIMEOUT. */
  private request(method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Dropped(false, 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AppError('TIMEOUT', `TrueNAS did not answer ${method} within ${Math.round(timeoutMs / 1000)} s.`, {
            vendor: 'truenas',
            method,
          }),
        );
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      ws.send(encodeEjson({ jsonrpc: '2.0', id, method, params }), (err) => {
        if (!err || !this.pending.has(id)) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Dropped(false, err.message));
      });
    });
  }

  /** auth.login_ex on the open socket; OTP continuation; lock-out on "too many attempts". */
  private async login(): Promise<void> {
    checkLockout(this.o.endpoint);
    const c = this.o.credentials;
    if (!c.apiKey && c.password === undefined)
      throw new AppError('AUTH_FAILED', 'No password or API key for this TrueNAS in the keychain.', {
        fix: 'Remove the device and add it again with --password-stdin or --api-key-stdin.',
      });
    const mechanism = c.apiKey
      ? { mechanism: 'API_KEY_PLAIN', username: c.username, api_key: c.apiKey }
      : { mechanism: 'PASSWORD_PLAIN', username: c.username, password: c.password };
    // A key without a user name: the older single-purpose method, which needs none.
    let reply =
      c.apiKey && !c.username
        ? await this.loginCall('auth.login_with_api_key', [c.apiKey])
        : await this.loginCall('auth.login_ex', [{ ...mechanism, login_options: { user_info: true } }]);
    if (reply.response_type === 'OTP_REQUIRED') {
      if (!c.otp)
        throw new AppError('AUTH_FAILED', `TrueNAS asks for a two-factor code for ${c.username ?? 'this account'}.`, {
          vendor: 'truenas',
          otpRequired: true,
          fix: 'Run the command again with --otp CODE (the code from your authenticator app).',
        });
      reply = await this.loginCall('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: c.otp }]);
      if (reply.response_type === 'OTP_REQUIRED' || reply.response_type === 'AUTH_ERR')
        throw new AppError('AUTH_FAILED', 'TrueNAS did not accept the two-factor code.', {
          vendor: 'truenas',
          otpRequired: true,
          otpWrong: true,
          fix: 'Wait for the next code in your authenticator app and try again.',
        });
      this.usedOtp = true;
    }
    switch (reply.response_type) {
      case 'SUCCESS':
        break;
      case 'EXPIRED':
        throw new AppError('AUTH_FAILED', 'TrueNAS says the API key has expired or was revoked.', {
          vendor: 'truenas',
          fix: 'Create a new API key in the TrueNAS UI and add the device again.',
        });
      case 'REDIRECT':
        throw new AppError('UNREACHABLE', 'This TrueNAS controller is the HA standby; connect to the active one.', {
          vendor: 'truenas',
          urls: Array.isArray(reply.urls) ? reply.urls.slice(0, 4) : [],
        });
      default:
        throw new AppError(
          'AUTH_FAILED',
          `TrueNAS refused the ${c.apiKey ? 'API key' : 'user name or password'}${c.username ? ` for ${c.username}` : ''}.`,
          { vendor: 'truenas' },
        );
    }
    const info =
      reply.user_info ??
      (c.username ? undefined : await this.request('auth.me', [], this.o.callTimeoutMs).catch(() => undefined));
    const roles = (info as { privilege?: { roles?: unknown } } | undefined)?.privilege?.roles;
    this.roles = Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
    this.authed = true;
    // Job progress as events; polling still covers a NAS that does not send them.
    await this.request('core.subscribe', ['core.get_jobs'], this.o.callTimeoutMs).catch(() => undefined);
  }

  private async loginCall(method: string, params: unknown[]): Promise<Record<string, unknown>> {
    let reply: unknown;
    try {
      reply = await this.request(method, params, this.o.callTimeoutMs);
    } catch (err) {
      if (err instanceof RpcFailure) {
        const errno = err.error.data?.error;
        if (errno === ERRNO.EBUSY || /rate limit/i.test(String(err.error.data?.reason ?? ''))) {
          this.ws?.close();
          throw noteLockout(this.o.endpoint);
        }
        throw rpcError(method, err.error);
      }
      if (err instanceof Dropped)
        throw new AppError(
          'UNREACHABLE',
          `TrueNAS at ${hostLabel(this.o.endpoint)} closed the connection during sign-in.`,
        );
      throw err;
    }
    if (typeof reply === 'boolean') return { response_type: reply ? 'SUCCESS' : 'AUTH_ERR' };
    if (
      typeof reply !== 'object' ||
      reply === null ||
      typeof (reply as { response_type?: unknown }).response_type !== 'string'
    )
      throw badReply(method, 'expected an object with response_type', reply);
    return reply as Record<string, unknown>;
  }

  async call(method: string, params: unknown[] = [], options: { timeoutMs?: number } = {}): Promise<unknown> {
    const idempotent = isIdempotent(method);
    for (let attempt = 0; ; attempt++) {
      await this.ensureOpen();
      try {
        return await this.request(method, params, options.timeoutMs ?? this.o.callTimeoutMs);
      } catch (err) {
        const retry = attempt === 0;
        if (err instanceof Dropped) {
          // Reads, and anything that never left, are sent again once on a fresh session.
          if (retry && (idempotent || !err.sent)) continue;
          throw new AppError(
            'UNREACHABLE',
            idempotent || !err.sent
              ? `The connection to TrueNAS dropped twice during ${method}.`
              : `The connection to TrueNAS dropped while ${method} was running; it may or may not have been applied.`,
            { vendor: 'truenas', method, ...(idempotent ? {} : { maybeApplied: true }) },
          );
        }
        if (err instanceof RpcFailure) {
          // Session expired: the call was refused, not run, so it is safe to sign in again and resend.
          if (err.error.data?.error === ERRNO.ENOTAUTHENTICATED && retry) {
            this.authed = false;
            continue;
          }
          throw rpcError(method, err.error);
        }
        throw err;
      }
    }
  }

  followJob(method: string, id: number, watch: JobWatch = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.jobWatchers.delete(onJob);
        watch.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onJob = (job: Job) => {
        if (job.id !== id || done) return;
        const p = job.progress;
        if (p && typeof p.percent === 'number')
          watch.progress?.(p.percent / 100, typeof p.description === 'string' ? p.description : undefined);
        if (job.state === 'SUCCESS') finish(() => resolve(job.result));
        else if (job.state === 'FAILED' || job.state === 'ABORTED') finish(() => reject(jobError(method, job)));
      };
      const poll = async () => {
        try {
          const rows = await this.call('core.get_jobs', [[['id', '=', id]]]);
          const job = Array.isArray(rows) ? asJob(rows[0]) : null;
          if (!job) throw badReply('core.get_jobs', `no job ${id} in the reply`, rows);
          onJob(job);
        } catch (err) {
          finish(() => reject(err));
          return;
        }
        if (!done) timer = setTimeout(() => void poll(), this.o.jobPollMs);
      };
      const onAbort = () => {
        void this.call('core.job_abort', [id]).catch(() => undefined);
        finish(() => reject(new AppError('CANCELLED', 'Cancelled')));
      };
      if (watch.signal?.aborted) return onAbort();
      watch.signal?.addEventListener('abort', onAbort, { once: true });
      this.jobWatchers.add(onJob);
      void poll();
    });
  }

  describe(method: string, params: unknown[]): string {
    return `${method} ${JSON.stringify(redactParams(params))}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.ws;
    this.failAll(new AppError('CANCELLED', 'The TrueNAS session was closed.'));
    if (ws && ws.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (ws.terminate(), resolve()), 1000);
        ws.once('close', () => (clearTimeout(t), resolve()));
        // Logging out is polite, not required: the socket closes right after.
        ws.send(encodeEjson({ jsonrpc: '2.0', id: this.nextId++, method: 'auth.logout', params: [] }), () =>
          ws.close(),
        );
      });
    } else ws?.terminate();
    this.agent?.destroy();
  }
}
