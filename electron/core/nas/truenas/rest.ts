// REST v2.0 for CORE 13 and SCALE ≤ 24.10 (deprecated in 25.04, gone in 26): every call one HTTPS
// request through the pinned agent with Basic or Bearer credentials; jobs are polled through
// GET /core/get_jobs?id=N. Also the `GET /api/versions` probe that picks the transport.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import { AppError } from '../../../../shared/errors';
import { pinnedAgent } from '../../remote/tls';
import {
  DEFAULTS,
  hostLabel,
  redactParams,
  refusePlainApiKey,
  type ClientOptions,
  type Endpoint,
  type JobWatch,
  type TrueNasClient,
} from './client';
import { decodeEjson, encodeEjson } from './ejson';
import { badReply, jobError } from './errors';
import { profileFor, restRoute, type ApiProfile } from './versions';

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Maps socket-level failures to the taxonomy (a pinned-cert refusal passes through as is). */
export function networkError(endpoint: Endpoint, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as NodeJS.ErrnoException;
  const where = hostLabel(endpoint);
  if (e.code === 'ETIMEDOUT')
    return new AppError('TIMEOUT', `${where} did not answer in time.`, { host: endpoint.host });
  return new AppError('UNREACHABLE', `Cannot reach TrueNAS at ${where}: ${e.message}`, {
    host: endpoint.host,
    port: endpoint.port,
    ...(e.code ? { errno: e.code } : {}),
  });
}

/** One HTTP(S) request with a timeout and a reply-size cap. */
export function httpCall(
  endpoint: Endpoint,
  agent: Agent | undefined,
  req: { verb: string; path: string; headers?: Record<string, string>; body?: string },
  timeoutMs: number,
  maxBytes: number,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const options = { host: endpoint.host, port: endpoint.port, method: req.verb, path: req.path, headers };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          res.destroy();
          settle(badReply(req.path, `the reply is larger than ${maxBytes} bytes`));
        } else chunks.push(c);
      });
      res.on('end', () =>
        settle(null, {
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (err) => settle(networkError(endpoint, err)));
      res.on('aborted', () => settle(badReply(req.path, 'the reply was cut off')));
    };
    const r = endpoint.secure
      ? httpsRequest({ ...options, ...(agent ? { agent } : {}) }, onResponse)
      : httpRequest(options, onResponse);
    let done = false;
    const timer = setTimeout(() => {
      r.destroy();
      settle(
        new AppError(
          'TIMEOUT',
          `TrueNAS at ${hostLabel(endpoint)} did not answer ${req.verb} ${req.path} within ${Math.round(timeoutMs / 1000)} s.`,
        ),
      );
    }, timeoutMs);
    function settle(err: AppError | null, reply?: HttpReply) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(reply!);
    }
    r.on('error', (err) => settle(networkError(endpoint, err)));
    r.end(req.body);
  });
}

const looksHtml = (reply: HttpReply) => /html/i.test(reply.contentType) || /^\s*</.test(reply.body);

function parseJson(what: string, reply: HttpReply): unknown {
  if (looksHtml(reply))
    throw new AppError(
      reply.status >= 500 ? 'UNREACHABLE' : 'INTERNAL',
      `TrueNAS answered ${what} with an HTML page (HTTP ${reply.status}) instead of JSON${reply.status >= 500 ? ': its API service may be restarting' : ''}.`,
      { vendor: 'truenas', status: reply.status, excerpt: reply.body.slice(0, 200).replace(/[^\x20-\x7e]/g, '?') },
    );
  try {
    return decodeEjson(JSON.parse(reply.body));
  } catch {
    throw badReply(what, 'not valid JSON', reply.body);
  }
}

/** `GET /api/versions`: the JSON-RPC versions a 25.04+ NAS offers, or null where it has none (older). */
export async function probeApiVersions(
  endpoint: Endpoint,
  agent: Agent | undefined,
  timeoutMs: number,
): Promise<string[] | null> {
  const reply = await httpCall(endpoint, agent, { verb: 'GET', path: '/api/versions' }, timeoutMs, 1024 * 1024);
  if (reply.status === 404) return null;
  if (reply.status !== 200) {
    parseJson('/api/versions', reply);
    throw badReply('/api/versions', `HTTP ${reply.status}`, reply.body);
  }
  const list = parseJson('/api/versions', reply);
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string'))
    throw badReply('/api/versions', 'expected a list of version names', list);
  return list;
}

export class RestClient implements TrueNasClient {
  readonly transport = 'rest' as const;
  profile!: ApiProfile;
  readonly roles: string[] = [];
  readonly usedOtp = false;
  private readonly agent: Agent | undefined;
  private readonly auth: string;
  private readonly o: Required<Omit<ClientOptions, 'seen'>> & Pick<ClientOptions, 'seen'>;

