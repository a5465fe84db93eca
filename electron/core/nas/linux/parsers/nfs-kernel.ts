// Kernel NFS server (nfs-kernel-server): `exportfs -v` and /etc/exports (exports(5)).
// The kernel nfsd cannot run in the lab; fixtures are published real outputs (see SOURCES.md).
import { checkText, invalidInput, parseFail } from './common';

export interface NfsClientSpec {
  /** "*" for exportfs's "<world>". */
  host: string;
  options: string[];
}

export interface NfsExport {
  path: string;
  clients: NfsClientSpec[];
}

const EXPORTFS = 'exportfs -v';

/** exports(5)/exportfs encode unusual characters as \ooo octal. */
function unoctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function clientSpec(tool: string, tok: string, input: unknown): NfsClientSpec {
  const m = /^([^()\s]*)\(([^()]*)\)$/.exec(tok);
  if (!m) throw parseFail(tool, `bad client ${JSON.stringify(tok)}`, input);
  const host = m[1] === '<world>' || m[1] === '' ? '*' : m[1]!;
  return { host, options: m[2]!.split(',').filter(Boolean) };
}

/**
 * `exportfs -v`: "/path  client(opts)", or a long path alone on its line with the client on the next,
 * indented. Paths exported to several clients are merged.
 */
export function parseExportfs(input: unknown): NfsExport[] {
  const text = checkText(EXPORTFS, input, { allowEmpty: true });
  const out: NfsExport[] = [];
  let cur: NfsExport | null = null;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const toks = raw.trim().split(/\s+/);
    if (!/^\s/.test(raw)) {
      const path = unoctal(toks.shift()!);
      if (!path.startsWith('/'))
        throw parseFail(EXPORTFS, `not an absolute path: ${JSON.stringify(path.slice(0, 80))}`, input);
      cur = out.find((e) => e.path === path) ?? null;
      if (!cur) {
        cur = { path, clients: [] };
        out.push(cur);
      }
    } else if (!cur) throw parseFail(EXPORTFS, 'indented line before any path', input);
    for (const t of toks) cur.clients.push(clientSpec(EXPORTFS, t, input));
  }
  for (const e of out)
    if (e.clients.length === 0) throw parseFail(EXPORTFS, `no client for ${e.path} (truncated?)`, input);
  return out;
}

export interface ExportsFileEntry extends NfsExport {
  /** Options given as "-opts" after the path: defaults for every client on the line. */
  defaultOptions: string[];
  line: number;
}

export interface ExportsFileResult {
  exports: ExportsFileEntry[];
  errors: Array<{ line: number; text: string; reason: string }>;
}

function splitTokens(s: string): string[] | string {
  const toks: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let tok = '';
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      if (end < 0) return 'unterminated quote';
      tok = s.slice(i + 1, end);
      i = end + 1;
      if (i < s.length && !/\s/.test(s[i]!)) return 'text right after a closing quote';
      toks.push(tok);
      continue;
    }
    let depth = 0;
    while (i < s.length && (depth > 0 || !/\s/.test(s[i]!))) {
      if (s[i] === '(') depth++;
      if (s[i] === ')') depth--;
      if (depth < 0) return 'unbalanced ")"';
      tok += s[i];
      i++;
    }
    if (depth !== 0) return 'unbalanced "("';
    toks.push(tok);
  }
  return toks;
}

/**
 * /etc/exports. One bad line does not spoil the others: it lands in `errors` with its line number.
 * Handles comments, "\" line continuations, quoted paths and \ooo escapes, "-opts" defaults.
 */
export function parseExportsFile(input: unknown): ExportsFileResult {
  const text = checkText('/etc/exports', input, { allowEmpty: true });
  const result: ExportsFileResult = { exports: [], errors: [] };
  const physical = text.split('\n');
  for (let n = 0; n < physical.length; n++) {
    const startLine = n + 1;
    let logical = physical[n]!;
    while (/\\$/.test(logical) && n + 1 < physical.length) logical = logical.slice(0, -1) + ' ' + physical[++n]!;
    const hash = logical.indexOf('#');
    const body = (hash >= 0 && !/^[^"]*"[^"]*#/.test(logical) ? logical.slice(0, hash) : logical).trim();
    if (body === '') continue;
    const fail = (reason: string) => result.errors.push({ line: startLine, text: logical.slice(0, 200), reason });
    const toks = splitTokens(body);
    if (typeof toks === 'string') {
      fail(toks);
      continue;
    }
    const path = unoctal(toks.shift()!);
    if (!path.startsWith('/')) {
      fail('the export path must be absolute');
      continue;
    }
    const entry: ExportsFileEntry = { path, clients: [], defaultOptions: [], line: startLine };
    let bad: string | null = null;
    for (const t of toks) {
      if (t.startsWith('-')) {
        entry.defaultOptions.push(...t.slice(1).split(',').filter(Boolean));
        continue;
      }
      if (t.startsWith('(')) {
        bad = 'options without a client: a space between the client and "(" gives these options to everyone';
        break;
      }
      const m = /^([^()]+)(?:\(([^()]*)\))?$/.exec(t);
      if (!m) {
        bad = `bad client ${JSON.stringify(t)}`;
        break;
      }
      entry.clients.push({
        host: m[1]!,
        options: [...entry.defaultOptions, ...(m[2] !== undefined ? m[2].split(',').filter(Boolean) : [])],
      });
    }
    if (bad) {
      fail(bad);
      continue;
    }
    if (entry.clients.length === 0) entry.clients.push({ host: '*', options: [...entry.defaultOptions] });
    result.exports.push(entry);
  }
  return result;
}

const HOST =
  /^(\*|@[A-Za-z0-9_.-]+|gss\/[a-z0-9]+|(\d{1,3}\.){3}\d{1,3}(\/(\d{1,2}|(\d{1,3}\.){3}\d{1,3}))?|\[?[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*\]?(\/\d{1,3})?|[A-Za-z0-9*?]([A-Za-z0-9*?.-]{0,252}))$/;
const OPTION = /^[a-z_]+(=[A-Za-z0-9_:./@+-]+)?$/;

/**
 * One /etc/exports line. Paths with spaces are double-quoted (exports(5)); quotes, backslashes,
 * '#', newlines and other control characters in paths are refused (INVALID_INPUT), as are hosts and
 * options that could smuggle in other clients.
 */
export function formatExportsLine(path: string, clients: Array<{ host: string; options: string[] }>): string {
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw invalidInput('the export path must be absolute', { field: 'path', value: path });
  if (/["\\#]/.test(path) || /[\x00-\x1f\x7f]/.test(path))
    throw invalidInput('the export path must not contain quotes, backslashes, "#" or control characters', {
      field: 'path',
      value: path,
    });
  if (clients.length === 0) throw invalidInput('at least one client is needed', { field: 'clients' });
  const specs = clients.map((c) => {
    if (!HOST.test(c.host))
      throw invalidInput(`not a host, address, network or netgroup: ${JSON.stringify(c.host)}`, {
        field: 'host',
        value: c.host,
      });
    for (const o of c.options)
      if (!OPTION.test(o))
        throw invalidInput(`not an export option: ${JSON.stringify(o)}`, { field: 'options', value: o });
    return c.options.length ? `${c.host}(${c.options.join(',')})` : c.host;
  });
  const p = /\s/.test(path) ? `"${path}"` : path;
  return `${p} ${specs.join(' ')}`;
}
