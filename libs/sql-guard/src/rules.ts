import { anyGlob, globMatch } from './glob';
import type { EvaluateContext, Finding, GuardrailMatch, GuardrailRule, StatementInfo } from './types';

/**
 * Rule matching. All conditions present in `match` must hold.
 *
 * block/review rules match when ANY listed kind, object, function or finding is present: a DELETE
 * hidden in a CTE still trips "block DELETE".
 * allow rules must COVER the statement: every effective kind, every object, every function it calls
 * must match a list the rule gives, and every finding must be named in `findings`. So an "allow
 * SELECT on analytics.*" rule does not let through a SELECT that also deletes in a CTE, reads
 * `secrets.keys`, or calls pg_read_file.
 */
export function ruleMatches(rule: GuardrailRule, s: StatementInfo, ctx: EvaluateContext): Finding | null | false {
  const m = rule.match;
  if (!matchesCaller(m, ctx)) return false;
  if (m.writes !== undefined && m.writes !== s.writes) return false;
  if (m.missingWhere !== undefined && m.missingWhere !== s.missingWhere) return false;
  if (m.whereConstantOnly !== undefined && m.whereConstantOnly !== s.whereConstantOnly) return false;
  return rule.action === 'allow' ? coversAll(m, s) : matchesAny(m, s);
}

function matchesCaller(m: GuardrailMatch, ctx: EvaluateContext): boolean {
  if (m.identities && !m.identities.some((g) => globMatch(g, ctx.identity))) return false;
  if (m.groups && !m.groups.some((g) => ctx.groups.includes(g))) return false;
  return true;
}

/** Returns the finding that made the match (if one did), null for a match without one, false for none. */
function matchesAny(m: GuardrailMatch, s: StatementInfo): Finding | null | false {
  if (m.kinds && !s.kinds.some((k) => m.kinds!.includes(k))) return false;
  if (m.objects && !s.objects.some((o) => anyGlob(m.objects!, o, 'public'))) return false;
  if (m.functions && !s.functions.some((f) => anyGlob(m.functions!, f, 'pg_catalog'))) return false;
  if (m.findings) {
    const hit = s.findings.find((f) => m.findings!.includes(f.code));
    return hit ?? false;
  }
  return null;
}

function coversAll(m: GuardrailMatch, s: StatementInfo): null | false {
  if (m.kinds && !s.kinds.every((k) => m.kinds!.includes(k))) return false;
  if (m.objects && (s.objects.length === 0 || !s.objects.every((o) => anyGlob(m.objects!, o, 'public')))) return false;
  if (s.functions.length > 0 && m.functions && !s.functions.every((f) => anyGlob(m.functions!, f, 'pg_catalog'))) return false;
  const allowed = m.findings ?? [];
  if (!s.findings.every((f) => allowed.includes(f.code) || namedFunction(m, f))) return false;
  return null;
}

/** A rule that names a function allows calling it, even though it is not a known read-only built-in. */
function namedFunction(m: GuardrailMatch, f: Finding): boolean {
  if (f.code !== 'unknown-function' && f.code !== 'side-effect-function') return false;
  return !!m.functions && f.detail !== undefined && anyGlob(m.functions, f.detail, 'pg_catalog');
}

/** Evaluation order: priority ascending, then connection rules before global ones, then id. */
export function orderRules(rules: readonly GuardrailRule[]): GuardrailRule[] {
  return rules
    .filter((r) => r.enabled)
    .slice()
    .sort((a, b) => a.priority - b.priority || Number(!a.connection) - Number(!b.connection) || a.id.localeCompare(b.id));
}

/** Whether any rule looks at the caller, so a cached decision must be keyed by identity and groups. */
export function rulesDependOnCaller(rules: readonly GuardrailRule[]): boolean {
  return rules.some((r) => r.match.identities !== undefined || r.match.groups !== undefined);
}
