// Unauthenticated HTTP(S) fingerprint reads of a found host: the one public page each vendor's web
// API answers without a login (vendor-apis.md §A.2, §B.1/§B.5, §C.1/§C.2). No credentials are ever
// sent. Rules are data, tried in order, each tested on its own against a real local server.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import type { Vendor } from '../../../shared/domain';
import { cleanText } from './sighting';

/** Web UI ports worth asking, and the scheme each vendor uses there (DSM 5000/5001, QTS 8080/443, TrueNAS 80/443). */
export const HTTP_FINGERPRINT_PORTS: Readonly<Record<number, 'http' | 'https'>> = {
  5000: 'http',
  5001: 'https',
  8080: 'http',
  80: 'http',
  443: 'https',
};

/** An answer is a small JSON or XML document; anything past this is not one of them. */
export const MAX_FINGERPRINT_BODY = 64 * 1024;

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface HttpFacts {
  vendor: Vendor;
  model?: string;
  osVersion?: string;
}

export interface HttpFingerprintRule {
  name: string;
  vendor: Vendor;
  /** The unauthenticated page to GET. */
  path: string;
  /** What the answer says about the box, or null when it is not this vendor's answer. */
  read(answer: HttpAnswer): Omit<HttpFacts, 'vendor'> | null;
}

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const text = (v: unknown): string | undefined => {
  const s = typeof v === 'string' || typeof v === 'number' ? cleanText(String(v), 64) : '';
  return s || undefined;
};

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false });

export const httpFingerprintRules: HttpFingerprintRule[] = [
  {
    // §A.2: SYNO.API.Info answers without a session. SYNO.API.Auth's maxVersion tells the DSM major:
    // 7 on DSM 7 (entry.cgi), 6 on DSM 6 (auth.cgi), 4 or less on DSM 5.
    name: 'Synology DSM SYNO.API.Info (query.cgi)',
    vendor: 'synology',
    path: '/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=SYNO.API.Auth',
    read: ({ status, body }) => {
      const doc = json(body) as { success?: unknown; data?: Record<string, { maxVersion?: unknown }> } | undefined;
      const auth = doc?.success === true ? doc.data?.['SYNO.API.Auth'] : undefined;
      if (!auth || status !== 200 || typeof auth.maxVersion !== 'number') return null;
      const major = auth.maxVersion >= 7 ? 7 : auth.maxVersion >= 5 ? 6 : 5;
      return { osVersion: `DSM ${major}` };
    },
  },
  {
    // §B.1/§B.3: TrueNAS 25.04+ lists its JSON-RPC API versions, e.g. ["v25.04.0","v25.04.1","v25.10.0"];
    // the newest is the release it runs.
    name: 'TrueNAS /api/versions',
    vendor: 'truenas',
    path: '/api/versions',
    read: ({ status, body }) => {
      const doc = json(body);
      if (status !== 200 || !Array.isArray(doc) || doc.length === 0 || doc.length > 64) return null;
      const versions = doc.map((v) => (typeof v === 'string' ? /^v(\d+)\.(\d+)(?:\.\d+)*$/.exec(v) : null));
      if (versions.some((v) => !v)) return null;
      const newest = versions
        .map((v) => [Number(v![1]), Number(v![2])] as const)
        .sort((a, b) => b[0] - a[0] || b[1] - a[1])[0]!;
      return { osVersion: `TrueNAS ${newest[0]}.${String(newest[1]).padStart(2, '0')}` };
    },
  },
  {
    // §B.5: older releases (CORE 13, SCALE ≤ 24.10) have no /api/versions; REST's system/version
    // answers a JSON string like system.info's "TrueNAS-SCALE-25.04.2.6" (§B.6.2), or 401 where it
    // needs a login (the reference does not say which releases answer it without one).
    name: 'TrueNAS /api/v2.0/system/version',
    vendor: 'truenas',
    path: '/api/v2.0/system/version',
    read: ({ status, body }) => {
      const doc = json(body);
      if (status !== 200 || typeof doc !== 'string' || !/^(TrueNAS|FreeNAS)-/.test(doc)) return null;
      return { osVersion: text(doc.replace(/^(TrueNAS|FreeNAS)-/, '$1 ').replace(/-(?=\d)/, ' ')) };
    },
  },
  {
    // §C.1/§C.2: QTS answers every CGI with a <QDocRoot> document; without credentials authLogin.cgi
    // says authPassed=0. The common header (§C.3), when present, names the model and firmware.
    name: 'QNAP QTS authLogin.cgi',
    vendor: 'qnap',
    path: '/cgi-bin/authLogin.cgi',
    read: ({ status, body }) => {
      if (status !== 200 || !/<QDocRoot[\s>]/.test(body)) return null;
      let doc: { QDocRoot?: Record<string, unknown> };
      try {
        doc = xml.parse(body) as typeof doc;
      } catch {
        return null;
      }
      const root = doc.QDocRoot;
      if (!root || typeof root !== 'object') return null;
      const model = (root.model ?? {}) as Record<string, unknown>;
      const fw = (root.firmware ?? {}) as Record<string, unknown>;
      const name = text(model.displayModelName) ?? text(model.modelName);
      const version = text(fw.version);
      const flavour = text(fw.name) ?? (text(model.is_zfs) === '1' ? 'QuTS hero' : 'QTS');
      const build = text(fw.build);
      return {
        ...(name ? { model: name } : {}),
        ...(version ? { osVersion: `${flavour} ${version}${build ? ` (${build})` : ''}` } : {}),
      };
    },
  },
];

