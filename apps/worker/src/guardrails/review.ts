import type { Decision } from '@airlock/sql-guard';
import type { BlockVerdict, MaybeAsyncVerdict, SessionInfo } from '../postgres/hooks';

/**
 * What the worker does with a statement the guardrails send to human review. Until the review
 * engine lands this refuses it; the review issue replaces this one function (and may return a
 * HoldVerdict whose decision settles when people decide).
 */
export function reviewStatement(decision: Decision, _sql: string, _info: SessionInfo): MaybeAsyncVerdict {
  const rule = decision.rule?.name ?? 'no rule matched';
  const verdict: BlockVerdict = {
    action: 'block',
    code: '42501',
    message: `airlock: statement needs approval (rule "${rule}"); human review is not enabled on this worker`,
    detail: decision.reason,
  };
  return verdict;
}
