// Shared guards for the Linux output parsers: every parser refuses input it cannot make sense of
// with one typed error (AppError INTERNAL "Could not parse <tool> output: <why>"), never a TypeError,
// never garbage. Pure functions only: no I/O here or in any parser.
import { AppError } from '../../../../../shared/errors';

/** Larger inputs are refused up front, so a runaway command cannot make a parser spin. */
export const MAX_INPUT_CHARS = 4 * 1024 * 1024;

export function excerptOf(input: unknown): string {
  let s: string;
  if (typeof input === 'string') s = input;
  else {
    try {
      s = JSON.stringify(input) ?? String(input);
    } catch {
      s = String(input);
    }
  }
  return s.slice(0, 200).replace(/[^\x20-\x7e\n\t]/g, '?');
}

export function parseFail(tool: string, why: string, input?: unknown): AppError {
  return new AppError('INTERNAL', `Could not parse ${tool} output: ${why}`, { tool, excerpt: excerptOf(input) });
}

export function invalidInput(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('INVALID_INPUT', message, details);
}

/**
 * Checks that `input` is plausible command output: a string, not too large, not binary, not an
 * HTML/XML error page. Returns it with CRLF normalised. Empty output is refused unless allowed
 * (for tools that legitimately print nothing, e.g. `btrfs subvolume list` on a fresh pool).
 */
export function checkText(tool: string, input: unknown, opts: { allowEmpty?: boolean } = {}): string {
  if (typeof input !== 'string')
    throw parseFail(tool, `expected text, got ${input === null ? 'null' : typeof input}`, input);
  if (input.length > MAX_INPUT_CHARS) throw parseFail(tool, `input is too large (${input.length} characters)`, input);
  if (input.includes('\u0000')) throw parseFail(tool, 'input contains binary data (NUL bytes)', input);
  let odd = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b) || c === 0x7f || c === 0xfffd)
      odd++;
  }
  if (odd > 0 && odd > input.length / 100) throw parseFail(tool, 'input looks like binary data', input);
  if (/^\s*<(?:!doctype|html|\?xml|head|body)\b/i.test(input))
    throw parseFail(tool, 'input looks like HTML/XML', input);
  if (!opts.allowEmpty && input.trim() === '') throw parseFail(tool, 'empty output', input);
  return input.replace(/\r\n?/g, '\n');
}

/** Accepts JSON text or an already-parsed value; returns the parsed value (an object or array). */
export function checkJson(tool: string, input: unknown, opts: { tolerateTrailingCommas?: boolean } = {}): unknown {
  let value: unknown = input;
  if (typeof input === 'string') {
    const text = checkText(tool, input);
    try {
      value = JSON.parse(text);
    } catch {
      if (!opts.tolerateTrailingCommas) throw parseFail(tool, 'invalid JSON', input);
      try {
        value = JSON.parse(text.replace(/,(\s*[\]}])/g, '$1'));
      } catch {
        throw parseFail(tool, 'invalid JSON', input);
      }
    }
  }
  if (value === null || typeof value !== 'object') throw parseFail(tool, 'expected a JSON object', input);
  return value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-negative or negative integer written in decimal; anything else throws. */
export function toInt(tool: string, s: unknown, what: string, input?: unknown): number {
  const str = typeof s === 'number' ? String(s) : typeof s === 'string' ? s.trim() : '';
  if (!/^-?\d+$/.test(str)) throw parseFail(tool, `${what} is not an integer (${JSON.stringify(s)})`, input);
  const n = Number(str);
  if (!Number.isSafeInteger(n)) throw parseFail(tool, `${what} is out of range (${str})`, input);
  return n;
}

const BINARY_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
  P: 1024 ** 5,
  E: 1024 ** 6,
};

/**
 * Sizes as btrfs-progs and ZFS print them: "1073741824", "1.00GiB", "212.75MiB", "0.00B", "781M", "8.60T",
 * "2.72K". Both families use powers of 1024. Returns null when the text is not a size.
 */
export function parseBinarySize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?)(?:i?B)?$/i.exec(s.trim());
  if (!m) return null;
  const unit = BINARY_UNITS[(m[2] ?? '').toUpperCase()];
  if (unit === undefined) return null;
  const n = Number(m[1]) * unit;
  return Number.isFinite(n) ? Math.round(n) : null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * "Mon Nov 30 06:47:01 2026" (ctime style, local time of the NAS) → "2026-11-30T06:47:01".
 * The tools print no zone, so none is invented: the result is an ISO 8601 local date-time.
 */
export function ctimeToIso(s: string): string | null {
  const m = /^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(s.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return null;
  const pad = (v: string | number) => String(v).padStart(2, '0');
  return `${m[6]}-${pad(month + 1)}-${pad(m[2]!)}T${pad(m[3]!)}:${m[4]}:${m[5]}`;
}

/** "2026-11-30 06:45:58" (+ optional " +0000") → "2026-11-30T06:45:58" (+ "+00:00"). */
export function isoFromSpaced(s: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\s*([+-])(\d{2}):?(\d{2}))?$/.exec(s.trim());
  if (!m) return null;
  return m[3] ? `${m[1]}T${m[2]}${m[3]}${m[4]}:${m[5]}` : `${m[1]}T${m[2]}`;
}

export function lines(text: string): string[] {
  return text.split('\n');
}
