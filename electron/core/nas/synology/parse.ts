// DSM answers onto the shared shapes: load_info storage pools/volumes/disks, shares with their NFS
// rules, Btrfs share snapshots and iSCSI LUNs/targets. Pure functions over parsed JSON.
import type { Disk, HealthState, IscsiTarget, Pool, Share, Snapshot } from '../../../../shared/domain';
import { count, flag, list, obj, text, type Obj } from './shapes';

/** A volume on a storage pool: where shares, snapshots and LUNs live. */
export interface DsmVolume {
  id: string;
  path: string;
  fsType: string;
  state: HealthState;
  rawState: string;
  sizeBytes: number;
  usedBytes: number;
}

export type DsmPool = Pool & { volumes: DsmVolume[] };

/**
 * DSM's status words. Only "normal" is in public fixtures; the others are DSM's Storage Manager
 * words. The reference says to treat any other value as a problem, so an unknown word reads
 * degraded (never healthy) and is kept in rawState.
 */
export function healthFromDsm(status: string): HealthState {
  const s = status.toLowerCase();
  if (s === 'normal' || s === 'healthy') return 'healthy';
  if (['crashed', 'failed', 'fail', 'broken'].includes(s)) return 'failed';
  if (['repairing', 'rebuilding', 'recovering', 'migrating', 'expanding'].includes(s)) return 'rebuilding';
  if (['data_scrubbing', 'scrubbing', 'parity_checking', 'consistency_checking'].includes(s)) return 'scrubbing';
  return 'degraded';
}

/** device_type ("shr_with_2_disk_protect", "raid_5"…) as a RAID level; `desc` ("SHR-2") when unknown. */
export function raidLevel(deviceType: string, desc: string): string {
  const shr = /^shr_(with_(\d)_disk_protect|without_disk_protect)$/.exec(deviceType);
  if (shr) return shr[2] === '2' ? 'SHR-2' : shr[2] === '1' ? 'SHR' : 'SHR (no protection)';
  const raid = /^raid_?(\w+)$/.exec(deviceType);
  if (raid) return `raid${raid[1]}`;
  if (deviceType === 'basic' || deviceType === 'jbod') return deviceType;
  return desc || deviceType || 'unknown';
}

const WORST: HealthState[] = ['failed', 'rebuilding', 'degraded', 'scrubbing', 'unknown', 'healthy'];
const worst = (states: HealthState[]) => WORST.find((s) => states.includes(s)) ?? 'healthy';

function parseVolume(raw: unknown, i: number): DsmVolume & { poolPath: string } {
  const v = obj(raw, `volumes[${i}]`);
  const size = obj(v.size, `volumes[${i}].size`);
  const status = text(v.status, `volumes[${i}].status`, 'unknown');
  return {
    id: text(v.id, `volumes[${i}].id`),
    path: text(v.vol_path, `volumes[${i}].vol_path`),
    fsType: text(v.fs_type, `volumes[${i}].fs_type`, 'unknown'),
    state: healthFromDsm(status),
    rawState: status,
    sizeBytes: count(size.total, `volumes[${i}].size.total`),
    usedBytes: count(size.used, `volumes[${i}].size.used`, 0),
    poolPath: text(v.pool_path, `volumes[${i}].pool_path`, ''),
  };
}

function diskPath(disks: Obj[], id: string): string {
  const d = disks.find((x) => x.id === id);
  return typeof d?.device === 'string' ? d.device : `/dev/${id}`;
}

/**
 * Storage pools from load_info, each with its volumes. sizeBytes is the pool's capacity; usedBytes
 * is the data on its volumes (DSM's own pool "used" counts space allocated to volumes, which is
 * usually all of it). A volume without a storage pool (old DSM) becomes a pool of its own.
 */
