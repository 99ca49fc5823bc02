import { Injectable } from '@nestjs/common';
import { type SessionEvent } from '@airlock/contracts';
import { auditEntryHash, chainEvents, GENESIS_HASH, sessionAnchor, sessionsPurged, type AuditChainFields } from '@airlock/audit';
import { type Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

type Tx = Prisma.TransactionClient;

/** Same lock as the audit module's: one linear global chain across replicas. */
const AUDIT_CHAIN_LOCK = 727_301;
/** Namespace of the per-session advisory locks (two-key form, so it never meets the one-key audit lock). */
const SESSION_LOCK_SPACE = 727_302;
const RETENTION_LOCK = 727_303;

export interface IngestResult {
  /** Events chained and stored by this call (including pending ones it released). */
  stored: number;
  /** Events left waiting for a gap to fill. */
  pending: number;
  /** Events already stored before (duplicates). */
  duplicates: number;
  lastSeq: number;
  anchored: boolean;
}

@Injectable()
export class RecordingRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a session's events idempotently and in order. Under the session's
   * advisory lock: events at or below lastSeq are duplicates; the run that
   * continues lastSeq (from this batch and from earlier pending events) is
   * hash-chained into SessionEvent; anything beyond a gap is parked in
   * PendingSessionEvent, to be released by whichever job fills the gap. No job
   * ever waits for another, so out-of-order delivery cannot deadlock.
   */
  async ingestSession(sessionId: string, events: SessionEvent[]): Promise<IngestResult> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SESSION_LOCK_SPACE}::int, hashtext(${sessionId}))`;
        const session = await tx.session.findUnique({ where: { id: sessionId }, select: { lastSeq: true, lastHash: true } });
        const lastSeq = session?.lastSeq ?? -1;
        const incoming = new Map<number, SessionEvent>();
        let duplicates = 0;
        for (const e of events) {
          if (e.seq <= lastSeq || incoming.has(e.seq)) duplicates++;
          else incoming.set(e.seq, e);
        }
        if (incoming.size === 0) return { stored: 0, pending: 0, duplicates, lastSeq, anchored: false };

        const parked = await tx.pendingSessionEvent.findMany({ where: { sessionId, seq: { gt: lastSeq } }, select: { seq: true, payload: true } });
        const parkedSeqs = new Set(parked.map((p) => p.seq));
        const available = new Map(incoming);
        for (const p of parked) if (!available.has(p.seq)) available.set(p.seq, p.payload as unknown as SessionEvent);

        const run: SessionEvent[] = [];
        for (let next = lastSeq + 1; available.has(next); next++) run.push(available.get(next)!);
        // A chain opens with session.start: it carries what the Session row needs.
        if (!session && run.length > 0 && run[0]!.kind !== 'session.start') run.length = 0;
        const runEnd = lastSeq + run.length;

        const toPark = [...incoming.values()].filter((e) => e.seq > runEnd && !parkedSeqs.has(e.seq));
        if (toPark.length > 0) {
          await tx.pendingSessionEvent.createMany({ data: toPark.map((e) => ({ sessionId, seq: e.seq, payload: e as unknown as Prisma.InputJsonValue })), skipDuplicates: true });
        }
        const stillPending = parked.filter((p) => p.seq > runEnd).length + toPark.length;
        if (run.length === 0) return { stored: 0, pending: stillPending, duplicates, lastSeq, anchored: false };

        const links = chainEvents(session?.lastHash ?? GENESIS_HASH, run);
        const start = run[0]!;
        if (!session && start.kind === 'session.start') {
          await tx.session.create({
            data: {
              id: sessionId,
              identityName: start.identity.name,
              identityKind: start.identity.kind,
              tokenKind: start.tokenKind,
              connectionName: start.connection.name,
              connectionKind: start.connection.kind,
              profile: start.profile,
              workerId: start.workerId,
              clientAddress: start.clientAddress,
              startedAt: new Date(start.at),
            },
          });
        }
        await tx.sessionEvent.createMany({
          data: links.map((l) => ({ sessionId, seq: l.event.seq, kind: l.event.kind, at: new Date(l.event.at), payload: l.event as unknown as Prisma.InputJsonValue, prevHash: l.prevHash, hash: l.hash })),
          skipDuplicates: true,
        });
        if (parked.some((p) => p.seq <= runEnd)) await tx.pendingSessionEvent.deleteMany({ where: { sessionId, seq: { lte: runEnd } } });

        const last = links[links.length - 1]!;
        const end = run.find((e) => e.kind === 'session.end');
        let statements = 0;
        let blocked = 0;
        for (const e of run) {
          if (e.kind !== 'statement') continue;
          statements++;
          if (e.verdict === 'BLOCK') blocked++;
        }
        await tx.session.update({
          where: { id: sessionId },
          data: {
            lastSeq: runEnd,
            lastHash: last.hash,
            statements: { increment: statements },
            blocked: { increment: blocked },
            ...(end?.kind === 'session.end' ? { endedAt: new Date(end.at), endReason: end.reason, bytesIn: BigInt(end.bytesIn), bytesOut: BigInt(end.bytesOut) } : {}),
          },
        });
        // Anchor at the end of a session only once the whole chain up to it is stored.
        if (end?.kind === 'session.end') await this.appendAudit(tx, sessionAnchor(sessionId, runEnd, last.hash, end.reason));
        return { stored: run.length, pending: stillPending, duplicates, lastSeq: runEnd, anchored: !!end };
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  }

  /**
   * Deletes sessions started before the cutoff (their events cascade) and
   * writes one audit entry for the purge. One replica at a time.
   */
  async purgeBefore(cutoff: Date, retentionDays: number): Promise<{ sessions: number; events: number } | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const [{ locked }] = await tx.$queryRaw<Array<{ locked: boolean }>>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}::bigint) AS locked`;
        if (!locked) return null;
        const old = { startedAt: { lt: cutoff } };
        const events = await tx.sessionEvent.count({ where: { session: old } });
        const { count: sessions } = await tx.session.deleteMany({ where: old });
        await tx.pendingSessionEvent.deleteMany({ where: { receivedAt: { lt: cutoff } } });
        if (sessions > 0) await this.appendAudit(tx, sessionsPurged(cutoff, sessions, events, retentionDays));
        return { sessions, events };
      },
      { maxWait: 10_000, timeout: 300_000 },
    );
  }

  private async appendAudit(tx: Tx, fields: Omit<AuditChainFields, 'at'>): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
    const prev = await tx.auditLogEntry.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const entry: AuditChainFields = { ...fields, at: new Date() };
    await tx.auditLogEntry.create({ data: { ...entry, details: entry.details as Prisma.InputJsonValue, prevHash, hash: auditEntryHash(prevHash, entry) } });
  }
}
