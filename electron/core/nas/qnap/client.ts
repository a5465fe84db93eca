// A QTS session over HTTPS: authLogin.cgi with the base64 password QTS expects (still a secret:
// it travels only in a POST body, never in a URL, log, error or plan), 2-step verification, the
// `qtoken` that lets a remembered computer skip it, one shared session id per device, one
// transparent re-login when QTS says the session ended, a timeout and a size cap on every call.
import { request, type Agent } from 'node:https';
import { AppError } from '../../../../shared/errors';
import { pinnedAgent, type SeenCert, type TlsPin } from '../../remote/tls';
import { badResponse, parseQDoc, QDoc } from './xml';

export interface QtsCredentials {
  user: string;
  password?: string;
  /** From an earlier login with "remember me" (`remme=1`): signs in without the 2-step code. */
  qtoken?: string;
}

export interface QtsClientOptions {
  /** `https://host:port`; plain http is refused before anything is sent. */
  baseUrl: string;
  pin: TlsPin;
  /** Filled with the certificate the NAS showed (first contact pins it). */
  seen?: SeenCert;
  credentials: () => Promise<QtsCredentials>;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface LoginOptions {
  otp?: string;
  /** Ask QTS for a `qtoken` (remme=1) so later sign-ins skip the 2-step code. */
  remember?: boolean;
}

export interface QtsSession {
  sid: string;
  user: string;
  qtoken?: string;
}

interface HttpReply {
  status: number;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const LOGIN = '/cgi-bin/authLogin.cgi';
/** Signing out is a courtesy: it must not hold up the app's exit for long. */
const LOGOUT_TIMEOUT_MS = 3000;

/** QNAP's "ezEncode": plain base64 of the UTF-8 password. */
export const ezEncode = (password: string) => Buffer.from(password, 'utf8').toString('base64');

/** The base URL of a device's QTS API: its https URL, or https on port 443. */
export function qtsBaseUrl(host: string, port?: number, url?: string): string {
  if (url) {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'ws:')
      throw new AppError(
        'INVALID_INPUT',
        'QNAP over plain http would send the password readable by anyone on the network; add the NAS with its https address.',
        { fix: 'Use https://HOST (QTS listens for HTTPS on 443 by default).' },
      );
    if (u.protocol === 'https:') return u.origin;
  }
  const h = host.includes(':') ? `[${host}]` : host;
  return `https://${h}:${port ?? 443}`;
}

export class QtsClient {
  readonly host: string;
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private current: Promise<QtsSession> | null = null;

  constructor(private readonly options: QtsClientOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'https:')
      throw new AppError('INVALID_INPUT', `QTS is reached over https only, not ${this.base.protocol}//.`);
    this.host = this.base.hostname.replace(/^\[(.*)\]$/, '$1');
    this.agent = pinnedAgent(this.host, options.pin, options.seen ?? {});
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Signs in now (device add: the 2-step code and "remember" apply to this login only). */
  login(options: LoginOptions = {}): Promise<QtsSession> {
    const attempt = this.signIn(options);
    this.current = attempt;
    attempt.catch(() => {
      if (this.current === attempt) this.current = null;
    });
    return attempt;
  }

  /** The shared session, signing in once for all callers that arrive together. */
  session(): Promise<QtsSession> {
    return this.current ?? this.login();
  }

  /** GET an XML CGI with the session id; an ended session signs in again once. */
  async xml(path: string, params: Record<string, string>): Promise<QDoc> {
    return this.withSession(path, params, (reply) => {
      const root = parseQDoc(reply.body, path);
      return { expired: root.authPassed === '0', value: new QDoc(root, path) };
    });
  }

