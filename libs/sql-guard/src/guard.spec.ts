import { beforeAll, describe, expect, it } from 'vitest';
import { classify, initSqlGuard } from './classify';
import { createGuard } from './guard';
import { shapeKey } from './shape';
import type { GuardrailRule, Verdict } from './types';

const ctx = { identity: 'agent:etl', groups: ['bots'] };

function rule(partial: Partial<GuardrailRule> & Pick<GuardrailRule, 'id' | 'action' | 'match'>): GuardrailRule {
  return { name: partial.id, priority: 10, enabled: true, message: `rule ${partial.id}`, connection: null, ...partial };
}

beforeAll(() => initSqlGuard());

describe('classify', () => {
  it('reports the node and path that decided', () => {
    const c = classify('SELECT 1; DELETE FROM t WHERE 1=1');
    expect(c.statements[1]!.findings).toEqual([{ code: 'constant-where', nodeType: 'DeleteStmt', path: 'stmts[1].DeleteStmt.whereClause' }]);
  });

  it('lists objects qualified when qualified, without CTE names, and functions called', () => {
    const c = classify('WITH x AS (SELECT * FROM a.b) SELECT lower(n), app.f(1) FROM x JOIN c ON true');
    expect(c.statements[0]!.objects.sort()).toEqual(['a.b', 'c']);
    expect(c.statements[0]!.schemas).toEqual(['a']);
    expect(c.statements[0]!.functions).toEqual(['lower', 'app.f']);
  });

  it('never throws', () => {
    for (const sql of ['', ';;;', 'DR/**/OP', "'", '\u0000', 'SELECT '.repeat(10_000)]) expect(() => classify(sql)).not.toThrow();
    expect(classify('SELEC 1').parseError?.message).toMatch(/syntax error/);
  });

  it('marks a data-modifying CTE as a write of its kind', () => {
    const s = classify('WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d').statements[0]!;
    expect(s.kinds).toEqual(['SELECT', 'DELETE']);
    expect(s.writes).toBe(true);
    expect(s.findings.map((f) => f.code)).toEqual(['data-modifying-cte']);
  });
});

describe('presets', () => {
  const verdict = (preset: 'STANDARD' | 'PERMISSIVE' | 'CUSTOM', sql: string, rules: GuardrailRule[] = []): Verdict =>
    createGuard({ preset, rules }).evaluate(sql, ctx).verdict;

  it('PERMISSIVE blocks only what does not parse', () => {
    expect(verdict('PERMISSIVE', 'DROP TABLE t')).toBe('allow');
    expect(verdict('PERMISSIVE', 'DR/**/OP TABLE t')).toBe('block');
  });

  it('allows an empty query, which Postgres answers with EmptyQueryResponse', () => {
    for (const preset of ['STANDARD', 'PERMISSIVE'] as const) {
      for (const sql of ['', '   ', '-- nothing', '/* nothing */', ';']) expect(verdict(preset, sql)).toBe('allow');
    }
  });

  it('CUSTOM runs the connection rules before STANDARD; STANDARD ignores them', () => {
    const own = rule({ id: 'logs', connection: 'c1', action: 'allow', match: { kinds: ['INSERT'], objects: ['logs.*'] } });
    expect(verdict('CUSTOM', 'INSERT INTO logs.events VALUES (1)', [own])).toBe('allow');
    expect(verdict('CUSTOM', 'INSERT INTO public.events VALUES (1)', [own])).toBe('review');
    expect(verdict('STANDARD', 'INSERT INTO logs.events VALUES (1)', [own])).toBe('review');
  });

  it('an allow rule must cover every kind, object, function and finding of a statement', () => {
    const own = rule({ id: 'ro', connection: 'c1', action: 'allow', match: { kinds: ['SELECT'], objects: ['analytics.*'] } });
    expect(verdict('CUSTOM', 'SELECT * FROM analytics.daily', [own])).toBe('allow');
    // Not covered by "ro" (secrets.keys): STANDARD decides, and allows it as a plain read.
    const joined = createGuard({ preset: 'CUSTOM', rules: [own] }).evaluate('SELECT * FROM analytics.daily JOIN secrets.keys ON true', ctx);
    expect(joined.rule?.id).toBe('standard.reads');
    expect(verdict('CUSTOM', "SELECT pg_read_file('/x') FROM analytics.daily", [own])).toBe('block');
    expect(verdict('CUSTOM', 'WITH d AS (DELETE FROM analytics.daily RETURNING 1) SELECT * FROM d', [own])).toBe('block');
  });

  it('global rules match identity globs and groups, in every preset', () => {
    const g = rule({ id: 'no-bots-users', action: 'block', match: { groups: ['bots'], objects: ['*.users'] } });
    expect(verdict('PERMISSIVE', 'SELECT * FROM users', [g])).toBe('block');
    const other = createGuard({ preset: 'STANDARD', rules: [g] }).evaluate('SELECT * FROM users', { identity: 'alice', groups: [] });
    expect(other.verdict).toBe('allow');
    const id = rule({ id: 'etl-only', action: 'review', match: { identities: ['agent:*'], kinds: ['SELECT'] } });
    expect(verdict('STANDARD', 'SELECT 1', [id])).toBe('review');
  });

  it('disabled rules do nothing; unqualified tables match public.<t>', () => {
    const off = rule({ id: 'off', action: 'block', enabled: false, match: { kinds: ['SELECT'] } });
    const pub = rule({ id: 'pub', action: 'block', match: { objects: ['public.payroll'] } });
    expect(verdict('STANDARD', 'SELECT 1', [off])).toBe('allow');
    expect(verdict('STANDARD', 'SELECT * FROM payroll', [pub])).toBe('block');
    expect(verdict('STANDARD', 'SELECT * FROM hr.payroll', [pub])).toBe('allow');
  });
});

