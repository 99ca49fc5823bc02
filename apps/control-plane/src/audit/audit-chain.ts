import { auditEntryHash, GENESIS_HASH, type AuditChainFields } from '@airlock/audit';

// One definition of the global chain's hashing, shared with the recording
// pipeline that appends session anchors to the same AuditLogEntry chain.
export { canonicalJson, GENESIS_HASH } from '@airlock/audit';
export type ChainedFields = AuditChainFields;

/** hash = sha256(prevHash + canonical JSON of the entry). */
export const chainHash = (prevHash: string, entry: ChainedFields): string => auditEntryHash(prevHash, entry);

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
