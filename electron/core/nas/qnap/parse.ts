// QTS documents → the shared shapes. Pure functions over parsed XML/JSON, tested on captured
// responses (__fixtures__/SOURCES.md). QTS mixes units: volume sizes in bytes, disk capacity as a
// human string in binary units ("10.91 TB" is TiB), memory in MB, 32763 as "no temperature".
import type { Disk, HealthState, Pool, Share, SystemInfo } from '../../../../shared/domain';
import { badResponse, isNode, type QDoc, type XmlNode } from './xml';

export interface QtsSystem extends SystemInfo {
  /** QTS or QuTS hero. */
  osName: string;
  firmware: string | null;
  serial: string | null;
  /** Disk temperature that QTS itself warns at (HDTempWarnT), when it says. */
  diskTempWarnC: number | null;
}

/** `manaRequest.cgi?subfunc=sysinfo`: model and firmware from the common header, the rest from func/ownContent/root. */
export function parseSysinfo(doc: QDoc): QtsSystem {
  const r = doc.root;
  const model = doc.node(r, 'model');
  const fw = doc.node(r, 'firmware');
  const root = doc.node(
    doc.node(doc.node(r, 'func') ?? {}, 'ownContent', 'func/ownContent') ?? {},
    'root',
    'func/ownContent/root',
  );
  const osName =
    doc.text(model, 'is_zfs', 'model/is_zfs') === '1' ? 'QuTS hero' : doc.text(fw, 'name', 'firmware/name') || 'QTS';
  const version = doc.text(fw, 'version', 'firmware/version');
  const build = doc.text(fw, 'build', 'firmware/build');
  const parts = ['day', 'hour', 'min', 'sec'].map((u) => doc.num(root, `uptime_${u}`, `root/uptime_${u}`));
  const uptime = parts.every((p) => p !== null)
    ? parts[0]! * 86400 + parts[1]! * 3600 + parts[2]! * 60 + parts[3]!
    : null;
  return {
    hostname: doc.text(root, 'server_name', 'root/server_name') || doc.text(r, 'hostname') || '',
    os: version ? `${osName} ${version}` : osName,
    osName,
    kernel: null,
    uptimeSeconds: uptime,
    model: doc.text(model, 'displayModelName', 'model/displayModelName') || doc.text(model, 'modelName') || null,
    firmware: version ? `${version}${build ? ` (build ${build})` : ''}` : null,
    serial: doc.text(root, 'serial_number', 'root/serial_number') || null,
    diskTempWarnC: doc.num(root, 'HDTempWarnT', 'root/HDTempWarnT'),
  };
}

/** `sysHealth/status`: good, warning, error… (null when the NAS does not say). */
export function parseSysHealth(doc: QDoc): string | null {
  const own = doc.node(doc.node(doc.root, 'func') ?? {}, 'ownContent', 'func/ownContent');
  return doc.text(doc.node(own ?? {}, 'sysHealth', 'func/ownContent/sysHealth'), 'status', 'sysHealth/status') || null;
}

/** Human capacity in binary units ("894.25 GB", "10.91 TB") → bytes; null when unreadable. */
export function parseCapacity(text: string | null): number | null {
  const m = /^\s*([\d.]+)\s*([KMGTP]?)B?\s*$/i.exec(text ?? '');
  if (!m) return null;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return null;
  const power = ' KMGTP'.indexOf((m[2] || ' ').toUpperCase());
  return Math.round(value * 1024 ** power);
}

/** Drive health words QTS shows → the SMART vocabulary; anything else stays unknown. */
export function smartState(health: string | null): Disk['smart'] {
  const h = (health ?? '').trim().toLowerCase();
  if (h === 'ok' || h === 'good' || h === 'normal') return 'ok';
  if (h === 'warning') return 'warning';
  if (['abnormal', 'error', 'bad', 'failed', 'failing'].includes(h)) return 'failing';
  return 'unknown';
}

export interface QtsDisk extends Disk {
  /** Bay number ("0:3" → 3): volumes name their members by bay. */
  bay: number | null;
}

const SENTINEL_TEMPERATURE = 32763;

/** `qsmart.cgi?func=all_hd_data`: one entry per bay; empty bays (no Model) are left out. */
export function parseDisks(doc: QDoc): QtsDisk[] {
  const entries = doc.list(doc.node(doc.root, 'Disk_Info'), 'entry', 'Disk_Info/entry');
  return entries.flatMap((e, i) => {
    const where = `Disk_Info/entry[${i}]`;
    const model = (doc.text(e, 'Model', `${where}/Model`) ?? '').trim();
    if (!model) return [];
    const hdNo = doc.text(e, 'HDNo', `${where}/HDNo`) ?? '';
    const bay = /^\d+:(\d+)$/.test(hdNo.trim()) ? Number(hdNo.trim().split(':')[1]) : null;
    const temp = doc.num(doc.node(e, 'Temperature', `${where}/Temperature`), 'oC', `${where}/Temperature/oC`);
    return [
      {
        name: doc.text(e, 'Disk_Alias', `${where}/Disk_Alias`)?.trim() || (bay !== null ? `Disk ${bay}` : hdNo),
        model,
        serial: (doc.text(e, 'Serial', `${where}/Serial`) ?? '').trim(),
        sizeBytes: parseCapacity(doc.text(e, 'Capacity', `${where}/Capacity`)) ?? 0,
        temperatureC: temp === null || temp === SENTINEL_TEMPERATURE || temp < -40 || temp > 150 ? null : temp,
        smart: smartState(doc.text(e, 'Health', `${where}/Health`)),
        bay,
      },
    ];
  });
}

