import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical';

/**
 * The global audit chain (AuditLogEntry): the fields each entry hashes. The
 * control plane's audit module appends API mutations to it; the recording
 * pipeline appends anchors and retention purges. Both must hash the same way.
 */
export interface AuditChainFields {
  at: Date;
  actorName: string;
  actorKind: string;
  action: string;
  target: string | null;
  details: unknown;
  clientAddress: string | null;
}

/** hash = sha256(prevHash + canonical JSON of the entry). */
export function auditEntryHash(prevHash: string, entry: AuditChainFields): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}

/** The actor recorded for entries the system writes itself. */
export const SYSTEM_ACTOR = { actorName: 'airlock:recording', actorKind: 'SYSTEM' } as const;

export const AuditAction = {
  SessionAnchored: 'session.anchored',
  SessionsPurged: 'sessions.purged',
} as const;

/**
 * The entry that pins a session's chain into the global one: its final seq and hash. `lost`: the
 * session never ended on its worker (the worker stopped); the control plane closed it, pinning the
 * chain as far as it was recorded.
 */
export function sessionAnchor(sessionId: string, lastSeq: number, lastHash: string, endReason: string | null, lost?: { workerId: string }): Omit<AuditChainFields, 'at'> {
  const details = lost ? { sessionId, lastSeq, lastHash, endReason, workerLost: lost.workerId } : { sessionId, lastSeq, lastHash, endReason };
  return { ...SYSTEM_ACTOR, action: AuditAction.SessionAnchored, target: sessionId, details, clientAddress: null };
}

/** The entry recording a retention purge. */
export function sessionsPurged(cutoff: Date, sessions: number, events: number, retentionDays: number): Omit<AuditChainFields, 'at'> {
  return { ...SYSTEM_ACTOR, action: AuditAction.SessionsPurged, target: null, details: { cutoff: cutoff.toISOString(), sessions, events, retentionDays }, clientAddress: null };
}
