import type { Decision, EvaluateContext, StatementKind, Verdict } from '@airlock/sql-guard';
import type { PolicyIndex } from '../policy/policy-index';
import type { BlockVerdict, MaybeAsyncVerdict, SessionHooks, SessionHooksFactory, SessionInfo } from '../postgres/hooks';
import { ALLOW } from '../postgres/hooks';
import { GuardCache } from './guard-cache';
import { reviewStatement } from './review';

/** The guardrail decision on one client message, for the recorder. */
export interface GuardrailDecisionRecord {
  /** Where it came from: a simple Query, an extended-protocol Parse, or a FunctionCall. */
  source: 'query' | 'parse' | 'function-call';
  /** Prepared statement name for a Parse ('' = unnamed); null otherwise. */
  statementName: string | null;
  sql: string;
  verdict: Verdict;
  /** The deciding rule's name (null when none decided, e.g. PERMISSIVE allowing). */
  rule: string | null;
  ruleId: string | null;
  reason: string;
  fingerprint: string | null;
  /** Kind of the statement that decided (the first one when every statement was allowed). */
  statementKind: StatementKind | null;
  /** Kinds of every statement in the message, in order. */
  statementKinds: StatementKind[];
  at: Date;
}

/** What the guardrail hooks keep per session; readable by other hook sets through guardrailSession(). */
export interface GuardrailSession {
  /** The last decision made in this session (the statement the client sent last). */
  readonly lastDecision: GuardrailDecisionRecord | null;
  /** Names PREPAREd (SQL or Parse) in this session with the verdict they ran under. */
  readonly preparedVerdicts: ReadonlyMap<string, Verdict>;
}

export interface GuardrailHooksOptions {
  /** The worker's current policy (ctx.policy.current). */
  policy: () => PolicyIndex | undefined;
  /** Called with every decision, allowed ones included. Must not throw or block. */
  onDecision?: (info: SessionInfo, record: GuardrailDecisionRecord) => void;
  /** Shared guards; one per worker. */
  guards?: GuardCache;
}

interface SessionState extends GuardrailSession {
  lastDecision: GuardrailDecisionRecord | null;
  /** Records what an allowed message prepares and deallocates. */
  track(d: Decision): void;
}

const sessions = new WeakMap<SessionInfo, SessionState>();

/** The guardrail state of a session, for other hook sets of the same session (e.g. the recorder). */
export function guardrailSession(info: SessionInfo): GuardrailSession | undefined {
  return sessions.get(info);
}

/**
 * For the review path: a statement held for review was approved and runs. Records the PREPAREs
 * (and DEALLOCATEs) it contains, so a later `EXECUTE name` in the session gets the approved verdict
 * instead of "unknown prepared statement".
 */
export function noteApproved(info: SessionInfo, decision: Decision): void {
  sessions.get(info)?.track(decision);
}

const FUNCTION_CALL_BLOCK: BlockVerdict = {
  action: 'block',
  code: '42501',
  message: 'airlock: the FunctionCall protocol message is blocked (rule "function-call"); call the function in a SQL statement instead',
};

function blockMessage(d: Decision): BlockVerdict {
  const rule = d.rule;
  const text = (rule?.message ?? 'statement blocked').replace(/^airlock:\s*/, '');
  return { action: 'block', code: '42501', message: `airlock: ${text} (rule "${rule?.name ?? 'unknown'}")`, detail: d.reason };
}

function decidingKind(d: Decision): StatementKind | null {
  const s = d.statements;
  if (s.length === 0) return null;
  for (const st of s) if (st.verdict === d.verdict && st.rule?.id === d.rule?.id) return st.kind;
  return s[0].kind;
}

