/**
 * Canonical JSON: object keys sorted at every level, `undefined` members
 * dropped, Dates as ISO strings. The same value always serializes to the same
 * bytes, whatever order its producer (or jsonb) put the keys in.
 *
 * Every recorded event is hashed through this on ingest and on verify, so it
 * is written as one recursive walk that appends to a single string (no
 * Object.entries, filter, map or join per object).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  return object(value as object);
}

function scalar(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value ?? null);
}

function object(value: object): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += v === null || typeof v !== 'object' ? scalar(v === undefined ? null : v) : object(v);
    }
    return out + ']';
  }
  const rec = value as Record<string, unknown>;
  // Default sort order is UTF-16 code unit order, the same as comparing keys with < and >.
  const keys = Object.keys(rec).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = rec[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + (v === null || typeof v !== 'object' ? scalar(v) : object(v));
  }
  return out + '}';
}