export interface HttpGetOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Discovery stopped: drop the request at once. */
  signal?: AbortSignal;
}

/**
 * One GET with a hard deadline and a body cap; null on any failure. HTTPS does not verify the
 * certificate: this is an unauthenticated fingerprint read (no credentials, no cookies, nothing
 * acted on but a vendor name in the discovery list), NAS certificates are self-signed, and the
 * trust decision is made later by the pinned certificate (remote/tls.ts) when the user adds it.
 */
export function httpGet(
  host: string,
  port: number,
  scheme: 'http' | 'https',
  path: string,
  { timeoutMs = 1500, maxBytes = MAX_FINGERPRINT_BODY, signal }: HttpGetOptions = {},
): Promise<HttpAnswer | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(null);
    let settled = false;
    const finish = (answer: HttpAnswer | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(answer);
    };
    const options = {
      host: host.replace(/^\[|\]$/g, ''),
      port,
      path,
      method: 'GET',
      headers: { Accept: 'application/json, text/xml, */*', 'User-Agent': 'Nasdeck-discovery' },
      agent: false as const,
    };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return finish(null);
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', () => finish(null));
    };
    const req =
      scheme === 'https'
        ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse)
        : httpRequest(options, onResponse);
    req.on('error', () => finish(null));
    const onAbort = () => finish(null);
    signal?.addEventListener('abort', onAbort);
    const deadline = setTimeout(() => finish(null), timeoutMs);
    req.end();
  });
}

export interface FingerprintHostOptions extends HttpGetOptions {
  rules?: readonly HttpFingerprintRule[];
}

/** Tries each rule on one port, first match wins; null when no rule recognises the answers. */
export async function fingerprintHttp(
  host: string,
  port: number,
  scheme: 'http' | 'https' = HTTP_FINGERPRINT_PORTS[port] ?? 'http',
  { rules = httpFingerprintRules, ...options }: FingerprintHostOptions = {},
): Promise<(HttpFacts & { rule: string }) | null> {
  for (const rule of rules) {
    if (options.signal?.aborted) return null;
    const answer = await httpGet(host, port, scheme, rule.path, options);
    if (answer === null && rule === rules[0]) return null; // nothing answers there at all: don't ask again
    const facts = answer && rule.read(answer);
    if (facts) return { vendor: rule.vendor, rule: rule.name, ...facts };
  }
  return null;
}
