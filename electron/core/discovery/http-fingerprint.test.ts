// The web API fingerprint rules against real HTTP(S) servers on 127.0.0.1 that answer the response
// shapes documented in shared/reference/vendor-apis.md (sections named per fixture below).
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../e2e/support/self-signed';
import { EventBus } from '../events';
import { fingerprintHttp, httpFingerprintRules, httpGet, MAX_FINGERPRINT_BODY } from './http-fingerprint';
import { Discovery } from './index';
import type { DiscoverySource, Sighting } from './sighting';

// §A.2 (PYSYNO dsm_7 / dsm_6 api_info fixtures, the SYNO.API.Auth entry)
const DSM7_INFO = { success: true, data: { 'SYNO.API.Auth': { maxVersion: 7, minVersion: 1, path: 'entry.cgi' } } };
const DSM6_INFO = { success: true, data: { 'SYNO.API.Auth': { maxVersion: 6, minVersion: 1, path: 'auth.cgi' } } };
// §B.3 example list
const TRUENAS_VERSIONS = ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0'];
// §C.7.1 failure document, as QTS answers authLogin.cgi without credentials
const QTS_DENIED =
  '<QDocRoot version="1.0"><authPassed><![CDATA[0]]></authPassed><errorValue><![CDATA[-1]]></errorValue></QDocRoot>';
// §C.3 common header (model + firmware), CDATA and bare text mixed as QTS sends them
const QTS_WITH_HEADER =
  '<?xml version="1.0" encoding="UTF-8" ?>\n<QDocRoot version="1.0"><model><modelName><![CDATA[TS-X77U]]></modelName>' +
  '<internalModelName/><platform/><displayModelName><![CDATA[TS-1677XU-RP]]></displayModelName><storage_v2>1</storage_v2>' +
  '<is_zfs><![CDATA[0]]></is_zfs></model><firmware><name>QTS</name><version>5.2.6</version><number>3195</number>' +
  '<build>20250715</build><patch>0</patch><buildTime>2025/07/15</buildTime></firmware><hostname>QNAP06</hostname>' +
  '<authPassed><![CDATA[0]]></authPassed></QDocRoot>';

type Route = Record<string, { status?: number; type?: string; body: string }>;
const servers: Server[] = [];
const requests: IncomingMessage[] = [];

async function serve(routes: Route, tls = false): Promise<number> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    const route = routes[req.url ?? ''] ?? routes['*'];
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
      return;
    }
    res.writeHead(route.status ?? 200, { 'Content-Type': route.type ?? 'application/json' }).end(route.body);
  };
  const server = tls ? createHttps(selfSigned(), handler) : createHttp(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  requests.length = 0;
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections?.();
      return new Promise<void>((r) => s.close(() => r()));
    }),
  );
});

const DSM_PATH = httpFingerprintRules[0]!.path;
const json = (v: unknown) => ({ body: JSON.stringify(v) });

describe('web API fingerprint rules', () => {
  it('DSM 7 and DSM 6 answer SYNO.API.Info without a session', async () => {
    const dsm7 = await serve({ [DSM_PATH]: json(DSM7_INFO) });
    expect(await fingerprintHttp('127.0.0.1', dsm7, 'http')).toEqual({
      vendor: 'synology',
      rule: 'Synology DSM SYNO.API.Info (query.cgi)',
      osVersion: 'DSM 7',
    });
    const dsm6 = await serve({ [DSM_PATH]: json(DSM6_INFO) });
    expect(await fingerprintHttp('127.0.0.1', dsm6, 'http')).toMatchObject({ vendor: 'synology', osVersion: 'DSM 6' });
  });

  it('DSM over HTTPS with its self-signed certificate (port 5001)', async () => {
    const port = await serve({ [DSM_PATH]: json(DSM7_INFO) }, true);
    expect(await fingerprintHttp('127.0.0.1', port, 'https')).toMatchObject({ vendor: 'synology' });
  });

  it('TrueNAS 25.04+ lists its API versions; the newest names the release', async () => {
    const port = await serve({ '/api/versions': json(TRUENAS_VERSIONS) });
    expect(await fingerprintHttp('127.0.0.1', port, 'http')).toEqual({
      vendor: 'truenas',
      rule: 'TrueNAS /api/versions',
      osVersion: 'TrueNAS 25.10',
    });
  });

  it('older TrueNAS: REST system/version when it answers without a login', async () => {
    // §B.6.2: system.info's "version" string, which system.version returns alone
    const port = await serve({ '/api/v2.0/system/version': json('TrueNAS-SCALE-25.04.2.6') });
    expect(await fingerprintHttp('127.0.0.1', port, 'http')).toMatchObject({
      vendor: 'truenas',
      osVersion: 'TrueNAS SCALE 25.04.2.6',
    });
    // 401 with the plain-text refusal (§B.2) names nobody
    const locked = await serve({
      '/api/v2.0/system/version': { status: 401, type: 'text/plain', body: 'Bad username or password' },
    });
    expect(await fingerprintHttp('127.0.0.1', locked, 'http')).toBeNull();
  });

  it('QTS authLogin.cgi: a QDocRoot names QNAP, the common header gives model and firmware', async () => {
    const bare = await serve({ '/cgi-bin/authLogin.cgi': { type: 'text/xml', body: QTS_DENIED } });
    expect(await fingerprintHttp('127.0.0.1', bare, 'http')).toEqual({
      vendor: 'qnap',
      rule: 'QNAP QTS authLogin.cgi',
    });
    const full = await serve({ '/cgi-bin/authLogin.cgi': { type: 'text/xml', body: QTS_WITH_HEADER } });
    expect(await fingerprintHttp('127.0.0.1', full, 'http')).toMatchObject({
      vendor: 'qnap',
      model: 'TS-1677XU-RP',
      osVersion: 'QTS 5.2.6 (20250715)',
    });
  });

  it('a plain web server, a DSM error envelope or garbage name nobody', async () => {
    const plain = await serve({});
    expect(await fingerprintHttp('127.0.0.1', plain, 'http')).toBeNull();
    const liar = await serve({
      [DSM_PATH]: json({ success: false, error: { code: 102 } }),
      '/api/versions': json(['v25.10.0', '<script>']),
      '/api/v2.0/system/version': json({ version: 'TrueNAS-SCALE-24.10' }),
      '/cgi-bin/authLogin.cgi': { type: 'text/xml', body: '<QDocRoot><model><<<' },
    });
    expect(await fingerprintHttp('127.0.0.1', liar, 'http')).toBeNull();
  });

  it('never sends credentials: plain GETs with no Authorization or Cookie header', async () => {
    const port = await serve({});
    await fingerprintHttp('127.0.0.1', port, 'http');
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(httpFingerprintRules.map((r) => `GET ${r.path}`));
    for (const r of requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers.cookie).toBeUndefined();
    }
  });
});

