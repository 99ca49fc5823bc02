/**
 * Is a WHERE (or MERGE ON) clause "constant" for its target table?
 *
 * Decision (documented in README): a predicate is constant when it references no column of the
 * target (`WHERE true`, `1=1`, `'a'='a'`, `NOT false`, `EXISTS (SELECT 1 FROM other)`,
 * `DELETE … USING s WHERE s.x = 1`), or when it is a tautology we can see: an OR with an arm that
 * is constant and not provably false (`WHERE 1=1 OR id=5`), or a column compared with itself
 * (`id = id`, true for every non-null row). `WHERE false` references no column and counts as
 * constant too: it is useless, and blocking it costs nothing.
 */

type Node = Record<string, unknown>;

export interface Target {
  relname: string;
  alias: string | null;
}

type Tri = boolean | 'unknown';

export function isConstantPredicate(expr: unknown, target: Target): boolean {
  if (!refsTarget(expr, target, false)) return true;
  return isTautology(expr, target);
}

function isTautology(expr: unknown, target: Target): boolean {
  const n = expr as Node;
  const bool = n['BoolExpr'] as Node | undefined;
  if (bool) {
    const args = (bool['args'] as unknown[]) ?? [];
    if (bool['boolop'] === 'OR_EXPR') {
      return args.some((a) => (!refsTarget(a, target, false) && constEval(a) !== false) || isTautology(a, target));
    }
    if (bool['boolop'] === 'AND_EXPR') {
      return args.every((a) => (!refsTarget(a, target, false) && constEval(a) !== false) || isTautology(a, target));
    }
    return false;
  }
  const op = n['A_Expr'] as Node | undefined;
  if (op && op['kind'] === 'AEXPR_OP' && ['=', '>=', '<='].includes(opName(op))) {
    return sameExpr(op['lexpr'], op['rexpr']) && refsTarget(op['lexpr'], target, false);
  }
  return false;
}

function opName(op: Node): string {
  const name = op['name'] as Node[] | undefined;
  const last = name?.[name.length - 1]?.['String'] as Node | undefined;
  return (last?.['sval'] as string) ?? '';
}

/** Structural equality ignoring `location`. */
function sameExpr(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, dropLocation) === JSON.stringify(b, dropLocation);
}

function dropLocation(key: string, value: unknown): unknown {
  return key === 'location' ? undefined : value;
}

/**
 * Does the expression reference a column of the target? Unqualified columns count at the top
 * level (they resolve to the target or a joined table; we assume target so a real WHERE is not
 * flagged), but not inside a subquery, where they resolve to the subquery's own tables first.
 */
function refsTarget(expr: unknown, target: Target, inSubquery: boolean): boolean {
  if (Array.isArray(expr)) return expr.some((e) => refsTarget(e, target, inSubquery));
  if (!expr || typeof expr !== 'object') return false;
  const n = expr as Node;
  const col = n['ColumnRef'] as Node | undefined;
  if (col) return columnIsTarget(col, target, inSubquery);
  for (const [key, value] of Object.entries(n)) {
    const sub = inSubquery || key === 'SelectStmt';
    if (refsTarget(value, target, sub)) return true;
  }
  return false;
}

function columnIsTarget(col: Node, target: Target, inSubquery: boolean): boolean {
  const fields = (col['fields'] as Node[]) ?? [];
  const names = fields.map((f) => ((f['String'] as Node | undefined)?.['sval'] as string | undefined) ?? '*');
  if (names.length === 1) return !inSubquery;
  const qualifier = names[names.length - 2]!;
  return qualifier === (target.alias ?? target.relname);
}

/** Evaluate a constant expression; 'unknown' when it is not a simple constant. */
export function constEval(expr: unknown): Tri | number | string | null {
  const n = expr as Node;
  const c = n['A_Const'] as Node | undefined;
  if (c) return constValue(c);
  const bool = n['BoolExpr'] as Node | undefined;
  if (bool) return boolEval(bool);
  const op = n['A_Expr'] as Node | undefined;
  if (op && op['kind'] === 'AEXPR_OP') return compare(opName(op), constEval(op['lexpr']), constEval(op['rexpr']));
  const cast = n['TypeCast'] as Node | undefined;
  if (cast) {
    const v = constEval(cast['arg']);
    return typeof v === 'boolean' ? v : 'unknown';
  }
  return 'unknown';
}

function constValue(c: Node): Tri | number | string | null {
  if (c['isnull']) return null;
  if ('boolval' in c) return Boolean((c['boolval'] as Node)['boolval']);
  if ('ival' in c) return Number((c['ival'] as Node)['ival'] ?? 0);
  if ('fval' in c) return Number((c['fval'] as Node)['fval']);
  if ('sval' in c) return String((c['sval'] as Node)['sval'] ?? '');
  return 'unknown';
}

function boolEval(bool: Node): Tri {
  const vals = ((bool['args'] as unknown[]) ?? []).map(constEval);
  if (bool['boolop'] === 'NOT_EXPR') return typeof vals[0] === 'boolean' ? !vals[0] : 'unknown';
  const isAnd = bool['boolop'] === 'AND_EXPR';
  if (vals.some((v) => v === !isAnd)) return !isAnd;
  return vals.every((v) => v === isAnd) ? isAnd : 'unknown';
}

function compare(op: string, l: unknown, r: unknown): Tri {
  if (l === 'unknown' || r === 'unknown' || l === null || r === null || typeof l !== typeof r) return 'unknown';
  const a = l as number | string;
  const b = r as number | string;
  switch (op) {
    case '=': return a === b;
    case '<>': case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: return 'unknown';
  }
}