/** A volume's `volumeStatus`: only 0 ("ready") is documented; other codes keep their number as the raw state. */
export function volumeHealth(status: string | null): { state: HealthState; rawState: string } {
  if (status === '0') return { state: 'healthy', rawState: 'ready' };
  return { state: 'unknown', rawState: status === null || status === '' ? 'unknown' : `volumeStatus ${status}` };
}

const DISK_TO_MEMBER: Record<Disk['smart'], HealthState> = {
  ok: 'healthy',
  warning: 'degraded',
  failing: 'failed',
  unknown: 'unknown',
};

/** `chartReq.cgi?chart_func=disk_usage`: volumes with their RAID, member bays and usage. */
export function parseVolumes(
  doc: QDoc,
  disks: QtsDisk[],
): Array<Pool & { shares: Array<{ name: string; usedBytes: number }> }> {
  const volumes = doc.list(doc.node(doc.root, 'volumeList'), 'volume', 'volumeList/volume');
  const uses = doc.list(doc.node(doc.root, 'volumeUseList'), 'volumeUse', 'volumeUseList/volumeUse');
  const useById = new Map(uses.map((u, i) => [doc.need(u, 'volumeValue', `volumeUse[${i}]/volumeValue`), u]));
  return volumes.map((v, i) => {
    const where = `volumeList/volume[${i}]`;
    const id = doc.need(v, 'volumeValue', `${where}/volumeValue`);
    const bays = (doc.text(v, 'volumeDisks', `${where}/volumeDisks`) ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter((b) => /^\d+$/.test(b))
      .map(Number);
    const use = useById.get(id) ?? null;
    const total = doc.num(use, 'total_size', `volumeUse ${id}/total_size`) ?? 0;
    const free = doc.num(use, 'free_size', `volumeUse ${id}/free_size`) ?? 0;
    const health = volumeHealth(doc.text(v, 'volumeStatus', `${where}/volumeStatus`));
    const progress = doc.num(v, 'Progress', `${where}/Progress`);
    const folders = doc.list(use, 'folder_element', `volumeUse ${id}/folder_element`);
    return {
      id,
      name: doc.text(v, 'volumeLabel', `${where}/volumeLabel`)?.trim() || `Volume ${id}`,
      kind: 'vendor' as const,
      raidLevel: (doc.text(v, 'volumeStat', `${where}/volumeStat`) ?? '').trim() || 'unknown',
      ...health,
      ...(health.state !== 'healthy' && progress !== null && progress < 100
        ? { rawState: `${health.rawState} (${progress}%)` }
        : {}),
      sizeBytes: Math.max(0, Math.round(total)),
      usedBytes: Math.max(0, Math.round(total - free)),
      devices: bays.map((bay) => {
        const disk = disks.find((d) => d.bay === bay);
        return { name: disk?.name ?? `Disk ${bay}`, state: disk ? DISK_TO_MEMBER[disk.smart] : 'failed' };
      }),
      shares: folders
        .filter((f) => doc.text(f, 'type') !== 'system')
        .map((f, j) => ({
          name: doc.need(f, 'sharename', `volumeUse ${id}/folder_element[${j}]/sharename`),
          usedBytes: doc.num(f, 'used_size', `volumeUse ${id}/folder_element[${j}]/used_size`) ?? 0,
        })),
    };
  });
}

/**
 * File Station `get_tree` on `share_root`: a JSON array of shared folders. QTS shares every folder
 * over SMB by default; per-folder NFS rules and ACLs are not in any public API, so users and
 * clients stay empty and the share is marked unmanaged.
 */
export function parseShareTree(value: unknown, endpoint: string): Share[] {
  if (!Array.isArray(value)) throw badResponse(endpoint, 'the share list is not an array');
  return value.flatMap((item, i) => {
    if (!isNode(item as XmlNode) || typeof (item as { text?: unknown }).text !== 'string')
      throw badResponse(endpoint, `share ${i} has no name`);
    const { text, id, cls } = item as { text: string; id?: unknown; cls?: unknown };
    if (text === '' || text.startsWith('@') || text.startsWith('.')) return [];
    return [
      {
        name: text,
        protocol: 'smb' as const,
        path: typeof id === 'string' && id ? id : `/${text}`,
        // File Station marks folders the account may write as "w".
        readOnly: cls !== undefined && cls !== 'w',
        users: [],
        clients: [],
        managed: false,
      },
    ];
  });
}