describe('prepared statements', () => {
  const guard = createGuard({ preset: 'STANDARD', rules: [] });

  it('blocks EXECUTE of a name not prepared in the session', () => {
    expect(guard.evaluate('EXECUTE p(1)', ctx).verdict).toBe('block');
  });

  it('inherits the PREPARE verdict, from the session or from the same message', () => {
    const prepared = new Map<string, Verdict>([['ok', 'allow'], ['bad', 'block'], ['held', 'review']]);
    expect(guard.evaluate('EXECUTE ok(1)', { ...ctx, preparedVerdicts: prepared }).verdict).toBe('allow');
    expect(guard.evaluate('EXECUTE bad', { ...ctx, preparedVerdicts: prepared }).verdict).toBe('block');
    expect(guard.evaluate('EXECUTE held', { ...ctx, preparedVerdicts: prepared }).verdict).toBe('review');
    expect(guard.evaluate('PREPARE x AS SELECT 1; EXECUTE x', ctx).verdict).toBe('allow');
  });
});

describe('caches', () => {
  it('shares a shape across literals and gives up on what it does not lex', () => {
    expect(shapeKey('SELECT a FROM t WHERE aid = 42')).toBe(shapeKey('SELECT a FROM t WHERE aid = 7'));
    expect(shapeKey("SELECT 'a'\n'b'")).not.toBe(shapeKey("SELECT 'a' 'b'"));
    expect(shapeKey("SELECT 'a'")).not.toBe(shapeKey('SELECT 1'));
    for (const sql of ['SELECT 1 -- x', 'SELECT /* */ 1', 'SELECT $$x$$', "SELECT E'\\n'", "SELECT 'a\\'", 'SELECT $1', 'SELECT 0x1F', 'SELECT 1_000']) {
      expect(shapeKey(sql)).toBeNull();
    }
  });

  it('does not reuse a classification whose literals decided', () => {
    const guard = createGuard({ preset: 'STANDARD', rules: [] });
    expect(guard.evaluate('DELETE FROM t WHERE id = 5 OR 1 = 2', ctx).verdict).toBe('review');
    expect(guard.evaluate('DELETE FROM t WHERE id = 5 OR 1 = 1', ctx).verdict).toBe('block');
    expect(guard.evaluate("SELECT set_config('search_path', 'x', false)", ctx).reason).not.toMatch(/set-role/);
    expect(guard.evaluate("SELECT set_config('role', 'x', false)", ctx).reason).toMatch(/set-role/);
    expect(guard.evaluate('EXPLAIN (ANALYZE 0) DELETE FROM t', ctx).verdict).toBe('allow');
    expect(guard.evaluate('EXPLAIN (ANALYZE 1) DELETE FROM t', ctx).verdict).toBe('block');
  });
});