  private constructor(options: ClientOptions, agent?: Agent) {
    this.o = { ...DEFAULTS, ...options };
    refusePlainApiKey(options);
    const c = options.credentials;
    this.auth = c.apiKey
      ? `Bearer ${c.apiKey}`
      : `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
    this.agent = options.endpoint.secure
      ? (agent ?? pinnedAgent(options.endpoint.host, options.pin, options.seen))
      : undefined;
  }

  static async connect(options: ClientOptions, agent?: Agent): Promise<RestClient> {
    const client = new RestClient(options, agent);
    try {
      const version = await client.call('system.version');
      if (typeof version !== 'string') throw badReply('system.version', 'expected a version string', version);
      client.profile = profileFor(version);
      // Roles where the release has them (SCALE); CORE 13 has no role model, every API user is root-like.
      const me = (await client.call('auth.me').catch(() => null)) as { privilege?: { roles?: unknown } } | null;
      const roles = me?.privilege?.roles;
      if (Array.isArray(roles)) client.roles.push(...roles.filter((r): r is string => typeof r === 'string'));
      return client;
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  async call(method: string, params: unknown[] = [], options: { timeoutMs?: number } = {}): Promise<unknown> {
    const route = restRoute(method, params);
    const reply = await httpCall(
      this.o.endpoint,
      this.agent,
      {
        verb: route.verb,
        path: `/api/v2.0${route.path}`,
        headers: { Authorization: this.auth },
        ...(route.body !== undefined ? { body: encodeEjson(route.body) } : {}),
      },
      options.timeoutMs ?? this.o.callTimeoutMs,
      this.o.maxPayloadBytes,
    );
    if (reply.status >= 200 && reply.status < 300) return parseJson(method, reply);
    throw this.statusError(method, reply);
  }

  private statusError(method: string, reply: HttpReply): AppError {
    const details = { vendor: 'truenas', method, status: reply.status };
    if (reply.status === 401) {
      const otp = /OTP/i.test(reply.body);
      return new AppError(
        'AUTH_FAILED',
        otp
          ? 'This TrueNAS account uses two-factor authentication, which the REST API does not accept with a password.'
          : `TrueNAS refused the ${this.o.credentials.apiKey ? 'API key' : 'user name or password'}.`,
        otp ? { ...details, otpRequired: true, fix: 'Add the device with an API key (--api-key-stdin).' } : details,
      );
    }
    if (looksHtml(reply))
      return (() => {
        try {
          parseJson(method, reply);
        } catch (err) {
          return err as AppError;
        }
        return badReply(method, `HTTP ${reply.status}`);
      })();
    let body: unknown = reply.body;
    try {
      body = JSON.parse(reply.body);
    } catch {}
    const message =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : typeof body === 'object' && body !== null
          ? Object.entries(body)
              .map(
                ([k, v]) =>
                  `${k}: ${Array.isArray(v) ? v.map((x) => (x as { message?: string }).message).join('; ') : ''}`,
              )
              .join('; ')
          : String(body).slice(0, 300);
    if (reply.status === 403)
      return new AppError('PERMISSION_DENIED', `${method} needs an administrator account on TrueNAS: ${message}`, {
        ...details,
        fix: 'Add the device with a user that has the Full Admin role (or an API key of such a user).',
      });
    if (reply.status === 404) return new AppError('NOT_FOUND', `TrueNAS ${method}: ${message || 'not found'}`, details);
    if (reply.status === 422 || reply.status === 400) {
      const conflict = /already exists|in use|errno.?:?\s*17/i.test(reply.body);
      return new AppError(conflict ? 'CONFLICT' : 'INVALID_INPUT', `TrueNAS refused ${method}: ${message}`, details);
    }
    return new AppError('INTERNAL', `TrueNAS ${method} failed (HTTP ${reply.status}): ${message}`, details);
  }

  async followJob(method: string, id: number, watch: JobWatch = {}): Promise<unknown> {
    for (;;) {
      if (watch.signal?.aborted) {
        await this.call('core.job_abort', [id]).catch(() => undefined);
        throw new AppError('CANCELLED', 'Cancelled');
      }
      const rows = await this.call('core.get_jobs', [[['id', '=', id]]]);
      const job = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
      if (!job || typeof job.state !== 'string') throw badReply('core.get_jobs', `no job ${id} in the reply`, rows);
      const progress = job.progress as { percent?: unknown; description?: unknown } | null | undefined;
      if (typeof progress?.percent === 'number')
        watch.progress?.(
          progress.percent / 100,
          typeof progress.description === 'string' ? progress.description : undefined,
        );
      if (job.state === 'SUCCESS') return job.result;
      if (job.state === 'FAILED' || job.state === 'ABORTED') throw jobError(method, job as { state: string });
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.o.jobPollMs);
        watch.signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
    }
  }

  describe(method: string, params: unknown[]): string {
    const route = restRoute(method, redactParams(params) as unknown[]);
    return `${route.verb} /api/v2.0${route.path}${route.body !== undefined ? ` ${JSON.stringify(route.body)}` : ''}`;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
  }
}
