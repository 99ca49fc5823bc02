import type { Decision } from '@airlock/sql-guard';
import type { BlockVerdict, MaybeAsyncVerdict, SessionInfo } from '../postgres/hooks';
import { holdForReview } from '../reviews';

/**
 * What the worker does with a statement the guardrails send to human review: the review engine
 * holds it until people decide (apps/worker/src/reviews). A session without the review hooks
 * (e.g. a listener configured without them) refuses it.
 */
export function reviewStatement(decision: Decision, sql: string, info: SessionInfo): MaybeAsyncVerdict {
  const held = holdForReview(decision, sql, info);
  if (held !== undefined) return held;
  const rule = decision.rule?.name ?? 'no rule matched';
  const verdict: BlockVerdict = {
    action: 'block',
    code: '42501',
    message: `airlock: statement needs approval (rule "${rule}"); human review is not enabled on this worker`,
    detail: decision.reason,
  };
  return verdict;
}
