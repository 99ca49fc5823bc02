import { classify } from './classify';
import { Lru } from './lru';
import { STANDARD_RULES } from './presets';
import { orderRules, ruleMatches, rulesDependOnCaller } from './rules';
import { shapeKey } from './shape';
import type {
  Classification, Decision, EvaluateContext, Finding, Guard, GuardOptions, GuardrailRule, RuleRef,
  StatementDecision, StatementInfo, Verdict,
} from './types';
import { VERDICT_RANK } from './types';

const PARSE_ERROR: RuleRef = { id: 'builtin.parse-error', name: 'Unparseable SQL', message: 'airlock: statement could not be parsed; blocked' };
const NO_RULE_REVIEW: RuleRef = { id: 'builtin.default-review', name: 'No rule matched', message: 'statement matched no rule; held for review' };

/** Rules in the order they are tried for a preset; global rules always apply. */
export function rulesForPreset(preset: GuardOptions['preset'], rules: readonly GuardrailRule[]): GuardrailRule[] {
  const global = orderRules(rules.filter((r) => !r.connection));
  const own = orderRules(rules.filter((r) => !!r.connection));
  switch (preset) {
    case 'PERMISSIVE':
      return global;
    case 'STANDARD':
      return [...global, ...STANDARD_RULES];
    case 'CUSTOM':
      return [...own, ...global, ...STANDARD_RULES];
  }
}

/**
 * Builds a guard. Two layers of cache, both bounded LRUs:
 * - decisions, keyed by exact text or by literal-stripped shape (see shape.ts), plus identity and
 *   groups when any rule looks at them; messages with EXECUTE are never stored there, since their
 *   verdict depends on the session's prepared statements;
 * - classifications (one parse, fingerprint and normalize each), keyed the same way, for the rest.
 * A classification whose literals mattered is never stored under a shape.
 */
export function createGuard(opts: GuardOptions): Guard {
  const ordered = rulesForPreset(opts.preset, opts.rules);
  const fallback: Verdict = opts.preset === 'PERMISSIVE' ? 'allow' : 'review';
  const byCaller = rulesDependOnCaller(ordered);
  const size = opts.cacheSize ?? 10_000;
  const decisions = new Lru<string, Decision>(size);
  const exact = new Lru<string, Classification>(size);
  const shapes = new Lru<string, Classification>(size);

  function classifyCached(sql: string, shape: string | null): Classification {
    const hit = exact.get(sql) ?? (shape === null ? undefined : shapes.get(shape));
    if (hit) return hit;
    const c = classify(sql);
    // A parser that was not ready is not an answer worth keeping.
    if (c.parseError?.message.startsWith('airlock:')) return c;
    if (shape !== null && !c.literalSensitive) shapes.set(shape, c);
    else exact.set(sql, c);
    return c;
  }

  function evaluate(sql: string, ctx: EvaluateContext): Decision {
    if (size <= 0) return decide(classify(sql), ordered, fallback, ctx);
    const caller = byCaller ? `${ctx.identity}\u0000${ctx.groups.join('\u0000')}\u0001` : '';
    const exactKey = `${caller}t${sql}`;
    const cachedExact = decisions.get(exactKey);
    if (cachedExact) return cachedExact;
    const shape = shapeKey(sql);
    const shapeDecisionKey = shape === null ? null : `${caller}s${shape}`;
    const cachedShape = shapeDecisionKey === null ? undefined : decisions.get(shapeDecisionKey);
    if (cachedShape) return cachedShape;
    const c = classifyCached(sql, shape);
    const d = decide(c, ordered, fallback, ctx);
    if (c.statements.some((s) => s.kind === 'EXECUTE') || c.parseError?.message.startsWith('airlock:')) return d;
    if (shapeDecisionKey !== null && !c.literalSensitive) decisions.set(shapeDecisionKey, d);
    else decisions.set(exactKey, d);
    return d;
  }

  return { evaluate };
}

export function decide(c: Classification, rules: readonly GuardrailRule[], fallback: Verdict, ctx: EvaluateContext): Decision {
  if (c.parseError) {
    return { verdict: 'block', rule: PARSE_ERROR, reason: `parse error: ${c.parseError.message}`, statements: [], fingerprint: null };
  }
  // PREPAREs earlier in the same message count for EXECUTEs after them.
  const prepared = new Map(ctx.preparedVerdicts ?? []);
  const statements: StatementDecision[] = [];
  for (const s of c.statements) {
    const d = decideStatement(s, rules, fallback, ctx, prepared);
    if (s.kind === 'PREPARE' && s.preparedName) prepared.set(s.preparedName, d.verdict);
    statements.push(d);
  }
  let worst: StatementDecision | null = null;
  for (const d of statements) if (!worst || VERDICT_RANK[d.verdict] > VERDICT_RANK[worst.verdict]) worst = d;
  if (!worst) return { verdict: 'allow', rule: null, reason: 'empty query', statements, fingerprint: c.fingerprint };
  return { verdict: worst.verdict, rule: worst.rule, reason: `statement ${worst.index + 1} (${worst.kind}): ${worst.reason}`, statements, fingerprint: c.fingerprint };
}

function decideStatement(
  info: StatementInfo, rules: readonly GuardrailRule[], fallback: Verdict, ctx: EvaluateContext, prepared: ReadonlyMap<string, Verdict>,
): StatementDecision {
  const s = info.kind === 'EXECUTE' ? withPreparedFinding(info, prepared) : info;
  let d = firstMatch(s, rules, fallback, ctx);
  // EXECUTE runs what was prepared: never less severe than the PREPARE's own verdict.
  const inherited = s.kind === 'EXECUTE' && s.preparedName ? prepared.get(s.preparedName) : undefined;
  if (inherited && VERDICT_RANK[inherited] > VERDICT_RANK[d.verdict]) {
    d = { ...d, verdict: inherited, rule: null, reason: `prepared statement "${s.preparedName}" was ${inherited === 'block' ? 'blocked' : 'held for review'}` };
  }
  return d;
}

function withPreparedFinding(info: StatementInfo, prepared: ReadonlyMap<string, Verdict>): StatementInfo {
  if (info.preparedName && prepared.has(info.preparedName)) return info;
  const finding: Finding = { code: 'unknown-prepared', nodeType: 'ExecuteStmt', path: `stmts[${info.index}].ExecuteStmt`, detail: info.preparedName };
  return { ...info, findings: [...info.findings, finding] };
}

function firstMatch(s: StatementInfo, rules: readonly GuardrailRule[], fallback: Verdict, ctx: EvaluateContext): StatementDecision {
  for (const rule of rules) {
    const hit = ruleMatches(rule, s, ctx);
    if (hit === false) continue;
    const ref = { id: rule.id, name: rule.name, message: rule.message };
    const why = hit ? ` (${hit.code} at ${hit.path}${hit.detail ? `: ${hit.detail}` : ''})` : '';
    return { index: s.index, kind: s.kind, verdict: rule.action, rule: ref, reason: `${rule.message}${why}`, finding: hit, info: s };
  }
  const rule = fallback === 'review' ? NO_RULE_REVIEW : null;
  return { index: s.index, kind: s.kind, verdict: fallback, rule, reason: rule ? rule.message : 'no rule matched', finding: null, info: s };
}
