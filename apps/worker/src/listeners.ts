import type { ListenerFactory, WorkerContext } from './bootstrap';
import { postgresGuardrails, withSqlGuard } from './guardrails';
import { postgresMasking } from './masking';
import type { SessionHooksFactory } from './postgres/hooks';
import { postgresListener } from './postgres/listener';
import type { Recorder } from './postgres/recorder';
import { sessionCounter } from './postgres/session-counter';
import { createRecorder } from './recording/recorder';
import { statementRecording } from './recording/statement-recorder';
import { reviewHooks } from './reviews';

/**
 * The hook sets of a production Postgres session, in order. The order matters:
 * - guardrails first: they decide every statement (and report blocked ones to the recorder);
 * - masking before the statement recorder: each DataRow hook gets the frame the previous hooks
 *   rewrote, so the recorded sample is masked, and masking's counts are set at CommandComplete
 *   before the recorder reads them;
 * - the session counter last: its onEnd closes the trail after every other onEnd (a review
 *   withdrawn because the client left is still recorded before session.end).
 */
export function postgresHooks(ctx: WorkerContext, recorder: Recorder): SessionHooksFactory[] {
  const statements = statementRecording(recorder);
  return [
    postgresGuardrails(ctx, { onDecision: statements.onDecision }),
    postgresMasking(ctx),
    statements.hooks,
    reviewHooks(ctx, { onEvent: statements.onReviewEvent }),
    sessionCounter(recorder),
  ];
}

/** The protocol listeners a worker process runs. */
export const LISTENERS: ListenerFactory[] = [
  withSqlGuard(
    postgresListener({
      recorder: (ctx) => createRecorder(ctx),
      hooks: postgresHooks,
    }),
  ),
];
