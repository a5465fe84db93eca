// OpenZFS output parsers. ZFS cannot run in the lab (no kernel module), so the fixtures are verbatim
// outputs from the FreeBSD Handbook and the OpenZFS documentation (see __fixtures__/zfs/SOURCES.md).
import { checkText, parseBinarySize, parseFail, toInt } from './common';

export interface ZpoolListRow {
  name: string;
  sizeBytes: number;
  allocatedBytes: number;
  freeBytes: number;
  health: string;
}

const LIST = 'zpool list';

function zsize(tool: string, s: string, what: string, input: unknown): number {
  if (/^\d+$/.test(s)) return toInt(tool, s, what, input);
  const n = parseBinarySize(s);
  if (n === null) throw parseFail(tool, `${what} is not a size (${JSON.stringify(s)})`, input);
  return n;
}

/**
 * `zpool list -Hp -o name,size,alloc,free,health` (tab-separated, exact bytes). The default
 * column output with a NAME header is understood too (sizes there are rounded).
 */
export function parseZpoolList(input: unknown): ZpoolListRow[] {
  const text = checkText(LIST, input);
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  if (rows.length === 1 && rows[0]!.trim() === 'no pools available') return [];
  const header = /^NAME\s/.test(rows[0] ?? '') ? rows.shift()!.trim().split(/\s+/) : null;
  const col = (name: string, fallback: number) => (header ? header.indexOf(name) : fallback);
  const idx = {
    name: col('NAME', 0),
    size: col('SIZE', 1),
    alloc: col('ALLOC', 2),
    free: col('FREE', 3),
    health: col('HEALTH', 4),
  };
  if (Object.values(idx).some((i) => i < 0)) throw parseFail(LIST, 'header lacks NAME/SIZE/ALLOC/FREE/HEALTH', input);
  return rows.map((line) => {
    const f = header ? line.trim().split(/\s+/) : line.split('\t');
    if (!header && f.length !== 5) throw parseFail(LIST, `expected 5 tab-separated fields, got ${f.length}`, input);
    const get = (i: number) => {
      const v = f[i];
      if (v === undefined) throw parseFail(LIST, `short row ${JSON.stringify(line.slice(0, 80))}`, input);
      return v.trim();
    };
    return {
      name: get(idx.name),
      sizeBytes: zsize(LIST, get(idx.size), 'size', input),
      allocatedBytes: zsize(LIST, get(idx.alloc), 'alloc', input),
      freeBytes: zsize(LIST, get(idx.free), 'free', input),
      health: get(idx.health),
    };
  });
}

export type ZfsVdevKind =
  'mirror' | 'raidz1' | 'raidz2' | 'raidz3' | 'disk' | 'spare' | 'log' | 'cache' | 'special' | 'other';

export interface ZfsVdev {
  name: string;
  /** ONLINE, DEGRADED, FAULTED, UNAVAIL, OFFLINE, REMOVED, AVAIL, INUSE…; '' for section headers (logs, cache). */
  state: string;
  kind: ZfsVdevKind;
  readErrors: number;
  writeErrors: number;
  checksumErrors: number;
  /** Trailing text: "was /dev/ada1p3", "(resilvering)", "cannot open", "too many errors". */
  note: string;
  children: ZfsVdev[];
}

export interface ZfsScan {
  kind: 'scrub' | 'resilver' | 'none';
  state: 'running' | 'finished' | 'canceled' | 'none';
  /** 0..1 */
  progress: number | null;
  /** Bytes repaired (scrub) or resilvered (resilver), as printed (rounded). */
  errorsRepaired: number | null;
  /** Errors the finished scan reported ("with N errors"). */
  errors: number | null;
  paused?: boolean;
  raw: string;
}

export interface ZpoolStatus {
  name: string;
  state: string;
  status: string;
  action: string;
  scan: ZfsScan;
  vdevs: ZfsVdev[];
  errorsLine: string;
}

const STATUS = 'zpool status';