export function parsePools(data: unknown): DsmPool[] {
  const root = obj(data, 'load_info');
  const disks = list(root.disks, 'disks').map((d, i) => obj(d, `disks[${i}]`));
  const volumes = list(root.volumes, 'volumes').map(parseVolume);
  const pools: DsmPool[] = list(root.storagePools, 'storagePools').map((raw, i) => {
    const p = obj(raw, `storagePools[${i}]`);
    const where = `storagePools[${i}]`;
    const id = text(p.id, `${where}.id`);
    const poolPath = text(p.pool_path, `${where}.pool_path`, id);
    const size = obj(p.size, `${where}.size`);
    const status = text(p.status, `${where}.status`, 'unknown');
    const devices = list(p.raids, `${where}.raids`).flatMap((r, j) =>
      list(obj(r, `${where}.raids[${j}]`).devices, `${where}.raids[${j}].devices`).map((d, k) => {
        const dev = obj(d, `${where}.raids[${j}].devices[${k}]`);
        const devStatus = text(dev.status, `${where}.raids[${j}].devices[${k}].status`, 'unknown');
        return {
          slot: count(dev.slot, `${where}.raids[${j}].devices[${k}].slot`, k),
          name: diskPath(disks, text(dev.id, `${where}.raids[${j}].devices[${k}].id`)),
          state: healthFromDsm(devStatus),
        };
      }),
    );
    devices.sort((a, b) => a.slot - b.slot);
    const own = volumes.filter((v) => v.poolPath === poolPath || v.poolPath === id);
    const scrubbing = text(p.scrubbingStatus, `${where}.scrubbingStatus`, '');
    const progress = p.progress === undefined ? {} : obj(p.progress, `${where}.progress`);
    const step = text(progress.step, `${where}.progress.step`, 'none');
    const percent = count(progress.percent, `${where}.progress.percent`, -1);
    let state = worst([healthFromDsm(status), ...own.map((v) => v.state)]);
    if (state === 'healthy' && (scrubbing === 'running' || step === 'data_scrubbing')) state = 'scrubbing';
    const pool: DsmPool = {
      id,
      name: `Storage Pool ${count(p.num_id, `${where}.num_id`, i + 1)}`,
      kind: 'vendor',
      raidLevel: raidLevel(text(p.device_type, `${where}.device_type`, ''), text(p.desc, `${where}.desc`, '')),
      state,
      rawState: [status, ...own.filter((v) => v.rawState !== 'normal').map((v) => `${v.id} ${v.rawState}`)].join(', '),
      sizeBytes: count(size.total, `${where}.size.total`),
      usedBytes: own.length ? own.reduce((n, v) => n + v.usedBytes, 0) : count(size.used, `${where}.size.used`, 0),
      devices: devices.map(({ name, state: s }) => ({ name, state: s })),
      volumes: own.map(({ poolPath: _, ...v }) => v),
    };
    if (scrubbing)
      pool.scrub = {
        state: scrubbing,
        progress: step === 'data_scrubbing' && percent >= 0 ? percent / 100 : scrubbing === 'done' ? 1 : 0,
        errorsCorrected: 0,
        errorsUncorrectable: 0,
      };
    return pool;
  });
  for (const v of volumes) {
    if (pools.some((p) => p.volumes.some((x) => x.id === v.id))) continue;
    const { poolPath: _, ...volume } = v;
    pools.push({
      id: v.id,
      name: v.path.replace(/^\//, ''),
      kind: 'vendor',
      raidLevel: 'unknown',
      state: v.state,
      rawState: v.rawState,
      sizeBytes: v.sizeBytes,
      usedBytes: v.usedBytes,
      devices: [],
      volumes: [volume],
    });
  }
  return pools;
}

/** SMART and drive status words: "normal" is fine, a failing word is failing, the rest warns. */
function smartOf(d: Obj): Disk['smart'] {
  const smart = typeof d.smart_status === 'string' ? d.smart_status.toLowerCase() : '';
  const status = typeof d.status === 'string' ? d.status.toLowerCase() : '';
  if (['failing', 'failed', 'crashed', 'damage', 'critical'].some((w) => smart === w || status === w)) return 'failing';
  if (flag(d.exceed_bad_sector_thr) || flag(d.below_remain_life_thr)) return 'warning';
  if (smart === '' && status === '') return 'unknown';
  if ((smart === 'normal' || smart === '') && (status === 'normal' || status === '')) return 'ok';
  return 'warning';
}

export function parseDisks(data: unknown): Disk[] {
  const root = obj(data, 'load_info');
  return list(root.disks, 'disks').map((raw, i) => {
    const d = obj(raw, `disks[${i}]`);
    const where = `disks[${i}]`;
    const id = text(d.id, `${where}.id`);
    const temp = d.temp === undefined || d.temp === null ? null : count(d.temp, `${where}.temp`);
    return {
      name: text(d.device, `${where}.device`, `/dev/${id}`),
      // DSM pads model and vendor with spaces.
      model: text(d.model, `${where}.model`, '').trim(),
      serial: text(d.serial, `${where}.serial`, '').trim(),
      sizeBytes: count(d.size_total, `${where}.size_total`, 0),
      temperatureC: temp !== null && temp > 0 ? temp : null,
      smart: smartOf(d),
    };
  });
}

export interface DsmShare {
  name: string;
  volPath: string;
  desc: string;
  readOnly: boolean;
  supportSnapshot: boolean;
}

export function parseShareList(data: unknown): DsmShare[] {
  const root = obj(data, 'SYNO.Core.Share list');
  return list(root.shares, 'shares').map((raw, i) => {
    const s = obj(raw, `shares[${i}]`);
    return {
      name: text(s.name, `shares[${i}].name`),
      volPath: text(s.vol_path, `shares[${i}].vol_path`, ''),
      desc: text(s.desc, `shares[${i}].desc`, ''),
      readOnly: flag(s.is_force_readonly),
      supportSnapshot: flag(s.support_snapshot),
    };
  });
}

export interface NfsRule {
  client: string;
  privilege: string;
}

export function parseNfsRules(data: unknown): NfsRule[] {
  const root = obj(data, 'SYNO.Core.FileServ.NFS.SharePrivilege load');
  return list(root.rule, 'rule').map((raw, i) => {
    const r = obj(raw, `rule[${i}]`);
    return { client: text(r.client, `rule[${i}].client`), privilege: text(r.privilege, `rule[${i}].privilege`, 'ro') };
  });
}

/**
 * One Synology shared folder as the shared shapes: SMB always, NFS when it has NFS rules. The SMB share
 * is read-only when DSM forces it, or when every user with access has read-only permission.
 */
export function toShares(share: DsmShare, nfs: NfsRule[], smbUsers: string[], usersReadOnly = false): Share[] {
  const path = `${share.volPath}/${share.name}`;
  const readOnly = share.readOnly || (smbUsers.length > 0 && usersReadOnly);
  const out: Share[] = [
    { name: share.name, protocol: 'smb', path, readOnly, users: smbUsers, clients: [], managed: true },
  ];
  if (nfs.length)
    out.push({
      name: share.name,
      protocol: 'nfs',
      path,
      readOnly: share.readOnly || nfs.every((r) => r.privilege !== 'rw'),
      users: [],
      clients: nfs.map((r) => r.client),
      managed: true,
    });
  return out;
}

/** `GMT+02-2025.06.01-03.00.00` (the SMB "Previous Versions" name) as an ISO date. */
export function snapshotDate(name: string): string {
  const m = /^GMT([+-])(\d{2})(?::?(\d{2}))?-(\d{4})\.(\d{2})\.(\d{2})-(\d{2})\.(\d{2})\.(\d{2})$/.exec(name);
  if (!m) return '';
  const [, sign, hh, mm, y, mo, d, h, mi, s] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm ?? 0)) * 60_000;
  return new Date(local - offset).toISOString();
}

