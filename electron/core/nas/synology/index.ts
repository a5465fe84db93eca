// Synology DSM 6/7 through its Web API: storage (load_info), shared folders with NFS rules, Btrfs
// share snapshots and iSCSI LUNs/targets, behind the same NasAdapter as the Linux adapter. The
// driver keeps one signed-in DSM session per device.
import { hostname } from 'node:os';
import type {
  Alert,
  Capabilities,
  Device,
  Disk,
  IscsiTarget,
  Pool,
  Share,
  Snapshot,
  SystemInfo,
} from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/jobs';
import { secretAccount, type SecretVault } from '../../secrets/vault';
import {
  diskAlerts,
  withRollback,
  type IscsiSpec,
  type NasAdapter,
  type ShareChange,
  type ShareSpec,
} from '../adapter';
import type { VendorContext, VendorDriver, VendorVerified, VendorVerifyOptions } from '../vendors';
import { DsmClient, type Params } from './client';
import {
  parseDisks,
  parseLuns,
  parseNfsRules,
  parsePools,
  parseShareList,
  parseSnapshots,
  parseTargets,
  toIscsiTarget,
  toShares,
  type DsmPool,
  type DsmShare,
  type DsmVolume,
  type NfsRule,
} from './parse';
import { isRecord, list, obj, text } from './shapes';

