import { initSqlGuard } from '@airlock/sql-guard';
import type { ListenerFactory, WorkerContext } from '../bootstrap';
import type { SessionHooksFactory } from '../postgres/hooks';
import { GuardCache } from './guard-cache';
import { guardrailHooks, type GuardrailHooksOptions } from './guardrail-hooks';

export { GuardCache } from './guard-cache';
export { guardrailHooks, guardrailSession, noteApproved, type GuardrailDecisionRecord, type GuardrailHooksOptions, type GuardrailSession } from './guardrail-hooks';
export { reviewStatement } from './review';

/** The worker's Postgres guardrail hooks: one guard cache per listener, on the worker's live policy. */
export function postgresGuardrails(ctx: WorkerContext, opts: Omit<GuardrailHooksOptions, 'policy' | 'guards'> = {}): SessionHooksFactory {
  return guardrailHooks({ ...opts, policy: () => ctx.policy.current, guards: new GuardCache() });
}

/** Loads the SQL parser (WASM) before the listener accepts its first client. */
export function withSqlGuard(factory: ListenerFactory): ListenerFactory {
  return async (ctx) => {
    await initSqlGuard();
    return factory(ctx);
  };
}
