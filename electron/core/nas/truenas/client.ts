// One authenticated TrueNAS client per device: JSON-RPC 2.0 over WebSocket on 25.04 and later, REST
// v2.0 on CORE 13 / SCALE ≤ 24.10, picked by `GET /api/versions`. Both speak "method + positional
// params" to the adapter, so only versions.ts knows how the two differ.
import { AppError } from '../../../../shared/errors';
import type { SeenCert, TlsPin } from '../../remote/tls';
import { RATE_LIMIT_COOLDOWN_MS, rateLimited } from './errors';
import type { ApiProfile } from './versions';

export interface Endpoint {
  host: string;
  port: number;
  /** wss:// / https:// (false: ws:// / http://, never with an API key). */
  secure: boolean;
  /** The WebSocket path: /api/current or a pinned /api/v25.04.2. */
  wsPath: string;
}

export interface Credentials {
  /** Optional with an API key (the key names its user); required with a password. */
  username?: string;
  password?: string;
  apiKey?: string;
  /** A one-time code for an account with two-factor authentication. */
  otp?: string;
}

export interface ClientOptions {
  endpoint: Endpoint;
  credentials: Credentials;
  pin: TlsPin;
  /** Filled with the certificate the NAS showed (to pin it on first contact). */
  seen?: SeenCert;
  callTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How often a running job is polled when no job event arrives. */
  jobPollMs?: number;
  /** Larger replies are refused (a runaway or hostile answer cannot fill memory). */
  maxPayloadBytes?: number;
}

export const DEFAULTS = {
  callTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  jobPollMs: 1000,
  maxPayloadBytes: 32 * 1024 * 1024,
};

export interface JobWatch {
  signal?: AbortSignal;
  progress?(fraction: number | null, message?: string): void;
}

export interface TrueNasClient {
  readonly transport: 'jsonrpc' | 'rest';
  readonly profile: ApiProfile;
  /** Roles of the signed-in user (FULL_ADMIN, READONLY_ADMIN…); empty where the API does not say. */
  readonly roles: string[];
  /** True when this login needed a one-time code (later sessions then need an API key). */
  readonly usedOtp: boolean;
  call(method: string, params?: unknown[], options?: { timeoutMs?: number }): Promise<unknown>;
  /** Waits for a job to end, forwarding its progress; resolves with its result. */
  followJob(method: string, id: number, watch?: JobWatch): Promise<unknown>;
  /** How a call reads in a --dry-run plan (secrets as ***). */
  describe(method: string, params: unknown[]): string;
  close(): Promise<void>;
}

const SECRET_KEYS = new Set(['password', 'secret', 'peersecret', 'api_key', 'otp_token', 'key']);

/** A deep copy with every secret-bearing field shown as ***. */
export function redactParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactParams);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== '' && v != null ? '***' : redactParams(v)]),
  );
}

export const hostLabel = (e: Endpoint) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;

/** A refusal made before anything is sent: TrueNAS revokes an API key that arrives without TLS. */
export function refusePlainApiKey(options: ClientOptions): void {
  if (options.credentials.apiKey && !options.endpoint.secure)
    throw new AppError(
      'INVALID_INPUT',
      `Refusing to send the TrueNAS API key to ${hostLabel(options.endpoint)} without TLS: TrueNAS revokes a key that arrives over plain ws:// or http://.`,
      { vendor: 'truenas', fix: 'Add the device with a wss:// or https:// address (and pin its certificate).' },
    );
}

// Sign-in lock-outs per NAS: after TrueNAS says "too many attempts", no further sign-in is sent
// from this process until the cool-down is over (retrying would only extend it).
const lockouts = new Map<string, number>();

export function checkLockout(endpoint: Endpoint): void {
  const until = lockouts.get(hostLabel(endpoint));
  if (until === undefined) return;
  if (until <= Date.now()) lockouts.delete(hostLabel(endpoint));
  else throw rateLimited(hostLabel(endpoint), until - Date.now());
}

export function noteLockout(endpoint: Endpoint): AppError {
  lockouts.set(hostLabel(endpoint), Date.now() + RATE_LIMIT_COOLDOWN_MS);
  return rateLimited(hostLabel(endpoint), RATE_LIMIT_COOLDOWN_MS);
}

/** For tests: forget lock-outs (a fresh emulator is a fresh NAS). */
export function clearLockouts(): void {
  lockouts.clear();
}
