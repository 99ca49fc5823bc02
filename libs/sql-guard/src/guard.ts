import { classify } from './classify';
import { Lru } from './lru';
import { STANDARD_RULES } from './presets';
import { orderRules, ruleMatches } from './rules';
import { shapeKey } from './shape';
import type {
  Classification, Decision, EvaluateContext, Finding, Guard, GuardOptions, GuardrailRule, RuleRef,
  StatementDecision, StatementInfo, Verdict,
} from './types';
import { VERDICT_RANK } from './types';

const PARSE_ERROR: RuleRef = { id: 'builtin.parse-error', name: 'Unparseable SQL', message: 'airlock: statement could not be parsed; blocked' };
const NO_RULE_REVIEW: RuleRef = { id: 'builtin.default-review', name: 'No rule matched', message: 'statement matched no rule; held for review' };
const EMPTY: Classification = { statements: [], fingerprint: null, normalized: null, literalSensitive: false };

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
 * Builds a guard. Classification (the expensive part: one parse plus fingerprint and normalize)
 * is cached twice, by exact text and by literal-stripped shape; rules are evaluated on every call,
 * so identity, groups and prepared statements can never be answered from a stale entry.
 */
export function createGuard(opts: GuardOptions): Guard {
  const ordered = rulesForPreset(opts.preset, opts.rules);
  const fallback: Verdict = opts.preset === 'PERMISSIVE' ? 'allow' : 'review';
  const size = opts.cacheSize ?? 10_000;
  const exact = new Lru<string, Classification>(size);
  const shapes = new Lru<string, Classification>(size);

  function classifyCached(sql: string): Classification {
    const hit = exact.get(sql);
    if (hit) return hit;
    const key = size > 0 ? shapeKey(sql) : null;
    let c = key === null ? undefined : shapes.get(key);
    if (!c) {
      c = classify(sql);
      if (key !== null && !c.literalSensitive && !c.parseError?.message.startsWith('airlock:')) shapes.set(key, c);
    }
    if (!c.parseError?.message.startsWith('airlock:')) exact.set(sql, c);
    return c;
  }

  return {
    evaluate(sql: string, ctx: EvaluateContext): Decision {
      return decide(sql.trim() === '' ? EMPTY : classifyCached(sql), ordered, fallback, ctx);
    },
  };
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
