// A DSM Web API client: SYNO.API.Info discovery once per client, each API at its advertised path
// and version (a few methods need an older one), SYNO.API.Auth with 2-step verification and the
// "remember this computer" device token, the SynoToken header, requestFormat JSON quoting, and one
// transparent re-login when the session expired. Every request goes through the pinned TLS agent
// and has a timeout; every answer is checked before it is trusted.
import { request, type Agent } from 'node:https';
import { AppError } from '../../../../shared/errors';
import { pinnedAgent, type SeenCert, type TlsPin } from '../../remote/tls';
import { dsmError, SESSION_CODES } from './errors';
import { isRecord } from './shapes';

export interface DsmApiInfo {
  path: string;
  minVersion: number;
  maxVersion: number;
  requestFormat?: string;
}

export type ParamValue = string | number | boolean | readonly unknown[] | { readonly [key: string]: unknown };
export type Params = Record<string, ParamValue | undefined>;

export interface DsmClientOptions {
  /** `https://host:port`: the DSM HTTPS port (5001 by default). */
  origin: string;
  pin: TlsPin;
  account: string;
  /** Read from the keychain when a login needs it, never kept in the client. */
  password: () => Promise<string | null>;
  /** The "remember this computer" token of an earlier 2-step login. */
  deviceToken?: string | null;
  /** The name DSM binds the device token to. */
  deviceName: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export interface LoginOptions {
  otp?: string;
  rememberDevice?: boolean;
}

interface Session {
  sid: string;
  synotoken: string | null;
  authVersion: number;
}

/** Methods that exist only at an older version than the API's maxVersion (reference A.2). */
const METHOD_VERSION: Record<string, number> = {
  'SYNO.Core.Share.Snapshot.list': 2,
  'SYNO.Core.Share.Snapshot.create': 1,
  'SYNO.Core.Share.Snapshot.delete': 1,
  'SYNO.Core.Share.Snapshot.set': 1,
  'SYNO.Core.System.shutdown': 1,
  'SYNO.Core.System.reboot': 1,
};

/** The newest Auth version whose answer shape we know (v6 `did`, v7 `device_id`). */
const AUTH_MAX = 7;
/** Parameter names whose values never appear in a plan, log or error. */
const SECRET_PARAMS = new Set(['passwd', 'password', 'mutual_password', 'otp_code', 'device_id', '_sid', 'SynoToken']);
const SESSION_NAME = 'Nasdeck';
const CGI_PATH = /^[A-Za-z0-9_/-]+\.cgi$/;

/** requestFormat JSON: strings quoted, arrays/objects as JSON text, numbers and booleans bare. */
export function encodeParam(value: ParamValue, json: boolean): string {
  if (typeof value === 'string') return json ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `name=value` pairs for a plan or a message, secrets as `***`. */
export function describeParams(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${SECRET_PARAMS.has(k) ? '***' : v}`)
    .join(' ');
}

export class DsmClient {
  readonly seen: SeenCert = {};
  private readonly agent: Agent;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private infoOnce: Promise<Record<string, DsmApiInfo>> | undefined;
  private session: Promise<Session> | undefined;
  private deviceToken: string | null;

  constructor(private readonly options: DsmClientOptions) {
    const url = new URL(options.origin);
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.agent = pinnedAgent(this.host, options.pin, this.seen, { maxSockets: 4 });
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.deviceToken = options.deviceToken ?? null;
  }

  /** SYNO.API.Info query=all, asked once (no session needed). */
  apis(): Promise<Record<string, DsmApiInfo>> {
    this.infoOnce ??= this.send('query.cgi', {
      api: 'SYNO.API.Info',
      version: '1',
      method: 'query',
      query: 'all',
    }).then((data) => parseInfo(data));
    this.infoOnce.catch(() => (this.infoOnce = undefined));
    return this.infoOnce;
  }

  async has(api: string): Promise<boolean> {
    return (await this.apis())[api] !== undefined;
  }

  /** The version to call `api.method` at: its maxVersion, or the older one a method needs. */
  async version(api: string, method: string): Promise<{ info: DsmApiInfo; version: number }> {
    const info = (await this.apis())[api];
    if (!info)
      throw new AppError('NOT_SUPPORTED', `This DSM does not offer ${api}.`, { api, fix: 'Update DSM, or use SSH.' });
    const wanted = METHOD_VERSION[`${api}.${method}`];
    let version = api === 'SYNO.API.Auth' ? Math.min(info.maxVersion, AUTH_MAX) : info.maxVersion;
    if (wanted !== undefined) version = Math.min(wanted, info.maxVersion);
    if (version < info.minVersion)
      throw new AppError('NOT_SUPPORTED', `This DSM offers ${api} ${method} only at versions it no longer serves.`, {
        api,
        method,
      });
    return { info, version };
  }

  /** The query a call would send, for dry-run plans (`<api>.<method> v<n> <params>`). */
  async describe(api: string, method: string, params: Params): Promise<string> {
    const { info, version } = await this.version(api, method);
    const encoded = encodeAll(params, info.requestFormat === 'JSON');
    return `${api}.${method} v${version}${Object.keys(encoded).length ? ` ${describeParams(encoded)}` : ''}`;
  }

  /** Signs in (again). Returns the device token DSM issued when asked to remember this computer. */
  async login(options: LoginOptions = {}): Promise<{ deviceToken?: string }> {
    let issued: string | undefined;
    const attempt = this.signIn(options).then(({ session, deviceToken }) => {
      issued = deviceToken;
      return session;
    });
    this.session = attempt;
    attempt.catch(() => {
      if (this.session === attempt) this.session = undefined;
    });
    await attempt;
    return issued ? { deviceToken: issued } : {};
  }

  /** One API call with the session; a session DSM forgot (106/107/119) is renewed once, then retried once. */
  async call(api: string, method: string, params: Params = {}, options: { post?: boolean } = {}): Promise<unknown> {
    const session = await this.currentSession();
    try {
      return await this.invoke(session, api, method, params, options);
    } catch (err) {
      if (!isSessionError(err)) throw err;
      const stale = this.session;
      // Several calls may find the session gone at once: the first one signs in again.
      if (stale && (await stale.catch(() => null)) === session) this.session = undefined;
      return this.invoke(await this.currentSession(), api, method, params, options);
    }
  }

  async logout(): Promise<void> {
    const pending = this.session;
    this.session = undefined;
    const session = await pending?.catch(() => null);
    if (session) {
      // Best effort: DSM ends idle sessions by itself.
      try {
        const { info, version } = await this.version('SYNO.API.Auth', 'logout');
        await this.send(
          info.path,
          { api: 'SYNO.API.Auth', version: String(version), method: 'logout', session: SESSION_NAME },
          { session },
        );
      } catch {}
    }
    this.agent.destroy();
  }

  private currentSession(): Promise<Session> {
    if (!this.session) {
      const attempt = this.signIn({}).then(({ session }) => session);
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = undefined;
      });
    }
    return this.session;
  }

  private async signIn(options: LoginOptions): Promise<{ session: Session; deviceToken?: string }> {
    const { info, version } = await this.version('SYNO.API.Auth', 'login');
    const password = await this.options.password();
    if (password === null)
      throw new AppError('AUTH_FAILED', 'No DSM password in the keychain for this device.', {
        fix: 'Re-add the device with --password-stdin.',
      });
    const query: Record<string, string> = {
      api: 'SYNO.API.Auth',
      version: String(version),
      method: 'login',
      account: this.options.account,
      passwd: password,
      session: SESSION_NAME,
      format: 'sid',
    };
    if (version >= 3) query.enable_syno_token = 'yes';
    if (options.otp !== undefined) {
      query.otp_code = options.otp;
      if (options.rememberDevice) {
        query.enable_device_token = 'yes';
        query.device_name = this.options.deviceName;
      }
    } else if (this.deviceToken) {
      query.device_id = this.deviceToken;
      query.device_name = this.options.deviceName;
    }
    const data = await this.send(info.path, query);
    if (!isRecord(data) || typeof data.sid !== 'string' || data.sid === '')
      throw new AppError('INTERNAL', 'DSM answered the sign-in without a session id.', { api: 'SYNO.API.Auth' });
    const session: Session = {
      sid: data.sid,
      synotoken: typeof data.synotoken === 'string' && data.synotoken !== '' ? data.synotoken : null,
      authVersion: version,
    };
    // DSM 7 names the token device_id, DSM 6 did.
    const token = typeof data.device_id === 'string' ? data.device_id : typeof data.did === 'string' ? data.did : '';
    if (token) this.deviceToken = token;
    return token ? { session, deviceToken: token } : { session };
  }

  private async invoke(
    session: Session,
    api: string,
    method: string,
    params: Params,
    options: { post?: boolean },
  ): Promise<unknown> {
    const { info, version } = await this.version(api, method);
    const query = { api, version: String(version), method, ...encodeAll(params, info.requestFormat === 'JSON') };
    return this.send(info.path, query, { session, ...(options.post ? { post: true } : {}) });
  }

  /** One HTTPS exchange and the `{success, data | error}` envelope; DSM errors become AppErrors. */
  private async send(
    path: string,
    query: Record<string, string>,
    options: { session?: Session; post?: boolean } = {},
  ): Promise<unknown> {
    const fields = new URLSearchParams(query);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.session) {
      fields.set('_sid', options.session.sid);
      if (options.session.synotoken) headers['X-SYNO-TOKEN'] = options.session.synotoken;
    }
    const api = query.api ?? '?';
    const method = query.method ?? '?';
    const url = new URL(`/webapi/${path}`, this.options.origin);
    let body: string | undefined;
    if (options.post) {
      body = fields.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    } else url.search = fields.toString();
    const text = await this.exchange(url, options.post ? 'POST' : 'GET', headers, body, `${api}.${method}`);
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      const html = /^\s*</.test(text);
      throw new AppError(
        'INTERNAL',
        html
          ? `DSM answered ${api}.${method} with a web page instead of JSON: a proxy or the web server is in the way.`
          : `DSM answered ${api}.${method} with text that is not complete JSON.`,
        { api, method, bodyStart: text.slice(0, 120) },
      );
    }
    if (!isRecord(envelope) || typeof envelope.success !== 'boolean')
      throw new AppError('INTERNAL', `DSM answered ${api}.${method} without the {success} envelope.`, { api, method });
    if (envelope.success) return envelope.data;
    const error = envelope.error;
    const code = isRecord(error) && typeof error.code === 'number' ? error.code : 100;
    throw dsmError(api, method, code, isRecord(error) ? error.errors : undefined);
  }

  private exchange(
    url: URL,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | undefined,
    what: string,
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent });
      const timer = setTimeout(
        () =>
          req.destroy(
            new AppError('TIMEOUT', `DSM did not answer ${what} within ${this.timeoutMs} ms.`, {
              host: this.host,
            }),
          ),
        this.timeoutMs,
      );
      const fail = (err: unknown) => {
        clearTimeout(timer);
        if (err instanceof AppError) reject(err);
        else
          reject(
            new AppError('UNREACHABLE', `Cannot reach DSM at ${url.host}: ${(err as Error).message}`, {
              host: this.host,
            }),
          );
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) {
            req.destroy(
              new AppError('INTERNAL', `DSM's answer to ${what} is larger than ${this.maxBodyBytes} bytes; refused.`, {
                host: this.host,
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          // DSM answers API errors with 200; anything else is the web server or a proxy talking.
          if (status !== 200) {
            reject(
              new AppError(
                status === 404 ? 'NOT_SUPPORTED' : 'UNREACHABLE',
                status === 404
                  ? `${url.host} has no ${url.pathname}: is this a Synology DSM?`
                  : `The DSM web server answered ${what} with HTTP ${status}.`,
                { host: this.host, status },
              ),
            );
          } else resolve(text);
        });
      });
      req.end(body);
    });
  }
}

