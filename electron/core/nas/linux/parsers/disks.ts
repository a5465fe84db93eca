// Disks: util-linux `lsblk -J -b -o NAME,PATH,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,MOUNTPOINT,FSTYPE`
// and smartmontools `smartctl -j -a <dev>`.
import type { Disk } from '../../../../../shared/domain';
import { checkJson, isRecord, parseFail } from './common';

export interface BlockDevice {
  name: string;
  path: string | null;
  type: string;
  sizeBytes: number;
  model: string | null;
  serial: string | null;
  rotational: boolean | null;
  transport: string | null;
  mountpoint: string | null;
  fstype: string | null;
  children: BlockDevice[];
}

const LSBLK = 'lsblk';

function str(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  return null;
}

function toBlock(v: unknown, input: unknown, depth: number): BlockDevice {
  if (depth > 16) throw parseFail(LSBLK, 'device tree is too deep', input);
  if (!isRecord(v) || typeof v.name !== 'string' || v.name === '')
    throw parseFail(LSBLK, 'a device has no name', input);
  const sz = v.size;
  const sizeBytes = typeof sz === 'number' ? sz : typeof sz === 'string' && /^\d+$/.test(sz) ? Number(sz) : NaN;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0)
    throw parseFail(LSBLK, `size of ${v.name} is not a byte count (ask with -b)`, input);
  const rota = v.rota;
  const kids = v.children;
  if (kids !== undefined && !Array.isArray(kids))
    throw parseFail(LSBLK, `children of ${v.name} is not an array`, input);
  return {
    name: v.name,
    path: str(v.path),
    type: str(v.type) ?? 'unknown',
    sizeBytes,
    model: str(v.model),
    serial: str(v.serial),
    rotational: typeof rota === 'boolean' ? rota : rota === '1' ? true : rota === '0' ? false : null,
    transport: str(v.tran),
    mountpoint: str(v.mountpoint),
    fstype: str(v.fstype),
    children: (kids ?? []).map((c) => toBlock(c, input, depth + 1)),
  };
}

/** `lsblk -J -b -o …` → the device tree (children recursive). Accepts text or a parsed object. */
export function parseLsblk(input: unknown): BlockDevice[] {
  const json = checkJson(LSBLK, input);
  if (!isRecord(json) || !Array.isArray(json.blockdevices)) throw parseFail(LSBLK, 'no "blockdevices" array', input);
  return json.blockdevices.map((d) => toBlock(d, input, 0));
}

export interface SmartInfo {
  model: string | null;
  serial: string | null;
  sizeBytes: number | null;
  temperatureC: number | null;
  smart: Disk['smart'];
  /** "PASSED" / "FAILED" / "UNKNOWN", plus the reasons for a warning. */
  rawStatus: string;
}

const SMART = 'smartctl';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * `smartctl -j -a <dev>` → health. failing: smart_status.passed === false. warning: reallocated (5),
 * pending (197) or offline-uncorrectable (198) sectors > 0, NVMe critical_warning ≠ 0 or media_errors > 0.
 * unknown: no smart_status (device could not be opened, SMART unsupported, USB bridge without passthrough).
 */
export function parseSmartctl(input: unknown): SmartInfo {
  const j = checkJson(SMART, input);
  if (!isRecord(j)) throw parseFail(SMART, 'expected a JSON object', input);
  if (!isRecord(j.smartctl) && !isRecord(j.device) && j.smart_status === undefined)
    throw parseFail(SMART, 'not smartctl JSON (no "smartctl", "device" or "smart_status")', input);
  const reasons: string[] = [];
  const status = isRecord(j.smart_status) ? j.smart_status : null;
  const passed = status && typeof status.passed === 'boolean' ? status.passed : null;

  const attrs =
    isRecord(j.ata_smart_attributes) && Array.isArray(j.ata_smart_attributes.table) ? j.ata_smart_attributes.table : [];
  for (const a of attrs) {
    if (!isRecord(a)) continue;
    const raw = isRecord(a.raw) ? num(a.raw.value) : null;
    if ((a.id === 5 || a.id === 197 || a.id === 198) && raw !== null && raw > 0)
      reasons.push(`${String(a.name ?? a.id)}=${raw}`);
  }
  const nvme = isRecord(j.nvme_smart_health_information_log) ? j.nvme_smart_health_information_log : null;
  if (nvme) {
    const cw = num(nvme.critical_warning);
    const me = num(nvme.media_errors);
    if (cw !== null && cw !== 0) reasons.push(`critical_warning=${cw}`);
    if (me !== null && me > 0) reasons.push(`media_errors=${me}`);
  }
  let smart: Disk['smart'];
  if (passed === false) smart = 'failing';
  else if (passed === null) smart = 'unknown';
  else smart = reasons.length > 0 ? 'warning' : 'ok';

  const temp = isRecord(j.temperature) ? num(j.temperature.current) : null;
  const cap = isRecord(j.user_capacity) ? num(j.user_capacity.bytes) : null;
  const rawStatus =
    (passed === true ? 'PASSED' : passed === false ? 'FAILED' : 'UNKNOWN') +
    (reasons.length ? ` (${reasons.join(', ')})` : '');
  return {
    model: str(j.model_name) ?? str(j.scsi_model_name),
    serial: str(j.serial_number),
    sizeBytes: cap ?? num(j.nvme_total_capacity),
    temperatureC: temp ?? (nvme ? num(nvme.temperature) : null),
    smart,
    rawStatus,
  };
}

/** One `Disk` from an lsblk row and, when available, its smartctl health. Vendors pad model/serial. */
export function toDisk(dev: BlockDevice, smart?: SmartInfo): Disk {
  return {
    name: dev.name,
    model: (smart?.model ?? dev.model ?? '').trim(),
    serial: (smart?.serial ?? dev.serial ?? '').trim(),
    sizeBytes: dev.sizeBytes,
    temperatureC: smart?.temperatureC ?? null,
    smart: smart?.smart ?? 'unknown',
  };
}
