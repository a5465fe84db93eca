// nfs-ganesha configuration: EXPORT blocks (read and written). Verified against nfs-ganesha 4.3 in the
// lab: a quoted client ("*") is refused by ganesha ("Expected a client, got a double quoted string"),
// so clients are written bare while paths are written quoted.
import { checkText, invalidInput, parseFail } from './common';

type Token = { t: 'word' | 'str' | '{' | '}' | '=' | ';' | ','; v: string; line: number };

const TOOL = 'ganesha.conf';

function tokenize(text: string, input: unknown): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === '=' || c === ';' || c === ',') {
      out.push({ t: c, v: c, line });
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && c === '"' && j + 1 < text.length) {
          v += text[j + 1];
          j += 2;
          continue;
        }
        if (text[j] === '\n') line++;
        v += text[j];
        j++;
      }
      if (j >= text.length) throw parseFail(TOOL, `unterminated string on line ${line}`, input);
      out.push({ t: 'str', v, line });
      i = j + 1;
    } else if (c === '%') {
      // %include "file" / %url: not followed; recorded as nothing
      while (i < text.length && text[i] !== '\n') i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s{}=;,#"']/.test(text[j]!)) j++;
      out.push({ t: 'word', v: text.slice(i, j), line });
      i = j;
    }
  }
  return out;
}

export interface GaneshaBlock {
  name: string;
  params: Record<string, string[]>;
  blocks: GaneshaBlock[];
}

/** Parses a whole ganesha.conf into blocks (keys lower-cased; values kept as lists). */
export function parseGaneshaConfig(input: unknown): GaneshaBlock[] {
  const text = checkText(TOOL, input);
  const toks = tokenize(text, input);
  let p = 0;
  const peek = () => toks[p];
  const fail = (why: string): never => {
    throw parseFail(TOOL, `${why} (line ${toks[Math.min(p, toks.length - 1)]?.line ?? 0})`, input);
  };
  const block = (name: string, depth: number): GaneshaBlock => {
    if (depth > 8) fail('blocks nested too deep');
    const b: GaneshaBlock = { name, params: {}, blocks: [] };
    for (;;) {
      const t = peek();
      if (!t) return depth === 0 ? b : fail(`missing "}" for ${name}`);
      if (t.t === '}') {
        if (depth === 0) fail('unexpected "}"');
        p++;
        return b;
      }
      if (t.t === ';') {
        p++;
        continue;
      }
      if (t.t !== 'word') fail(`unexpected ${JSON.stringify(t.v)}`);
      p++;
      const n = peek();
      if (n?.t === '{') {
        p++;
        b.blocks.push(block(t.v, depth + 1));
        continue;
      }
      if (n?.t !== '=') fail(`expected "=" or "{" after ${t.v}`);
      p++;
      const values: string[] = [];
      for (;;) {
        const v = peek();
        if (!v || (v.t !== 'word' && v.t !== 'str')) fail(`missing value for ${t.v}`);
        values.push(v!.v);
        p++;
        const sep = peek();
        if (sep?.t === ',') {
          p++;
          continue;
        }
        if (sep?.t === ';') p++;
        else if (sep?.t !== '}' && sep !== undefined) fail(`expected ";" after ${t.v}`);
        break;
      }
      b.params[t.v.toLowerCase()] = values;
    }
  };
  const root = block('', 0);
  if (Object.keys(root.params).length > 0) fail('parameters outside any block');
  return root.blocks;
}

export interface GaneshaClient {
  clients: string[];
  accessType: string;
  squash?: string;
}

export interface GaneshaExport {
  exportId: number;
  path: string;
  pseudo: string | null;
  accessType: string;
  protocols: string[];
  transports?: string[];
  squash: string;
  fsal: string | null;
  clients: GaneshaClient[];
}

const one = (b: GaneshaBlock, k: string): string | undefined => b.params[k]?.join(', ');

/**
 * EXPORT blocks of a ganesha.conf. Access_Type and Squash fall back to EXPORT_DEFAULTS, then to
 * ganesha's defaults (Access_Type = None, Squash = root_squash, Protocols = 3, 4).
 */
export function parseGaneshaExports(input: unknown): GaneshaExport[] {
  const blocks = parseGaneshaConfig(input);
  const defaults = blocks.find((b) => b.name.toLowerCase() === 'export_defaults');
  const dflt = (k: string, fallback: string) => (defaults && one(defaults, k)) ?? fallback;
  return blocks
    .filter((b) => b.name.toLowerCase() === 'export')
    .map((b) => {
      const id = one(b, 'export_id');
      const path = one(b, 'path');
      if (!id || !/^\d+$/.test(id)) throw parseFail(TOOL, 'EXPORT without a numeric Export_Id', input);
      if (!path) throw parseFail(TOOL, `EXPORT ${id} has no Path`, input);
      const accessType = one(b, 'access_type') ?? dflt('access_type', 'None');
      const squash = one(b, 'squash') ?? dflt('squash', 'root_squash');
      const fsal = b.blocks.find((x) => x.name.toLowerCase() === 'fsal');
      const ex: GaneshaExport = {
        exportId: Number(id),
        path,
        pseudo: one(b, 'pseudo') ?? null,
        accessType,
        protocols: b.params['protocols'] ?? defaults?.params['protocols'] ?? ['3', '4'],
        squash,
        fsal: fsal ? (one(fsal, 'name') ?? null) : null,
        clients: b.blocks
          .filter((x) => x.name.toLowerCase() === 'client')
          .map((c) => {
            const cl: GaneshaClient = {
              clients: c.params['clients'] ?? [],
              accessType: one(c, 'access_type') ?? accessType,
            };
            const sq = one(c, 'squash');
            if (sq !== undefined) cl.squash = sq;
            return cl;
          }),
      };
      if (b.params['transports']) ex.transports = b.params['transports'];
      return ex;
    });
}