function vdevKind(name: string, section: string | null): ZfsVdevKind {
  if (/^mirror(-\d+)?$/.test(name)) return 'mirror';
  if (/^raidz1?(-\d+)?$/.test(name)) return 'raidz1';
  if (/^raidz2(-\d+)?$/.test(name)) return 'raidz2';
  if (/^raidz3(-\d+)?$/.test(name)) return 'raidz3';
  if (/^spare(-\d+)?$/.test(name)) return 'spare';
  if (/^(replacing|draid\d?.*)(-\d+)?$/.test(name)) return 'other';
  if (section === 'logs') return 'log';
  if (section === 'cache') return 'cache';
  if (section === 'spares') return 'spare';
  if (section === 'special' || section === 'dedup') return 'special';
  return 'disk';
}

/** "0", "1.54K", "2.72K" → number (the K/M forms are rounded by zpool). */
function errCount(s: string | undefined, input: unknown): number {
  if (s === undefined) return 0;
  if (/^\d+$/.test(s)) return Number(s);
  const n = parseBinarySize(s);
  if (n === null) throw parseFail(STATUS, `error count ${JSON.stringify(s)} is not a number`, input);
  return n;
}

export function parseZpoolScan(rawScan: string): ZfsScan {
  const raw = rawScan.replace(/\s+/g, ' ').trim();
  const none: ZfsScan = { kind: 'none', state: 'none', progress: null, errorsRepaired: null, errors: null, raw };
  if (raw === '' || /^none requested/.test(raw)) return none;
  const kind: ZfsScan['kind'] = /^(scrub|resilver)/.test(raw)
    ? raw.startsWith('scrub')
      ? 'scrub'
      : 'resilver'
    : 'none';
  if (kind === 'none') return none;
  const pct = /([\d.]+)% done/.exec(raw);
  const progress = pct ? Math.min(1, Number(pct[1]) / 100) : null;
  const sizeBefore = (word: string) => {
    const m = new RegExp(`(\\S+) ${word}\\b`).exec(raw);
    return m ? parseBinarySize(m[1]!) : null;
  };
  if (/in progress/.test(raw) || /^scrub paused/.test(raw)) {
    return {
      kind,
      state: 'running',
      progress,
      errorsRepaired: kind === 'scrub' ? sizeBefore('repaired') : sizeBefore('resilvered'),
      errors: null,
      ...(/paused/.test(raw) ? { paused: true } : {}),
      raw,
    };
  }
  if (/canceled|cancelled/.test(raw))
    return { kind, state: 'canceled', progress, errorsRepaired: null, errors: null, raw };
  const done = /^(?:scrub repaired|resilvered) (\S+) in .*? with (\d+) errors?/.exec(raw);
  if (done)
    return {
      kind,
      state: 'finished',
      progress: 1,
      errorsRepaired: parseBinarySize(done[1]!),
      errors: Number(done[2]),
      raw,
    };
  const old = /^(?:scrub|resilver) completed (?:after .*? )?with (\d+) errors?/.exec(raw);
  if (old) return { kind, state: 'finished', progress: 1, errorsRepaired: null, errors: Number(old[1]), raw };
  throw parseFail(STATUS, `unknown scan line ${JSON.stringify(raw.slice(0, 100))}`, rawScan);
}

const SECTIONS = new Set(['logs', 'cache', 'spares', 'special', 'dedup']);

/** `zpool status [-p] [pool…]`, one or more pools; "no pools available" is []. */
export function parseZpoolStatus(input: unknown): ZpoolStatus[] {
  const text = checkText(STATUS, input);
  if (/^\s*no pools available\s*$/.test(text)) return [];
  const all = text.split('\n');
  const starts: number[] = [];
  all.forEach((l, i) => {
    if (/^\s*pool:\s/.test(l)) starts.push(i);
  });
  if (starts.length === 0) throw parseFail(STATUS, 'no "pool:" line', input);
  return starts.map((start, k) => parsePool(all.slice(start, starts[k + 1] ?? all.length), input));
}

