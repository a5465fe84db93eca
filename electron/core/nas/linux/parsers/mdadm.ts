// Linux md (software RAID) parsers: /proc/mdstat and `mdadm --detail`. md cannot run in the lab
// (no md kernel module), so fixtures are real outputs published by others (see __fixtures__/mdadm/SOURCES.md).
import { checkText, parseFail, toInt } from './common';

export interface MdstatDevice {
  name: string;
  /** The number in brackets: the slot for active members, an index for spares. */
  role: number;
  faulty: boolean;
  spare: boolean;
  writeMostly: boolean;
  replacement: boolean;
}

export interface MdstatAction {
  kind: 'recovery' | 'resync' | 'check' | 'reshape';
  /** 0..1 */
  progress: number;
  speed?: string;
  finish?: string;
  /** resync=DELAYED / PENDING: queued behind another array. */
  delayed?: boolean;
}

export interface MdstatArray {
  name: string;
  /** raid1, raid5, raid10, linear…; '' when inactive (md prints no level then). */
  level: string;
  state: 'active' | 'inactive';
  readOnly: boolean;
  devices: MdstatDevice[];
  blocks: number | null;
  expected: number;
  working: number;
  /** "[UU_]"; '' when md prints none (raid0/linear, inactive). */
  statusMap: string;
  action: null | MdstatAction;
}

const MDSTAT = '/proc/mdstat';

/** /proc/mdstat. Indentation is not relied on (published copies often lose it). */
export function parseMdstat(input: unknown): MdstatArray[] {
  const text = checkText(MDSTAT, input);
  const out: MdstatArray[] = [];
  let cur: MdstatArray | null = null;
  let sawHeader = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^Personalities\s*:/.test(line)) {
      sawHeader = true;
      continue;
    }
    if (/^read_ahead\b/.test(line)) continue;
    if (/^unused devices:/.test(line)) {
      sawHeader = true;
      cur = null;
      continue;
    }
    const head = /^(md[\w/]*)\s*:\s*(active|inactive)\b(.*)$/.exec(line);
    if (head) {
      let rest = head[3]!.trim();
      let readOnly = false;
      while (/^\([^)]*\)/.test(rest)) {
        if (/^\((auto-)?read-only\)/.test(rest)) readOnly = true;
        rest = rest.replace(/^\([^)]*\)\s*/, '');
      }
      let level = '';
      const lm = /^(raid\d+|linear|multipath|faulty|container)\b\s*/.exec(rest);
      if (lm) {
        level = lm[1]!;
        rest = rest.slice(lm[0].length);
      }
      const devices: MdstatDevice[] = [];
      for (const tok of rest.split(/\s+/).filter(Boolean)) {
        const d = /^([^\s[]+)\[(\d+)\]((?:\([A-Z]\))*)$/.exec(tok);
        if (!d) throw parseFail(MDSTAT, `bad member ${JSON.stringify(tok)} in ${head[1]}`, input);
        const flags = d[3]!;
        devices.push({
          name: d[1]!,
          role: Number(d[2]),
          faulty: flags.includes('(F)'),
          spare: flags.includes('(S)'),
          writeMostly: flags.includes('(W)'),
          replacement: flags.includes('(R)'),
        });
      }
      cur = {
        name: head[1]!,
        level,
        state: head[2] as 'active' | 'inactive',
        readOnly,
        devices,
        blocks: null,
        expected: devices.filter((d) => !d.spare).length,
        working: devices.filter((d) => !d.spare && !d.faulty).length,
        statusMap: '',
        action: null,
      };
      out.push(cur);
      continue;
    }
    if (!cur) throw parseFail(MDSTAT, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
    const blocks = /^(\d+)\s+blocks\b/.exec(line);
    if (blocks) {
      cur.blocks = toInt(MDSTAT, blocks[1], 'blocks', input);
      const counts = /\[(\d+)\/(\d+)\]\s*\[([U_]+)\]/.exec(line);
      if (counts) {
        cur.expected = Number(counts[1]);
        cur.working = Number(counts[2]);
        cur.statusMap = `[${counts[3]}]`;
      }
      continue;
    }
    const act = /(recovery|resync|check|reshape|repair)\s*=\s*(?:([\d.]+)%|(DELAYED|PENDING))(.*)$/.exec(line);
    if (act) {
      const tail = act[4] ?? '';
      const kind = act[1] === 'repair' ? 'check' : (act[1] as MdstatAction['kind']);
      const a: MdstatAction = { kind, progress: act[2] ? Math.min(1, Number(act[2]) / 100) : 0 };
      const finish = /finish=(\S+)/.exec(tail);
      const speed = /speed=(\S+)/.exec(tail);
      if (finish) a.finish = finish[1]!;
      if (speed) a.speed = speed[1]!;
      if (act[3]) a.delayed = true;
      cur.action = a;
      continue;
    }
    if (/^(bitmap:|\[[=>.]+\]|unused devices)/.test(line)) continue;
    throw parseFail(MDSTAT, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
  }
  if (!sawHeader && out.length === 0) throw parseFail(MDSTAT, 'no "Personalities" line and no arrays', input);
  return out;
}

