import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCore } from '../core/api';
import { MemoryVault } from '../core/secrets/vault';
import type { ServerMessage } from '../../shared/transport';
import { startWebHost, type WebHost } from './server';

let host: WebHost;

beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'nasdeck-web-'));
  const staticDir = join(base, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Nasdeck</title>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'outside');
  host = await startWebHost({
    core: createCore({ configDir: join(base, 'config'), vault: new MemoryVault() }),
    staticDir,
  });
});
afterEach(() => host.close());

function connect(query: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, predicate: (m: ServerMessage) => boolean): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (predicate(msg)) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
  });
}

function get(path: string, hostHeader?: string): Promise<{ status: number; body: string; csp?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, headers: hostHeader ? { host: hostHeader } : {} },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body, csp: res.headers['content-security-policy'] as string }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode web host', () => {
  it('binds to 127.0.0.1 and prints a tokenized URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('serves calls and pushes events to a client with the token and our Origin', async () => {
    const ws = await connect(`?token=${host.token}`, host.origin);
    const event = nextMessage(ws, (m) => m.type === 'event' && m.event === 'devices.changed');
    const result = nextMessage(ws, (m) => m.type === 'result' && m.id === 7);
    ws.send(JSON.stringify({ type: 'call', id: 7, method: 'devices.add', params: { host: '127.0.0.1', name: 'lab' } }));
    expect(await result).toMatchObject({ envelope: { ok: true, value: { name: 'lab', host: '127.0.0.1' } } });
    expect(await event).toMatchObject({ payload: { devices: [{ name: 'lab' }] } });

    const invalid = nextMessage(ws, (m) => m.type === 'result' && m.id === 8);
    ws.send(JSON.stringify({ type: 'call', id: 8, method: 'devices.add', params: { host: '' } }));
    expect(await invalid).toMatchObject({ envelope: { ok: false, error: { code: 'INVALID_INPUT' } } });
    ws.close();
  });

  it('refuses a WebSocket without the token, with a wrong token, or from a foreign Origin', async () => {
    await expect(connect('', host.origin)).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${'0'.repeat(48)}`, host.origin)).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${host.token}x`, host.origin)).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${host.token}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${host.token}`, `http://127.0.0.1:${host.port + 1}`)).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${host.token}`, undefined)).rejects.toThrow('HTTP 403');
  });

  it('closes a connection that sends garbage, without crashing', async () => {
    const ws = await connect(`?token=${host.token}`, host.origin);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('{not json');
    expect(await closed).toBe(1007);
    const again = await connect(`?token=${host.token}`, host.origin);
    again.close();
  });

  it('serves the renderer with a CSP, and nothing outside it', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Nasdeck</title>');
    expect(index.csp).toContain("script-src 'self'");
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/', 'attacker.example:80')).status).toBe(403);
  });
});