function encodeAll(params: Params, json: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = encodeParam(v, json);
  return out;
}

function isSessionError(err: unknown): boolean {
  const code = err instanceof AppError ? err.details?.dsmCode : undefined;
  return typeof code === 'number' && SESSION_CODES.has(code);
}

/** Keeps the entries that make sense; a hostile path (`../x`, a URL) is dropped, not followed. */
function parseInfo(data: unknown): Record<string, DsmApiInfo> {
  if (!isRecord(data)) throw new AppError('INTERNAL', 'DSM answered SYNO.API.Info without a list of APIs.');
  const out: Record<string, DsmApiInfo> = {};
  for (const [api, entry] of Object.entries(data)) {
    if (!isRecord(entry)) continue;
    const { path, minVersion, maxVersion, requestFormat } = entry;
    if (typeof path !== 'string' || !CGI_PATH.test(path) || path.includes('..')) continue;
    if (!Number.isInteger(minVersion) || !Number.isInteger(maxVersion)) continue;
    out[api] = {
      path,
      minVersion: minVersion as number,
      maxVersion: maxVersion as number,
      ...(typeof requestFormat === 'string' ? { requestFormat } : {}),
    };
  }
  if (!out['SYNO.API.Auth']) throw new AppError('NOT_SUPPORTED', 'This DSM does not list SYNO.API.Auth.');
  return out;
}
