// TrueNAS's JSON extensions (TNCLIENT ejson.py): datetimes arrive as {"$date": ms since epoch} and
// Python sets as {"$set": [...]}; both are decoded once, where a reply is parsed.

export function decodeEjson(value: unknown, depth = 0): unknown {
  if (depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => decodeEjson(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$date' && typeof obj.$date === 'number') {
    const d = new Date(obj.$date);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (keys.length === 1 && keys[0] === '$set' && Array.isArray(obj.$set))
    return obj.$set.map((v) => decodeEjson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeEjson(obj[k], depth + 1);
  return out;
}

/** Encodes Dates the way TrueNAS expects them back. */
export function encodeEjson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : v;
  });
}