const SHARE_ADDITIONAL = ['hidden', 'encryption', 'is_force_readonly', 'support_snapshot', 'share_quota'];
const SNAPSHOT_ADDITIONAL = ['desc', 'lock', 'schedule_snapshot', 'ruuid', 'snap_size'];
const LUN_TYPES = ['BLOCK', 'FILE', 'THIN', 'ADV', 'BLUN', 'BLUN_THICK', 'BLUN_SINK', 'BLUN_THICK_SINK'];
// DSM shared-folder names: no path or wildcard characters, at most 32 characters.
const SHARE_NAME = /^(?!\.)[^\\/:*?"<>|=+;,[\]\u0000-\u001f]{1,32}$/u;
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const LUN_DELETE_POLLS = 25;

interface SmbPermission {
  name: string;
  writable: boolean;
}

const NOTES = {
  scrub:
    "DSM's documented Web API has no method to start data scrubbing: run or schedule it in Storage Manager. Its state is shown.",
  rollback:
    "Snapshot rollback is not in DSM's documented Web API: restore from Snapshot Replication in DSM (or clone the snapshot there).",
  smbPassword: "DSM's documented Web API has no password method: change it in Control Panel > User.",
};

export class SynologyAdapter implements NasAdapter {
  readonly vendor = 'synology' as const;
  private storageOnce: Promise<unknown> | undefined;

  constructor(
    private readonly client: DsmClient,
    private readonly ctx: VendorContext,
  ) {}

  /** A change: sent, or (dry run) described in the plan and not sent. */
  private async change(api: string, method: string, params: Params, description: string): Promise<unknown> {
    if (this.ctx.plan) {
      this.ctx.plan.push({ where: 'api', call: await this.client.describe(api, method, params), description });
      return undefined;
    }
    return this.client.call(api, method, params);
  }

  private storage(): Promise<unknown> {
    this.storageOnce ??= this.client.call('SYNO.Storage.CGI.Storage', 'load_info');
    this.storageOnce.catch(() => (this.storageOnce = undefined));
    return this.storageOnce;
  }

  async capabilities(): Promise<Capabilities> {
    const apis = await this.client.apis();
    const has = (api: string) => apis[api] !== undefined;
    const notes = [NOTES.scrub, NOTES.rollback, NOTES.smbPassword];
    if (!has('SYNO.Core.Share.Snapshot')) notes.push('This DSM offers no share snapshots (needs Btrfs and DSM 6.2+).');
    if (!has('SYNO.Core.ISCSI.LUN') || !has('SYNO.Core.ISCSI.Target'))
      notes.push('This DSM offers no iSCSI API: install or update SAN Manager.');
    return {
      pools: has('SYNO.Storage.CGI.Storage'),
      scrub: false,
      snapshots: has('SYNO.Core.Share.Snapshot'),
      smbShares: has('SYNO.Core.Share'),
      nfsShares: has('SYNO.Core.Share') && has('SYNO.Core.FileServ.NFS.SharePrivilege'),
      iscsi: has('SYNO.Core.ISCSI.LUN') && has('SYNO.Core.ISCSI.Target'),
      disks: has('SYNO.Storage.CGI.Storage'),
      smart: has('SYNO.Storage.CGI.Storage'),
      notes,
    };
  }

  async systemInfo(): Promise<SystemInfo> {
    const [info, network] = await Promise.all([
      this.client.call('SYNO.DSM.Info', 'getinfo'),
      // The host name is in SYNO.Core.System's network info (admin only; the device name otherwise).
      this.client.call('SYNO.Core.System', 'info', { type: 'network' }).catch(() => null),
    ]);
    const i = obj(info, 'SYNO.DSM.Info getinfo');
    const uptime = typeof i.uptime === 'number' && Number.isFinite(i.uptime) ? Math.round(i.uptime) : null;
    const host = isRecord(network) && typeof network.hostname === 'string' ? network.hostname : this.ctx.device.name;
    return {
      hostname: host,
      os: text(i.version_string, 'version_string', 'DSM'),
      kernel: null,
      uptimeSeconds: uptime,
      model: text(i.model, 'model', '').trim() || null,
    };
  }

  /** Pools with their volumes: shares and LUNs live on a volume, so changes need them. */
  private async dsmPools(): Promise<DsmPool[]> {
    return parsePools(await this.storage());
  }

  async pools(): Promise<Pool[]> {
    return (await this.dsmPools()).map(({ volumes: _volumes, ...pool }) => pool);
  }

  async disks(): Promise<Disk[]> {
    return parseDisks(await this.storage());
  }

  private async shareList(): Promise<DsmShare[]> {
    // POST: DSM returns the `additional` keys only for a POSTed list (PYSYNO).
    const data = await this.client.call(
      'SYNO.Core.Share',
      'list',
      { shareType: 'all', additional: SHARE_ADDITIONAL },
      { post: true },
    );
    return parseShareList(data);
  }

  /** The NFS rules as DSM stores them (root_squash, async… kept when the rules are rewritten). */
  private async rawNfsRules(share: string): Promise<Array<Params & { client: string; privilege: string }>> {
    if (!(await this.client.has('SYNO.Core.FileServ.NFS.SharePrivilege'))) return [];
    const data = obj(
      await this.client.call('SYNO.Core.FileServ.NFS.SharePrivilege', 'load', { share_name: share }),
      'SYNO.Core.FileServ.NFS.SharePrivilege load',
    );
    const parsed = parseNfsRules(data);
    return list(data.rule, 'rule').map((raw, i) => ({ ...obj(raw, `rule[${i}]`), ...parsed[i]! }));
  }

  private async nfsRules(share: string): Promise<NfsRule[]> {
    if (!(await this.client.has('SYNO.Core.FileServ.NFS.SharePrivilege'))) return [];
    return parseNfsRules(
      await this.client.call('SYNO.Core.FileServ.NFS.SharePrivilege', 'load', { share_name: share }),
    );
  }

  /** Local users with access to a share (read-only or read-write, not denied). */
  private async smbPermissions(share: string): Promise<SmbPermission[]> {
    if (!(await this.client.has('SYNO.Core.Share.Permission'))) return [];
    const data = obj(
      await this.client.call('SYNO.Core.Share.Permission', 'list', { name: share, user_group_type: 'local_user' }),
      'SYNO.Core.Share.Permission list',
    );
    return list(data.items, 'items').flatMap((raw, i) => {
      const p = obj(raw, `items[${i}]`);
      return (p.is_writable === true || p.is_readonly === true) && p.is_deny !== true
        ? [{ name: text(p.name, `items[${i}].name`), writable: p.is_writable === true }]
        : [];
    });
  }

  async shares(): Promise<Share[]> {
    const shares = await this.shareList();
    const each = await Promise.all(
      shares.map(async (s) => {
        const perms = await this.smbPermissions(s.name);
        return toShares(
          s,
          await this.nfsRules(s.name),
          perms.map((p) => p.name),
          perms.every((p) => !p.writable),
        );
      }),
    );
    return each.flat();
  }

  private async findShare(name: string): Promise<DsmShare> {
    const share = (await this.shareList()).find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!share) throw new AppError('NOT_FOUND', `DSM has no shared folder "${name}".`, { share: name });
    return share;
  }

  async snapshots(of?: string): Promise<Snapshot[]> {
    const shares = of ? [await this.findShare(of)] : (await this.shareList()).filter((s) => s.supportSnapshot);
    const each = await Promise.all(
      shares.map(async (s) =>
        parseSnapshots(
          await this.client.call('SYNO.Core.Share.Snapshot', 'list', {
            name: s.name,
            additional: SNAPSHOT_ADDITIONAL,
            offset: 0,
            limit: -1,
          }),
          s.name,
        ),
      ),
    );
    return each.flat();
  }

  async iscsiTargets(): Promise<IscsiTarget[]> {
    const [luns, targets] = await this.iscsiState();
    return targets.map((t) => toIscsiTarget(t, luns));
  }

  private async iscsiState() {
    const [luns, targets] = await Promise.all([
      this.client.call('SYNO.Core.ISCSI.LUN', 'list', {
        types: LUN_TYPES,
        additional: ['allocated_size', 'status', 'is_mapped'],
      }),
      this.client.call('SYNO.Core.ISCSI.Target', 'list', { additional: ['mapped_lun', 'acls', 'status'] }),
    ]);
    return [parseLuns(luns), parseTargets(targets)] as const;
  }

  async alerts(pools: Pool[], disks: Disk[]): Promise<Alert[]> {
    const alerts: Alert[] = [];
    const volumes = new Map((await this.dsmPools()).map((p) => [p.id, p.volumes]));
    for (const p of pools) {
      const source = `pool ${p.name}`;
      if (p.state === 'failed')
        alerts.push({ level: 'critical', source, message: `${p.name} has crashed: ${p.rawState}.` });
      else if (p.state === 'degraded')
        alerts.push({ level: 'critical', source, message: `${p.name} is degraded: ${p.rawState}.` });
      else if (p.state === 'rebuilding')
        alerts.push({ level: 'warning', source, message: `${p.name} is repairing: ${p.rawState}.` });
      for (const d of p.devices.filter((x) => x.state !== 'healthy'))
        alerts.push({ level: 'warning', source, message: `${d.name} in ${p.name} is ${d.state}.` });
      for (const v of volumes.get(p.id) ?? [])
        if (v.sizeBytes > 0 && v.usedBytes / v.sizeBytes > 0.9)
          alerts.push({
            level: 'warning',
            source: `volume ${v.path}`,
            message: `${v.path} is ${Math.round((100 * v.usedBytes) / v.sizeBytes)}% full.`,
          });
    }
    alerts.push(...diskAlerts(disks));
    return alerts;
  }

  async scrub(_pool: string, _ctx: JobContext): Promise<Pool> {
    throw new AppError('NOT_SUPPORTED', NOTES.scrub);
  }

  async setSmbPassword(_user: string, _password: string): Promise<void> {
    throw new AppError('NOT_SUPPORTED', NOTES.smbPassword);
  }

  /** The volume a new share or LUN goes on: the named pool/volume, else the first writable one. */
  private async volumeFor(pool: string | undefined, path: string | undefined): Promise<DsmVolume> {
    const volumes = (await this.dsmPools()).flatMap((p) => p.volumes.map((v) => ({ pool: p, v })));
    const hit = pool
      ? volumes.find(({ pool: p, v }) => [p.id, p.name, v.id, v.path].includes(pool))
      : path
        ? volumes.find(({ v }) => path === v.path || path.startsWith(`${v.path}/`))
        : (volumes.find(({ v }) => v.state === 'healthy') ?? volumes[0]);
    if (!hit)
      throw new AppError(
        'INVALID_INPUT',
        pool ? `No pool or volume "${pool}" on this DSM.` : 'This DSM has no volume.',
        {
          volumes: volumes.map(({ v }) => v.path),
        },
      );
    return hit.v;
  }

  async createShare(spec: ShareSpec): Promise<Share> {
    if (!SHARE_NAME.test(spec.name))
      throw new AppError(
        'INVALID_INPUT',
        `"${spec.name.slice(0, 40)}" is not a DSM shared-folder name (at most 32 characters, none of \\ / : * ? " < > | = + ; , [ ]).`,
        { field: 'name' },
      );
    for (const c of spec.clients)
      if (!/^[A-Za-z0-9.:*/_-]{1,255}$/.test(c))
        throw new AppError('INVALID_INPUT', `"${c.slice(0, 40)}" is not an NFS client (address, CIDR or host name).`, {
          field: 'clients',
        });
    if (spec.protocol === 'smb' && spec.readOnly && spec.users.length === 0)
      throw new AppError('INVALID_INPUT', 'DSM makes SMB shares read-only per user: give the users with --user.', {
        field: 'users',
      });
    const volume = await this.volumeFor(spec.pool, spec.path);
    if (spec.path && spec.path !== volume.path && spec.path !== `${volume.path}/${spec.name}`)
      throw new AppError(
        'INVALID_INPUT',
        `DSM keeps a shared folder at ${volume.path}/${spec.name}; --path cannot move it.`,
        {
          field: 'path',
        },
      );
    const existing = (await this.shareList()).find((s) => s.name.toLowerCase() === spec.name.toLowerCase());
    if (existing && (spec.protocol === 'smb' || (await this.nfsRules(existing.name)).length > 0))
      throw new AppError('CONFLICT', `A ${spec.protocol.toUpperCase()} share named ${existing.name} already exists.`);

    const path = `${existing?.volPath ?? volume.path}/${existing?.name ?? spec.name}`;
    await withRollback(async (onUndo) => {
      if (!existing) {
        await this.change(
          'SYNO.Core.Share',
          'create',
          {
            name: spec.name,
            shareinfo: {
              name: spec.name,
              vol_path: volume.path,
              desc: 'Created by Nasdeck',
              enable_share_cow: volume.fsType === 'btrfs',
              enable_recycle_bin: false,
              recycle_bin_admin_only: false,
              encryption: 0,
              name_org: '',
            },
          },
          `Create shared folder ${spec.name} on ${volume.path}`,
        );
        onUndo(() =>
          this.change('SYNO.Core.Share', 'delete', { name: [spec.name] }, `Undo: delete shared folder ${spec.name}`),
        );
      }
      if (spec.protocol === 'nfs') {
        const clients = spec.clients.length ? spec.clients : ['*'];
        await this.change(
          'SYNO.Core.FileServ.NFS.SharePrivilege',
          'save',
          {
            share_name: spec.name,
            rule: clients.map((client) => ({
              client,
              privilege: spec.readOnly ? 'ro' : 'rw',
              root_squash: 'root',
              async: true,
              crossmnt: true,
              insecure: false,
              security_flavor: { sys: true, kerberos: false, kerberos_integrity: false, kerberos_privacy: false },
            })),
          },
          `Allow NFS clients ${clients.join(', ')} (${spec.readOnly ? 'read-only' : 'read-write'}) on ${spec.name}`,
        );
      }
      if (spec.users.length) {
        if (!(await this.client.has('SYNO.Core.Share.Permission')))
          throw new AppError('NOT_SUPPORTED', 'This DSM offers no share permission API: set the users in DSM.');
        await this.change(
          'SYNO.Core.Share.Permission',
          'set',
          {
            name: spec.name,
            user_group_type: 'local_user',
            permissions: spec.users.map((name) => ({
              name,
              is_readonly: spec.readOnly,
              is_writable: !spec.readOnly,
              is_deny: false,
            })),
          },
          `Give ${spec.users.join(', ')} ${spec.readOnly ? 'read-only' : 'read-write'} access to ${spec.name}`,
        );
      }
    });
    return {
      name: spec.name,
      protocol: spec.protocol,
      path,
      readOnly: spec.readOnly,
      users: spec.protocol === 'smb' ? spec.users : [],
      clients: spec.protocol === 'nfs' ? (spec.clients.length ? spec.clients : ['*']) : [],
      managed: true,
    };
  }

  /**
   * NFS: rewrites the share's NFS rules (SharePrivilege save replaces the whole list), keeping each kept
   * rule's other options. SMB: read-only and users are per-user permissions on DSM (Share.Permission set);
   * users dropped from the list lose access. DSM's documented API has no per-share SMB host list.
   */
  async updateShare(name: string, protocol: 'smb' | 'nfs' | undefined, change: ShareChange): Promise<Share> {
    const share = await this.findShare(name);
    const rawRules = await this.rawNfsRules(share.name);
    if (!protocol && rawRules.length)
      throw new AppError('CONFLICT', `${share.name} is shared over both SMB and NFS: say which with --protocol.`);
    const path = `${share.volPath}/${share.name}`;
    if ((protocol ?? 'smb') === 'nfs') {
      if (change.users !== undefined && change.users.length)
        throw new AppError('INVALID_INPUT', 'NFS exports are limited by client address, not by user.', {
          fix: 'Give clients (addresses or CIDR ranges) instead of users for an NFS share.',
        });
      if (rawRules.length === 0) throw new AppError('NOT_FOUND', `${share.name} is not shared over NFS.`);
      const readOnly = change.readOnly ?? rawRules.every((r) => r.privilege !== 'rw');
      const privilege = readOnly ? 'ro' : 'rw';
      const template = rawRules[0]!;
      const rules = change.clients
        ? (change.clients.length ? change.clients : ['*']).map((client) => ({
            ...(rawRules.find((r) => r.client === client) ?? template),
            client,
            privilege,
          }))
        : rawRules.map((r) => ({ ...r, privilege }));
      await this.change(
        'SYNO.Core.FileServ.NFS.SharePrivilege',
        'save',
        { share_name: share.name, rule: rules },
        `Allow NFS clients ${rules.map((r) => r.client).join(', ')} (${readOnly ? 'read-only' : 'read-write'}) on ${share.name}`,
      );
      return {
        name: share.name,
        protocol: 'nfs',
        path,
        readOnly: share.readOnly || readOnly,
        users: [],
        clients: rules.map((r) => String(r.client)),
        managed: true,
      };
    }
    if (change.clients !== undefined)
      throw new AppError('NOT_SUPPORTED', "DSM's documented Web API has no per-share list of SMB hosts.", {
        fix: 'Limit who may connect with users (--user), or set host rules in DSM (Control Panel › File Services › SMB).',
      });
    if (!(await this.client.has('SYNO.Core.Share.Permission')))
      throw new AppError('NOT_SUPPORTED', 'This DSM offers no share permission API: set the users in DSM.');
    const before = await this.smbPermissions(share.name);
    const users = change.users ?? before.map((p) => p.name);
    const readOnly = change.readOnly ?? (before.length > 0 && before.every((p) => !p.writable));
    if (users.length === 0 && change.readOnly !== undefined)
      throw new AppError('INVALID_INPUT', 'DSM makes SMB shares read-only per user: give the users with --user.', {
        field: 'users',
      });
    const dropped = before.filter((p) => !users.includes(p.name));
    const permissions = [
      ...users.map((u) => ({ name: u, is_readonly: readOnly, is_writable: !readOnly, is_deny: false })),
      ...dropped.map((p) => ({ name: p.name, is_readonly: false, is_writable: false, is_deny: false })),
    ];
    if (permissions.length) {
      const what = [
        users.length ? `Give ${users.join(', ')} ${readOnly ? 'read-only' : 'read-write'} access` : null,
        dropped.length ? `take access from ${dropped.map((p) => p.name).join(', ')}` : null,
      ].filter(Boolean);
      await this.change(
        'SYNO.Core.Share.Permission',
        'set',
        { name: share.name, user_group_type: 'local_user', permissions },
        `${what.join('; ')} on ${share.name}`,
      );
    }
    return {
      name: share.name,
      protocol: 'smb',
      path,
      readOnly: share.readOnly || (users.length > 0 && readOnly),
      users,
      clients: [],
      managed: true,
    };
  }

  /** NFS: removes the NFS rules only. SMB (or no protocol): deletes the shared folder and its data. */
  async deleteShare(name: string, protocol?: 'smb' | 'nfs'): Promise<void> {
    const share = await this.findShare(name);
    if (protocol === 'nfs') {
      if ((await this.nfsRules(share.name)).length === 0)
        throw new AppError('NOT_FOUND', `${share.name} is not shared over NFS.`);
      await this.change(
        'SYNO.Core.FileServ.NFS.SharePrivilege',
        'save',
        { share_name: share.name, rule: [] },
        `Remove every NFS rule of ${share.name}`,
      );
      return;
    }
    await this.change(
      'SYNO.Core.Share',
      'delete',
      { name: [share.name] },
      `Delete shared folder ${share.name} (${share.volPath}/${share.name}) and its data`,
    );
  }

  /** DSM names a snapshot by its time itself; the name given becomes its description. */
  async createSnapshot(of: string, name: string): Promise<Snapshot> {
    const share = await this.findShare(of);
    if (!share.supportSnapshot)
      throw new AppError('NOT_SUPPORTED', `${share.name} cannot have snapshots: it is not on a Btrfs volume.`);
    const data = await this.change(
      'SYNO.Core.Share.Snapshot',
      'create',
      { name: share.name, snapinfo: { desc: name, lock: true } },
      `Snapshot shared folder ${share.name} ("${name}")`,
    );
    if (this.ctx.plan) return { name, of: share.name, createdAt: new Date().toISOString() };
    if (typeof data !== 'string' || data === '')
      throw new AppError('INTERNAL', 'DSM created a snapshot but did not name it.', { share: share.name });
    const made = (await this.snapshots(share.name)).find((s) => s.name === data);
    return made ?? { name: data, of: share.name, createdAt: new Date().toISOString() };
  }

  async deleteSnapshot(of: string, name: string): Promise<void> {
    const snapshots = await this.snapshots(of);
    const snap = snapshots.find((s) => s.name === name);
    if (!snap)
      throw new AppError('NOT_FOUND', `No snapshot "${name}" of ${of}.`, {
        snapshots: snapshots.map((s) => s.name),
      });
    const data = await this.change(
      'SYNO.Core.Share.Snapshot',
      'delete',
      { name: snap.of, snapshots: [name] },
      `Delete snapshot ${name} of ${snap.of}`,
    );
    // A partial failure comes back as success with the names DSM could not delete.
    if (Array.isArray(data) && data.length > 0)
      throw new AppError('INTERNAL', `DSM could not delete snapshot ${name} of ${snap.of}.`, { failed: data });
  }

  async rollbackSnapshot(_of: string, _name: string): Promise<void> {
    throw new AppError('NOT_SUPPORTED', NOTES.rollback);
  }

  async createIscsiTarget(spec: IscsiSpec): Promise<IscsiTarget> {
    if (!TARGET_NAME.test(spec.name))
      throw new AppError(
        'INVALID_INPUT',
        'An iSCSI target name is 1–32 letters, digits, dots, dashes or underscores.',
        {
          field: 'name',
        },
      );
    if (!Number.isSafeInteger(spec.sizeBytes) || spec.sizeBytes < 1024 ** 3)
      throw new AppError('INVALID_INPUT', 'DSM LUNs are at least 1 GiB.', { field: 'sizeBytes' });
    if (spec.initiators.length)
      throw new AppError(
        'NOT_SUPPORTED',
        "DSM's documented Web API has no initiator allow-list for targets: leave --initiator out and use CHAP, or set masking in SAN Manager.",
      );
    if (spec.chapUser && !spec.chapSecret)
      throw new AppError('INVALID_INPUT', 'A CHAP user needs a CHAP secret (--chap-secret-stdin).', {
        field: 'chapSecret',
      });
    if (spec.chapSecret && (spec.chapSecret.length < 12 || spec.chapSecret.length > 16))
      throw new AppError('INVALID_INPUT', 'DSM needs a CHAP secret of 12 to 16 characters.', { field: 'chapSecret' });
    const [luns, targets] = await this.iscsiState();
    if (targets.some((t) => t.name.toLowerCase() === spec.name.toLowerCase()))
      throw new AppError('CONFLICT', `An iSCSI target named ${spec.name} already exists.`);
    if (luns.some((l) => l.name.toLowerCase() === spec.name.toLowerCase()))
      throw new AppError('CONFLICT', `A LUN named ${spec.name} already exists.`);
    const volume = await this.volumeFor(undefined, undefined);
    const host = (await this.systemInfo()).hostname.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const iqn = `iqn.2000-01.com.synology:${host}.${spec.name.toLowerCase()}`;

    await withRollback(async (onUndo) => {
      const lun = await this.change(
        'SYNO.Core.ISCSI.LUN',
        'create',
        {
          name: spec.name,
          // Btrfs volumes take block-level LUNs; ext4 ones file-level.
          type: volume.fsType === 'btrfs' ? 'BLUN' : 'FILE',
          location: volume.path,
          size: spec.sizeBytes,
          description: 'Created by Nasdeck',
        },
        `Create LUN ${spec.name} (${spec.sizeBytes} bytes) on ${volume.path}`,
      );
      const uuid = this.ctx.plan ? '<new LUN uuid>' : text(obj(lun, 'LUN create').uuid, 'LUN create uuid');
      onUndo(() => this.change('SYNO.Core.ISCSI.LUN', 'delete', { uuid }, `Undo: delete LUN ${spec.name}`));
      const target = await this.change(
        'SYNO.Core.ISCSI.Target',
        'create',
        {
          name: spec.name,
          iqn,
          auth_type: spec.chapUser ? 1 : 0,
          ...(spec.chapUser ? { user: spec.chapUser, password: spec.chapSecret } : {}),
        },
        `Create iSCSI target ${iqn}${spec.chapUser ? ` with CHAP user ${spec.chapUser}` : ''}`,
      );
      const targetId = this.ctx.plan ? '<new target id>' : String(obj(target, 'Target create').target_id ?? '');
      if (!this.ctx.plan && !/^\d+$/.test(targetId))
        throw new AppError('INTERNAL', 'DSM created a target without an id.');
      onUndo(() =>
        this.change('SYNO.Core.ISCSI.Target', 'delete', { target_id: targetId }, `Undo: delete target ${spec.name}`),
      );
      await this.change(
        'SYNO.Core.ISCSI.LUN',
        'map_target',
        { uuid, target_ids: [this.ctx.plan ? targetId : Number(targetId)] },
        `Map LUN ${spec.name} to target ${iqn}`,
      );
    });
    // What DSM now lists (mapping index included); the request itself when planning.
    const made = this.ctx.plan ? undefined : (await this.iscsiTargets()).find((t) => t.iqn === iqn);
    if (made) return made;
    return {
      name: spec.name,
      iqn,
      luns: [{ id: 1, sizeBytes: spec.sizeBytes, backing: `${volume.path}/${spec.name}` }],
      ...(spec.chapUser ? { chapUser: spec.chapUser } : {}),
      initiators: ['ALL'],
    };
  }

  /** Deletes the target, and the LUNs Nasdeck made for it (named like the target, mapped only there). */
  async deleteIscsiTarget(target: string): Promise<void> {
    const [luns, targets] = await this.iscsiState();
    const t = targets.find((x) => x.name === target || x.iqn === target);
    if (!t) throw new AppError('NOT_FOUND', `No iSCSI target "${target}".`, { targets: targets.map((x) => x.name) });
    const ours = luns.filter(
      (l) =>
        l.name === t.name &&
        t.mapped.some((m) => m.lunUuid === l.uuid) &&
        !targets.some((o) => o !== t && o.mapped.some((m) => m.lunUuid === l.uuid)),
    );
    await this.change(
      'SYNO.Core.ISCSI.Target',
      'delete',
      { target_id: String(t.targetId) },
      `Delete iSCSI target ${t.iqn}`,
    );
    for (const lun of ours) {
      await this.change('SYNO.Core.ISCSI.LUN', 'delete', { uuid: lun.uuid }, `Delete LUN ${lun.name} and its data`);
    }
    if (this.ctx.plan || ours.length === 0) return;
    // LUN deletion is asynchronous: wait until DSM no longer lists them.
    for (let i = 0; i < LUN_DELETE_POLLS; i++) {
      const left = parseLuns(await this.client.call('SYNO.Core.ISCSI.LUN', 'list', { types: LUN_TYPES }));
      if (!left.some((l) => ours.some((o) => o.uuid === l.uuid))) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new AppError('TIMEOUT', `DSM is still deleting LUN ${ours.map((l) => l.name).join(', ')}.`);
  }
}

/** `https://host:port` of DSM's web API; plain HTTP is refused (the password would travel in clear). */
export function dsmOrigin(device: Device): string {
  if (device.url) {
    const url = new URL(device.url);
    if (url.protocol !== 'https:')
      throw new AppError(
        'INVALID_INPUT',
        `DSM is managed over HTTPS only; ${url.protocol}// would send the password in clear.`,
        {
          fix: `Use https://${device.host}:5001.`,
        },
      );
    return url.origin;
  }
  const host = device.host.includes(':') ? `[${device.host}]` : device.host;
  return `https://${host}:${device.port ?? 5001}`;
}

export interface SynologyDriverOptions {
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** The name DSM shows for a remembered computer. */
  deviceName?: string;
}

export function createSynologyDriver(options: SynologyDriverOptions = {}): VendorDriver {
  const sessions = new Map<string, { key: string; client: DsmClient }>();
  const deviceName = options.deviceName ?? `Nasdeck (${hostname()})`;

  const newClient = async (device: Device, vault: SecretVault, acceptNewCert: boolean) => {
    if (!device.access.user)
      throw new AppError('INVALID_INPUT', `No DSM account for ${device.name}: re-add it with --user.`);
    const token = device.access.secrets.includes('deviceToken')
      ? await vault.get(secretAccount(device.id, 'deviceToken'))
      : null;
    return new DsmClient({
      origin: dsmOrigin(device),
      pin: {
        ...(device.access.certSha256 ? { certSha256: device.access.certSha256 } : {}),
        acceptNewCert,
      },
      account: device.access.user,
      password: () => vault.get(secretAccount(device.id, 'password')),
      deviceToken: token,
      deviceName,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
  };

  return {
    async adapter(ctx: VendorContext): Promise<NasAdapter> {
      const { device } = ctx;
      const key = JSON.stringify([dsmOrigin(device), device.access.user, device.access.certSha256]);
      let entry = sessions.get(device.id);
      if (!entry || entry.key !== key) {
        if (entry) void entry.client.logout();
        entry = { key, client: await newClient(device, ctx.vault, false) };
        sessions.set(device.id, entry);
      }
      return new SynologyAdapter(entry.client, ctx);
    },

    async verify(device: Device, vault: SecretVault, verifyOptions: VendorVerifyOptions): Promise<VendorVerified> {
      const client = await newClient(device, vault, verifyOptions.acceptNewCert);
      try {
        const { deviceToken } = await client.login({
          ...(verifyOptions.otp !== undefined ? { otp: verifyOptions.otp } : {}),
          ...(verifyOptions.rememberDevice ? { rememberDevice: true } : {}),
        });
        const info = obj(await client.call('SYNO.DSM.Info', 'getinfo'), 'SYNO.DSM.Info getinfo');
        return {
          ...(client.seen.certSha256 ? { certSha256: client.seen.certSha256 } : {}),
          model: text(info.model, 'model', '').trim() || null,
          osVersion: text(info.version_string, 'version_string', '') || null,
          ...(deviceToken ? { tokens: { deviceToken } } : {}),
        };
      } finally {
        await client.logout();
      }
    },

    async closeAll(): Promise<void> {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((e) => e.client.logout()));
    },
  };
}

export const synologyDriver = createSynologyDriver();