function parsePool(block: string[], input: unknown): ZpoolStatus {
  const fields = new Map<string, string>();
  let key: string | null = null;
  let i = 0;
  for (; i < block.length; i++) {
    const line = block[i]!;
    const m = /^\s*(pool|state|status|action|see|scan|scrub|remove|checkpoint|config|errors):\s?(.*)$/.exec(line);
    if (m) {
      key = m[1] === 'scrub' ? 'scan' : m[1]!;
      fields.set(key, m[2]!.trim());
      if (key === 'config') {
        i++;
        break;
      }
      continue;
    }
    if (line.trim() === '') continue;
    if (key && /^\s/.test(line)) fields.set(key, `${fields.get(key)} ${line.trim()}`);
    else throw parseFail(STATUS, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
  }
  const name = fields.get('pool') ?? '';
  if (!name) throw parseFail(STATUS, 'empty pool name', input);
  if (!fields.has('state')) throw parseFail(STATUS, `no state for pool ${name}`, input);
  if (!fields.has('config')) throw parseFail(STATUS, `no config section for pool ${name} (truncated?)`, input);

  // config table
  while (i < block.length && block[i]!.trim() === '') i++;
  const header = block[i] ?? '';
  const hm = /^(\s*)NAME\s+STATE\s+READ\s+WRITE\s+CKSUM/.exec(header);
  if (!hm) throw parseFail(STATUS, `no NAME/STATE/READ/WRITE/CKSUM header for pool ${name}`, input);
  i++;
  type Node = ZfsVdev & { indent: number };
  const root: Node = {
    name,
    state: '',
    kind: 'other',
    readErrors: 0,
    writeErrors: 0,
    checksumErrors: 0,
    note: '',
    children: [],
    indent: -1,
  };
  const stack: Node[] = [root];
  let poolRow: Node | null = null;
  let section: string | null = null;
  for (; i < block.length; i++) {
    const line = block[i]!.replace(/\t/g, '        ');
    if (line.trim() === '') {
      if (poolRow) {
        // a blank line ends the table unless a section (logs/cache/spares) follows
        const next = block.slice(i + 1).find((l) => l.trim() !== '');
        if (next && SECTIONS.has(next.trim())) continue;
        break;
      }
      continue;
    }
    if (/^\s*errors:/.test(line)) break;
    const indent = line.length - line.trimStart().length;
    const tok = line.trim().split(/\s+/);
    const vname = tok[0]!;
    const isSection = SECTIONS.has(vname) && tok.length === 1;
    const node: Node = {
      name: vname,
      state: isSection ? '' : (tok[1] ?? ''),
      kind: 'other',
      readErrors: 0,
      writeErrors: 0,
      checksumErrors: 0,
      note: '',
      children: [],
      indent,
    };
    if (!isSection) {
      if (!node.state) throw parseFail(STATUS, `vdev ${vname} has no state`, input);
      const counts = tok.slice(2, 5);
      if (counts.length === 3 && counts.every((c) => /^\d+(\.\d+)?[KMGTPE]?$/.test(c))) {
        node.readErrors = errCount(counts[0], input);
        node.writeErrors = errCount(counts[1], input);
        node.checksumErrors = errCount(counts[2], input);
        node.note = tok.slice(5).join(' ');
      } else node.note = tok.slice(2).join(' ');
    }
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (!poolRow) {
      if (vname !== name) throw parseFail(STATUS, `first config row is ${vname}, expected pool ${name}`, input);
      poolRow = node;
      root.state = node.state;
      stack.push(node);
      continue;
    }
    if (isSection) {
      section = vname;
      node.kind = vname === 'logs' ? 'log' : vname === 'cache' ? 'cache' : vname === 'spares' ? 'spare' : 'special';
      while (stack.length > 1) stack.pop();
      poolRow.children.push(node);
      stack.push(poolRow, node);
      continue;
    }
    const parent = stack[stack.length - 1]!;
    if (parent === poolRow && section !== null && indent <= poolRow.indent + 2) section = null;
    node.kind = vdevKind(
      vname,
      parent.kind === 'log' || parent.kind === 'cache' || parent.kind === 'spare' || parent.kind === 'special'
        ? section
        : null,
    );
    parent.children.push(node);
    stack.push(node);
  }
  if (!poolRow) throw parseFail(STATUS, `no config rows for pool ${name}`, input);
  const errorsLine = block.slice(i).find((l) => /^\s*errors:/.test(l));
  const strip = (n: Node): ZfsVdev => ({
    name: n.name,
    state: n.state,
    kind: n.kind,
    readErrors: n.readErrors,
    writeErrors: n.writeErrors,
    checksumErrors: n.checksumErrors,
    note: n.note,
    children: n.children.map((c) => strip(c as Node)),
  });
  return {
    name,
    state: fields.get('state')!,
    status: fields.get('status') ?? '',
    action: fields.get('action') ?? '',
    scan: parseZpoolScan(fields.get('scan') ?? ''),
    vdevs: poolRow.children.map((c) => strip(c as Node)),
    errorsLine: errorsLine ? errorsLine.replace(/^\s*errors:\s*/, '').trim() : (fields.get('errors') ?? ''),
  };
}

export interface ZfsDatasetRow {
  kind: 'dataset';
  name: string;
  usedBytes: number;
  availableBytes: number;
  referencedBytes: number;
  mountpoint: string | null;
  type: string;
}

export interface ZfsSnapshotRow {
  kind: 'snapshot';
  name: string;
  /** The dataset part of `pool/fs@snap`. */
  of: string;
  snapshot: string;
  usedBytes: number;
  /** ISO 8601 (UTC) from the epoch seconds `-p` prints. */
  createdAt: string;
}

const ZLIST = 'zfs list';

/**
 * `zfs list -Hp -o name,used,avail,refer,mountpoint,type` (datasets) and
 * `zfs list -Hp -t snapshot -o name,used,creation` (snapshots). Also the default column output
 * (NAME USED AVAIL REFER MOUNTPOINT), sizes rounded. "no datasets available" is [].
 */
export function parseZfsList(input: unknown): Array<ZfsDatasetRow | ZfsSnapshotRow> {
  const text = checkText(ZLIST, input);
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  if (rows.length === 1 && /^no datasets available$/.test(rows[0]!.trim())) return [];
  if (/^NAME\s/.test(rows[0] ?? '')) {
    const header = rows.shift()!.trim().split(/\s+/);
    const at = (n: string) => header.indexOf(n);
    if (at('USED') < 0 || at('AVAIL') < 0 || at('REFER') < 0)
      throw parseFail(ZLIST, 'header lacks USED/AVAIL/REFER', input);
    return rows.map((line) => {
      const f = line.trim().split(/\s+/);
      const g = (n: string) => {
        const v = f[at(n)];
        if (v === undefined) throw parseFail(ZLIST, `short row ${JSON.stringify(line.slice(0, 80))}`, input);
        return v;
      };
      const mp = at('MOUNTPOINT') >= 0 ? f.slice(at('MOUNTPOINT')).join(' ') : '-';
      return {
        kind: 'dataset' as const,
        name: g('NAME'),
        usedBytes: zsize(ZLIST, g('USED'), 'used', input),
        availableBytes: zsize(ZLIST, g('AVAIL'), 'avail', input),
        referencedBytes: zsize(ZLIST, g('REFER'), 'refer', input),
        mountpoint: mp === '-' || mp === 'none' || mp === 'legacy' ? null : mp,
        type: g('NAME').includes('@') ? 'snapshot' : 'filesystem',
      };
    });
  }
  return rows.map((line) => {
    const f = line.split('\t');
    if (f.length === 6) {
      const [name, used, avail, refer, mp, type] = f as [string, string, string, string, string, string];
      return {
        kind: 'dataset' as const,
        name,
        usedBytes: zsize(ZLIST, used, 'used', input),
        availableBytes: avail === '-' ? 0 : zsize(ZLIST, avail, 'avail', input),
        referencedBytes: zsize(ZLIST, refer, 'refer', input),
        mountpoint: mp === '-' || mp === 'none' || mp === 'legacy' ? null : mp,
        type,
      };
    }
    if (f.length === 3) {
      const [name, used, creation] = f as [string, string, string];
      const at = name.indexOf('@');
      if (at <= 0) throw parseFail(ZLIST, `snapshot name without "@": ${JSON.stringify(name)}`, input);
      const secs = toInt(ZLIST, creation, 'creation', input);
      return {
        kind: 'snapshot' as const,
        name,
        of: name.slice(0, at),
        snapshot: name.slice(at + 1),
        usedBytes: zsize(ZLIST, used, 'used', input),
        createdAt: new Date(secs * 1000).toISOString(),
      };
    }
    throw parseFail(ZLIST, `expected 6 or 3 tab-separated fields, got ${f.length}`, input);
  });
}
