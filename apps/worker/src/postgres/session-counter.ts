import type { SessionEvent } from '@airlock/contracts';
import type { SessionHooks, SessionHooksFactory, SessionInfo, SessionStats } from './hooks';
import type { Recorder } from './recorder';

/**
 * Built-in hook set: emits session.start and session.end with who, what, from where, and the
 * relay's byte and statement counters. It defines no per-message callback, so it costs nothing
 * on the hot path.
 */
export function sessionCounter(recorder: Recorder): SessionHooksFactory {
  return (info: SessionInfo): SessionHooks => {
    let seq = 0;
    const emit = (event: SessionEvent) => recorder.record(event);
    return {
      onStart() {
        emit({
          kind: 'session.start',
          sessionId: info.sessionId,
          seq: seq++,
          at: info.startedAt.toISOString(),
          identity: {
            kind: info.subject.kind === 'service_account' ? 'SERVICE_ACCOUNT' : 'USER',
            name: info.subject.name,
            groups: [...info.subject.groups],
          },
          tokenKind: info.subject.tokenKind,
          connection: { name: info.connection.name, kind: 'POSTGRES' },
          profile: info.profile,
          workerId: info.workerId,
          clientAddress: info.clientAddress,
        });
      },
      onEnd(reason: string, stats: Readonly<SessionStats>) {
        emit({
          kind: 'session.end',
          sessionId: info.sessionId,
          seq: seq++,
          at: new Date().toISOString(),
          reason,
          statements: stats.statements,
          bytesIn: stats.bytesIn,
          bytesOut: stats.bytesOut,
        });
      },
    };
  };
}