describe('httpGet', () => {
  it('gives up on an oversized body, a server that never answers, and a closed port', async () => {
    const big = await serve({ '*': { body: 'x'.repeat(MAX_FINGERPRINT_BODY + 1) } });
    expect(await httpGet('127.0.0.1', big, 'http', '/')).toBeNull();
    const silent = createHttp(() => undefined); // accepts, never responds
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    expect(await httpGet('127.0.0.1', silentPort, 'http', '/', { timeoutMs: 200 })).toBeNull();
    // discovery stopping aborts a read in flight (else this one would wait its full minute)
    const stop = new AbortController();
    const pending = httpGet('127.0.0.1', silentPort, 'http', '/', { timeoutMs: 60_000, signal: stop.signal });
    setTimeout(() => stop.abort(), 50);
    expect(await pending).toBeNull();
    // the silent server's port, now closed
    await new Promise<void>((r) => {
      silent.closeAllConnections();
      silent.close(() => r());
    });
    servers.splice(servers.indexOf(silent), 1);
    expect(await httpGet('127.0.0.1', silentPort, 'http', '/')).toBeNull();
  });
});

describe('Discovery web API enrichment', () => {
  it('names the vendor and model of a host found on a web port, once, and never keeps it alive alone', async () => {
    const port = await serve({ '/cgi-bin/authLogin.cgi': { type: 'text/xml', body: QTS_WITH_HEADER } });
    let emit: (s: Sighting) => void = () => undefined;
    const source: DiscoverySource = {
      name: 'mdns',
      start: async (cb) => void (emit = cb),
      stop: async () => undefined,
    };
    const events = new EventBus();
    const updated = new Promise<void>((resolve) =>
      events.on('discovery.deviceUpdated', (d) => d.vendor === 'qnap' && resolve()),
    );
    const discovery = new Discovery(events, { sources: () => [source], httpPorts: { [port]: 'http' } });
    await discovery.start();
    const sighting: Sighting = {
      source: 'mdns',
      key: 'qnap.local',
      hostname: 'qnap.local',
      addresses: ['127.0.0.1'],
      services: [{ type: '_http._tcp', port }],
      ttl: 120,
    };
    emit(sighting);
    await updated;
    expect(discovery.list()).toMatchObject([
      { name: 'qnap', vendor: 'qnap', model: 'TS-1677XU-RP', osVersion: 'QTS 5.2.6 (20250715)' },
    ]);
    emit({ ...sighting, ttl: 60 }); // seen again: not asked again
    expect(requests.filter((r) => r.url === '/cgi-bin/authLogin.cgi')).toHaveLength(1);
    emit({ ...sighting, addresses: [], services: [], ttl: 0 }); // goodbye: the web read alone keeps nothing
    expect(discovery.list()).toEqual([]);
    await discovery.stop();
  });

  it('a --probe finds the open web port and waits for its read before returning', async () => {
    const port = await serve({ [DSM_PATH]: json(DSM7_INFO) });
    const discovery = new Discovery(new EventBus(), {
      sources: () => [],
      httpPorts: { [port]: 'http' },
      probePorts: [port],
    });
    await discovery.probe(['127.0.0.1']);
    expect(discovery.list()[0]).toMatchObject({ vendor: 'synology', osVersion: 'DSM 7' });
    await discovery.stop();
  });
});
