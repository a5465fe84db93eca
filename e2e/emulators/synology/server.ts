// A Synology DSM 6/7 Web API emulator: real HTTPS on 127.0.0.1 with a self-signed certificate,
// /webapi/{query,entry,auth}.cgi dispatching on api/method/version exactly as the reference
// (/work/shared/reference/vendor-apis.md A.1–A.12, E.1) describes: HTTP 200 with the
// {success,data|error} envelope, SYNO.API.Info paths and versions per DSM mode, sessions with
// _sid or cookie plus X-SYNO-TOKEN, requestFormat JSON parameters (quoted or bare), and the
// error paths (wrong password, 2-step verification, blocked IP, expired session, non-admin).
// Every request is recorded so tests can assert what was (not) sent.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { selfSigned, type SelfSigned } from '../../support/self-signed';
import { DsmModel, nfsRule, type DsmMode, type NfsRule, type Session, type SharedFolder } from './model';

type Params = Record<string, unknown>;

interface ApiDef {
  path: string;
  minVersion: number;
  maxVersion: number;
  json: boolean;
  /** Methods available only in a version range (reference A.2: some methods need an older version). */
  methods: Record<string, { min?: number; max?: number; run: Handler }>;
  /** No session needed (Info, Auth login). */
  open?: boolean;
  adminOnly?: boolean;
}

type Handler = (ctx: CallCtx) => unknown;

interface CallCtx {
  p: Params;
  version: number;
  session: Session | null;
  res: ServerResponse;
  post: boolean;
}

export interface RecordedRequest {
  cgi: string;
  httpMethod: string;
  api: string;
  method: string;
  version: string;
  /** Raw parameter text as it arrived (query and form body merged). */
  params: Record<string, string>;
  synoTokenHeader: string | null;
  cookie: string | null;
}

export type HostileMode = 'truncated' | 'wrong-types' | 'huge' | 'html' | 'http-error' | 'hang';

class DsmError extends Error {
  constructor(readonly code: number) {
    super(`DSM error ${code}`);
  }
}

const fail = (code: number): never => {
  throw new DsmError(code);
};

const MAX_BODY = 1024 * 1024;
const LUN_TYPES = ['BLOCK', 'FILE', 'THIN', 'ADV', 'BLUN', 'BLUN_THICK', 'BLUN_SINK', 'BLUN_THICK_SINK'];
const LUN_TYPE_NUM: Record<string, number> = { FILE: 1, THIN: 257, ADV: 259, BLOCK: 3, BLUN: 263, BLUN_THICK: 259 };

export interface SynologyEmulatorOptions {
  dsm?: DsmMode;
  tls?: SelfSigned;
}

export class SynologyEmulator {
  readonly model: DsmModel;
  readonly requests: RecordedRequest[] = [];
  /** Garbage instead of answers for data calls (not Info/Auth), to prove the client never crashes. */
  hostile: HostileMode | null = null;
  /** The next call of this API method fails with this DSM code (a fault switch, as DSM's own glitches). */
  failNext: { api: string; method: string; code: number; errors?: unknown } | null = null;
  /** DSM's idle timeout strikes just as this API method arrives: every session expires first (→ 106). */
  expireOn: { api: string; method: string } | null = null;
  /** Extra SYNO.API.Info entries as served (hostile paths, odd versions). */
  extraInfo: Record<string, unknown> = {};
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly apis: Record<string, ApiDef>;

