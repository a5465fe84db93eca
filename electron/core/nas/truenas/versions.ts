// Everything that differs between TrueNAS releases, in one place: which transport, the method
// names that moved (zfs.snapshot → pool.snapshot), the share fields that were renamed (NFS
// paths[] → path, SMB ro → readonly), which methods answer with a job id, and how a JSON-RPC
// method maps onto the REST v2.0 URL rules of CORE 13 / SCALE ≤ 24.10
// (../shared/reference/vendor-apis.md B.1, B.2, B.4, B.7).
import { AppError } from '../../../../shared/errors';

export interface ApiProfile {
  /** What the NAS said, e.g. "TrueNAS-SCALE-25.04.2.6". */
  version: string;
  /** "13.0", "24.10", "25.04", "25.10"… (year.month for SCALE, 13.0 for CORE). */
  release: string;
  /** CORE (FreeBSD) or SCALE/Community Edition (Linux). */
  edition: 'core' | 'scale';
  snapshotService: 'zfs.snapshot' | 'pool.snapshot';
  nfsPathField: 'path' | 'paths';
  smbReadOnlyField: 'ro' | 'readonly';
}

/** "TrueNAS-SCALE-25.04.2.6", "TrueNAS-25.10.0", "TrueNAS-13.0-U6.2", "FreeNAS-11.3-U5" → the profile. */
export function profileFor(version: string): ApiProfile {
  const m = /(\d{2})\.(\d{1,2})/.exec(version);
  if (!m) throw new AppError('NOT_SUPPORTED', `Unrecognised TrueNAS version "${version.slice(0, 80)}".`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const core = major < 20;
  const at = (y: number, mo: number) => major > y || (major === y && minor >= mo);
  return {
    version,
    release: `${major}.${String(minor).padStart(core ? 1 : 2, '0')}`,
    edition: core ? 'core' : 'scale',
    snapshotService: !core && at(25, 10) ? 'pool.snapshot' : 'zfs.snapshot',
    nfsPathField: core ? 'paths' : 'path',
    smbReadOnlyField: !core && at(25, 10) ? 'readonly' : 'ro',
  };
}

/** JSON-RPC over WebSocket exists from 25.04; `GET /api/versions` lists its pinned versions. */
export function jsonRpcAvailable(apiVersions: readonly string[]): boolean {
  return apiVersions.some((v) => {
    const m = /^v?(\d{2})\.(\d{2})/.exec(v);
    return m !== null && (Number(m[1]) > 25 || (Number(m[1]) === 25 && Number(m[2]) >= 4));
  });
}

/** Methods whose reply is a job id that must be followed to its end. */
export const JOB_METHODS = new Set(['pool.scrub', 'pool.scrub.scrub', 'pool.scrub.run', 'pool.dataset.delete']);

/** Reads: safe to send again after a dropped connection. */
export function isIdempotent(method: string): boolean {
  return /\.(query|config|info|version|list|get_jobs|temperatures|ping|me)$/.test(method);
}

// ── shares ───────────────────────────────────────────────────────────────────────────────────

/** The NFS export's path whichever schema the NAS speaks. */
export function nfsSharePath(row: { path?: unknown; paths?: unknown }): string {
  if (typeof row.path === 'string') return row.path;
  if (Array.isArray(row.paths) && typeof row.paths[0] === 'string') return row.paths[0];
  return '';
}

export function smbShareReadOnly(row: { ro?: unknown; readonly?: unknown }): boolean {
  return row.readonly === true || row.ro === true;
}

export function nfsCreateBody(
  profile: ApiProfile,
  spec: { path: string; readOnly: boolean; clients: string[]; comment: string },
): Record<string, unknown> {
  const networks = spec.clients.filter((c) => c.includes('/'));
  const hosts = spec.clients.filter((c) => !c.includes('/'));
  return {
    ...(profile.nfsPathField === 'paths' ? { paths: [spec.path] } : { path: spec.path }),
    comment: spec.comment,
    ro: spec.readOnly,
    networks,
    hosts,
    enabled: true,
  };
}

export function smbCreateBody(
  profile: ApiProfile,
  spec: { name: string; path: string; readOnly: boolean; users: string[] },
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: spec.name,
    path: spec.path,
    [profile.smbReadOnlyField]: spec.readOnly,
    browsable: true,
    enabled: true,
  };
  // Per-user access on TrueNAS is the dataset ACL, not the share; the names go in the comment.
  if (spec.users.length) body.comment = `Nasdeck: for ${spec.users.join(', ')}`;
  if (profile.smbReadOnlyField === 'readonly') body.purpose = 'DEFAULT_SHARE';
  return body;
}

