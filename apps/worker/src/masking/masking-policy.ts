import { DETECTABLE_ENTITIES, ENTITY_TYPES, MASK_STYLES, type EntityType, type MaskingPolicy, type MaskingRule, type MaskStyle } from '@airlock/masking';
import type { SnapshotRule } from '@airlock/contracts';

// The masking policy of one connection, built from the pool's snapshot: every detector on,
// style redact, then the global and the connection's own column rules in snapshot order.

const STYLES = new Set<string>(MASK_STYLES);
const ENTITIES = new Set<string>([...ENTITY_TYPES, 'FULL']);

/**
 * A snapshot rule in the engine's shape. The control plane validates rules before it stores
 * them; a rule that still arrives malformed fails closed: unknown style → redact, unknown entity
 * → FULL (the whole cell, `[MASKED]`), never dropped.
 */
export function toMaskingRule(r: SnapshotRule): MaskingRule | null {
  const raw = (r.match ?? {}) as { column?: unknown; columnName?: unknown };
  const column = typeof raw.column === 'string' && raw.column.length > 0 ? raw.column : undefined;
  const columnName = typeof raw.columnName === 'string' && raw.columnName.length > 0 ? raw.columnName : undefined;
  if (!column && !columnName) return null;
  const style = typeof r.style === 'string' && STYLES.has(r.style.toLowerCase()) ? (r.style.toLowerCase() as MaskStyle) : 'redact';
  const entity = typeof r.entity === 'string' && ENTITIES.has(r.entity.toUpperCase()) ? (r.entity.toUpperCase() as EntityType | 'FULL') : 'FULL';
  return { id: r.id, connection: r.connection, match: { column, columnName }, entity, style, enabled: r.enabled };
}

/** Rules for one connection: global ones and its own, enabled, in snapshot order. */
export function rulesFor(connection: string, snapshotRules: readonly SnapshotRule[]): MaskingRule[] {
  const out: MaskingRule[] = [];
  for (const r of snapshotRules) {
    if (!r.enabled || (r.connection != null && r.connection !== connection)) continue;
    const rule = toMaskingRule(r);
    if (rule) out.push(rule);
  }
  return out;
}

export function connectionPolicy(rules: MaskingRule[], hashKey: Buffer): MaskingPolicy {
  return { enabled: true, entities: [...DETECTABLE_ENTITIES], defaultStyle: 'redact', rules, hashKey };
}

/**
 * The column part a `schema.table.column` glob can match when the table is not known yet: the
 * rule then applies to every column of that name, whatever its table (over-masking until the
 * catalog answers, never under-masking). `*` spans dots, so the literal after the last `*` is
 * all a match is sure to end with.
 */
export function columnPartOf(glob: string): string {
  const star = glob.lastIndexOf('*');
  const tail = glob.slice(star + 1);
  const dot = tail.lastIndexOf('.');
  if (dot >= 0) return tail.slice(dot + 1);
  return star >= 0 ? `*${tail}` : glob;
}

/** The same rules with `column` globs widened to their column part: for results whose tables are unresolved. */
export function conservativeRules(rules: readonly MaskingRule[]): MaskingRule[] {
  return rules.map((r) => (r.match.column === undefined ? r : { ...r, match: { columnName: r.match.columnName ?? columnPartOf(r.match.column) } }));
}
