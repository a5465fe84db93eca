// TrueNAS failures as typed errors: JSON-RPC error objects (CallError errno + errname), REST status
// codes, job failures, and replies Nasdeck cannot read. Messages never carry a secret: only the
// method name and TrueNAS's own reason.
import { AppError, type ErrorCode } from '../../../../shared/errors';

/** errno values middlewared puts in `data.error` (TNCLIENT exc.py, TNMW CallError). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOTAUTHENTICATED: 207,
} as const;

export const RATE_LIMIT_COOLDOWN_MS = 10 * 60_000;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: { error?: unknown; errname?: unknown; reason?: unknown; extra?: unknown } | null;
}

export function isRpcErrorObject(value: unknown): value is RpcErrorObject {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number';
}

function codeForErrno(errno: number, errname: string): ErrorCode {
  if (errno === ERRNO.EACCES || errno === ERRNO.EPERM || errname === 'EACCES' || errname === 'EPERM')
    return 'PERMISSION_DENIED';
  if (errno === ERRNO.ENOENT || errname === 'ENOENT') return 'NOT_FOUND';
  if (errno === ERRNO.EEXIST || errname === 'EEXIST' || errno === ERRNO.EBUSY || errname === 'EBUSY') return 'CONFLICT';
  if (errno === ERRNO.EINVAL || errname === 'EINVAL') return 'INVALID_INPUT';
  if (errno === ERRNO.ENOTAUTHENTICATED) return 'AUTH_FAILED';
  return 'INTERNAL';
}

const text = (v: unknown, max = 500) => (typeof v === 'string' ? v.slice(0, max) : '');

/** A JSON-RPC error object from `method` → AppError with TrueNAS's reason. */
export function rpcError(method: string, err: RpcErrorObject): AppError {
  const errno = typeof err.data?.error === 'number' ? err.data.error : 0;
  const errname = text(err.data?.errname, 40);
  const reason = text(err.data?.reason) || text(err.message) || 'no reason given';
  const details: Record<string, unknown> = { vendor: 'truenas', method, rpcCode: err.code };
  if (errname) details.errname = errname;
  if (Array.isArray(err.data?.extra)) details.extra = err.data.extra.slice(0, 20);
  if (err.code === -32601) return new AppError('NOT_SUPPORTED', `This TrueNAS has no ${method} method.`, details);
  if (err.code === -32602)
    return new AppError('INVALID_INPUT', `TrueNAS refused the parameters of ${method}: ${reason}`, details);
  if (err.code === -32000) return new AppError('CONFLICT', `TrueNAS is busy: ${reason}`, details);
  const code = codeForErrno(errno, errname);
  if (code === 'PERMISSION_DENIED')
    return new AppError('PERMISSION_DENIED', `${method} needs an administrator account on TrueNAS: ${reason}`, {
      ...details,
      fix: 'Add the device with a user that has the Full Admin role (or an API key of such a user).',
    });
  return new AppError(code, `TrueNAS ${method} failed: ${reason}`, details);
}

export function rateLimited(host: string, retryAfterMs: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return new AppError(
    'AUTH_FAILED',
    `TrueNAS at ${host} refuses sign-ins from this computer after too many attempts; try again in ${minutes} minute(s).`,
    {
      vendor: 'truenas',
      rateLimited: true,
      retryAfterSeconds: Math.ceil(retryAfterMs / 1000),
      fix: 'Wait for the lock-out to end; check the password or API key before retrying.',
    },
  );
}

/** A reply that is not what the API documents (truncated, wrong types, an HTML page…). */
export function badReply(what: string, why: string, excerpt?: unknown): AppError {
  let sample = '';
  if (typeof excerpt === 'string') sample = excerpt;
  else if (excerpt !== undefined) {
    try {
      sample = JSON.stringify(excerpt) ?? '';
    } catch {
      sample = String(excerpt);
    }
  }
  return new AppError('INTERNAL', `Could not parse TrueNAS ${what} reply: ${why}`, {
    vendor: 'truenas',
    excerpt: sample.slice(0, 200).replace(/[^\x20-\x7e]/g, '?'),
  });
}

/** A job that ended FAILED or ABORTED. */
export function jobError(method: string, job: { state: string; error?: unknown; exc_info?: unknown }): AppError {
  if (job.state === 'ABORTED') return new AppError('CANCELLED', `TrueNAS ${method} was aborted.`);
  const info = (typeof job.exc_info === 'object' && job.exc_info !== null ? job.exc_info : {}) as {
    errno?: unknown;
    type?: unknown;
  };
  const errno = typeof info.errno === 'number' ? info.errno : 0;
  const code = codeForErrno(errno, '');
  return new AppError(
    code === 'AUTH_FAILED' ? 'INTERNAL' : code,
    `TrueNAS ${method} failed: ${text(job.error) || 'no reason given'}`,
    {
      vendor: 'truenas',
      method,
      ...(typeof info.type === 'string' ? { errorType: info.type } : {}),
    },
  );
}
