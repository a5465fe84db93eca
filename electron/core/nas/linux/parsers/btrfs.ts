// btrfs-progs output parsers (captured from btrfs-progs v6.2 in the lab; see __fixtures__/btrfs/SOURCES.md).
// btrfs-progs 6.2 has JSON only for `device stats` (and `filesystem df`, `qgroup show`); everything else is text.
import { checkJson, checkText, ctimeToIso, isRecord, isoFromSpaced, parseBinarySize, parseFail, toInt } from './common';

export interface BtrfsShowDevice {
  devid: number;
  sizeBytes: number;
  usedBytes: number;
  path: string | null;
  missing: boolean;
}

export interface BtrfsFilesystem {
  label: string | null;
  uuid: string;
  totalDevices: number;
  /** Bytes used by the filesystem ("FS bytes used"). Approximate when printed in human units. */
  fsBytesUsed: number | null;
  devices: BtrfsShowDevice[];
  /** btrfs printed "*** Some devices missing" or a device row says MISSING. */
  someMissing: boolean;
}

const SHOW = 'btrfs filesystem show';

function size(tool: string, s: string, what: string, input: string): number {
  const n = parseBinarySize(s);
  if (n === null) throw parseFail(tool, `${what} is not a size (${JSON.stringify(s)})`, input);
  return n;
}

/** `btrfs filesystem show [--raw] [<mp>]`. Prefer `--raw`: human units (1.00GiB) are rounded. */
export function parseBtrfsShow(input: unknown): BtrfsFilesystem[] {
  const text = checkText(SHOW, input);
  const out: BtrfsFilesystem[] = [];
  let cur: BtrfsFilesystem | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const head = /^Label:\s+(?:'(.*)'|(none))\s+uuid:\s+([0-9a-fA-F-]{36})$/.exec(line);
    if (head) {
      cur = {
        label: head[2] ? null : (head[1] ?? ''),
        uuid: head[3]!.toLowerCase(),
        totalDevices: 0,
        fsBytesUsed: null,
        devices: [],
        someMissing: false,
      };
      out.push(cur);
      continue;
    }
    if (/^btrfs-progs v/.test(line)) continue;
    if (!cur)
      throw parseFail(SHOW, `unexpected line before any "Label:" line: ${JSON.stringify(line.slice(0, 80))}`, input);
    const total = /^\s+Total devices\s+(\d+)\s+FS bytes used\s+(\S+)$/.exec(line);
    if (total) {
      cur.totalDevices = toInt(SHOW, total[1], 'Total devices', input);
      cur.fsBytesUsed = size(SHOW, total[2]!, 'FS bytes used', text);
      continue;
    }
    const dev = /^\s+devid\s+(\d+)\s+size\s+(\S+)\s+used\s+(\S+)\s+path\s*(.*)$/.exec(line);
    if (dev) {
      const path = dev[4]!.trim();
      const missing = path === '' || /^(MISSING|<missing disk>)$/i.test(path);
      cur.devices.push({
        devid: toInt(SHOW, dev[1], 'devid', input),
        sizeBytes: size(SHOW, dev[2]!, 'device size', text),
        usedBytes: size(SHOW, dev[3]!, 'device used', text),
        path: missing ? null : path,
        missing,
      });
      if (missing) cur.someMissing = true;
      continue;
    }
    if (/^\s+\*\*\* Some devices missing$/.test(line)) {
      cur.someMissing = true;
      continue;
    }
    throw parseFail(SHOW, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
  }
  if (out.length === 0) throw parseFail(SHOW, 'no filesystem found', input);
  for (const fs of out) {
    if (fs.totalDevices === 0) throw parseFail(SHOW, `no "Total devices" line for ${fs.uuid}`, input);
    if (fs.devices.length < fs.totalDevices) fs.someMissing = true;
  }
  return out;
}

export interface BtrfsProfileUsage {
  type: 'Data' | 'Metadata' | 'System' | 'Data+Metadata';
  profile: string;
  sizeBytes: number;
  usedBytes: number;
}