const ACCESS = /^(RW|RO|MDONLY|MDONLY_RO|None)$/i;
const SQUASH =
  /^(root_squash|rootsquash|root|no_root_squash|noidsquash|none|no_squash|all_squash|allsquash|all|all_anonymous|root_id_squash|rootidsquash|root_id)$/i;
const PROTO = /^(3|4|9P|NFS3|NFS4|NFSv3|NFSv4|V3|V4)$/i;
const CLIENT =
  /^(\*|@[A-Za-z0-9_.-]+|(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/\d{1,3})?|[A-Za-z0-9*?]([A-Za-z0-9*?.-]{0,252}))$/;

function checkPath(what: string, v: string): void {
  if (!v.startsWith('/')) throw invalidInput(`${what} must be an absolute path`, { field: what, value: v });
  if (/[{};"'\n\r\0#\\]/.test(v) || /[\x00-\x1f\x7f]/.test(v))
    throw invalidInput(`${what} must not contain braces, semicolons, quotes, '#', backslashes or control characters`, {
      field: what,
      value: v,
    });
}

/** One EXPORT block, validated; values that could break out of the block are refused (INVALID_INPUT). */
export function formatGaneshaExport(ex: GaneshaExport): string {
  if (!Number.isInteger(ex.exportId) || ex.exportId < 1 || ex.exportId > 65535)
    throw invalidInput('Export_Id must be an integer from 1 to 65535', { field: 'exportId', value: ex.exportId });
  checkPath('path', ex.path);
  if (ex.pseudo !== null) checkPath('pseudo', ex.pseudo);
  if (!ACCESS.test(ex.accessType))
    throw invalidInput('Access_Type must be RW, RO, MDONLY, MDONLY_RO or None', {
      field: 'accessType',
      value: ex.accessType,
    });
  if (!SQUASH.test(ex.squash)) throw invalidInput('unknown Squash value', { field: 'squash', value: ex.squash });
  if (ex.protocols.length === 0 || !ex.protocols.every((p) => PROTO.test(p)))
    throw invalidInput('Protocols must be 3 and/or 4', { field: 'protocols', value: ex.protocols });
  if (ex.transports && !ex.transports.every((t) => /^(TCP|UDP)$/i.test(t)))
    throw invalidInput('Transports must be TCP and/or UDP', { field: 'transports', value: ex.transports });
  if (ex.fsal !== null && !/^[A-Za-z0-9_]+$/.test(ex.fsal))
    throw invalidInput('bad FSAL name', { field: 'fsal', value: ex.fsal });
  for (const c of ex.clients) {
    if (c.clients.length === 0) throw invalidInput('a CLIENT block needs at least one client', { field: 'clients' });
    for (const h of c.clients)
      if (!CLIENT.test(h))
        throw invalidInput(`not a host, address, CIDR or netgroup: ${JSON.stringify(h)}`, {
          field: 'clients',
          value: h,
        });
    if (!ACCESS.test(c.accessType))
      throw invalidInput('bad client Access_Type', { field: 'clients.accessType', value: c.accessType });
    if (c.squash !== undefined && !SQUASH.test(c.squash))
      throw invalidInput('bad client Squash', { field: 'clients.squash', value: c.squash });
  }
  const out = ['EXPORT {', `\tExport_Id = ${ex.exportId};`, `\tPath = "${ex.path}";`];
  if (ex.pseudo !== null) out.push(`\tPseudo = "${ex.pseudo}";`);
  out.push(`\tAccess_Type = ${ex.accessType};`, `\tProtocols = ${ex.protocols.join(', ')};`);
  if (ex.transports) out.push(`\tTransports = ${ex.transports.join(', ')};`);
  out.push(`\tSquash = ${ex.squash};`);
  if (ex.fsal !== null) out.push('\tFSAL {', `\t\tName = ${ex.fsal};`, '\t}');
  for (const c of ex.clients) {
    out.push('\tCLIENT {', `\t\tClients = ${c.clients.join(', ')};`, `\t\tAccess_Type = ${c.accessType};`);
    if (c.squash !== undefined) out.push(`\t\tSquash = ${c.squash};`);
    out.push('\t}');
  }
  out.push('}');
  return out.join('\n') + '\n';
}
