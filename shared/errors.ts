// The error taxonomy every front door shows the same way. Core throws AppError (or a subclass);
// the wire carries { code, message, details }; the CLI maps codes to exit codes, the UI to words.

export const errorCodes = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNREACHABLE',
  'TIMEOUT',
  'AUTH_FAILED',
  'HOST_KEY_CHANGED',
  'HOST_KEY_UNKNOWN',
  'CERT_MISMATCH',
  'PERMISSION_DENIED',
  'NOT_SUPPORTED',
  'KEYCHAIN_UNAVAILABLE',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** Anything thrown becomes a WireError; unknown errors keep their message under INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof AppError) return err.toWire();
  if (typeof err === 'object' && err !== null && isErrorCode((err as { code?: unknown }).code)) {
    const e = err as WireError;
    return { code: e.code, message: String(e.message ?? e.code), ...(e.details ? { details: e.details } : {}) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}

/** Rebuild a typed error on the receiving side of a transport. */
export function fromWireError(wire: WireError): AppError {
  return new AppError(isErrorCode(wire.code) ? wire.code : 'INTERNAL', wire.message, wire.details);
}

/** Exit codes of ../shared/CLI.md: 0 ok, 1 unexpected, 2 invalid input, 3 unreachable/timeout,
 * 4 auth or host key / certificate, 5 not supported, 6 conflict. */
export const exitCodes: Record<ErrorCode, number> = {
  INVALID_INPUT: 2,
  NOT_FOUND: 2,
  CONFLICT: 6,
  UNREACHABLE: 3,
  TIMEOUT: 3,
  AUTH_FAILED: 4,
  HOST_KEY_CHANGED: 4,
  HOST_KEY_UNKNOWN: 4,
  CERT_MISMATCH: 4,
  PERMISSION_DENIED: 4,
  NOT_SUPPORTED: 5,
  KEYCHAIN_UNAVAILABLE: 5,
  CANCELLED: 1,
  INTERNAL: 1,
};

/** Plain words and the fix, shown by the UI and the CLI above the raw message. */
export const errorWords: Record<ErrorCode, { title: string; fix: string }> = {
  INVALID_INPUT: { title: 'That input is not valid', fix: 'Check the highlighted value and try again.' },
  NOT_FOUND: { title: 'Not found', fix: 'Check the name; `nasdeck device list` shows what is known.' },
  CONFLICT: {
    title: 'Already exists or busy',
    fix: 'Use the existing entry or another name, or wait for the running operation to finish.',
  },
  UNREACHABLE: {
    title: 'The NAS cannot be reached',
    fix: 'Check that it is on and on the same network, then retry.',
  },
  TIMEOUT: { title: 'The NAS did not answer in time', fix: 'It may be busy or asleep; retry, or wake it.' },
  AUTH_FAILED: { title: 'Sign-in failed', fix: 'Check the user name and password (or key) and try again.' },
  HOST_KEY_CHANGED: {
    title: "The NAS's identity changed",
    fix: 'If the NAS was reinstalled, remove and re-add it; otherwise someone may be intercepting the connection.',
  },
  HOST_KEY_UNKNOWN: {
    title: 'First connection to this NAS',
    fix: 'Compare the fingerprint with the one the NAS shows, then accept it.',
  },
  CERT_MISMATCH: {
    title: "The NAS's certificate changed",
    fix: 'If you replaced the certificate, confirm the new fingerprint; otherwise do not continue.',
  },
  PERMISSION_DENIED: { title: 'Not allowed', fix: 'Sign in with an administrator account.' },
  NOT_SUPPORTED: { title: 'Not supported here', fix: 'See the details for what to install or enable.' },
  KEYCHAIN_UNAVAILABLE: {
    title: 'The system keychain is not available',
    fix: 'Unlock or start your keychain (Secret Service on Linux); Nasdeck never stores passwords in plain text.',
  },
  CANCELLED: { title: 'Cancelled', fix: '' },
  INTERNAL: { title: 'Something went wrong', fix: 'Retry; if it keeps happening, report it with the details.' },
};