/**
 * The Postgres guardrail hook set. Every simple Query and every Parse is classified by sql-guard
 * under the connection's preset and rules (global + the connection's own) before it reaches the
 * target:
 * - Query: one verdict for the whole message; a message with one blocked statement runs none.
 * - Parse: refused at Parse time, so a blocked statement never exists on the server and no
 *   Bind/Execute can run it (the client gets the error where Postgres reports errors it can see in
 *   the text alone, and the rest of the batch is skipped until Sync, as Postgres does). Bind and
 *   Execute stay on the relay's fast path: a statement's verdict depends only on its text.
 * - PREPARE/EXECUTE in SQL: each allowed PREPARE's verdict is remembered per session and given to
 *   sql-guard as `preparedVerdicts`, so `EXECUTE name` gets the verdict of what it runs.
 * - FunctionCall ('F'): blocked; it calls a function by OID, which no rule can see.
 */
export function guardrailHooks(opts: GuardrailHooksOptions): SessionHooksFactory {
  const guards = opts.guards ?? new GuardCache();
  return (info: SessionInfo): SessionHooks => {
    const prepared = new Map<string, Verdict>();
    const ctx: EvaluateContext = { identity: info.subject.name, groups: info.subject.groups, preparedVerdicts: prepared };

    const note = (source: GuardrailDecisionRecord['source'], statementName: string | null, sql: string, d: Decision): void => {
      const record: GuardrailDecisionRecord = {
        source, statementName, sql, verdict: d.verdict, rule: d.rule?.name ?? null, ruleId: d.rule?.id ?? null, reason: d.reason,
        fingerprint: d.fingerprint, statementKind: decidingKind(d), statementKinds: d.statements.map((s) => s.kind), at: new Date(),
      };
      state.lastDecision = record;
      opts.onDecision?.(info, record);
    };

    /** The message runs: remember what it prepares and forgets (an approved review counts as allow). */
    const track = (d: Decision): void => {
      for (const s of d.statements) {
        const name = s.info.preparedName;
        if (s.kind === 'PREPARE' && name !== undefined) prepared.set(name, s.verdict === 'block' ? 'block' : 'allow');
        else if (s.kind === 'DEALLOCATE' && name !== undefined) prepared.delete(name);
        else if (s.kind === 'DEALLOCATE' || s.kind === 'DISCARD') prepared.clear();
      }
    };

    const state: SessionState = { lastDecision: null, preparedVerdicts: prepared, track };
    sessions.set(info, state);

    const verdictFor = (d: Decision, sql: string): MaybeAsyncVerdict => {
      switch (d.verdict) {
        case 'allow':
          track(d);
          return ALLOW;
        case 'block':
          return blockMessage(d);
        case 'review':
          return reviewStatement(d, sql, info);
      }
    };

    // The last text and its decision: drivers re-send the same Parse (or Query) text over and over,
    // and comparing it is cheaper than the guard's cache key. Never for EXECUTE, whose verdict
    // depends on what the session prepared since.
    let memoSql: string | null = null;
    let memoIndex: PolicyIndex | undefined;
    let memo: Decision | null = null;
    const evaluate = (sql: string): Decision => {
      const index = opts.policy();
      if (memo !== null && sql === memoSql && index === memoIndex) return memo;
      const d = guards.evaluate(info.connection, index, sql, ctx);
      const reusable = d.statements.every((st) => st.kind !== 'EXECUTE');
      memoSql = reusable ? sql : null;
      memoIndex = index;
      memo = reusable ? d : null;
      return d;
    };

    return {
      onQuery(sql: string): MaybeAsyncVerdict {
        const d = evaluate(sql);
        note('query', null, sql, d);
        return verdictFor(d, sql);
      },
      onParse(name: string, sql: string): MaybeAsyncVerdict {
        const d = evaluate(sql);
        note('parse', name, sql, d);
        return verdictFor(d, sql);
      },
      onFunctionCall(): MaybeAsyncVerdict {
        note('function-call', null, '', { verdict: 'block', rule: { id: 'airlock.function-call', name: 'function-call', message: FUNCTION_CALL_BLOCK.message }, reason: 'FunctionCall message', statements: [], fingerprint: null });
        return FUNCTION_CALL_BLOCK;
      },
    };
  };
}
