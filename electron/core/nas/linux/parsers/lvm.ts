// LVM2 JSON reports: `lvs|vgs|pvs --reportformat json --units b --nosuffix -o …` and `lvm fullreport`.
// lvcreate cannot run in the lab (no device-mapper); the fixture is the JSON example of lvmreport(7).
import { checkJson, isRecord, parseFail } from './common';

export interface LvmLv {
  name: string;
  vgName: string;
  sizeBytes: number | null;
  attr: string | null;
  /** Every field as LVM printed it. */
  fields: Record<string, string>;
}
export interface LvmVg {
  name: string;
  sizeBytes: number | null;
  freeBytes: number | null;
  fields: Record<string, string>;
}
export interface LvmPv {
  name: string;
  vgName: string | null;
  sizeBytes: number | null;
  freeBytes: number | null;
  fields: Record<string, string>;
}
export interface LvmReport {
  lvs: LvmLv[];
  vgs: LvmVg[];
  pvs: LvmPv[];
}

const TOOL = 'lvm report';
const UNITS: Record<string, number> = {
  b: 1,
  s: 512,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
  e: 1024 ** 6,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** "4194304", "4194304B", "200.00m" (lower case = powers of 1024, upper case = powers of 1000, as lvm(8)). */
export function lvmSize(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '') return null;
  const m = /^(\d+(?:\.\d+)?)([bskmgtpeBSKMGTPE]?)$/.exec(t);
  if (!m) return null;
  const unit = m[2] === 'B' ? 1 : m[2] === 'S' ? 512 : UNITS[m[2] || 'b'];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

function rows(v: unknown, key: string, input: unknown): Array<Record<string, string>> {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw parseFail(TOOL, `"${key}" is not an array`, input);
  return v.map((r, i) => {
    if (!isRecord(r)) throw parseFail(TOOL, `${key}[${i}] is not an object`, input);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(r)) {
      if (typeof val !== 'string' && typeof val !== 'number')
        throw parseFail(TOOL, `${key}[${i}].${k} is not a value`, input);
      out[k] = String(val);
    }
    return out;
  });
}

/**
 * `{"report":[{"lv":[…]}, …]}` from lvs/vgs/pvs/fullreport. The trailing comma shown in the
 * lvmreport(7) example is tolerated. Sizes: ask with `--units b --nosuffix`; unit suffixes are understood.
 */
export function parseLvmReport(input: unknown): LvmReport {
  const json = checkJson(TOOL, input, { tolerateTrailingCommas: true });
  if (!isRecord(json) || !Array.isArray(json.report)) throw parseFail(TOOL, 'no "report" array', input);
  const out: LvmReport = { lvs: [], vgs: [], pvs: [] };
  for (const part of json.report) {
    if (!isRecord(part)) throw parseFail(TOOL, 'a report entry is not an object', input);
    for (const r of rows(part.lv, 'lv', input)) {
      if (!r.lv_name) throw parseFail(TOOL, 'lv row without lv_name', input);
      out.lvs.push({
        name: r.lv_name,
        vgName: r.vg_name ?? '',
        sizeBytes: lvmSize(r.lv_size),
        attr: r.lv_attr ?? null,
        fields: r,
      });
    }
    for (const r of rows(part.vg, 'vg', input)) {
      if (!r.vg_name) throw parseFail(TOOL, 'vg row without vg_name', input);
      out.vgs.push({ name: r.vg_name, sizeBytes: lvmSize(r.vg_size), freeBytes: lvmSize(r.vg_free), fields: r });
    }
    for (const r of rows(part.pv, 'pv', input)) {
      if (!r.pv_name) throw parseFail(TOOL, 'pv row without pv_name', input);
      out.pvs.push({
        name: r.pv_name,
        vgName: r.vg_name || null,
        sizeBytes: lvmSize(r.pv_size),
        freeBytes: lvmSize(r.pv_free),
        fields: r,
      });
    }
  }
  return out;
}
