import type { ListenerFactory } from './bootstrap';
import { postgresGuardrails, withSqlGuard } from './guardrails';
import { postgresMasking } from './masking';
import { postgresListener } from './postgres/listener';
import { LogRecorder } from './postgres/recorder';
import { sessionCounter } from './postgres/session-counter';
import { reviewHooks } from './reviews';

/** The protocol listeners a worker process runs. */
export const LISTENERS: ListenerFactory[] = [
  withSqlGuard(
    postgresListener({
      hooks: (ctx) => [sessionCounter(new LogRecorder(ctx.log.child({ listener: 'postgres' }))), postgresGuardrails(ctx), postgresMasking(ctx), reviewHooks(ctx)],
    }),
  ),
];