export function parseSnapshots(data: unknown, of: string): Snapshot[] {
  const root = obj(data, 'SYNO.Core.Share.Snapshot list');
  return list(root.snapshots, 'snapshots').map((raw, i) => {
    const s = obj(raw, `snapshots[${i}]`);
    const name = text(s.time, `snapshots[${i}].time`);
    const size = s.snap_size === undefined ? undefined : count(s.snap_size, `snapshots[${i}].snap_size`);
    return { name, of, createdAt: snapshotDate(name), ...(size !== undefined ? { sizeBytes: size } : {}) };
  });
}

export interface DsmLun {
  uuid: string;
  name: string;
  lunId: number;
  location: string;
  sizeBytes: number;
}

export function parseLuns(data: unknown): DsmLun[] {
  const root = obj(data, 'SYNO.Core.ISCSI.LUN list');
  return list(root.luns, 'luns').map((raw, i) => {
    const l = obj(raw, `luns[${i}]`);
    return {
      uuid: text(l.uuid, `luns[${i}].uuid`),
      name: text(l.name, `luns[${i}].name`),
      lunId: count(l.lun_id, `luns[${i}].lun_id`, 0),
      location: text(l.location, `luns[${i}].location`, ''),
      sizeBytes: count(l.size, `luns[${i}].size`, 0),
    };
  });
}

export interface DsmTarget {
  targetId: number;
  name: string;
  iqn: string;
  authType: number;
  user: string;
  mapped: Array<{ lunUuid: string; index: number }>;
  acls: string[];
}

export function parseTargets(data: unknown): DsmTarget[] {
  const root = obj(data, 'SYNO.Core.ISCSI.Target list');
  return list(root.targets, 'targets').map((raw, i) => {
    const t = obj(raw, `targets[${i}]`);
    const where = `targets[${i}]`;
    return {
      targetId: count(t.target_id, `${where}.target_id`),
      name: text(t.name, `${where}.name`),
      iqn: text(t.iqn, `${where}.iqn`),
      authType: count(t.auth_type, `${where}.auth_type`, 0),
      user: text(t.user, `${where}.user`, ''),
      mapped: list(t.mapped_luns, `${where}.mapped_luns`).map((m, j) => {
        const x = obj(m, `${where}.mapped_luns[${j}]`);
        return {
          lunUuid: text(x.lun_uuid, `${where}.mapped_luns[${j}].lun_uuid`),
          index: count(x.mapping_index, `${where}.mapped_luns[${j}].mapping_index`, j),
        };
      }),
      acls: list(t.acls, `${where}.acls`).flatMap((a) =>
        typeof a === 'object' && a !== null && typeof (a as Obj).iqn === 'string' ? [(a as Obj).iqn as string] : [],
      ),
    };
  });
}

export function toIscsiTarget(t: DsmTarget, luns: DsmLun[]): IscsiTarget {
  return {
    name: t.name,
    iqn: t.iqn,
    luns: t.mapped.map((m) => {
      const lun = luns.find((l) => l.uuid === m.lunUuid);
      return {
        id: m.index,
        sizeBytes: lun?.sizeBytes ?? 0,
        backing: lun ? `${lun.location}/${lun.name}` : m.lunUuid,
      };
    }),
    ...(t.authType > 0 && t.user ? { chapUser: t.user } : {}),
    initiators: t.acls.length ? t.acls : ['ALL'],
  };
}
