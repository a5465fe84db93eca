// tgt (Linux SCSI target framework, user space): `tgtadm --lld iscsi --op show --mode target`.
// Captured from tgt 1.0.85 in the lab (CHAP in/out, initiator-name and address ACLs, a live session).
import type { IscsiTarget } from '../../../../../shared/domain';
import { checkText, parseFail, toInt } from './common';

export interface IscsiLun {
  id: number;
  /** tgtadm prints decimal megabytes ("Size: 134 MB" for 128 MiB), so this is approximate: MB × 10^6. */
  sizeBytes: number;
  backing: string | null;
  /** "disk", "controller" (LUN 0), "cd/dvd", "tape"… */
  type: string;
}

export interface IscsiTargetRow {
  tid: number;
  iqn: string;
  state: string | null;
  luns: IscsiLun[];
  /** Incoming CHAP users. */
  accounts: string[];
  /** Outgoing (mutual) CHAP users. */
  outgoingAccounts: string[];
  /** ACL: "ALL", initiator IQNs, addresses or networks. */
  initiators: string[];
  sessions: Array<{ initiator: string; addresses: string[] }>;
}

const TOOL = 'tgtadm show target';

export function parseTgtadmTargets(input: unknown): IscsiTargetRow[] {
  const text = checkText(TOOL, input, { allowEmpty: true });
  const out: IscsiTargetRow[] = [];
  let cur: IscsiTargetRow | null = null;
  let section = '';
  let lun: IscsiLun | null = null;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = raw.trim();
    const head = /^Target (\d+): (\S+)$/.exec(raw);
    if (head) {
      cur = {
        tid: toInt(TOOL, head[1], 'tid', input),
        iqn: head[2]!,
        state: null,
        luns: [],
        accounts: [],
        outgoingAccounts: [],
        initiators: [],
        sessions: [],
      };
      out.push(cur);
      section = '';
      lun = null;
      continue;
    }
    if (!cur)
      throw parseFail(TOOL, `unexpected line before any "Target N:" line: ${JSON.stringify(line.slice(0, 80))}`, input);
    const sec = /^(System|I_T nexus|LUN|Account|ACL) information:$/.exec(line);
    if (sec) {
      section = sec[1]!;
      lun = null;
      continue;
    }
    switch (section) {
      case 'System': {
        const st = /^State:\s*(.*)$/.exec(line);
        if (st) cur.state = st[1]!;
        break;
      }
      case 'I_T nexus': {
        const ini = /^Initiator:\s*(\S+)/.exec(line);
        if (ini) cur.sessions.push({ initiator: ini[1]!, addresses: [] });
        const ip = /^IP Address:\s*(\S+)/.exec(line);
        if (ip && cur.sessions.length) cur.sessions[cur.sessions.length - 1]!.addresses.push(ip[1]!);
        break;
      }
      case 'LUN': {
        const l = /^LUN:\s*(\d+)$/.exec(line);
        if (l) {
          lun = { id: Number(l[1]), sizeBytes: 0, backing: null, type: '' };
          cur.luns.push(lun);
          break;
        }
        if (!lun) throw parseFail(TOOL, `LUN detail before "LUN:": ${JSON.stringify(line.slice(0, 80))}`, input);
        const kv = /^([A-Za-z /-]+):\s*(.*)$/.exec(line);
        if (!kv) throw parseFail(TOOL, `unexpected LUN line ${JSON.stringify(line.slice(0, 80))}`, input);
        if (kv[1] === 'Type') lun.type = kv[2]!;
        if (kv[1] === 'Size') {
          const m = /^(\d+) MB/.exec(kv[2]!);
          if (!m) throw parseFail(TOOL, `bad LUN size ${JSON.stringify(kv[2])}`, input);
          lun.sizeBytes = Number(m[1]) * 1_000_000;
        }
        if (kv[1] === 'Backing store path') lun.backing = kv[2] === 'None' || kv[2] === '' ? null : kv[2]!;
        break;
      }
      case 'Account': {
        const m = /^(\S+)(\s+\(outgoing\))?$/.exec(line);
        if (!m) throw parseFail(TOOL, `bad account line ${JSON.stringify(line.slice(0, 80))}`, input);
        (m[2] ? cur.outgoingAccounts : cur.accounts).push(m[1]!);
        break;
      }
      case 'ACL':
        if (/\s/.test(line)) throw parseFail(TOOL, `bad ACL line ${JSON.stringify(line.slice(0, 80))}`, input);
        cur.initiators.push(line);
        break;
      default:
        throw parseFail(TOOL, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
    }
  }
  for (const t of out)
    for (const l of t.luns)
      if (l.type === '') throw parseFail(TOOL, `LUN ${l.id} of target ${t.tid} has no type (truncated?)`, input);
  return out;
}

/** The shared IscsiTarget shape: data LUNs only (the LUN 0 controller and LUNs without backing store are dropped). */
export function toIscsiTarget(row: IscsiTargetRow): IscsiTarget {
  const t: IscsiTarget = {
    name: row.iqn.includes(':') ? row.iqn.slice(row.iqn.lastIndexOf(':') + 1) : row.iqn,
    iqn: row.iqn,
    luns: row.luns
      .filter((l) => l.type !== 'controller' && l.backing !== null)
      .map((l) => ({ id: l.id, sizeBytes: l.sizeBytes, backing: l.backing! })),
    initiators: row.initiators,
  };
  if (row.accounts[0] !== undefined) t.chapUser = row.accounts[0];
  return t;
}
