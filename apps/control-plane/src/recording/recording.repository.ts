import { Injectable } from '@nestjs/common';
import { type SessionEvent } from '@airlock/contracts';
import { auditEntryHash, chainEvents, GENESIS_HASH, sessionAnchor, sessionsPurged, type AuditChainFields } from '@airlock/audit';
import { type Prisma } from '../generated/prisma/client';
import { AUDIT_CHAIN_LOCK } from '../audit/audit.repository';
import { PrismaService } from '../prisma/prisma.service';

type Tx = Prisma.TransactionClient;

/** Namespace of the per-session advisory locks (two-key form, so it never meets the one-key audit lock). */
const SESSION_LOCK_SPACE = 727_302;
const RETENTION_LOCK = 727_303;

interface SessionUpdate {
  id: string;
  lastSeq: number;
  lastHash: string;
  statements: number;
  blocked: number;
  endedAt: string | null;
  endReason: string | null;
  bytesIn: string | null;
  bytesOut: string | null;
}

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
   * Stores the events of one job idempotently and in order, in one
   * transaction. Per session, under its advisory lock: events at or below
   * lastSeq are duplicates; the run that continues lastSeq (from this batch and
   * from earlier pending events) is hash-chained into SessionEvent; anything
   * beyond a gap is parked in PendingSessionEvent, to be released by whichever
   * job fills the gap. No job waits for another's events, and session locks are
   * taken in sorted order, so out-of-order delivery cannot deadlock.
   */
  async ingest(bySession: ReadonlyMap<string, SessionEvent[]>): Promise<Map<string, IngestResult>> {
    const ids = [...bySession.keys()].sort();
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(${SESSION_LOCK_SPACE}::int, hashtext(t.id))) FROM (SELECT unnest(${ids}::text[]) AS id ORDER BY 1) t`;
        const sessions = new Map((await tx.session.findMany({ where: { id: { in: ids } }, select: { id: true, lastSeq: true, lastHash: true } })).map((s) => [s.id, s]));
        const parkedRows = await tx.pendingSessionEvent.findMany({ where: { sessionId: { in: ids } }, select: { sessionId: true, seq: true, payload: true } });
        const parkedBySession = new Map<string, Array<{ seq: number; payload: unknown }>>();
        for (const p of parkedRows) {
          const list = parkedBySession.get(p.sessionId);
          if (list) list.push(p);
          else parkedBySession.set(p.sessionId, [p]);
        }

        const results = new Map<string, IngestResult>();
        const toPark: Array<{ sessionId: string; seq: number; payload: SessionEvent }> = [];
        const newSessions: Prisma.SessionCreateManyInput[] = [];
        const newEvents: Array<{ sessionId: string; seq: number; kind: string; at: string; payload: SessionEvent; prevHash: string; hash: string }> = [];
        const releasePending: Array<{ sessionId: string; seq: { lte: number } }> = [];
        const updates: SessionUpdate[] = [];
        const anchors: Array<Omit<AuditChainFields, 'at'>> = [];

        for (const sessionId of ids) {
          const session = sessions.get(sessionId);
          const lastSeq = session?.lastSeq ?? -1;
          const incoming = new Map<number, SessionEvent>();
          let duplicates = 0;
          for (const e of bySession.get(sessionId)!) {
            if (e.seq <= lastSeq || incoming.has(e.seq)) duplicates++;
            else incoming.set(e.seq, e);
          }
          const parked = (parkedBySession.get(sessionId) ?? []).filter((p) => p.seq > lastSeq);
          const parkedSeqs = new Set(parked.map((p) => p.seq));
          const available = new Map(incoming);
          for (const p of parked) if (!available.has(p.seq)) available.set(p.seq, p.payload as SessionEvent);

          const run: SessionEvent[] = [];
          if (incoming.size > 0) for (let next = lastSeq + 1; available.has(next); next++) run.push(available.get(next)!);
          // A chain opens with session.start: it carries what the Session row needs.
          if (!session && run.length > 0 && run[0]!.kind !== 'session.start') run.length = 0;
          const runEnd = lastSeq + run.length;
          const park = [...incoming.values()].filter((e) => e.seq > runEnd && !parkedSeqs.has(e.seq));
          for (const e of park) toPark.push({ sessionId, seq: e.seq, payload: e });
          const pending = parked.filter((p) => p.seq > runEnd).length + park.length;
          if (run.length === 0) {
            results.set(sessionId, { stored: 0, pending, duplicates, lastSeq, anchored: false });
            continue;
          }

          const links = chainEvents(session?.lastHash ?? GENESIS_HASH, run);
          const start = run[0]!;
          if (!session && start.kind === 'session.start') {
            newSessions.push({
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
            });
          }
          for (const l of links) newEvents.push({ sessionId, seq: l.event.seq, kind: l.event.kind, at: new Date(l.event.at).toISOString(), payload: l.event, prevHash: l.prevHash, hash: l.hash });
          if (parked.some((p) => p.seq <= runEnd)) releasePending.push({ sessionId, seq: { lte: runEnd } });

          const last = links[links.length - 1]!;
          const end = run.find((e) => e.kind === 'session.end');
          const u: SessionUpdate = { id: sessionId, lastSeq: runEnd, lastHash: last.hash, statements: 0, blocked: 0, endedAt: null, endReason: null, bytesIn: null, bytesOut: null };
          for (const e of run) {
            if (e.kind !== 'statement') continue;
            u.statements++;
            if (e.verdict === 'BLOCK') u.blocked++;
          }
          if (end?.kind === 'session.end') {
            Object.assign(u, { endedAt: new Date(end.at).toISOString(), endReason: end.reason, bytesIn: String(end.bytesIn), bytesOut: String(end.bytesOut) });
            // Anchored once the whole chain up to the end is stored.
            anchors.push(sessionAnchor(sessionId, runEnd, last.hash, end.reason));
          }
          updates.push(u);
          results.set(sessionId, { stored: run.length, pending, duplicates, lastSeq: runEnd, anchored: !!end });
        }

        if (toPark.length > 0) {
          await tx.$executeRaw`
            INSERT INTO "PendingSessionEvent" ("sessionId", seq, payload)
            SELECT "sessionId", seq, payload FROM jsonb_to_recordset(${JSON.stringify(toPark)}::jsonb) AS v("sessionId" uuid, seq int, payload jsonb)
            ON CONFLICT ("sessionId", seq) DO NOTHING`;
        }
        if (newSessions.length > 0) await tx.session.createMany({ data: newSessions });
        if (newEvents.length > 0) {
          // One jsonb parameter instead of createMany: Prisma's per-row serialization of the payloads cost ~0.25 ms an event.
          await tx.$executeRaw`
            INSERT INTO "SessionEvent" ("sessionId", seq, kind, at, payload, "prevHash", hash)
            SELECT "sessionId", seq, kind, at, payload, "prevHash", hash
            FROM jsonb_to_recordset(${JSON.stringify(newEvents)}::jsonb) AS v("sessionId" uuid, seq int, kind text, at timestamp(3), payload jsonb, "prevHash" text, hash text)
            ON CONFLICT ("sessionId", seq) DO NOTHING`;
        }
        if (releasePending.length > 0) await tx.pendingSessionEvent.deleteMany({ where: { OR: releasePending } });
        if (updates.length > 0) {
          await tx.$executeRaw`
            UPDATE "Session" s SET
              "lastSeq" = v."lastSeq", "lastHash" = v."lastHash",
              statements = s.statements + v.statements, blocked = s.blocked + v.blocked,
              "endedAt" = coalesce(v."endedAt", s."endedAt"), "endReason" = coalesce(v."endReason", s."endReason"),
              "bytesIn" = coalesce(v."bytesIn", s."bytesIn"), "bytesOut" = coalesce(v."bytesOut", s."bytesOut")
            FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS v(id uuid, "lastSeq" int, "lastHash" text, statements int, blocked int, "endedAt" timestamp(3), "endReason" text, "bytesIn" bigint, "bytesOut" bigint)
            WHERE s.id = v.id`;
        }
        if (anchors.length > 0) await this.appendAudit(tx, anchors);
        return results;
      },
      { maxWait: 10_000, timeout: 120_000 },
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
        if (sessions > 0) await this.appendAudit(tx, [sessionsPurged(cutoff, sessions, events, retentionDays)]);
        return { sessions, events };
      },
      { maxWait: 10_000, timeout: 300_000 },
    );
  }

  /** Appends entries to the global audit chain, in order, under the audit module's lock: one linear chain across replicas. */
  private async appendAudit(tx: Tx, entries: Array<Omit<AuditChainFields, 'at'>>): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
    const prev = await tx.auditLogEntry.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
    let prevHash = prev?.hash ?? GENESIS_HASH;
    for (const fields of entries) {
      const entry: AuditChainFields = { ...fields, at: new Date() };
      const hash = auditEntryHash(prevHash, entry);
      await tx.auditLogEntry.create({ data: { ...entry, details: entry.details as Prisma.InputJsonValue, prevHash, hash } });
      prevHash = hash;
    }
  }
}
