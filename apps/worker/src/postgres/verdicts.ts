import type { AllowVerdict, BlockVerdict, MaybeAsyncVerdict, StatementVerdict } from './hooks';
import { ALLOW } from './hooks';

/** A verdict reduced for the relay: decided now, or pending with an optional notice. */
export type Decision = AllowVerdict | BlockVerdict | { action: 'hold'; notice?: string; decision: Promise<AllowVerdict | BlockVerdict> };

const FAIL_CLOSED: BlockVerdict = { action: 'block', message: 'airlock: the statement could not be checked (internal error); it was not run', code: 'XX000' };

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

async function settle(v: StatementVerdict | Promise<StatementVerdict>): Promise<AllowVerdict | BlockVerdict> {
  try {
    const r = await v;
    if (r.action === 'hold') return await r.decision;
    return r;
  } catch {
    return FAIL_CLOSED;
  }
}

/**
 * Runs the callbacks in order; the first non-allow wins. Stays synchronous until a callback
 * holds, so the common case allocates no promise. A throwing hook blocks (fail closed).
 */
export function decide<A extends unknown[]>(fns: readonly ((...args: A) => MaybeAsyncVerdict)[], args: A): Decision {
  for (let i = 0; i < fns.length; i++) {
    let v: MaybeAsyncVerdict;
    try {
      v = fns[i](...args);
    } catch {
      return FAIL_CLOSED;
    }
    if (isPromise<StatementVerdict>(v) || v.action === 'hold') {
      const notice = isPromise(v) ? undefined : (v as { notice?: string }).notice;
      const rest = fns.slice(i + 1);
      const decision = settle(v).then((first) => {
        if (first.action === 'block' || rest.length === 0) return first;
        const next = decide(rest, args);
        return next.action === 'hold' ? next.decision : next;
      });
      return { action: 'hold', notice, decision };
    }
    if (v.action === 'block') return v;
  }
  return ALLOW;
}
