// TLS to a NAS: self-signed certificates are normal there, so trust is a pinned SHA-256 of the
// certificate (shown to the user like an SSH host key), checked per connection before a single
// byte of the request leaves. Verification is never turned off globally.
import { createHash } from 'node:crypto';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { AppError } from '../../../shared/errors';

/** `SHA256:` + base64 of the DER certificate's SHA-256, the same form as SSH fingerprints. */
export function certFingerprint(der: Buffer): string {
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

export interface TlsPin {
  /** The pinned certificate; absent on first contact. */
  certSha256?: string;
  /** First contact only: accept the certificate the NAS shows (the user confirmed its fingerprint). */
  acceptNewCert?: boolean;
}

/** What the server showed, filled in after the handshake (so a first contact can be pinned). */
export interface SeenCert {
  certSha256?: string;
}

function check(host: string, pin: TlsPin, der: Buffer, seen: SeenCert): AppError | null {
  const actual = certFingerprint(der);
  seen.certSha256 = actual;
  if (pin.certSha256) {
    if (pin.certSha256 === actual) return null;
    return new AppError(
      'CERT_MISMATCH',
      `The TLS certificate of ${host} changed: expected ${pin.certSha256}, got ${actual}.`,
      { host, expected: pin.certSha256, actual },
    );
  }
  if (pin.acceptNewCert) return null;
  return new AppError(
    'CERT_MISMATCH',
    `The TLS certificate of ${host} is not trusted yet. Its fingerprint is ${actual}; compare it with the one the NAS shows, then accept it.`,
    { host, actual, firstContact: true },
  );
}

/**
 * An https.Agent whose sockets are handed to the request only once the certificate matches the
 * pin. Works for https.request, fetch-like helpers built on it, and `ws` (its `agent` option).
 */
export function pinnedAgent(host: string, pin: TlsPin, seen: SeenCert = {}, options: AgentOptions = {}): Agent {
  const agent = new Agent({ keepAlive: true, ...options });
  type Callback = (err: Error | null, socket?: Duplex) => void;
  (agent as unknown as { createConnection: unknown }).createConnection = (
    opts: tls.ConnectionOptions,
    callback: Callback,
  ) => {
    // The chain is not anchored in a CA (self-signed); the pin below is the trust decision.
    const socket = tls.connect({ ...opts, rejectUnauthorized: false });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) {
        socket.destroy();
        callback(err);
      } else callback(null, socket);
    };
    socket.once('secureConnect', () => {
      const der = socket.getPeerCertificate(false)?.raw;
      settle(der ? check(host, pin, der, seen) : new AppError('CERT_MISMATCH', `${host} showed no certificate.`));
    });
    socket.once('error', (err) => settle(err));
    return undefined;
  };
  return agent;
}

/** Connects, reads the certificate, and closes without sending anything: for the first-contact prompt. */
export function peekCertificate(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AppError('TIMEOUT', `${host}:${port} did not finish a TLS handshake within ${timeoutMs} ms.`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const der = socket.getPeerCertificate(false)?.raw;
      socket.destroy();
      if (der) resolve(certFingerprint(der));
      else reject(new AppError('CERT_MISMATCH', `${host} showed no certificate.`));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new AppError('UNREACHABLE', `Cannot reach ${host}:${port} over TLS: ${err.message}`, { host, port }));
    });
  });
}
