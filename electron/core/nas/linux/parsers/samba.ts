// Samba: `net -s <smb.conf> conf list` (registry shares, which Nasdeck manages) and
// `testparm -s <smb.conf>` (the effective configuration, including shares defined in smb.conf,
// which Nasdeck only shows, read-only). Captured from Samba 4.17 in the lab.
import type { Share } from '../../../../../shared/domain';
import { checkText, parseFail } from './common';

export interface SambaSection {
  name: string;
  /** Keys are lower-cased with single spaces ("read only"); values as printed. */
  params: Record<string, string>;
}

/** Lines testparm writes (mostly to stderr) that are not configuration. */
const NOISE =
  /^(Load smb config files from|Loaded services file OK|Weak crypto is allowed|Server role:|Press enter to see|WARNING:|Unknown parameter encountered|Ignoring unknown parameter|rlimit_max:|lp_load_ex:|Processing section)/;

function parseIni(tool: string, input: unknown, allowEmpty: boolean): SambaSection[] {
  const text = checkText(tool, input, { allowEmpty });
  const out: SambaSection[] = [];
  let cur: SambaSection | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      cur = { name: sec[1]!, params: {} };
      out.push(cur);
      continue;
    }
    if (NOISE.test(line)) continue;
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv || !cur) throw parseFail(tool, `unexpected line ${JSON.stringify(line.slice(0, 80))}`, input);
    cur.params[kv[1]!.toLowerCase().replace(/\s+/g, ' ')] = kv[2]!;
  }
  if (!allowEmpty && out.length === 0) throw parseFail(tool, 'no [section] found', input);
  return out;
}

/** `net conf list`: registry sections, [global] included when set. An empty registry prints nothing → []. */
export function parseNetConfList(input: unknown): SambaSection[] {
  return parseIni('net conf list', input, true);
}

function yes(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (/^(yes|true|1|on)$/i.test(v.trim())) return true;
  if (/^(no|false|0|off)$/i.test(v.trim())) return false;
  return undefined;
}

/** `testparm -s` output: true when registry configuration is in effect. */
export function registryActive(input: unknown): boolean {
  const sections = parseIni('testparm', input, false);
  const g = sections.find((s) => s.name.toLowerCase() === 'global');
  if (!g) return false;
  return (
    yes(g.params['registry shares']) === true ||
    /^registry$/i.test(g.params['config backend'] ?? '') ||
    /(^|\s)registry(\s|$)/i.test(g.params['include'] ?? '')
  );
}

/** `testparm -s`: every share section (not [global]) with its effective non-default parameters. */
export function sambaSharesFromTestparm(input: unknown): SambaSection[] {
  return parseIni('testparm', input, false).filter((s) => s.name.toLowerCase() !== 'global');
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A Share from a section. Samba's default is read only = yes: testparm omits defaults, so a share with
 * neither "read only" nor "writeable" is read-only. `managed`: only registry shares are edited by Nasdeck.
 */
export function toShare(
  section: SambaSection,
  source: 'registry' | 'smb.conf',
): Share & { managed: boolean; comment?: string; guestOk?: boolean } {
  const p = section.params;
  const ro = yes(p['read only']);
  const writeable = yes(p['writeable'] ?? p['writable'] ?? p['write ok']);
  const share: Share & { managed: boolean; comment?: string; guestOk?: boolean } = {
    name: section.name,
    protocol: 'smb',
    path: p['path'] ?? '',
    readOnly: ro !== undefined ? ro : writeable !== undefined ? !writeable : true,
    users: list(p['valid users']),
    clients: list(p['hosts allow'] ?? p['allow hosts']),
    managed: source === 'registry',
  };
  if (p['comment'] !== undefined) share.comment = p['comment'];
  const guest = yes(p['guest ok'] ?? p['public']);
  if (guest !== undefined) share.guestOk = guest;
  return share;
}

/**
 * The share list Nasdeck shows: testparm's effective view, each share marked managed when it lives in
 * the registry (`net conf list`), otherwise read-only (defined in smb.conf).
 */
export function mergeSambaShares(
  testparm: SambaSection[],
  registry: SambaSection[],
): Array<Share & { managed: boolean }> {
  const inRegistry = new Set(registry.map((s) => s.name.toLowerCase()));
  return testparm
    .filter((s) => s.name.toLowerCase() !== 'global')
    .map((s) => toShare(s, inRegistry.has(s.name.toLowerCase()) ? 'registry' : 'smb.conf'));
}
