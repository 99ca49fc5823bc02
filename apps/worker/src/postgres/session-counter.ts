import { SPOOL_FULL_MESSAGE } from '../recording/recorder';
import { SessionTrail } from '../recording/session-trail';
import { PgSessionError } from './errors';
import type { SessionHooks, SessionHooksFactory, SessionInfo, SessionStats } from './hooks';
import type { Recorder } from './recorder';

/**
 * SQLSTATE of a connection refused because the recording spool is full: 53000
 * insufficient_resources (not 53100 disk_full: the disk may have room, the configured spool cap is
 * what is reached). Clients see a FATAL at connect time and can try another worker.
 */
export const SPOOL_FULL_SQLSTATE = '53000';

/**
 * Built-in hook set: emits session.start and session.end with who, what, from where, and the
 * relay's byte and statement counters, on the session's trail (which owns seq, shared with the
 * statement recorder). It defines no per-message callback, so it costs nothing on the hot path.
 * Refuses the session (before the client sees AuthenticationOk) when the recorder cannot accept
 * new sessions. Put it last in a hook list: its onEnd then closes the trail after every other
 * hook set's onEnd (e.g. a review withdrawn because the client left).
 */
export function sessionCounter(recorder: Recorder): SessionHooksFactory {
  return (info: SessionInfo): SessionHooks => {
    if (recorder.canAcceptSessions && !recorder.canAcceptSessions()) throw new PgSessionError(SPOOL_FULL_SQLSTATE, SPOOL_FULL_MESSAGE);
    const trail = SessionTrail.of(recorder, info);
    return {
      onStart() {
        trail.start();
      },
      onEnd(reason: string, stats: Readonly<SessionStats>) {
        trail.end(reason, stats);
      },
    };
  };
}
