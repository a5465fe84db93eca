// A TrueNAS on 127.0.0.1: HTTPS (self-signed) or plain HTTP, `GET /api/versions`, JSON-RPC 2.0 over
// WebSocket at /api/current and the pinned /api/vXX paths (25.04+), and REST /api/v2.0 (all
// releases up to 25.10, the only API of CORE 13 / SCALE 24.10). Per-connection auth state, the
// auth rate limit, and switchable faults; every received frame and request is recorded so a test
// can prove what did (not) arrive.
import { X509Certificate } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { certFingerprint } from '../../../electron/core/remote/tls';
import { selfSigned } from '../../support/self-signed';
import { Middleware, RpcError, VERSION_STRINGS, type Job, type Release, type Session } from './middleware';

export type { Release } from './middleware';

export type Hostile = 'truncated' | 'wrong-types' | 'huge' | 'not-object' | 'html';

export interface EmulatorFaults {
  /** Close the socket instead of answering the next call of this method (once). */
  dropOn?: string;
  /** Calls of this method are never answered (a hung middleware). */
  silentOn?: string;
  /** The next call of this method finds its session expired (ENOTAUTHENTICATED), once. */
  expireOn?: string;
  /** Jobs of this method end FAILED. */
  failJob?: string;
  /** The reply to calls of this method (JSON-RPC or REST) is replaced by hostile bytes. */
  hostile?: { method: string; kind: Hostile; bytes?: number };
  /** Every HTTP request, the WebSocket upgrade included, gets nginx's HTML 502 page. */
  htmlEverywhere?: boolean;
}

export interface EmulatorOptions {
  release?: Release;
  tls?: boolean;
  /** Time between job progress steps. */
  jobTickMs?: number;
  /** Auth / unauthenticated requests allowed per 60 s per address before the 10-minute lock-out. */
  rateLimit?: number;
  /** Serve this certificate (to test a changed certificate against a pin). */
  cert?: { key: string; cert: string };
}

export interface Received {
  channel: 'ws' | 'http';
  path: string;
  text: string;
}

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const API_VERSIONS: Partial<Record<Release, string[]>> = {
  '25.04': ['v25.04.0', 'v25.04.1', 'v25.04.2'],
  '25.10': ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0'],
};

/** Every leaf changes type: numbers become strings, strings numbers, booleans strings, lists objects. */
function mangle(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(mangle) : { not: 'a list' };
  if (typeof v === 'number') return `${v}x`;
  if (typeof v === 'string') return 42;
  if (typeof v === 'boolean') return 'yes';
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mangle(x)]));
  return v;
}

// Same rules as TrueNAS's restful.py: argument names of multi-argument methods.
const REST_ARGS: Record<string, string[]> = {
  'zfs.snapshot.rollback': ['id', 'options'],
  'pool.snapshot.rollback': ['id', 'options'],
  'pool.scrub.run': ['name', 'threshold'],
  'pool.scrub.scrub': ['name', 'action'],
  'disk.temperatures': ['names', 'include_thermal'],
};
const CONFIG_SERVICES = new Set(['iscsi.global']);

export class TrueNasEmulator {
  readonly middleware: Middleware;
  readonly faults: EmulatorFaults = {};
  readonly received: Received[] = [];
  /** Successful and failed sign-ins, for tests that count them. */
  logins = 0;
  certSha256: string | undefined;
  port = 0;
  private server!: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private readonly sockets = new Map<WebSocket, Session>();
  private readonly attempts = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  private constructor(readonly options: Required<Omit<EmulatorOptions, 'cert'>> & Pick<EmulatorOptions, 'cert'>) {
    // One faults object: failJob is applied by the middleware's job runner.
    this.middleware = new Middleware(options.release, options.jobTickMs, this.faults);
    this.middleware.onJobChange = (job) => this.pushJob(job);
  }