  /** GET a JSON endpoint (File Station); its `status` 17 means the session ended, 4 means denied. */
  async json(path: string, params: Record<string, string>): Promise<unknown> {
    return this.withSession(path, params, (reply) => {
      const text = reply.body.trimStart();
      if (/^<(!doctype|html)/i.test(text)) throw badResponse(path, 'an HTML page instead of JSON');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badResponse(path, 'malformed JSON');
      }
      const status =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as { status?: unknown }).status
          : undefined;
      if (status === 4)
        throw new AppError('PERMISSION_DENIED', `${this.host} refused ${path}: permission denied.`, {
          fix: 'Sign in with an administrator account.',
        });
      return { expired: status === 17, value };
    });
  }

  /** Ends the session on the NAS (best effort) and closes the connections. */
  async logout(): Promise<void> {
    const current = this.current;
    this.current = null;
    try {
      const session = await current?.catch(() => null);
      if (session)
        await this.send('GET', '/cgi-bin/authLogout.cgi', { sid: session.sid }, undefined, LOGOUT_TIMEOUT_MS).catch(
          () => undefined,
        );
    } finally {
      this.agent.destroy();
    }
  }

  private async withSession<T>(
    path: string,
    params: Record<string, string>,
    read: (reply: HttpReply) => { expired: boolean; value: T },
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pending = this.session();
      const session = await pending;
      const reply = await this.send('GET', path, { ...params, sid: session.sid });
      if (reply.status !== 200) throw this.httpError(path, reply.status);
      const { expired, value } = read(reply);
      if (!expired) return value;
      if (attempt > 0)
        throw new AppError('AUTH_FAILED', `${this.host} ended the session again right after a new sign-in (${path}).`, {
          vendor: 'qnap',
          fix: 'Check that the account is still enabled and is an administrator.',
        });
      // Only the first caller to see the ended session replaces it; the others reuse the new one.
      if (this.current === pending) this.current = null;
    }
  }

  private async signIn(options: LoginOptions): Promise<QtsSession> {
    const creds = await this.options.credentials();
    if (creds.qtoken && !options.otp) {
      const viaToken = await this.postLogin({ user: creds.user, qtoken: creds.qtoken, remme: '1' });
      if (viaToken.authPassed === '1') return this.accept(viaToken, creds.user);
      // A forgotten or revoked token: fall back to the password (which may need the code again).
    }
    if (!creds.password)
      throw new AppError('AUTH_FAILED', `No password is stored for ${creds.user} on ${this.host}.`, {
        fix: 'Remove the device and add it again with --password-stdin.',
      });
    const form: Record<string, string> = { user: creds.user, pwd: ezEncode(creds.password) };
    if (options.remember) form.remme = '1';
    if (options.otp) form.security_code = options.otp;
    const root = await this.postLogin(form);
    if (root.authPassed === '1') return this.accept(root, creds.user);
    if (root.need_2sv === '1') {
      if (options.otp)
        throw new AppError('AUTH_FAILED', `${this.host} did not accept the 2-step verification code.`, {
          otpRequired: true,
          otpRejected: true,
          fix: 'Use the current code from the authenticator app; codes change every 30 seconds.',
        });
      throw new AppError('AUTH_FAILED', `The account ${creds.user} on ${this.host} uses 2-step verification.`, {
        otpRequired: true,
        fix: 'Add the device again with --otp CODE and --remember-device, so later sign-ins need no code.',
      });
    }
    if (root.pw_status === '1' || root.user_pw_expiry === '1')
      throw new AppError('AUTH_FAILED', `The password of ${creds.user} on ${this.host} has expired.`, {
        fix: 'Sign in to the QTS web page once, change the password, then add the device again.',
      });
    throw new AppError('AUTH_FAILED', `${this.host} did not accept the user name or password for ${creds.user}.`, {
      vendor: 'qnap',
      ...(typeof root.errorValue === 'string' ? { errorValue: root.errorValue } : {}),
    });
  }

  private accept(root: Record<string, unknown>, user: string): QtsSession {
    const sid = root.authSid;
    if (typeof sid !== 'string' || sid === '') throw badResponse(LOGIN, 'a successful sign-in without authSid');
    if (root.isAdmin !== '1')
      throw new AppError('PERMISSION_DENIED', `${user} on ${this.host} is not an administrator.`, {
        vendor: 'qnap',
        fix: 'Storage and disk information on QTS needs an administrator account: add the device with one.',
      });
    return { sid, user, ...(typeof root.qtoken === 'string' && root.qtoken ? { qtoken: root.qtoken } : {}) };
  }

  private async postLogin(form: Record<string, string>): Promise<Record<string, unknown>> {
    const reply = await this.send('POST', LOGIN, {}, { ...form, serviceKey: '1', client_app: 'Nasdeck' });
    if (reply.status !== 200) throw this.httpError(LOGIN, reply.status);
    return parseQDoc(reply.body, LOGIN);
  }

  private httpError(path: string, status: number): AppError {
    return new AppError('UNREACHABLE', `${this.host} answered HTTP ${status} for ${path}.`, {
      vendor: 'qnap',
      status,
      fix: 'Check that the address and port are those of the QTS web administration (HTTPS, 443 by default).',
    });
  }

  /** One HTTPS exchange with a deadline for the whole reply and a cap on its size. */
  private send(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    form?: Record<string, string>,
    timeoutMs = this.timeoutMs,
  ): Promise<HttpReply> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, reply?: HttpReply) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(reply!);
      };
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'text/xml, application/json',
            ...(body !== undefined
              ? {
                  'Content-Type': 'application/x-www-form-urlencoded',
                  'Content-Length': Buffer.byteLength(body),
                }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBytes) {
              req.destroy(badResponse(path, `a reply larger than ${this.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (err) => finish(this.networkError(path, err)));
          res.on('aborted', () => finish(this.networkError(path, new Error('the reply was cut off'))));
        },
      );
      const timer = setTimeout(() => {
        const err = new AppError('TIMEOUT', `${this.host} did not answer ${path} within ${timeoutMs} ms.`, {
          vendor: 'qnap',
        });
        finish(err);
        req.destroy(err);
      }, timeoutMs);
      timer.unref?.();
      req.on('error', (err) => finish(this.networkError(path, err)));
      req.end(body);
    });
  }

  private networkError(path: string, err: Error): AppError {
    if (err instanceof AppError) return err;
    return new AppError('UNREACHABLE', `Cannot reach ${this.host} (${path}): ${err.message}`, {
      vendor: 'qnap',
      host: this.host,
    });
  }
}