  constructor(
    readonly dsm: DsmMode,
    readonly tls: SelfSigned,
  ) {
    this.model = new DsmModel(dsm);
    this.apis = this.defineApis();
    this.server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => this.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `https://127.0.0.1:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests for one API (and method), for assertions. */
  calls(api: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.api === api && (method === undefined || r.method === method));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(err));
        }
      }
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const m = /^\/webapi\/([a-z_]+\.cgi)$/.exec(url.pathname);
    if (!m || !['query.cgi', 'entry.cgi', 'auth.cgi'].includes(m[1]!)) {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>404 Not Found</h1><hr>nginx</body></html>');
      return;
    }
    const cgi = m[1]!;
    const raw: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST' && /x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      Object.assign(raw, Object.fromEntries(new URLSearchParams(body)));
    const header = req.headers['x-syno-token'];
    const record: RecordedRequest = {
      cgi,
      httpMethod: req.method ?? 'GET',
      api: raw.api ?? '',
      method: raw.method ?? '',
      version: raw.version ?? '',
      params: raw,
      synoTokenHeader: typeof header === 'string' ? header : null,
      cookie: req.headers.cookie ?? null,
    };
    this.requests.push(record);

    if (this.hostile && !['SYNO.API.Info', 'SYNO.API.Auth'].includes(record.api)) {
      this.misbehave(res, this.hostile);
      return;
    }
    let answer: unknown;
    if (this.expireOn && this.expireOn.api === record.api && this.expireOn.method === record.method) {
      this.expireOn = null;
      this.model.expireSessions();
    }
    const fault = this.failNext;
    if (fault && fault.api === record.api && fault.method === record.method) {
      this.failNext = null;
      res.writeHead(200, { 'Content-Type': 'application/json; charset="UTF-8"' });
      res.end(
        JSON.stringify({
          error: { code: fault.code, ...(fault.errors ? { errors: fault.errors } : {}) },
          success: false,
        }),
      );
      return;
    }
    try {
      answer = { success: true, ...wrapData(this.dispatch(cgi, raw, record, res, req.method === 'POST')) };
    } catch (err) {
      if (!(err instanceof DsmError)) throw err;
      answer = { error: { code: err.code }, success: false };
    }
    // DSM answers API errors with HTTP 200 too.
    res.writeHead(200, { 'Content-Type': 'application/json; charset="UTF-8"' });
    res.end(JSON.stringify(answer));
  }

  private dispatch(
    cgi: string,
    raw: Record<string, string>,
    record: RecordedRequest,
    res: ServerResponse,
    post: boolean,
  ) {
    if (!raw.api || !raw.method || !raw.version) fail(101);
    const def = this.apis[raw.api!] ?? fail(102);
    // An API answers at its advertised path; Info also on query.cgi, Auth also on auth.cgi (DSM 7).
    const paths = new Set([def.path]);
    if (raw.api === 'SYNO.API.Info') paths.add('query.cgi');
    if (raw.api === 'SYNO.API.Auth') paths.add('auth.cgi');
    if (!paths.has(cgi)) fail(102);
    const version = Number(raw.version);
    if (!Number.isInteger(version) || version < def.minVersion || version > def.maxVersion) fail(104);
    const method = def.methods[raw.method!] ?? fail(103);
    if ((method.min !== undefined && version < method.min) || (method.max !== undefined && version > method.max))
      fail(103);
    const params: Params = {};
    for (const [k, v] of Object.entries(raw)) params[k] = def.json ? jsonOrText(v) : v;
    let session: Session | null = null;
    if (!def.open) {
      session = this.authenticate(raw, record);
      if (def.adminOnly && !this.model.users.get(session.account)?.admin) fail(105);
    }
    return method.run({ p: params, version, session, res, post });
  }

  /** `_sid` or cookie `id=`, then the SynoToken (header or parameter) when the login asked for one. */
  private authenticate(raw: Record<string, string>, record: RecordedRequest): Session {
    const cookieSid = /(?:^|;\s*)id=([^;]+)/.exec(record.cookie ?? '')?.[1];
    const sid = raw._sid ?? cookieSid;
    const session = sid ? this.model.sessions.get(sid) : undefined;
    if (!session) return fail(119);
    if (session.expired) {
      this.model.sessions.delete(session.sid);
      return fail(106);
    }
    if (session.synotoken && (record.synoTokenHeader ?? raw.SynoToken) !== session.synotoken) return fail(119);
    return session;
  }

  private misbehave(res: ServerResponse, mode: HostileMode) {
    switch (mode) {
      case 'hang':
        return; // never answers; the socket stays open until the client gives up
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"data":{"storagePools":[{"id":"reuse_1","size":{"total":"76817');
        return;
      case 'wrong-types':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            success: true,
            data: {
              storagePools: [{ id: 7, size: 'big', raids: 'none' }],
              disks: [{ id: ['sda'], size_total: { bytes: 1 }, temp: 'hot' }],
              volumes: 'none',
              shares: { name: 'x' },
              model: 42,
              luns: 'x',
              targets: [null],
              snapshots: [{ time: 5 }],
              rule: 'rw',
            },
          }),
        );
        return;
      case 'html':
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(
          '<!DOCTYPE html><html><head><title>Sorry, the page you are looking for is not found.</title></head><body></body></html>',
        );
        return;
      case 'http-error':
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end(
          '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
        );
        return;
      case 'huge': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"success":true,"data":{"padding":"');
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 256 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}}');
        };
        res.on('close', () => (sent = Infinity));
        pump();
        return;
      }
    }
  }

  private defineApis(): Record<string, ApiDef> {
    const m = this.model;
    const dsm6 = this.dsm === 6;
    const str = (p: Params, key: string): string => {
      const v = p[key];
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return String(v);
      return fail(114);
    };
    const arr = (p: Params, key: string): unknown[] => {
      const v = p[key];
      return Array.isArray(v) ? v : fail(114);
    };
    const shareOf = (name: string): SharedFolder => m.share(name) ?? fail(402);
    const apis: Record<string, ApiDef> = {
      'SYNO.API.Info': {
        path: dsm6 ? 'query.cgi' : 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: !dsm6,
        open: true,
        methods: {
          query: {
            run: ({ p }) => {
              const q = String(p.query ?? 'all');
              const wanted = q === 'all' ? null : q.split(',');
              const out: Record<string, unknown> = {};
              for (const [name, def] of Object.entries(apis)) {
                if (wanted && !wanted.some((w) => name === w || (w.endsWith('.') && name.startsWith(w)))) continue;
                out[name] = {
                  maxVersion: def.maxVersion,
                  minVersion: def.minVersion,
                  path: def.path,
                  ...(def.json ? { requestFormat: 'JSON' } : {}),
                };
              }
              return { ...out, ...this.extraInfo };
            },
          },
        },
      },
      'SYNO.API.Auth': {
        path: dsm6 ? 'auth.cgi' : 'entry.cgi',
        minVersion: 1,
        maxVersion: dsm6 ? 6 : 7,
        json: false,
        open: true,
        methods: {
          login: { run: (ctx) => this.login(ctx) },
          logout: {
            run: ({ p }) => {
              const sid = typeof p._sid === 'string' ? p._sid : '';
              if (!m.sessions.delete(sid)) fail(119);
              return undefined;
            },
          },
        },
      },
      'SYNO.DSM.Info': {
        path: 'entry.cgi',
        minVersion: 2,
        maxVersion: 2,
        json: true,
        methods: {
          getinfo: {
            run: () => ({
              codepage: 'enu',
              model: dsm6 ? 'DS918+' : 'DS920+',
              ram: 4096,
              serial: '2030PDN123456',
              temperature: 41,
              temperature_warn: false,
              time: new Date().toUTCString(),
              uptime: 1209600,
              version: dsm6 ? '25556' : '72806',
              version_string: dsm6 ? 'DSM 6.2.4-25556 Update 7' : 'DSM 7.2.2-72806 Update 3',
            }),
          },
        },
      },
      'SYNO.Core.System': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 3,
        json: true,
        adminOnly: true,
        methods: {
          info: {
            run: ({ p }) =>
              p.type === 'network'
                ? { hostname: m.hostname, dns: '192.168.1.1', gateway: '192.168.1.1', enabled_domain: false }
                : {
                    cpu_cores: '4',
                    firmware_ver: dsm6 ? 'DSM 6.2.4-25556 Update 7' : 'DSM 7.2.2-72806 Update 3',
                    model: dsm6 ? 'DS918+' : 'DS920+',
                    ram_size: 4096,
                    serial: '2030PDN123456',
                    sys_temp: 40,
                    up_time: '336:0:0',
                  },
          },
          // Only at version 1 (PYSYNO: "only available on api version 1").
          reboot: { max: 1, run: () => undefined },
          shutdown: { max: 1, run: () => undefined },
        },
      },
      'SYNO.Core.System.Utilization': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          get: {
            run: () => ({
              cpu: {
                '15min_load': 51,
                '1min_load': 37,
                '5min_load': 33,
                device: 'System',
                other_load: 3,
                system_load: 2,
                user_load: 4,
              },
              memory: {
                device: 'Memory',
                memory_size: 4194304,
                real_usage: 24,
                total_real: 3867268,
                avail_real: 156188,
              },
              network: [
                { device: 'total', rx: 109549, tx: 45097 },
                { device: 'eth0', rx: 109549, tx: 45097 },
              ],
              disk: { disk: [], total: { device: 'total', utilization: 10 } },
              space: { volume: [], total: { device: 'total', utilization: 1 } },
              lun: [],
              time: Math.floor(Date.now() / 1000),
            }),
          },
        },
      },
      'SYNO.Storage.CGI.Storage': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: { load_info: { run: () => this.loadInfo() } },
      },
      'SYNO.Core.Share': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          list: {
            run: ({ p, post }) => {
              // GET gives the base keys; POST adds the `additional` ones (PYSYNO).
              const additional = post && Array.isArray(p.additional);
              const shares = [...m.shares.values()].map((s) => this.shareJson(s, additional));
              return { shares, total: shares.length };
            },
          },
          get: { run: ({ p }) => this.shareJson(shareOf(str(p, 'name')), true) },
          create: {
            run: ({ p }) => {
              const name = str(p, 'name');
              const info = p.shareinfo;
              if (typeof info !== 'object' || info === null || Array.isArray(info)) return fail(403);
              const si = info as Params;
              if (si.name !== name || !/^[^\\/:*?"<>|=+;,[\]]{1,32}$/.test(name)) return fail(403);
              if (m.share(name)) return fail(3301);
              const vol = typeof si.vol_path === 'string' ? m.volumeByPath(si.vol_path) : undefined;
              if (!vol) return fail(403);
              const share = m.addShare(name, m.volumePath(vol), typeof si.desc === 'string' ? si.desc : '');
              share.enableCow = vol.fsType === 'btrfs' && si.enable_share_cow !== false;
              share.recycleBin = si.enable_recycle_bin === true;
              share.quotaMb = typeof si.share_quota === 'number' ? si.share_quota : 0;
              return dsm6 ? undefined : { name };
            },
          },
          delete: {
            run: ({ p }) => {
              const names = arr(p, 'name');
              const shares = names.map((n) => shareOf(String(n)));
              for (const s of shares) m.shares.delete(s.name);
              return undefined;
            },
          },
        },
      },
      'SYNO.Core.Share.Permission': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          list: {
            run: ({ p }) => {
              const share = shareOf(str(p, 'name'));
              const items = [...m.users.values()].map((u) => {
                const perm = share.permissions.get(u.name);
                return {
                  name: u.name,
                  is_admin: u.admin,
                  is_custom: false,
                  is_deny: perm?.is_deny ?? false,
                  is_readonly: perm?.is_readonly ?? false,
                  is_writable: perm?.is_writable ?? false,
                };
              });
              return { items, total: items.length };
            },
          },
          set: {
            run: ({ p }) => {
              const share = shareOf(str(p, 'name'));
              const perms = arr(p, 'permissions');
              for (const raw of perms) {
                const x = raw as Params;
                if (typeof x?.name !== 'string' || !m.users.has(x.name)) return fail(120);
              }
              for (const raw of perms) {
                const x = raw as Params;
                share.permissions.set(x.name as string, {
                  is_readonly: x.is_readonly === true,
                  is_writable: x.is_writable === true,
                  is_deny: x.is_deny === true,
                });
              }
              return undefined;
            },
          },
        },
      },
      'SYNO.Core.FileServ.NFS.SharePrivilege': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          load: {
            run: ({ p }) => {
              const share = shareOf(str(p, 'share_name'));
              return { share_name: share.name, rule: share.nfs };
            },
          },
          save: {
            run: ({ p }) => {
              const share = shareOf(str(p, 'share_name'));
              const rules: NfsRule[] = arr(p, 'rule').map((raw) => {
                const r = raw as Params;
                if (typeof r?.client !== 'string' || !/^[A-Za-z0-9.:*/_-]+$/.test(r.client)) return fail(120);
                if (r.privilege !== 'rw' && r.privilege !== 'ro') return fail(120);
                return { ...nfsRule(r.client, r.privilege), root_squash: String(r.root_squash ?? 'root') };
              });
              share.nfs = rules;
              return undefined;
            },
          },
        },
      },
      'SYNO.Core.FileServ.NFS': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 3,
        json: true,
        adminOnly: true,
        methods: {
          get: {
            run: () => ({ enable_nfs: true, enable_nfs_v4: true, nfs_v4_domain: '', support_major_ver: 4 }),
          },
        },
      },
      'SYNO.Core.Share.Snapshot': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 2,
        json: true,
        adminOnly: true,
        methods: {
          list: {
            run: ({ p }) => {
              const share = shareOf(str(p, 'name'));
              const extra = new Set(Array.isArray(p.additional) ? p.additional.map(String) : []);
              const snapshots = share.snapshots.map((s) => {
                const out: Params = { time: s.time };
                if (extra.has('desc')) out.desc = s.desc;
                if (extra.has('lock')) out.lock = s.lock;
                if (extra.has('schedule_snapshot')) out.schedule_snapshot = false;
                if (extra.has('ruuid')) out.ruuid = s.ruuid;
                if (extra.has('snap_size')) out.snap_size = String(s.sizeBytes);
                return out;
              });
              return { snapshots, total: snapshots.length };
            },
          },
          // create/delete/set exist at version 1 only (SYNOCSI, N4S4).
          create: {
            max: 1,
            run: ({ p }) => {
              const share = shareOf(str(p, 'name'));
              if (!share.enableCow) return fail(3300);
              const info = (typeof p.snapinfo === 'object' && p.snapinfo !== null ? p.snapinfo : {}) as Params;
              const time = m.snapshotName(share);
              share.snapshots.push({
                time,
                desc: typeof info.desc === 'string' ? info.desc : '',
                lock: info.lock === true,
                sizeBytes: 0,
                ruuid: randomUUID(),
              });
              return time;
            },
          },
          delete: {
            max: 1,
            run: ({ p }) => {
              const share = shareOf(str(p, 'name'));
              const wanted = arr(p, 'snapshots').map(String);
              const missing = wanted.filter((t) => !share.snapshots.some((s) => s.time === t));
              share.snapshots = share.snapshots.filter((s) => !wanted.includes(s.time));
              // A partial failure is success with the names left over.
              return missing.length ? missing : undefined;
            },
          },
        },
      },
      'SYNO.Core.ISCSI.LUN': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          list: {
            run: ({ p }) => {
              const types = Array.isArray(p.types) ? p.types.map(String) : null;
              const luns = m.luns.filter((l) => !types || types.includes(l.type)).map((l) => this.lunJson(l));
              // Background deletion: a deleting LUN shows once more, then it is gone.
              for (const l of [...m.luns]) if (l.deleting && --l.deleting === 0) m.luns.splice(m.luns.indexOf(l), 1);
              return { luns };
            },
          },
          get: {
            run: ({ p }) => {
              const lun = m.luns.find((l) => l.uuid === str(p, 'uuid') && !l.deleting) ?? fail(18990531);
              return { lun: this.lunJson(lun) };
            },
          },
          create: {
            run: ({ p }) => {
              const name = str(p, 'name');
              const type = str(p, 'type');
              if (!LUN_TYPES.includes(type)) return fail(18990500);
              if (m.luns.some((l) => l.name.toLowerCase() === name.toLowerCase() && !l.deleting)) return fail(18990538);
              const vol = m.volumeByPath(str(p, 'location')) ?? fail(120);
              if (type.startsWith('BLUN') && vol.fsType !== 'btrfs') return fail(18990318);
              const size = Number(p.size);
              if (!Number.isSafeInteger(size) || size <= 0) return fail(120);
              if (size > vol.sizeBytes - m.volumeUsed(vol)) return fail(18990002);
              const lun = m.addLun(
                name,
                type,
                m.volumePath(vol),
                size,
                typeof p.description === 'string' ? p.description : '',
              );
              return { uuid: lun.uuid, lun_id: lun.lunId };
            },
          },
          delete: {
            run: ({ p }) => {
              const uuid = str(p, 'uuid');
              const lun = m.luns.find((l) => l.uuid === uuid && !l.deleting) ?? fail(18990531);
              for (const t of m.targets) t.mapped = t.mapped.filter((u) => u !== uuid);
              lun.deleting = 2;
              return undefined;
            },
          },
          map_target: {
            run: ({ p }) => {
              const lun = m.luns.find((l) => l.uuid === str(p, 'uuid') && !l.deleting) ?? fail(18990531);
              const targets = arr(p, 'target_ids').map(
                (id) => m.targets.find((t) => t.targetId === Number(id)) ?? fail(120),
              );
              for (const t of targets) if (!t.mapped.includes(lun.uuid)) t.mapped.push(lun.uuid);
              return undefined;
            },
          },
          unmap_target: {
            run: ({ p }) => {
              const uuid = str(p, 'uuid');
              for (const id of arr(p, 'target_ids')) {
                const t = m.targets.find((x) => x.targetId === Number(id)) ?? fail(120);
                t.mapped = t.mapped.filter((u) => u !== uuid);
              }
              return undefined;
            },
          },
        },
      },
      'SYNO.Core.ISCSI.Target': {
        path: 'entry.cgi',
        minVersion: 1,
        maxVersion: 1,
        json: true,
        adminOnly: true,
        methods: {
          list: { run: () => ({ targets: m.targets.map((t) => this.targetJson(t)) }) },
          get: {
            run: ({ p }) => {
              const t = m.targets.find((x) => x.targetId === Number(str(p, 'target_id'))) ?? fail(120);
              return { target: this.targetJson(t) };
            },
          },
          create: {
            run: ({ p }) => {
              const name = str(p, 'name');
              const iqn = str(p, 'iqn');
              if (!/^iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9.:_-]+)?$/.test(iqn)) return fail(120);
              if (m.targets.some((t) => t.name.toLowerCase() === name.toLowerCase())) return fail(18990744);
              if (m.targets.some((t) => t.iqn === iqn)) return fail(18990745);
              const auth = Number(p.auth_type ?? 0);
              const user = typeof p.user === 'string' ? p.user : '';
              const password = typeof p.password === 'string' ? p.password : '';
              if (auth > 0 && (!user || password.length < 12 || password.length > 16)) return fail(18990708);
              return { target_id: m.addTarget(name, iqn, auth, user, password).targetId };
            },
          },
          delete: {
            run: ({ p }) => {
              const id = Number(str(p, 'target_id'));
              const i = m.targets.findIndex((t) => t.targetId === id);
              if (i < 0) return fail(120);
              m.targets.splice(i, 1);
              return undefined;
            },
          },
          map_lun: {
            run: ({ p }) => {
              const t = m.targets.find((x) => x.targetId === Number(str(p, 'target_id'))) ?? fail(120);
              for (const u of arr(p, 'lun_uuids').map(String)) {
                if (!m.luns.some((l) => l.uuid === u)) return fail(18990531);
                if (!t.mapped.includes(u)) t.mapped.push(u);
              }
              return undefined;
            },
          },
        },
      },
    };
    return apis;
  }

  private login({ p, version, res }: CallCtx): unknown {
    const m = this.model;
    const yes = (v: unknown) => v === 'yes' || v === 'true';
    if (m.blocked) return fail(407);
    const user = m.users.get(String(p.account ?? ''));
    if (!user || user.password !== p.passwd) {
      if (++m.failedLogins >= m.autoBlockAfter) m.blocked = true;
      return fail(400);
    }
    if (user.disabled) return fail(401);
    let issued: string | null = null;
    if (user.otpSecret) {
      const remembered = typeof p.device_id === 'string' ? m.deviceTokens.get(p.device_id) : undefined;
      const trusted = remembered && remembered.account === user.name && remembered.deviceName === p.device_name;
      if (!trusted) {
        if (typeof p.otp_code !== 'string' || p.otp_code === '') return fail(403);
        const now = Date.now();
        const ok = [-1, 0, 1].some((step) => totpAt(m, user.name, now, step) === p.otp_code);
        if (!ok) {
          if (++m.failedLogins >= m.autoBlockAfter) m.blocked = true;
          return fail(404);
        }
        if (yes(p.enable_device_token) && typeof p.device_name === 'string' && p.device_name)
          issued = m.issueDeviceToken(user.name, p.device_name);
      }
    }
    m.failedLogins = 0;
    const session = m.newSession(user.name, version >= 3 && yes(p.enable_syno_token));
    if (p.format === 'cookie') res.setHeader('Set-Cookie', `id=${session.sid}; path=/; secure; HttpOnly`);
    return {
      ...(issued ? (version >= 7 ? { device_id: issued } : { did: issued }) : {}),
      is_portal_port: false,
      sid: session.sid,
      ...(session.synotoken ? { synotoken: session.synotoken } : {}),
    };
  }

  private loadInfo() {
    const m = this.model;
    const disks = m.disks.map((d) => ({
      adv_progress: '',
      adv_status: 'not_support',
      below_remain_life_thr: false,
      compatibility: 'disabled',
      container: { order: 0, str: m.mode === 6 ? 'DS918+' : 'DS920+', supportPwrBtnDisable: false, type: 'internal' },
      device: `/dev/${d.id}`,
      diskType: 'SATA',
      exceed_bad_sector_thr: false,
      firm: '81.00A81',
      has_system: true,
      id: d.id,
      is4Kn: false,
      isSsd: false,
      is_erasing: false,
      longName: `Drive ${d.num}`,
      model: d.model,
      name: `Drive ${d.num}`,
      num_id: d.num,
      order: d.num,
      overview_status: d.status,
      portType: 'normal',
      remain_life: -1,
      serial: d.serial,
      size_total: String(d.sizeBytes),
      smart_status: d.smartStatus,
      smart_testing: false,
      status: d.status,
      temp: d.temp,
      tray_status: 'join',
      unc: 0,
      used_by: d.usedBy,
      vendor: d.vendor,
    }));
    const storagePools = m.pools.map((p) => {
      const vols = m.volumes.filter((v) => v.pool === p.id);
      return {
        cacheStatus: '',
        can_do: { data_scrubbing: true, delete: true, expand_by_disk: 1, raid_cross: true },
        container: 'internal',
        desc: p.desc,
        device_type: p.deviceType,
        disk_failure_number: p.disks.filter((id) => m.disks.find((d) => d.id === id)?.status !== 'normal').length,
        disks: p.disks,
        drive_type: 0,
        id: p.id,
        is_actioning: false,
        is_scheduled: false,
        is_writable: true,
        num_id: p.num,
        pool_child: vols.map((v) => ({ id: v.id, size: { total: String(v.sizeBytes) } })),
        pool_path: p.id,
        progress: { percent: '-1', step: 'none' },
        raidType: 'single',
        raids: [
          {
            designedDiskCount: p.disks.length,
            devices: p.disks.map((id, slot) => ({
              id,
              slot,
              status: m.disks.find((d) => d.id === id)?.status === 'crashed' ? 'crashed' : 'normal',
            })),
            hasParity: true,
            minDevSize: '8001457274880',
            normalDevCount: p.disks.length,
            raidPath: `/dev/md${p.num + 1}`,
            raidStatus: 1,
            spares: [],
          },
        ],
        scrubbingStatus: p.scrubbingStatus,
        size: { total: String(p.sizeBytes), used: String(vols.reduce((n, v) => n + v.sizeBytes, 0)) },
        space_path: `/dev/vg${p.num}`,
        spares: [],
        status: p.status,
        suggestions: [],
        timebackup: false,
      };
    });
    const volumes = m.volumes.map((v) => ({
      atime_opt: 'relatime',
      container: 'internal',
      desc: `Located on Storage Pool ${m.pools.find((p) => p.id === v.pool)?.num ?? 1}`,
      device_type: m.pools.find((p) => p.id === v.pool)?.deviceType ?? 'basic',
      fs_type: v.fsType,
      id: v.id,
      is_writable: true,
      num_id: v.num,
      pool_path: v.pool,
      progress: { percent: '-1', step: 'none' },
      raidType: 'single',
      size: {
        free_inode: '0',
        total: String(v.sizeBytes),
        total_device: String(v.sizeBytes + 182_449_881_088),
        total_inode: '0',
        used: String(m.volumeUsed(v)),
      },
      status: v.status,
      vol_path: m.volumePath(v),
    }));
    return {
      disks,
      env: {
        bay_number: String(m.disks.length),
        data_scrubbing: { sche_enabled: '0', sche_status: 'disabled' },
        model_name: m.mode === 6 ? 'DS918+' : 'DS920+',
        ram_size: 4,
        status: { system_crashed: false, system_need_repair: false },
        volume_full_critical: 0.1,
        volume_full_warning: 0.2,
      },
      hotSpareConf: { cross_repair: true, disable_repair: [] },
      hotSpares: [],
      iscsiLuns: m.luns.map((l) => ({ uuid: l.uuid, name: l.name })),
      iscsiTargets: m.targets.map((t) => ({ target_id: t.targetId, name: t.name })),
      ports: [],
      ssdCaches: [],
      storagePools,
      volumes,
    };
  }

  private shareJson(s: SharedFolder, additional: boolean) {
    const base = { desc: s.desc, is_usb_share: false, name: s.name, uuid: s.uuid, vol_path: s.volPath };
    if (!additional) return base;
    return {
      ...base,
      enable_recycle_bin: s.recycleBin,
      enable_share_compress: false,
      enable_share_cow: s.enableCow,
      encryption: 0,
      force_readonly_reason: '',
      hidden: false,
      is_aclmode: true,
      is_force_readonly: s.readOnly,
      is_share_moving: false,
      is_support_acl: true,
      quota_value: s.quotaMb,
      recycle_bin_admin_only: false,
      share_quota_used: s.usedMb,
      support_action: 511,
      support_snapshot: s.enableCow,
      task_id: '',
      unite_permission: false,
    };
  }

  private lunJson(l: (typeof this.model.luns)[number]) {
    return {
      allocated_size: 0,
      block_size: 512,
      description: l.description,
      dev_attribs: [{ dev_attrib: 'emulate_tpu', enable: 1 }],
      extent_size: 0,
      flashcache_status: 'no_cache',
      is_action_locked: false,
      is_mapped: this.model.targets.some((t) => t.mapped.includes(l.uuid)),
      location: l.location,
      lun_id: l.lunId,
      name: l.name,
      size: l.sizeBytes,
      status: l.deleting ? 'deleting' : 'normal',
      type: LUN_TYPE_NUM[l.type] ?? 263,
      type_str: l.type,
      uuid: l.uuid,
      vpd_unit_sn: l.uuid,
    };
  }

  private targetJson(t: (typeof this.model.targets)[number]) {
    return {
      auth_type: t.authType,
      connected_sessions: [],
      has_data_checksum: false,
      has_header_checksum: false,
      iqn: t.iqn,
      is_default_target: false,
      is_enabled: true,
      mapped_luns: t.mapped.map((uuid, i) => ({ lun_uuid: uuid, mapping_index: i + 1 })),
      mapping_index: -1,
      max_recv_seg_bytes: 262144,
      max_send_seg_bytes: 262144,
      max_sessions: 1,
      mutual_password: '',
      mutual_user: '',
      name: t.name,
      network_portals: [{ interface_name: 'all', ip: '', port: 3260 }],
      // DSM lists the CHAP password to administrators; the adapter must never show it.
      password: t.password,
      status: 'online',
      target_id: t.targetId,
      user: t.user,
    };
  }
}

function totpAt(m: DsmModel, account: string, now: number, step: number): string {
  return m.otpFor(account, now + step * 30_000);
}

/** requestFormat JSON: `"x"` → x, `[…]`/`{…}`/numbers/booleans parsed; bare text accepted as is. */
function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function wrapData(data: unknown): { data?: unknown } {
  return data === undefined ? {} : { data };
}

export async function startSynologyEmulator(options: SynologyEmulatorOptions = {}): Promise<SynologyEmulator> {
  return new SynologyEmulator(options.dsm ?? 7, options.tls ?? selfSigned('nas-emu.local')).listen();
}
