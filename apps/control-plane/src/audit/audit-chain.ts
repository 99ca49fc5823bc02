import { createHash } from 'node:crypto';

/** prevHash of the first entry of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainedFields {
  at: Date;
  actorName: string;
  actorKind: string;
  action: string;
  target: string | null;
  details: unknown;
  clientAddress: string | null;
}

/** hash = sha256(prevHash + canonical JSON of the entry). */
export function chainHash(prevHash: string, entry: ChainedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}

const SECRET_KEYS = new Set(['password', 'privateKey', 'token', 'apiKey', 'secret']);

/** The input as recorded: secret fields replaced, everything else kept. */
export function elideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(elideSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEYS.has(k) && v !== null ? '[elided]' : elideSecrets(v);
  }
  return out;
}

/** Verifies a run of entries in id order; returns the index of the first broken link, or -1. */
export function findBrokenLink(entries: Array<ChainedFields & { prevHash: string; hash: string }>, firstPrevHash = GENESIS_HASH): number {
  let prev = firstPrevHash;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const { prevHash, hash, ...fields } = e;
    if (prevHash !== prev || chainHash(prevHash, fields) !== hash) return i;
    prev = hash;
  }
  return -1;
}
