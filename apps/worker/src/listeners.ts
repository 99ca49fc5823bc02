import type { ListenerFactory } from './bootstrap';
import { postgresGuardrails, withSqlGuard } from './guardrails';
import { postgresMasking } from './masking';
import { postgresListener } from './postgres/listener';
import { sessionCounter } from './postgres/session-counter';
import { createRecorder } from './recording/recorder';
import { reviewHooks } from './reviews';

/** The protocol listeners a worker process runs. */
export const LISTENERS: ListenerFactory[] = [
  withSqlGuard(
    postgresListener({
      hooks: (ctx) => [sessionCounter(createRecorder(ctx)), postgresGuardrails(ctx), postgresMasking(ctx), reviewHooks(ctx)],
    }),
  ),
];
