import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../e2e/support/self-signed';
import { certFingerprint, peekCertificate, pinnedAgent, type SeenCert, type TlsPin } from './tls';

let server: Server;
let port: number;
let expected: string;
const received: string[] = [];

beforeAll(async () => {
  const { key, cert } = selfSigned();
  expected = certFingerprint(new X509Certificate(cert).raw);
  server = createServer({ key, cert }, (req, res) => {
    received.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(pin: TlsPin, path: string, seen: SeenCert = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const agent = pinnedAgent('127.0.0.1', pin, seen);
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        agent.destroy();
        resolve(body);
      });
    });
    req.on('error', (err) => {
      agent.destroy();
      reject(err);
    });
    req.end();
  });
}

describe('pinned TLS', () => {
  it('peeks the certificate fingerprint without sending a request', async () => {
    expect(await peekCertificate('127.0.0.1', port)).toBe(expected);
    expect(received).toEqual([]);
  });

  it('talks to a server whose certificate matches the pin', async () => {
    expect(await get({ certSha256: expected }, '/pinned')).toBe('ok');
  });

  it('refuses an unknown certificate on first contact, before the request leaves, and reports its fingerprint', async () => {
    const seen: SeenCert = {};
    await expect(get({}, '/first', seen)).rejects.toMatchObject({
      code: 'CERT_MISMATCH',
      details: { actual: expected },
    });
    expect(seen.certSha256).toBe(expected);
    expect(received).not.toContain('/first');
  });

  it('accepts a new certificate only when asked to', async () => {
    expect(await get({ acceptNewCert: true }, '/accepted')).toBe('ok');
  });

  it('refuses a changed certificate and never sends the request', async () => {
    const other = `SHA256:${'A'.repeat(43)}`;
    await expect(get({ certSha256: other }, '/changed')).rejects.toMatchObject({
      code: 'CERT_MISMATCH',
      details: { expected: other, actual: expected },
    });
    expect(received).not.toContain('/changed');
  });
});
