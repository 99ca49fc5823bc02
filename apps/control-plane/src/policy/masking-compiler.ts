import { randomBytes } from 'node:crypto';
import { type SnapshotRule } from '@airlock/contracts';

/** A masking rule as stored: JSON match, entity and style as the engine spells them (see masking.service). */
export interface StoredMaskingRule {
  id: string;
  connection: string | null;
  name: string;
  enabled: boolean;
  match: unknown;
  entity: string;
  style: string;
}

/**
 * The shape @airlock/masking's MaskingRule has (workers hand it to createMasker as it is): style
 * lower-case, entity upper-case, match reduced to its two known fields.
 */
export function toMaskingSnapshotRule(r: StoredMaskingRule): SnapshotRule {
  const m = (r.match ?? {}) as { column?: unknown; columnName?: unknown };
  const match: { column?: string; columnName?: string } = {};
  if (typeof m.column === 'string' && m.column) match.column = m.column;
  if (typeof m.columnName === 'string' && m.columnName) match.columnName = m.columnName;
  return { id: r.id, connection: r.connection, name: r.name, enabled: r.enabled, match, entity: r.entity.toUpperCase(), style: r.style.toLowerCase() };
}

/** A fresh HMAC key for a connection's `hash` style, base64 (what the snapshot seals). */
export function newMaskingKey(): string {
  return randomBytes(32).toString('base64');
}