  static async start(options: EmulatorOptions = {}): Promise<TrueNasEmulator> {
    const emu = new TrueNasEmulator({
      release: options.release ?? '25.04',
      tls: options.tls ?? true,
      jobTickMs: options.jobTickMs ?? 20,
      rateLimit: options.rateLimit ?? 20,
      ...(options.cert ? { cert: options.cert } : {}),
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => void emu.onHttp(req, res);
    if (emu.options.tls) {
      const pair = options.cert ?? selfSigned('truenas.local');
      emu.certSha256 = certFingerprint(new X509Certificate(pair.cert).raw);
      emu.server = createHttps({ key: pair.key, cert: pair.cert }, handler);
    } else emu.server = createHttp(handler);
    emu.server.on('upgrade', (req, socket, head) => emu.onUpgrade(req, socket, head));
    await new Promise<void>((r) => emu.server.listen(0, '127.0.0.1', r));
    emu.port = (emu.server.address() as AddressInfo).port;
    return emu;
  }

  get model() {
    return this.middleware.model;
  }

  /** The address a user would give `nasdeck device add`. */
  get url(): string {
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}/api/current`;
  }

  get httpsUrl(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Everything received, as one string (to prove a secret never arrived). */
  receivedText(): string {
    return this.received.map((r) => `${r.path}\n${r.text}`).join('\n');
  }

  /** Drops every open WebSocket (the NAS restarting its middleware). */
  dropAll() {
    for (const ws of this.sockets.keys()) ws.terminate();
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  async close() {
    this.middleware.close();
    for (const ws of this.sockets.keys()) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ── rate limit (TNCLIENT README: 20 auth/unauthenticated requests per 60 s, then 10 minutes) ──
  private rateLimited(remote: string): boolean {
    const now = Date.now();
    if ((this.lockedUntil.get(remote) ?? 0) > now) return true;
    const recent = (this.attempts.get(remote) ?? []).filter((t) => now - t < 60_000);
    recent.push(now);
    this.attempts.set(remote, recent);
    if (recent.length > this.options.rateLimit) {
      this.lockedUntil.set(remote, now + 10 * 60_000);
      return true;
    }
    return false;
  }

  // ── JSON-RPC over WebSocket ──────────────────────────────────────────────────────────────────
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const path = (req.url ?? '').split('?')[0]!;
    this.received.push({ channel: 'http', path: `UPGRADE ${path}`, text: JSON.stringify(req.headers) });
    const versions = API_VERSIONS[this.options.release];
    const ok = versions && (path === '/api/current' || versions.some((v) => path === `/api/${v}`));
    if (this.faults.htmlEverywhere || !ok) {
      const status = this.faults.htmlEverywhere ? '502 Bad Gateway' : '404 Not Found';
      const body = this.faults.htmlEverywhere ? NGINX_502 : '<html><body>404 Not Found</body></html>';
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session: Session = {
        user: null,
        otpPending: null,
        secure: this.options.tls,
        remote: req.socket.remoteAddress ?? '?',
        subscribedJobs: false,
        credentialType: 'LOGIN_PASSWORD',
      };
      this.sockets.set(ws, session);
      ws.on('message', (data) => this.onFrame(ws, session, data.toString()));
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  private send(ws: WebSocket, value: unknown) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
  }

  private pushJob(job: Job) {
    for (const [ws, s] of this.sockets)
      if (s.subscribedJobs && s.user)
        this.send(ws, {
          jsonrpc: '2.0',
          method: 'collection_update',
          params: { msg: 'changed', collection: 'core.get_jobs', id: job.id, fields: job },
        });
  }

  private onFrame(ws: WebSocket, session: Session, text: string) {
    this.received.push({ channel: 'ws', path: this.options.release, text });
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.send(ws, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    const m = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id = typeof m.id === 'number' || typeof m.id === 'string' ? m.id : null;
    if (typeof m !== 'object' || m === null || m.jsonrpc !== '2.0' || typeof m.method !== 'string')
      return this.send(ws, { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request' } });
    const params = m.params ?? [];
    if (!Array.isArray(params))
      return this.send(ws, { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request' } });
    const method = m.method;

    if (this.faults.dropOn === method) {
      delete this.faults.dropOn;
      ws.terminate();
      return;
    }
    if (this.faults.silentOn === method) return;
    if (this.faults.expireOn === method && session.user) {
      delete this.faults.expireOn;
      session.user = null;
    }
    const unauthenticated = !session.user || method.startsWith('auth.login');
    if (unauthenticated && this.rateLimited(session.remote)) {
      return this.reply(ws, id, method, new RpcError('call', 16, 'EBUSY', 'Rate Limit Exceeded'));
    }
    if (method.startsWith('auth.login')) this.logins++;
    let result: unknown;
    try {
      result = this.middleware.invoke(method, params, session);
    } catch (err) {
      return this.reply(ws, id, method, err);
    }
    if (id !== null) this.reply(ws, id, method, null, result);
  }

  private reply(ws: WebSocket, id: unknown, method: string, err: unknown, result?: unknown) {
    if (id === null) return;
    const hostile = this.faults.hostile;
    if (hostile && hostile.method === method) {
      const body = JSON.stringify({ jsonrpc: '2.0', id, result });
      switch (hostile.kind) {
        case 'truncated':
          return ws.send(body.slice(0, Math.max(1, Math.floor(body.length / 2))));
        case 'wrong-types':
          return this.send(ws, { jsonrpc: '2.0', id, result: mangle(result) });
        case 'huge':
          return ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: 'x'.repeat(hostile.bytes ?? 40 * 1024 * 1024) }));
        case 'not-object':
          return ws.send('[1,2,3]');
        case 'html':
          return ws.send(NGINX_502);
      }
    }
    if (err instanceof RpcError) {
      if (err.kind === 'no-method')
        return this.send(ws, { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method does not exist' } });
      const data = { error: err.errno, errname: err.errname, reason: err.reason, trace: null, extra: err.extra };
      return this.send(ws, {
        jsonrpc: '2.0',
        id,
        error:
          err.kind === 'validation'
            ? { code: -32602, message: 'Invalid params', data }
            : { code: -32001, message: 'Method call error', data },
      });
    }
    if (err) {
      const data = { error: 14, errname: 'EFAULT', reason: String(err), trace: null, extra: null };
      return this.send(ws, { jsonrpc: '2.0', id, error: { code: -32001, message: 'Method call error', data } });
    }
    this.send(ws, { jsonrpc: '2.0', id, result });
  }

  // ── HTTP: /api/versions and REST v2.0 ────────────────────────────────────────────────────────
  private async onHttp(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    this.received.push({
      channel: 'http',
      path: `${req.method} ${url.pathname}${url.search}`,
      text: `${req.headers.authorization ?? ''}\n${body}`,
    });
    const send = (status: number, value: unknown, type = 'application/json') => {
      const text = type === 'application/json' ? JSON.stringify(value) : String(value);
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (this.faults.htmlEverywhere) return send(502, NGINX_502, 'text/html');
    if (url.pathname === '/api/versions') {
      const versions = API_VERSIONS[this.options.release];
      return versions ? send(200, versions) : send(404, '<html><body>404 Not Found</body></html>', 'text/html');
    }
    if (!url.pathname.startsWith('/api/v2.0/'))
      return send(404, '<html><body>404 Not Found</body></html>', 'text/html');

    // Credentials on every request (restful.py parse_credentials).
    const session: Session = {
      user: null,
      otpPending: null,
      secure: this.options.tls,
      remote: req.socket.remoteAddress ?? '?',
      subscribedJobs: false,
      credentialType: 'LOGIN_PASSWORD',
    };
    const auth = req.headers.authorization ?? '';
    const users = this.model.users;
    if (auth.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      const found = users.find((u) => u.username === user && u.password === rest.join(':') && u.roles.length > 0);
      if (found?.otp) return send(401, 'HTTP Basic Auth is unavailable when OTP is enabled', 'text/plain');
      if (!found) return send(401, 'Bad username or password', 'text/plain');
      session.user = found;
    } else if (auth.startsWith('Bearer ')) {
      const key = this.model.apiKeys.find((k) => k.key === auth.slice(7) && !k.revoked);
      if (!key) return send(401, 'Invalid API key', 'text/plain');
      session.user = users.find((u) => u.username === key.username)!;
      session.credentialType = 'API_KEY';
    } else return send(401, 'Bad username or password', 'text/plain');

    let call: { method: string; params: unknown[] };
    try {
      call = this.restCall(req.method ?? 'GET', url, body);
    } catch (err) {
      return send(400, { message: (err as Error).message });
    }
    const hostile = this.faults.hostile;
    let result: unknown;
    try {
      result = this.middleware.invoke(call.method, call.params, session);
    } catch (err) {
      if (!(err instanceof RpcError)) return send(500, { message: String(err), traceback: '' });
      if (err.kind === 'no-method') return send(404, { message: `${call.method} not found` });
      if (err.errno === 13) return send(403, { message: err.reason });
      if (err.errno === 2) return send(404, { message: err.reason });
      if (err.kind === 'validation')
        return send(
          422,
          Object.fromEntries((err.extra ?? []).map(([k, msg, errno]) => [k, [{ message: msg, errno }]])),
        );
      return send(422, { message: err.reason, errno: err.errno });
    }
    if (hostile && hostile.method === call.method) {
      const text = JSON.stringify(result);
      switch (hostile.kind) {
        case 'truncated':
          return send(200, text.slice(0, Math.floor(text.length / 2)), 'application/json-truncated');
        case 'wrong-types':
          return send(200, mangle(result));
        case 'huge':
          return send(200, JSON.stringify('x'.repeat(hostile.bytes ?? 40 * 1024 * 1024)), 'application/json-raw');
        case 'not-object':
          return send(200, [1, 2, 3]);
        case 'html':
          return send(200, NGINX_502, 'text/html');
      }
    }
    send(200, result);
  }

  /** restful.py's URL rules, from the server side. */
  private restCall(verb: string, url: URL, body: string): { method: string; params: unknown[] } {
    const parsed: unknown = body ? JSON.parse(body) : undefined;
    const parts = url.pathname.slice('/api/v2.0/'.length).split('/').filter(Boolean).map(decodeURIComponent);
    const idAt = parts.indexOf('id');
    const mw = this.middleware;
    const coerce = (v: string): unknown =>
      v === 'true' ? true : v === 'false' ? false : v === 'null' ? null : /^-?\d+$/.test(v) ? Number(v) : v;
    if (idAt >= 0) {
      const service = parts.slice(0, idAt).join('.');
      const id = coerce(parts[idAt + 1] ?? '');
      const item = parts[idAt + 2];
      if (item) return { method: `${service}.${item}`, params: [id, parsed] };
      if (verb === 'GET') return { method: `${service}.query`, params: [[['id', '=', id]], { get: true }] };
      if (verb === 'PUT') return { method: `${service}.update`, params: [id, parsed ?? {}] };
      if (verb === 'DELETE') return { method: `${service}.delete`, params: parsed === undefined ? [id] : [id, parsed] };
      throw new Error(`${verb} is not allowed here`);
    }
    const name = parts.join('.');
    const filters = [...url.searchParams.entries()]
      .filter(([k]) => !['limit', 'offset', 'count', 'sort'].includes(k) && !k.startsWith('extra.'))
      .map(([k, v]) => {
        const m = /^(.*?)(__neq|__gt|__lt|__gte|__lte|__regex)?$/.exec(k)!;
        const op = { __neq: '!=', __gt: '>', __lt: '<', __gte: '>=', __lte: '<=', __regex: '~' }[m[2] ?? ''] ?? '=';
        return [m[1], op, coerce(v)];
      });
    if (verb === 'GET') {
      if (CONFIG_SERVICES.has(name)) return { method: `${name}.config`, params: [] };
      if (mw.has(`${name}.query`)) return { method: `${name}.query`, params: [filters] };
      if (mw.has(name)) return { method: name, params: name === 'core.get_jobs' ? [filters] : [] };
      throw new Error(`No GET ${url.pathname}`);
    }
    if (verb === 'POST') {
      if (mw.has(name) && !mw.has(`${name}.create`)) {
        const args = REST_ARGS[name];
        if (args) {
          const obj = (parsed ?? {}) as Record<string, unknown>;
          const extra = Object.keys(obj).filter((k) => !args.includes(k));
          if (extra.length) throw new Error(`The following attributes are not expected: ${extra.join(', ')}`);
          return {
            method: name,
            params: args
              .map((a) => obj[a])
              .filter((v, i, all) => v !== undefined || all.slice(i).some((x) => x !== undefined)),
          };
        }
        return { method: name, params: parsed === undefined ? [] : [parsed] };
      }
      return { method: `${name}.create`, params: [parsed ?? {}] };
    }
    throw new Error(`${verb} ${url.pathname} is not allowed`);
  }
}

export { VERSION_STRINGS };