export interface BtrfsUsage {
  deviceSizeBytes: number;
  allocatedBytes: number;
  unallocatedBytes: number | null;
  missingBytes: number;
  usedBytes: number;
  freeEstimatedBytes: number;
  freeEstimatedMinBytes: number | null;
  dataRatio: number | null;
  metadataRatio: number | null;
  /** "RAID1"; when chunks of several profiles exist (after degraded writes) they are joined: "single+RAID1". */
  dataProfile: string;
  metadataProfile: string;
  systemProfile: string;
  multipleProfiles: boolean;
  profiles: BtrfsProfileUsage[];
}

const USAGE = 'btrfs filesystem usage';

/** `btrfs filesystem usage -b <mp>` (human units are accepted too, rounded). */
export function parseBtrfsUsage(input: unknown): BtrfsUsage {
  const text = checkText(USAGE, input);
  const overall = new Map<string, string>();
  const profiles: BtrfsProfileUsage[] = [];
  let section: 'none' | 'overall' | 'chunks' = 'none';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    if (line === 'Overall:') {
      section = 'overall';
      continue;
    }
    const prof = /^(Data|Metadata|System|Data\+Metadata),([^:\s]+):\s+Size:\s*(\S+?),\s+Used:\s*(\S+)/.exec(line);
    if (prof) {
      section = 'chunks';
      profiles.push({
        type: prof[1] as BtrfsProfileUsage['type'],
        profile: prof[2]!,
        sizeBytes: size(USAGE, prof[3]!, `${prof[1]} size`, text),
        usedBytes: size(USAGE, prof[4]!, `${prof[1]} used`, text),
      });
      continue;
    }
    if (line === 'Unallocated:') {
      section = 'chunks';
      continue;
    }
    if (section === 'overall') {
      const kv = /^\s+([A-Za-z][A-Za-z ,()]*?):\s+(.*)$/.exec(line);
      if (!kv) throw parseFail(USAGE, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
      overall.set(kv[1]!, kv[2]!.trim());
      continue;
    }
    if (section === 'chunks' && /^\s+\S+\s+\S+$/.test(line)) continue; // per-device rows
    if (/^(WARNING|NOTE):/.test(line)) continue;
    throw parseFail(USAGE, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
  }
  const need = (key: string): number => {
    const v = overall.get(key);
    if (v === undefined) throw parseFail(USAGE, `missing "${key}"`, input);
    return size(USAGE, v.split(/\s+/)[0]!, key, text);
  };
  const opt = (key: string): number | null => (overall.has(key) ? need(key) : null);
  const ratio = (key: string): number | null => {
    const v = overall.get(key);
    if (v === undefined) return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const free = overall.get('Free (estimated)');
  const minMatch = free ? /\(min:\s*(\S+?)\)/.exec(free) : null;
  const join = (type: string) => [...new Set(profiles.filter((p) => p.type === type).map((p) => p.profile))].join('+');
  const mixed = join('Data+Metadata');
  const dataProfile = join('Data') || mixed;
  if (!dataProfile) throw parseFail(USAGE, 'no Data profile line', input);
  return {
    deviceSizeBytes: need('Device size'),
    allocatedBytes: need('Device allocated'),
    unallocatedBytes: opt('Device unallocated'),
    missingBytes: opt('Device missing') ?? 0,
    usedBytes: need('Used'),
    freeEstimatedBytes: need('Free (estimated)'),
    freeEstimatedMinBytes: minMatch ? size(USAGE, minMatch[1]!, 'Free (min)', text) : null,
    dataRatio: ratio('Data ratio'),
    metadataRatio: ratio('Metadata ratio'),
    dataProfile,
    metadataProfile: join('Metadata') || mixed,
    systemProfile: join('System'),
    multipleProfiles: /^yes/.test(overall.get('Multiple profiles') ?? ''),
    profiles,
  };
}

export interface BtrfsDeviceStats {
  /** "/dev/loop2"; a missing device is reported by btrfs as "devid:2". */
  device: string;
  devid?: number;
  writeIoErrs: number;
  readIoErrs: number;
  flushIoErrs: number;
  corruptionErrs: number;
  generationErrs: number;
}

const STATS = 'btrfs device stats';
const COUNTERS = [
  ['write_io_errs', 'writeIoErrs'],
  ['read_io_errs', 'readIoErrs'],
  ['flush_io_errs', 'flushIoErrs'],
  ['corruption_errs', 'corruptionErrs'],
  ['generation_errs', 'generationErrs'],
] as const;

/** `btrfs --format json device stats <mp>` (values are strings in btrfs-progs 6.2). */
export function parseBtrfsDeviceStats(input: unknown): BtrfsDeviceStats[] {
  const json = checkJson(STATS, input);
  if (!isRecord(json) || !Array.isArray(json['device-stats'])) throw parseFail(STATS, 'no "device-stats" array', input);
  return json['device-stats'].map((row, i) => {
    if (!isRecord(row) || typeof row.device !== 'string') throw parseFail(STATS, `entry ${i} has no device`, input);
    const out: BtrfsDeviceStats = {
      device: row.device,
      writeIoErrs: 0,
      readIoErrs: 0,
      flushIoErrs: 0,
      corruptionErrs: 0,
      generationErrs: 0,
    };
    if (row.devid !== undefined) out.devid = toInt(STATS, row.devid, 'devid', input);
    for (const [k, f] of COUNTERS) out[f] = toInt(STATS, row[k], `${row.device} ${k}`, input);
    return out;
  });
}

/** `btrfs device stats <mp>` text form: "[/dev/loop3].corruption_errs  1". */
export function parseBtrfsDeviceStatsText(input: unknown): BtrfsDeviceStats[] {
  const text = checkText(STATS, input);
  const byDevice = new Map<string, BtrfsDeviceStats>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^\[(.+)\]\.(\w+)\s+(\d+)$/.exec(line);
    const field = m ? COUNTERS.find(([k]) => k === m[2]) : undefined;
    if (!m || !field) throw parseFail(STATS, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
    const dev = m[1]!;
    const row = byDevice.get(dev) ?? {
      device: dev,
      writeIoErrs: 0,
      readIoErrs: 0,
      flushIoErrs: 0,
      corruptionErrs: 0,
      generationErrs: 0,
    };
    row[field[1]] = toInt(STATS, m[3], field[0], input);
    byDevice.set(dev, row);
  }
  return [...byDevice.values()];
}

export interface BtrfsScrubStatus {
  state: 'never' | 'running' | 'finished' | 'aborted' | 'interrupted';
  /** Local time of the NAS, ISO 8601 without a zone (btrfs prints none). */
  startedAt: string | null;
  durationSeconds: number | null;
  bytesScrubbed: number;
  totalBytes: number | null;
  /** 0..1; null when neither the tool nor the caller gives a total. */
  progress: number | null;
  errorsCorrected: number;
  errorsUncorrectable: number;
  csumErrors: number;
  readErrors: number;
  verifyErrors: number;
}

const SCRUB = 'btrfs scrub status';

function durationToSeconds(s: string): number | null {
  const m = /^(?:(\d+)\s+days?\s+)?(\d+):(\d{2}):(\d{2})$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * `btrfs scrub status -R <mp>` (raw counters) or the default human form; both are understood.
 * `-R` has no "Total to scrub", so pass `totalBytes` (e.g. usage "Used") to get a progress while running.
 * Note: right after `scrub start` btrfs may print "no stats available" for a few seconds (captured:
 * scrub-running-nostats.txt); that is indistinguishable from a pool never scrubbed and reads as 'never'.
 */
export function parseBtrfsScrubStatus(input: unknown, opts: { totalBytes?: number } = {}): BtrfsScrubStatus {
  const text = checkText(SCRUB, input);
  const kv = new Map<string, string>();
  let noStats = false;
  let sawUuid = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === 'no stats available') {
      noStats = true;
      continue;
    }
    const m = /^([A-Za-z_ ]+?):\s*(.*)$/.exec(line);
    if (!m) {
      if (/^scrub (started|done|cancelled|resumed)|^WARNING:|^ERROR:/.test(line)) continue;
      throw parseFail(SCRUB, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
    }
    if (m[1] === 'UUID') sawUuid = true;
    kv.set(m[1]!, m[2]!);
  }
  if (!sawUuid) throw parseFail(SCRUB, 'no "UUID:" line', input);
  const rawNum = (k: string): number | null => (kv.has(k) ? toInt(SCRUB, kv.get(k), k, input) : null);
  const human = (k: string): number | null => {
    const v = kv.get(k);
    if (v === undefined) return null;
    return size(SCRUB, v.split(/\s+/)[0]!, k, text);
  };
  const status = (kv.get('Status') ?? '').toLowerCase();
  let state: BtrfsScrubStatus['state'];
  if (status.startsWith('running')) state = 'running';
  else if (status.startsWith('finished')) state = 'finished';
  else if (status.startsWith('aborted') || status.startsWith('cancel')) state = 'aborted';
  else if (status.startsWith('interrupted')) state = 'interrupted';
  else if (status === '' && noStats) state = 'never';
  else if (status === '') state = 'never';
  else throw parseFail(SCRUB, `unknown status ${JSON.stringify(status)}`, input);

  const dataBytes = rawNum('data_bytes_scrubbed');
  const treeBytes = rawNum('tree_bytes_scrubbed');
  const totalBytes = human('Total to scrub') ?? opts.totalBytes ?? null;
  let bytesScrubbed =
    dataBytes !== null || treeBytes !== null ? (dataBytes ?? 0) + (treeBytes ?? 0) : (human('Bytes scrubbed') ?? 0);
  if (bytesScrubbed === 0 && state === 'finished' && dataBytes === null && totalBytes !== null)
    bytesScrubbed = totalBytes;

  let progress: number | null = null;
  const pct = /\(([\d.]+)%\)/.exec(kv.get('Bytes scrubbed') ?? '');
  if (state === 'finished') progress = 1;
  else if (state === 'never') progress = null;
  else if (pct) progress = Math.min(1, Number(pct[1]) / 100);
  else if (totalBytes) progress = Math.min(1, bytesScrubbed / totalBytes);

  const summary = kv.get('Error summary') ?? '';
  const fromSummary = (k: string) => {
    const m = new RegExp(`\\b${k}=(\\d+)`).exec(summary);
    return m ? Number(m[1]) : 0;
  };
  return {
    state,
    startedAt: kv.has('Scrub started') ? ctimeToIso(kv.get('Scrub started')!) : null,
    durationSeconds: kv.has('Duration') ? durationToSeconds(kv.get('Duration')!) : null,
    bytesScrubbed,
    totalBytes,
    progress,
    errorsCorrected: rawNum('corrected_errors') ?? rawNum('Corrected') ?? 0,
    errorsUncorrectable: rawNum('uncorrectable_errors') ?? rawNum('Uncorrectable') ?? 0,
    csumErrors: rawNum('csum_errors') ?? fromSummary('csum'),
    readErrors: rawNum('read_errors') ?? fromSummary('read'),
    verifyErrors: rawNum('verify_errors') ?? fromSummary('verify'),
  };
}

export interface BtrfsSubvolume {
  id: number;
  /** Path relative to the filesystem root (the `<FS_TREE>/` prefix of `-a` is removed). */
  path: string;
  topLevel?: number;
  uuid?: string;
  parentUuid?: string;
  receivedUuid?: string;
  /** From `list -s` (otime): local time, ISO 8601 without zone. */
  createdAt?: string;
  readOnly?: boolean;
}

const SUBVOL = 'btrfs subvolume list';

/**
 * `btrfs subvolume list [-a] [-p] [-q] [-u] [-R] [-s] <mp>`. Recommended: `-q -u` (all subvolumes with
 * uuid and parent_uuid) plus `-r` (read-only only) to mark snapshots read-only: pass `{ readOnly: true }`
 * when parsing `-r` output and merge with {@link markReadOnly}. Empty output (no subvolumes) is [].
 */
export function parseBtrfsSubvolumes(input: unknown, opts: { readOnly?: boolean } = {}): BtrfsSubvolume[] {
  const text = checkText(SUBVOL, input, { allowEmpty: true });
  const out: BtrfsSubvolume[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const m = /^ID\s+(\d+)\s+(.*?)\s*\bpath\s(.*)$/.exec(line);
    if (!m) throw parseFail(SUBVOL, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
    const mid = m[2]!;
    const row: BtrfsSubvolume = {
      id: toInt(SUBVOL, m[1], 'ID', input),
      path: m[3]!.trim().replace(/^<FS_TREE>\//, ''),
    };
    if (!/\bgen\s+\d+/.test(mid))
      throw parseFail(SUBVOL, `no "gen" field: ${JSON.stringify(line.slice(0, 80))}`, input);
    const top = /\btop level\s+(\d+)/.exec(mid);
    if (top) row.topLevel = Number(top[1]);
    const uuid = /(?:^|\s)uuid\s+([0-9a-fA-F-]{36})/.exec(mid);
    if (uuid) row.uuid = uuid[1]!.toLowerCase();
    const parent = /\bparent_uuid\s+([0-9a-fA-F-]{36})/.exec(mid);
    if (parent) row.parentUuid = parent[1]!.toLowerCase();
    const received = /\breceived_uuid\s+([0-9a-fA-F-]{36})/.exec(mid);
    if (received) row.receivedUuid = received[1]!.toLowerCase();
    const otime = /\botime\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})/.exec(mid);
    if (otime) row.createdAt = isoFromSpaced(otime[1]!) ?? undefined;
    if (opts.readOnly !== undefined) row.readOnly = opts.readOnly;
    if (row.path === '') throw parseFail(SUBVOL, `empty path for ID ${row.id}`, input);
    out.push(row);
  }
  return out;
}

/** Marks `readOnly` on rows from `list -q -u` using the ids from `list -r`. */
export function markReadOnly(all: BtrfsSubvolume[], readOnly: BtrfsSubvolume[]): BtrfsSubvolume[] {
  const ro = new Set(readOnly.map((r) => r.id));
  return all.map((r) => ({ ...r, readOnly: ro.has(r.id) }));
}

export interface BtrfsSubvolumeShow {
  path: string;
  name: string;
  uuid: string;
  parentUuid: string | null;
  createdAt: string | null;
  id: number;
  readOnly: boolean;
  snapshots: string[];
}

const SHOWSUB = 'btrfs subvolume show';

/** `btrfs subvolume show <path>`. */
export function parseBtrfsSubvolumeShow(input: unknown): BtrfsSubvolumeShow {
  const text = checkText(SHOWSUB, input);
  const all = text.split('\n');
  const kv = new Map<string, string>();
  const snapshots: string[] = [];
  let inSnapshots = false;
  const first = (all[0] ?? '').trim();
  for (const raw of all.slice(1)) {
    const line = raw.trim();
    if (line === '') continue;
    if (inSnapshots && !/^[A-Za-z ()]+:/.test(line)) {
      snapshots.push(line);
      continue;
    }
    const m = /^([A-Za-z ()]+):\s*(.*)$/.exec(line);
    if (!m) throw parseFail(SHOWSUB, `unexpected line: ${JSON.stringify(line.slice(0, 80))}`, input);
    inSnapshots = m[1] === 'Snapshot(s)';
    kv.set(m[1]!, m[2]!);
  }
  const uuid = kv.get('UUID');
  const id = kv.get('Subvolume ID');
  if (!uuid || !/^[0-9a-fA-F-]{36}$/.test(uuid) || id === undefined)
    throw parseFail(SHOWSUB, 'no UUID or Subvolume ID', input);
  const parent = kv.get('Parent UUID');
  return {
    path: first,
    name: kv.get('Name') ?? first,
    uuid: uuid.toLowerCase(),
    parentUuid: parent && parent !== '-' ? parent.toLowerCase() : null,
    createdAt: kv.has('Creation time') ? isoFromSpaced(kv.get('Creation time')!) : null,
    id: toInt(SHOWSUB, id, 'Subvolume ID', input),
    readOnly: /\breadonly\b/.test(kv.get('Flags') ?? ''),
    snapshots,
  };
}
