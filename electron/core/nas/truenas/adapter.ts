// The TrueNAS adapter: the NasAdapter contract over the NAS's own API (JSON-RPC or REST, whichever
// the client speaks). Reads map TrueNAS shapes onto the shared ones with the one health vocabulary;
// changes are API calls, multi-step ones undone newest-first on failure, and in a dry run they are
// recorded as plan steps (secrets as ***) instead of sent.
import type {
  Alert,
  Capabilities,
  Disk,
  HealthState,
  IscsiTarget,
  PlanStep,
  Pool,
  Share,
  Snapshot,
  SystemInfo,
} from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/jobs';
import { withRollback, type IscsiSpec, type NasAdapter, type ShareChange, type ShareSpec } from '../adapter';
import type { TrueNasClient } from './client';
import * as s from './schemas';
import {
  JOB_METHODS,
  nfsCreateBody,
  nfsSharePath,
  nfsUpdateBody,
  smbCreateBody,
  smbShareReadOnly,
  smbUpdateBody,
} from './versions';

const ISCSI_BASENAME_DEFAULT = 'iqn.2005-10.org.freenas.ctl';

/** ZFS vdev/pool words → the shared vocabulary (scan state is applied by poolHealth). */
export function vdevHealth(status: string): HealthState {
  switch (status.toUpperCase()) {
    case 'ONLINE':
      return 'healthy';
    case 'DEGRADED':
      return 'degraded';
    case 'FAULTED':
    case 'UNAVAIL':
    case 'REMOVED':
    case 'OFFLINE':
    case 'SUSPENDED':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** Same precedence as the Linux adapter: failed > rebuilding > degraded > scrubbing > healthy. */
export function poolHealth(p: s.PoolRow): { state: HealthState; rawState: string } {
  const base = vdevHealth(p.status);
  const scan = p.scan;
  const running = scan?.state === 'SCANNING';
  const fn = (scan?.function ?? '').toUpperCase();
  const rawState = running ? `${p.status}, ${fn.toLowerCase()} ${Math.round(scan?.percentage ?? 0)}%` : p.status;
  if (base === 'failed') return { state: 'failed', rawState };
  if (running && fn === 'RESILVER') return { state: 'rebuilding', rawState };
  if (base === 'degraded') return { state: 'degraded', rawState };
  if (running && fn === 'SCRUB' && base === 'healthy') return { state: 'scrubbing', rawState };
  return { state: base, rawState };
}

const leaves = (v: s.Vdev): s.Vdev[] => (v.children.length ? v.children.flatMap(leaves) : [v]);

function memberHealth(v: s.Vdev): HealthState {
  const h = vdevHealth(v.status);
  const errors = (v.stats?.read_errors ?? 0) + (v.stats?.write_errors ?? 0) + (v.stats?.checksum_errors ?? 0);
  return h === 'healthy' && errors > 0 ? 'degraded' : h;
}

/** RAIDZ1 → raidz1, MIRROR → mirror, a lone DISK vdev → stripe (several) or single. */
function raidLevel(data: s.Vdev[]): string {
  const kinds = [...new Set(data.map((v) => (v.type === 'DISK' ? 'stripe' : v.type.toLowerCase())))];
  if (kinds.length === 0) return 'unknown';
  if (kinds.length === 1 && kinds[0] === 'stripe' && data.length === 1) return 'single';
  return kinds.join('+');
}

export function toPool(p: s.PoolRow): Pool {
  const health = poolHealth(p);
  const t = p.topology;
  const groups = t ? [...t.data, ...t.special, ...t.dedup, ...t.log, ...t.cache, ...t.spare] : [];
  const scan = p.scan;
  return {
    id: p.name,
    name: p.name,
    kind: 'zfs',
    raidLevel: raidLevel(t?.data ?? []),
    state: health.state,
    rawState: health.rawState,
    sizeBytes: p.size ?? 0,
    usedBytes: p.allocated ?? 0,
    devices: groups.flatMap(leaves).map((v) => ({ name: v.disk || v.device || v.name, state: memberHealth(v) })),
    ...(scan && (scan.function ?? '').toUpperCase() === 'SCRUB'
      ? {
          scrub: {
            state: scan.state === 'SCANNING' ? 'running' : scan.state === 'FINISHED' ? 'finished' : 'canceled',
            progress: Math.min(1, Math.max(0, (scan.percentage ?? 0) / 100)),
            // TrueNAS reports one count: errors the scan could not repair.
            errorsCorrected: 0,
            errorsUncorrectable: scan.errors ?? 0,
          },
        }
      : {}),
  };
}

const dateIso = (v: unknown): string => {
  if (v instanceof Date) return v.toISOString();
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) * 1000 : NaN;
  return Number.isFinite(n) ? new Date(n).toISOString() : '';
};

export class TrueNasAdapter implements NasAdapter {
  readonly vendor = 'truenas' as const;

  constructor(
    readonly client: TrueNasClient,
    private readonly plan?: PlanStep[],
  ) {}

  private async read<T extends import('zod').ZodType>(method: string, params: unknown[], schema: T) {
    return s.check(method, schema, await this.client.call(method, params));
  }

  /** A change: planned in a dry run, else sent (and followed to its end when it is a job). */
  private async change(method: string, params: unknown[], description: string): Promise<unknown> {
    if (this.plan) {
      this.plan.push({ where: 'api', call: this.client.describe(method, params), description });
      return { id: `<id from ${method}>` };
    }
    const result = await this.client.call(method, params);
    if (JOB_METHODS.has(method) && typeof result === 'number') return this.client.followJob(method, result);
    return result;
  }

  async capabilities(): Promise<Capabilities> {
    const notes: string[] = [];
    const roles = this.client.roles;
    if (roles.length && !roles.includes('FULL_ADMIN'))
      notes.push(`Signed in with roles ${roles.join(', ')}: changes need a Full Admin account.`);
    if (this.client.transport === 'rest')
      notes.push(`TrueNAS ${this.client.profile.release} is managed over REST v2.0 (JSON-RPC arrives with 25.04).`);
    return {
      pools: true,
      scrub: true,
      snapshots: true,
      smbShares: true,
      nfsShares: true,
      iscsi: true,
      disks: true,
      smart: false,
      notes: [...notes, 'SMART results are shown in the TrueNAS UI; Nasdeck shows TrueNAS alerts instead.'],
    };
  }

  async systemInfo(): Promise<SystemInfo> {
    const info = await this.read('system.info', [], s.systemInfo);
    return {
      hostname: info.hostname,
      os: info.version,
      kernel: null,
      uptimeSeconds: typeof info.uptime_seconds === 'number' ? Math.round(info.uptime_seconds) : null,
      model: info.system_product ?? null,
    };
  }

  async pools(): Promise<Pool[]> {
    return (await this.read('pool.query', [], s.list(s.poolRow))).map(toPool);
  }

  async disks(): Promise<Disk[]> {
    const rows = await this.read('disk.query', [], s.list(s.diskRow));
    const names = rows.map((d) => d.name);
    const temps = names.length ? await this.read('disk.temperatures', [names], s.temperatures) : {};
    return rows.map((d) => {
      const t = temps[d.name];
      return {
        name: d.name,
        model: (d.model ?? '').trim(),
        serial: (d.serial ?? '').trim(),
        sizeBytes: d.size ?? 0,
        temperatureC: typeof t === 'number' ? t : null,
        smart: 'unknown' as const,
      };
    });
  }

  private async smbRows() {
    return this.read('sharing.smb.query', [], s.list(s.smbRow));
  }
  private async nfsRows() {
    return this.read('sharing.nfs.query', [], s.list(s.nfsRow));
  }

  private static nfsName(row: { comment?: string | null | undefined; path?: string; paths?: string[] }): string {
    const path = nfsSharePath(row);
    return row.comment?.trim() || path.split('/').filter(Boolean).pop() || path;
  }

  async shares(): Promise<Share[]> {
    const [smb, nfs] = await Promise.all([this.smbRows(), this.nfsRows()]);
    return [
      ...smb.map((r): Share => ({
        name: r.name,
        protocol: 'smb',
        path: r.path,
        readOnly: smbShareReadOnly(r),
        users: [],
        clients: r.hostsallow ?? [],
      })),
      ...nfs.map((r): Share => ({
        name: TrueNasAdapter.nfsName(r),
        protocol: 'nfs',
        path: nfsSharePath(r),
        readOnly: r.ro === true,
        users: r.mapall_user ? [r.mapall_user] : [],
        clients: [...r.networks, ...r.hosts],
      })),
    ];
  }

  /** A dataset from what the user typed: a dataset id, a pool, or a share's name. */
  private async dataset(of: string): Promise<string> {
    const ds = await this.read('pool.dataset.query', [[['id', '=', of]]], s.list(s.datasetRow));
    if (ds.length) return ds[0]!.id;
    const share = (await this.shares()).find((x) => x.name === of && x.path.startsWith('/mnt/'));
    if (share) return share.path.slice('/mnt/'.length).replace(/\/$/, '');
    throw new AppError('NOT_FOUND', `No dataset or share "${of}" on this TrueNAS.`, { of });
  }

  private get snap() {
    return this.client.profile.snapshotService;
  }

  private toSnapshot(r: import('zod').infer<typeof s.snapshotRow>): Snapshot {
    const used = r.properties?.used?.parsed;
    return {
      name: r.snapshot_name,
      of: r.dataset,
      createdAt: dateIso(r.properties?.creation?.parsed ?? r.properties?.creation?.rawvalue),
      ...(typeof used === 'number' ? { sizeBytes: used } : {}),
    };
  }

  async snapshots(of?: string): Promise<Snapshot[]> {
    const filters = of ? [['dataset', '=', await this.dataset(of)]] : [];
    // Only the two properties shown: 25.04 returns every property by default, slow with thousands.
    const rows = await this.read(
      `${this.snap}.query`,
      [filters, { extra: { properties: ['used', 'creation'] } }],
      s.list(s.snapshotRow),
    );
    return rows.map((r) => this.toSnapshot(r));
  }

  async iscsiTargets(): Promise<IscsiTarget[]> {
    const [targets, extents, links, auths, initiators, global, volumes] = await Promise.all([
      this.read('iscsi.target.query', [], s.list(s.targetRow)),
      this.read('iscsi.extent.query', [], s.list(s.extentRow)),
      this.read('iscsi.targetextent.query', [], s.list(s.targetExtentRow)),
      this.read('iscsi.auth.query', [], s.list(s.authRow)),
      this.read('iscsi.initiator.query', [], s.list(s.initiatorRow)),
      this.read('iscsi.global.config', [], s.iscsiGlobal),
      this.read('pool.dataset.query', [[['type', '=', 'VOLUME']]], s.list(s.datasetRow)),
    ]);
    const basename = global.basename || ISCSI_BASENAME_DEFAULT;
    return targets.map((t) => {
      const luns = links
        .filter((l) => l.target === t.id)
        .map((l) => {
          const e = extents.find((x) => x.id === l.extent);
          const zvol = e?.type === 'DISK' && e.disk ? e.disk.replace(/^zvol\//, '') : null;
          const size = zvol
            ? (volumes.find((v) => v.id === zvol)?.volsize?.parsed ?? 0)
            : Number(e?.filesize ?? 0) || 0;
          return {
            id: l.lunid ?? 0,
            sizeBytes: size,
            backing: e ? (e.disk ?? e.path ?? e.name) : `extent ${l.extent}`,
          };
        });
      const chap = t.groups.find((g) => g.authmethod?.startsWith('CHAP') && g.auth != null);
      const chapUser = chap ? auths.find((a) => a.tag === chap.auth)?.user : undefined;
      const allowed = t.groups.flatMap((g) => initiators.find((i) => i.id === g.initiator)?.initiators ?? []);
      return {
        name: t.name,
        iqn: `${basename}:${t.name}`,
        luns,
        ...(chapUser ? { chapUser } : {}),
        initiators: [...new Set(allowed)],
      };
    });
  }

  async alerts(): Promise<Alert[]> {
    const rows = await this.read('alert.list', [], s.list(s.alertRow));
    return rows
      .filter((a) => !a.dismissed)
      .map((a) => ({
        level: ['INFO', 'NOTICE'].includes(a.level) ? 'info' : a.level === 'WARNING' ? 'warning' : 'critical',
        message: (a.formatted ?? a.text ?? '').trim() || `${a.klass ?? 'Alert'}`,
        source: a.klass ?? a.source ?? 'truenas',
      }));
  }

  async scrub(pool: string, ctx: JobContext): Promise<Pool> {
    const row = (await this.read('pool.query', [], s.list(s.poolRow))).find((p) => p.name === pool);
    if (!row) throw new AppError('NOT_FOUND', `No pool "${pool}" on this TrueNAS.`, { pool });
    ctx.progress(0, `Starting scrub of ${pool}`);
    const job = await this.client.call('pool.scrub', [row.id, 'START']);
    if (typeof job !== 'number') throw new AppError('INTERNAL', `TrueNAS pool.scrub did not return a job id.`);
    try {
      await this.client.followJob('pool.scrub', job, {
        signal: ctx.signal,
        progress: (f, m) => ctx.progress(f, m ?? `Scrubbing ${pool}`),
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED')
        await this.client.call('pool.scrub', [row.id, 'STOP']).catch(() => undefined);
      throw err;
    }
    const after = (await this.pools()).find((p) => p.name === pool);
    if (!after) throw new AppError('NOT_FOUND', `Pool "${pool}" vanished during the scrub.`);
    return after;
  }

  async createShare(spec: ShareSpec): Promise<Share> {
    const existing = (await this.shares()).find((x) => x.name === spec.name && x.protocol === spec.protocol);
    if (existing)
      throw new AppError('CONFLICT', `An ${spec.protocol.toUpperCase()} share "${spec.name}" already exists.`, {
        share: spec.name,
      });
    const profile = this.client.profile;
    return withRollback(async (onUndo) => {
      let path = spec.path;
      if (!path) {
        const pools = await this.read('pool.query', [], s.list(s.poolRow));
        const pool = spec.pool ? pools.find((p) => p.name === spec.pool) : pools[0];
        if (!pool) throw new AppError('INVALID_INPUT', spec.pool ? `No pool "${spec.pool}".` : 'No pool: give --path.');
        const dataset = `${pool.name}/${spec.name}`;
        await this.change(
          'pool.dataset.create',
          [{ name: dataset, type: 'FILESYSTEM', share_type: spec.protocol === 'smb' ? 'SMB' : 'GENERIC' }],
          `Create dataset ${dataset}`,
        );
        onUndo(() => this.change('pool.dataset.delete', [dataset, { recursive: true }], `Remove dataset ${dataset}`));
        path = `/mnt/${dataset}`;
      }
      if (spec.protocol === 'smb') {
        const created = await this.change(
          'sharing.smb.create',
          [smbCreateBody(profile, { name: spec.name, path, readOnly: spec.readOnly, users: spec.users })],
          `Create SMB share ${spec.name} for ${path}`,
        );
        const row = this.plan ? null : s.check('sharing.smb.create', s.smbRow, created);
        return {
          name: spec.name,
          protocol: 'smb',
          path: row?.path ?? path,
          readOnly: row ? smbShareReadOnly(row) : spec.readOnly,
          users: spec.users,
          clients: row?.hostsallow ?? [],
        };
      }
      const created = await this.change(
        'sharing.nfs.create',
        [nfsCreateBody(profile, { path, readOnly: spec.readOnly, clients: spec.clients, comment: spec.name })],
        `Export ${path} over NFS`,
      );
      const row = this.plan ? null : s.check('sharing.nfs.create', s.nfsRow, created);
      return {
        name: spec.name,
        protocol: 'nfs',
        path: row ? nfsSharePath(row) : path,
        readOnly: row ? row.ro === true : spec.readOnly,
        users: [],
        clients: row ? [...row.networks, ...row.hosts] : spec.clients,
      };
    });
  }

  async setSmbPassword(user: string, password: string): Promise<void> {
    const users = await this.read('user.query', [[['username', '=', user]]], s.list(s.userRow));
    if (!users.length)
      throw new AppError('NOT_FOUND', `No user "${user}" on this TrueNAS; create it in the TrueNAS UI.`);
    // On TrueNAS the SMB password is the account's password.
    await this.change('user.update', [users[0]!.id, { password }], `Set the password (SMB) of ${user}`);
  }

  /** The one SMB or NFS share row with this name (NFS: its comment, last path part or path). */
  private async shareRow(name: string, protocol?: 'smb' | 'nfs') {
    const [smb, nfs] = await Promise.all([this.smbRows(), this.nfsRows()]);
    const hits = [
      ...(protocol !== 'nfs'
        ? smb.filter((r) => r.name === name).map((r) => ({ proto: 'smb' as const, id: r.id }))
        : []),
      ...(protocol !== 'smb'
        ? nfs
            .filter((r) => TrueNasAdapter.nfsName(r) === name || nfsSharePath(r) === name)
            .map((r) => ({ proto: 'nfs' as const, id: r.id }))
        : []),
    ];
    if (hits.length === 0) throw new AppError('NOT_FOUND', `No share "${name}" on this TrueNAS.`, { share: name });
    if (hits.length > 1)
      throw new AppError('CONFLICT', `"${name}" is both an SMB and an NFS share: say which with --protocol.`);
    return hits[0]!;
  }

  /**
   * Read-only and clients through sharing.{smb,nfs}.update. Who may use an SMB share is the dataset's
   * ACL on TrueNAS, not the share, so a user list is refused with where to set it.
   */
  async updateShare(name: string, protocol: 'smb' | 'nfs' | undefined, change: ShareChange): Promise<Share> {
    const hit = await this.shareRow(name, protocol);
    if (change.users !== undefined) {
      throw hit.proto === 'smb'
        ? new AppError(
            'NOT_SUPPORTED',
            'On TrueNAS, who may use an SMB share is set by its dataset ACL, not the share.',
            {
              fix: 'Set the users in the TrueNAS UI (Datasets › the dataset › Permissions › Edit ACL).',
            },
          )
        : new AppError('INVALID_INPUT', 'NFS exports are limited by client address, not by user.', {
            fix: 'Give clients (addresses or CIDR ranges) instead of users for an NFS share.',
          });
    }
    const body = hit.proto === 'smb' ? smbUpdateBody(this.client.profile, change) : nfsUpdateBody(change);
    const what = [
      change.readOnly !== undefined ? (change.readOnly ? 'read-only' : 'read-write') : null,
      change.clients !== undefined ? `clients ${change.clients.join(', ') || 'everyone'}` : null,
    ].filter(Boolean);
    const updated = await this.change(
      `sharing.${hit.proto}.update`,
      [hit.id, body],
      `Change ${hit.proto.toUpperCase()} share ${name}: ${what.join('; ')}`,
    );
    if (this.plan) {
      const before = (await this.shares()).find(
        (x) => x.protocol === hit.proto && (x.name === name || x.path === name),
      )!;
      return {
        ...before,
        readOnly: change.readOnly ?? before.readOnly,
        clients: change.clients ?? before.clients,
      };
    }
    if (hit.proto === 'smb') {
      const row = s.check('sharing.smb.update', s.smbRow, updated);
      return {
        name: row.name,
        protocol: 'smb',
        path: row.path,
        readOnly: smbShareReadOnly(row),
        users: [],
        clients: row.hostsallow ?? [],
      };
    }
    const row = s.check('sharing.nfs.update', s.nfsRow, updated);
    return {
      name: TrueNasAdapter.nfsName(row),
      protocol: 'nfs',
      path: nfsSharePath(row),
      readOnly: row.ro === true,
      users: row.mapall_user ? [row.mapall_user] : [],
      clients: [...row.networks, ...row.hosts],
    };
  }

  async deleteShare(name: string, protocol?: 'smb' | 'nfs'): Promise<void> {
    const hit = await this.shareRow(name, protocol);
    // The data stays: only the share goes (its dataset is removed in the TrueNAS UI if wanted).
    await this.change(`sharing.${hit.proto}.delete`, [hit.id], `Delete ${hit.proto.toUpperCase()} share ${name}`);
  }

  async createSnapshot(of: string, name: string): Promise<Snapshot> {
    const dataset = await this.dataset(of);
    const created = await this.change(
      `${this.snap}.create`,
      [{ dataset, name, recursive: false }],
      `Snapshot ${dataset} as ${name}`,
    );
    if (this.plan) return { name, of: dataset, createdAt: new Date().toISOString() };
    return this.toSnapshot(s.check(`${this.snap}.create`, s.snapshotRow, created));
  }

  async deleteSnapshot(of: string, name: string): Promise<void> {
    const dataset = await this.dataset(of);
    await this.change(`${this.snap}.delete`, [`${dataset}@${name}`], `Delete snapshot ${dataset}@${name}`);
  }

  async rollbackSnapshot(of: string, name: string): Promise<void> {
    const dataset = await this.dataset(of);
    // Not recursive: like the Linux adapter, only the latest snapshot can be rolled back to
    // (TrueNAS refuses otherwise, rather than destroying newer snapshots).
    await this.change(
      `${this.snap}.rollback`,
      [`${dataset}@${name}`, { recursive: false, recursive_clones: false, force: false }],
      `Roll ${dataset} back to ${name}`,
    );
  }

  async createIscsiTarget(spec: IscsiSpec): Promise<IscsiTarget> {
    const targets = await this.read('iscsi.target.query', [], s.list(s.targetRow));
    if (targets.some((t) => t.name === spec.name))
      throw new AppError('CONFLICT', `An iSCSI target "${spec.name}" already exists.`, { target: spec.name });
    if (spec.chapUser && (!spec.chapSecret || spec.chapSecret.length < 12 || spec.chapSecret.length > 16))
      throw new AppError('INVALID_INPUT', 'TrueNAS needs a CHAP secret of 12 to 16 characters.', {
        field: 'chapSecret',
      });
    const pools = await this.read('pool.query', [], s.list(s.poolRow));
    const pool = pools[0];
    if (!pool) throw new AppError('INVALID_INPUT', 'This TrueNAS has no pool to hold the LUN.');
    const [portals, auths, global] = await Promise.all([
      this.read('iscsi.portal.query', [], s.list(s.portalRow)),
      this.read('iscsi.auth.query', [], s.list(s.authRow)),
      this.read('iscsi.global.config', [], s.iscsiGlobal),
    ]);
    const zvol = `${pool.name}/${spec.name}`;
    const id = (v: unknown, method: string) => {
      const row = v as { id?: unknown };
      if (this.plan) return `<id from ${method}>`;
      if (typeof row?.id !== 'number') throw new AppError('INTERNAL', `TrueNAS ${method} returned no id.`);
      return row.id;
    };
    return withRollback(async (onUndo) => {
      await this.change(
        'pool.dataset.create',
        [{ name: zvol, type: 'VOLUME', volsize: spec.sizeBytes, sparse: true }],
        `Create a ${spec.sizeBytes}-byte zvol ${zvol}`,
      );
      onUndo(() => this.change('pool.dataset.delete', [zvol, { recursive: true }], `Remove zvol ${zvol}`));

      let portal: unknown = portals[0]?.id;
      if (portal === undefined) {
        portal = id(
          await this.change(
            'iscsi.portal.create',
            [{ listen: [{ ip: '0.0.0.0' }], comment: 'Nasdeck' }],
            'Create an iSCSI portal on all addresses',
          ),
          'iscsi.portal.create',
        );
        const p = portal;
        onUndo(() => this.change('iscsi.portal.delete', [p], 'Remove the iSCSI portal'));
      }
      let tag: number | null = null;
      if (spec.chapUser) {
        tag = Math.max(0, ...auths.map((a) => a.tag)) + 1;
        const auth = id(
          await this.change(
            'iscsi.auth.create',
            [{ tag, user: spec.chapUser, secret: spec.chapSecret }],
            `Create CHAP account ${spec.chapUser} (group ${tag})`,
          ),
          'iscsi.auth.create',
        );
        onUndo(() => this.change('iscsi.auth.delete', [auth], `Remove CHAP account ${spec.chapUser}`));
      }
      let initiator: unknown = null;
      if (spec.initiators.length) {
        initiator = id(
          await this.change(
            'iscsi.initiator.create',
            [{ initiators: spec.initiators, comment: `Nasdeck: ${spec.name}` }],
            `Allow initiators ${spec.initiators.join(', ')}`,
          ),
          'iscsi.initiator.create',
        );
        const i = initiator;
        onUndo(() => this.change('iscsi.initiator.delete', [i], 'Remove the initiator group'));
      }
      const target = id(
        await this.change(
          'iscsi.target.create',
          [
            {
              name: spec.name,
              alias: null,
              mode: 'ISCSI',
              groups: [{ portal, initiator, authmethod: tag === null ? 'NONE' : 'CHAP', auth: tag }],
            },
          ],
          `Create iSCSI target ${spec.name}`,
        ),
        'iscsi.target.create',
      );
      onUndo(() => this.change('iscsi.target.delete', [target, true], `Remove target ${spec.name}`));
      const extent = id(
        await this.change(
          'iscsi.extent.create',
          [{ name: spec.name, type: 'DISK', disk: `zvol/${zvol}` }],
          `Create extent ${spec.name} on zvol/${zvol}`,
        ),
        'iscsi.extent.create',
      );
      onUndo(() => this.change('iscsi.extent.delete', [extent, false, true], `Remove extent ${spec.name}`));
      await this.change(
        'iscsi.targetextent.create',
        [{ target, extent, lunid: 0 }],
        `Map extent ${spec.name} as LUN 0 of ${spec.name}`,
      );
      return {
        name: spec.name,
        iqn: `${global.basename || ISCSI_BASENAME_DEFAULT}:${spec.name}`,
        luns: [{ id: 0, sizeBytes: spec.sizeBytes, backing: `zvol/${zvol}` }],
        ...(spec.chapUser ? { chapUser: spec.chapUser } : {}),
        initiators: spec.initiators,
      };
    });
  }

  async deleteIscsiTarget(name: string): Promise<void> {
    const [targets, links, extents, initiators, auths] = await Promise.all([
      this.read('iscsi.target.query', [], s.list(s.targetRow)),
      this.read('iscsi.targetextent.query', [], s.list(s.targetExtentRow)),
      this.read('iscsi.extent.query', [], s.list(s.extentRow)),
      this.read('iscsi.initiator.query', [], s.list(s.initiatorRow)),
      this.read('iscsi.auth.query', [], s.list(s.authRow)),
    ]);
    const target = targets.find((t) => t.name === name || name.endsWith(`:${t.name}`));
    if (!target) throw new AppError('NOT_FOUND', `No iSCSI target "${name}" on this TrueNAS.`, { target: name });
    const others = targets.filter((t) => t.id !== target.id);
    const usedElsewhere = (pick: (g: s.TargetGroup) => number | null | undefined, v: number) =>
      others.some((t) => t.groups.some((g) => pick(g) === v));
    for (const l of links.filter((x) => x.target === target.id))
      await this.change('iscsi.targetextent.delete', [l.id, true], `Unmap LUN ${l.lunid ?? 0} of ${target.name}`);
    await this.change('iscsi.target.delete', [target.id, true], `Remove target ${target.name}`);
    // The extent goes; its zvol (the data) stays, as with the Linux adapter's LUN files.
    for (const l of links.filter((x) => x.target === target.id)) {
      if (links.some((o) => o.extent === l.extent && o.target !== target.id)) continue;
      const e = extents.find((x) => x.id === l.extent);
      if (e) await this.change('iscsi.extent.delete', [e.id, false, true], `Remove extent ${e.name} (its data stays)`);
    }
    for (const g of target.groups) {
      if (
        g.initiator != null &&
        !usedElsewhere((x) => x.initiator, g.initiator) &&
        initiators.some((i) => i.id === g.initiator)
      )
        await this.change('iscsi.initiator.delete', [g.initiator], 'Remove the initiator group');
      if (g.auth != null && !usedElsewhere((x) => x.auth, g.auth))
        for (const a of auths.filter((x) => x.tag === g.auth))
          await this.change('iscsi.auth.delete', [a.id], `Remove CHAP account ${a.user}`);
    }
  }
}
