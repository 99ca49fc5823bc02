/** Column rules: compiled once per masker, matched once per result-set column (never per cell). */
import { type MaskingRule } from './types';

export interface ColumnRef {
  schema?: string;
  table?: string;
  column: string;
}

export interface CompiledRule {
  rule: MaskingRule;
  test: (ref: ColumnRef) => boolean;
}

/** `*` any run (dots included), `?` one character; everything else literal; case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  let src = '';
  for (const ch of glob) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[\\^$.+()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'i');
}

/** `/source/flags` is a regex (always case-insensitive); anything else a glob. */
export function namePattern(p: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(p);
  if (!m) return globToRegExp(p);
  const flags = m[2].includes('i') ? m[2] : m[2] + 'i';
  return new RegExp(m[1], flags.replace(/[gy]/g, ''));
}

export function qualifiedName(ref: ColumnRef): string {
  return `${ref.schema ?? ''}.${ref.table ?? ''}.${ref.column}`;
}

/**
 * Enabled rules for this connection, in policy order (first match wins). A rule
 * with neither `column` nor `columnName` matches nothing, rather than every column.
 * A bad regex throws here, at policy load, not on the hot path.
 */
export function compileRules(rules: readonly MaskingRule[], connection?: string): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (rule.connection != null && connection !== undefined && rule.connection !== connection) continue;
    const col = rule.match.column ? globToRegExp(rule.match.column) : null;
    const name = rule.match.columnName ? namePattern(rule.match.columnName) : null;
    if (!col && !name) continue;
    out.push({
      rule,
      test: (ref) => (!col || col.test(qualifiedName(ref))) && (!name || name.test(ref.column)),
    });
  }
  return out;
}

export function findRule(rules: readonly CompiledRule[], ref: ColumnRef): MaskingRule | undefined {
  for (const r of rules) if (r.test(ref)) return r.rule;
  return undefined;
}