export interface MdadmDetail {
  device: string | null;
  level: string;
  /** "clean, degraded, recovering" */
  state: string;
  arraySizeBytes: number | null;
  raidDevices: number | null;
  totalDevices: number | null;
  activeDevices: number;
  workingDevices: number | null;
  failedDevices: number;
  spareDevices: number;
  devices: Array<{ name: string; state: string; raidDevice: number | null }>;
  /** 0..1, from "Rebuild Status : 3% complete" (also Resync/Reshape/Check Status). */
  rebuildStatus?: number;
  rebuildKind?: 'rebuild' | 'resync' | 'reshape' | 'check';
}

const DETAIL = 'mdadm --detail';

/** `mdadm --detail /dev/mdX`. Array Size is printed in KiB. */
export function parseMdadmDetail(input: unknown): MdadmDetail {
  const text = checkText(DETAIL, input);
  const kv = new Map<string, string>();
  const devices: MdadmDetail['devices'] = [];
  let device: string | null = null;
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (device === null && kv.size === 0 && /^\/dev\/\S+:$/.test(line)) {
      device = line.slice(0, -1);
      continue;
    }
    if (/^Number\s+Major\s+Minor\s+RaidDevice\s+State$/.test(line)) {
      inTable = true;
      continue;
    }
    if (inTable) {
      const t = /^(-|\d+)\s+(\d+)\s+(\d+)\s+(-|\d+)\s+(.*)$/.exec(line);
      if (!t) throw parseFail(DETAIL, `bad device row ${JSON.stringify(line.slice(0, 80))}`, input);
      const rest = t[5]!.replace(/\s+#.*$/, '').trim();
      const pm = /^(.*?)\s+(\/dev\/\S+)$/.exec(rest);
      devices.push({
        name: pm ? pm[2]! : '',
        state: (pm ? pm[1]! : rest).trim().replace(/\s+/g, ' '),
        raidDevice: t[4] === '-' ? null : Number(t[4]),
      });
      continue;
    }
    const m = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(line);
    if (!m) throw parseFail(DETAIL, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
    kv.set(m[1]!, m[2]!.trim());
  }
  const level = kv.get('Raid Level');
  const state = kv.get('State');
  if (!level || state === undefined) throw parseFail(DETAIL, 'no "Raid Level" or "State"', input);
  const num = (k: string): number | null => (kv.has(k) ? toInt(DETAIL, kv.get(k)!.split(/\s+/)[0], k, input) : null);
  const size = kv.get('Array Size');
  const out: MdadmDetail = {
    device,
    level,
    state,
    arraySizeBytes: size ? toInt(DETAIL, size.split(/\s+/)[0], 'Array Size', input) * 1024 : null,
    raidDevices: num('Raid Devices'),
    totalDevices: num('Total Devices'),
    activeDevices: num('Active Devices') ?? 0,
    workingDevices: num('Working Devices'),
    failedDevices: num('Failed Devices') ?? 0,
    spareDevices: num('Spare Devices') ?? 0,
    devices,
  };
  for (const [k, kind] of [
    ['Rebuild Status', 'rebuild'],
    ['Resync Status', 'resync'],
    ['Reshape Status', 'reshape'],
    ['Check Status', 'check'],
  ] as const) {
    const v = kv.get(k);
    const p = v ? /^([\d.]+)%/.exec(v) : null;
    if (p) {
      out.rebuildStatus = Math.min(1, Number(p[1]) / 100);
      out.rebuildKind = kind;
    }
  }
  return out;
}
