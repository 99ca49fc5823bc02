import type { Decision } from '@airlock/sql-guard';
import type { BlockVerdict, MaybeAsyncVerdict, SessionInfo, StatementVerdict } from '../postgres/hooks';
import { holdForReview } from '../reviews';
import { noteApproved } from './guardrail-hooks';

/**
 * What the worker does with a statement the guardrails send to human review: the review engine
 * holds it until people decide (apps/worker/src/reviews); once it runs, the guardrails learn what
 * it PREPAREd. A session without the review hooks (e.g. a listener configured without them)
 * refuses it.
 */
export function reviewStatement(decision: Decision, sql: string, info: SessionInfo): MaybeAsyncVerdict {
  const held = holdForReview(decision, sql, info);
  if (held !== undefined) return whenAllowed(held, () => noteApproved(info, decision));
  const rule = decision.rule?.name ?? 'no rule matched';
  const verdict: BlockVerdict = {
    action: 'block',
    code: '42501',
    message: `airlock: statement needs approval (rule "${rule}"); human review is not enabled on this worker`,
    detail: decision.reason,
  };
  return verdict;
}

/** Runs `then` when the verdict, however late it settles, lets the statement through. */
function whenAllowed(v: MaybeAsyncVerdict, then: () => void): MaybeAsyncVerdict {
  if (typeof (v as Promise<StatementVerdict>).then === 'function') return (v as Promise<StatementVerdict>).then((r) => whenAllowed(r, then) as StatementVerdict);
  const s = v as StatementVerdict;
  if (s.action === 'allow') then();
  if (s.action !== 'hold') return s;
  return {
    ...s,
    decision: s.decision.then((d) => {
      if (d.action === 'allow') then();
      return d;
    }),
  };
}
