import type { SessionEvent } from '@airlock/contracts';
import type { SessionInfo, SessionStats } from '../postgres/hooks';
import type { Recorder } from '../postgres/recorder';

/** An event as a hook set hands it to the trail: the trail adds sessionId and seq. */
export type TrailEvent = SessionEvent extends infer E ? (E extends SessionEvent ? Omit<E, 'sessionId' | 'seq'> : never) : never;

/**
 * The recorded trail of one session for one recorder: owns the seq counter, so session.start,
 * statements, reviews and session.end share one gap-free sequence whichever hook set emits them.
 * Hook sets of the same session find it with `SessionTrail.of(recorder, info)`.
 */
export class SessionTrail {
  private seq = 0;
  private ended = false;
  /** Run before session.end (e.g. statements still open when the session ends). */
  private readonly beforeEnd: Array<() => void> = [];

  private constructor(
    private readonly recorder: Recorder,
    readonly info: SessionInfo,
  ) {}

  private static readonly trails = new WeakMap<Recorder, WeakMap<SessionInfo, SessionTrail>>();

  /** The trail of `info` on `recorder`, made on first use. */
  static of(recorder: Recorder, info: SessionInfo): SessionTrail {
    let byInfo = SessionTrail.trails.get(recorder);
    if (!byInfo) SessionTrail.trails.set(recorder, (byInfo = new WeakMap()));
    let trail = byInfo.get(info);
    if (!trail) byInfo.set(info, (trail = new SessionTrail(recorder, info)));
    return trail;
  }

  /** The trail if one exists (a hook set that only observes must not start one). */
  static find(recorder: Recorder, info: SessionInfo): SessionTrail | undefined {
    return SessionTrail.trails.get(recorder)?.get(info);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Appends an event with the next seq. Events after session.end are dropped (the chain is closed). */
  emit(event: TrailEvent): void {
    if (this.ended) return;
    this.recorder.record({ ...event, sessionId: this.info.sessionId, seq: this.seq++ } as SessionEvent);
  }

  /** Hot path (one event per statement): the caller's event, handed over (no copy): its sessionId and seq are set here. */
  record(event: SessionEvent): void {
    if (this.ended) return;
    event.sessionId = this.info.sessionId;
    event.seq = this.seq++;
    this.recorder.record(event);
  }

  onBeforeEnd(fn: () => void): void {
    this.beforeEnd.push(fn);
  }

  start(): void {
    const info = this.info;
    this.emit({
      kind: 'session.start',
      at: info.startedAt.toISOString(),
      identity: { kind: info.subject.kind === 'service_account' ? 'SERVICE_ACCOUNT' : 'USER', name: info.subject.name, groups: [...info.subject.groups] },
      tokenKind: info.subject.tokenKind,
      connection: { name: info.connection.name, kind: 'POSTGRES' },
      profile: info.profile,
      workerId: info.workerId,
      clientAddress: info.clientAddress,
    });
  }

  end(reason: string, stats: Readonly<SessionStats>): void {
    if (this.ended) return;
    for (const fn of this.beforeEnd) fn();
    this.emit({ kind: 'session.end', at: new Date().toISOString(), reason, statements: stats.statements, bytesIn: stats.bytesIn, bytesOut: stats.bytesOut });
    this.ended = true;
  }
}