/** NFS clients as TrueNAS splits them: CIDR ranges in `networks`, everything else in `hosts`; "*" is both empty. */
function nfsClients(clients: string[]): { networks: string[]; hosts: string[] } {
  const named = clients.filter((c) => c !== '*');
  return { networks: named.filter((c) => c.includes('/')), hosts: named.filter((c) => !c.includes('/')) };
}

/** sharing.smb.update's partial body: read-only under this release's field name, clients as hostsallow. */
export function smbUpdateBody(
  profile: ApiProfile,
  change: { readOnly?: boolean; clients?: string[] },
): Record<string, unknown> {
  return {
    ...(change.readOnly !== undefined ? { [profile.smbReadOnlyField]: change.readOnly } : {}),
    ...(change.clients !== undefined ? { hostsallow: change.clients.filter((c) => c !== '*') } : {}),
  };
}

/** sharing.nfs.update's partial body (`ro` on every release; the path is not touched, so paths[] vs path does not arise). */
export function nfsUpdateBody(change: { readOnly?: boolean; clients?: string[] }): Record<string, unknown> {
  return {
    ...(change.readOnly !== undefined ? { ro: change.readOnly } : {}),
    ...(change.clients !== undefined ? nfsClients(change.clients) : {}),
  };
}

// ── REST v2.0 (CORE 13, SCALE ≤ 24.10) ──────────────────────────────────────────────────────

export interface RestRoute {
  verb: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

/** Services whose GET is `.config` (not a query): `GET /iscsi/global`. */
const CONFIG_SERVICES = new Set(['iscsi.global', 'smb', 'nfs', 'system.general']);
/** Multi-argument methods: the REST body is an object keyed by argument name. */
const ARG_NAMES: Record<string, string[]> = {
  'zfs.snapshot.rollback': ['id', 'options'],
  'pool.snapshot.rollback': ['id', 'options'],
  'pool.scrub.run': ['name', 'threshold'],
  'pool.scrub.scrub': ['name', 'action'],
  'disk.temperatures': ['names', 'include_thermal'],
};
/** Methods called on an item: `POST /pool/id/{id}/scrub`. */
const ITEM_METHODS = new Set(['pool.scrub']);

const encodeId = (id: unknown) => encodeURIComponent(String(id));

type Filter = [string, string, unknown];

function filterQuery(filters: unknown): string {
  if (!Array.isArray(filters)) return '';
  const ops: Record<string, string> = {
    '=': '',
    '!=': '__neq',
    '>': '__gt',
    '<': '__lt',
    '>=': '__gte',
    '<=': '__lte',
  };
  const parts: string[] = [];
  for (const f of filters as Filter[]) {
    const suffix = ops[f[1]];
    if (suffix === undefined) throw new AppError('NOT_SUPPORTED', `Filter "${f[1]}" has no REST form.`);
    parts.push(`${encodeURIComponent(f[0] + suffix)}=${encodeURIComponent(String(f[2]))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The REST request for a JSON-RPC method and its positional params (restful.py's rules). */
export function restRoute(method: string, params: readonly unknown[]): RestRoute {
  const dot = method.lastIndexOf('.');
  const service = method.slice(0, dot);
  const verb = method.slice(dot + 1);
  const base = `/${service.replace(/\./g, '/')}`;
  if (ITEM_METHODS.has(method)) {
    // pool.scrub [id, action] → POST /pool/id/{id}/scrub with the single remaining argument as body.
    return {
      verb: 'POST',
      path: `/${method.slice(0, dot).replace(/\./g, '/')}/id/${encodeId(params[0])}/${verb}`,
      body: params[1],
    };
  }
  switch (verb) {
    case 'query':
      return { verb: 'GET', path: base + filterQuery(params[0]) };
    case 'config':
      if (CONFIG_SERVICES.has(service)) return { verb: 'GET', path: base };
      break;
    case 'create':
      return { verb: 'POST', path: base, body: params[0] ?? {} };
    case 'update':
      return { verb: 'PUT', path: `${base}/id/${encodeId(params[0])}`, body: params[1] ?? {} };
    case 'delete':
      return {
        verb: 'DELETE',
        path: `${base}/id/${encodeId(params[0])}`,
        ...(params[1] !== undefined ? { body: params[1] } : {}),
      };
  }
  if (method === 'core.get_jobs') return { verb: 'GET', path: '/core/get_jobs' + filterQuery(params[0]) };
  const path = `/${method.replace(/\./g, '/')}`;
  if (params.length === 0) return { verb: 'GET', path };
  const names = ARG_NAMES[method];
  if (names) return { verb: 'POST', path, body: Object.fromEntries(names.map((n, i) => [n, params[i]])) };
  return { verb: 'POST', path, body: params[0] };
}
