import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type SessionEvent } from '@airlock/contracts';
import { auditEntryHash, chainEvents, GENESIS_HASH, sessionAnchor, sessionsPurged, type AuditChainFields } from '@airlock/audit';
import { Pool, type PoolClient } from 'pg';
import { type Prisma } from '../generated/prisma/client';
import { AUDIT_CHAIN_LOCK } from '../audit/audit.repository';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaService } from '../prisma/prisma.service';
import { isoTime } from './recording.decode';

type Tx = Prisma.TransactionClient;

/** Namespace of the per-session advisory locks (two-key form, so it never meets the one-key audit lock). */
const SESSION_LOCK_SPACE = 727_302;
const RETENTION_LOCK = 727_303;

/** An event as ingested: the value that is hashed, and its JSON as stored (the same value). */
export interface IngestEvent {
  event: SessionEvent;
  json: string;
  /** `event.at` as an ISO timestamp (UTC), for the `at` column. */
  at: string;
}

/** The end reason of a session closed by the control plane because its worker was lost. */
export const LOST_SESSION_REASON = 'worker lost';

export interface QuietSession {
  id: string;
  workerId: string;
  startedAt: Date;
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

/** Per job of a group: its duplicates, and the sessions whose result it reports (the last job of the group that touched each). */
export interface JobIngestResult {
  duplicates: number;
  sessions: Map<string, IngestResult>;
}

interface Parked {
  seq: number;
  event: SessionEvent;
  json: string;
}

/** Columns of the rows one group writes, as parallel arrays (one unnest() per column, one round trip per table). */
class Rows {
  readonly park = { sessionId: [] as string[], seq: [] as number[], payload: [] as string[] };
  readonly sessions = {
    id: [] as string[], identityName: [] as string[], identityKind: [] as string[], tokenKind: [] as string[], connectionName: [] as string[], connectionKind: [] as string[],
    profile: [] as string[], workerId: [] as string[], clientAddress: [] as (string | null)[], startedAt: [] as string[],
  };
  readonly events = { sessionId: [] as string[], seq: [] as number[], kind: [] as string[], at: [] as string[], payload: [] as string[], prevHash: [] as string[], hash: [] as string[] };
  readonly release = { sessionId: [] as string[], upTo: [] as number[] };
  readonly updates = {
    id: [] as string[], lastSeq: [] as number[], lastHash: [] as string[], statements: [] as number[], blocked: [] as number[], endedAt: [] as (string | null)[],
    endReason: [] as (string | null)[], bytesIn: [] as (string | null)[], bytesOut: [] as (string | null)[],
  };
  readonly anchors: Array<Omit<AuditChainFields, 'at'>> = [];
}

@Injectable()
export class RecordingRepository implements OnModuleDestroy {
  /**
   * Ingestion talks to Postgres through node-postgres directly: through Prisma, each statement of
   * a job went through the query compiler with its whole JSON parameter (a fifth of the control
   * plane's CPU at full ingest), and the multi-row statements here are plain SQL anyway.
   */
  private pool: Pool | undefined;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'databaseUrl'>,
  ) {}

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  /**
   * Stores the events of a group of jobs idempotently and in order, in one
   * transaction, jobs in the order given. Per session, under its advisory lock:
   * events at or below lastSeq are duplicates; the run that continues lastSeq
   * (from these jobs and from earlier pending events) is hash-chained into
   * SessionEvent; anything beyond a gap is parked in PendingSessionEvent, to be
   * released by whichever job fills the gap. No job waits for another's events,
   * and session locks are taken in sorted order, so out-of-order delivery cannot
   * deadlock.
   */
  async ingest(jobs: ReadonlyArray<readonly IngestEvent[]>): Promise<JobIngestResult[]> {
    // Events by session in job order; which job saw each session last.
    const bySession = new Map<string, { events: IngestEvent[]; jobs: number[] }>();
    const lastJob = new Map<string, number>();
    for (let j = 0; j < jobs.length; j++) {
      for (const e of jobs[j]!) {
        const id = e.event.sessionId;
        let s = bySession.get(id);
        if (!s) bySession.set(id, (s = { events: [], jobs: [] }));
        s.events.push(e);
        s.jobs.push(j);
        lastJob.set(id, j);
      }
    }
    const ids = [...bySession.keys()].sort();
    const out: JobIngestResult[] = jobs.map(() => ({ duplicates: 0, sessions: new Map() }));

    await this.transaction(async (c) => {
      await c.query('SELECT count(pg_advisory_xact_lock($1::int, hashtext(t.id))) FROM (SELECT unnest($2::text[]) AS id ORDER BY 1) t', [SESSION_LOCK_SPACE, ids]);
      const sessions = new Map<string, { lastSeq: number; lastHash: string | null }>();
      for (const r of (await c.query<{ id: string; lastSeq: number; lastHash: string | null }>('SELECT id::text, "lastSeq", "lastHash" FROM "Session" WHERE id = ANY($1::uuid[])', [ids])).rows) sessions.set(r.id, r);
      const parkedBySession = new Map<string, Parked[]>();
      const parkedRows = await c.query<{ sessionId: string; seq: number; payload: string }>(
        'SELECT "sessionId"::text, seq, payload::text AS payload FROM "PendingSessionEvent" WHERE "sessionId" = ANY($1::uuid[]) ORDER BY "sessionId", seq',
        [ids],
      );
      for (const p of parkedRows.rows) {
        const list = parkedBySession.get(p.sessionId) ?? [];
        list.push({ seq: p.seq, event: JSON.parse(p.payload) as SessionEvent, json: p.payload });
        parkedBySession.set(p.sessionId, list);
      }

      const rows = new Rows();
      for (const sessionId of ids) {
        const session = sessions.get(sessionId);
        const r = this.chainSession(sessionId, session, bySession.get(sessionId)!, parkedBySession.get(sessionId) ?? [], rows, out);
        out[lastJob.get(sessionId)!]!.sessions.set(sessionId, r);
      }
      await this.write(c, rows);
    });
    return out;
  }

  /** One session's part of a group: counts duplicates into `out`, appends its rows, returns its result. */
  private chainSession(
    sessionId: string,
    session: { lastSeq: number; lastHash: string | null } | undefined,
    { events, jobs }: { events: IngestEvent[]; jobs: number[] },
    parkedAll: Parked[],
    rows: Rows,
    out: JobIngestResult[],
  ): IngestResult {
    const lastSeq = session?.lastSeq ?? -1;
    const incoming = new Map<number, IngestEvent>();
    let duplicates = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.event.seq <= lastSeq || incoming.has(e.event.seq)) {
        duplicates++;
        out[jobs[i]!]!.duplicates++;
      } else {
        incoming.set(e.event.seq, e);
      }
    }
    const parked = parkedAll.filter((p) => p.seq > lastSeq);
    const parkedSeqs = new Set(parked.map((p) => p.seq));
    const available = new Map<number, { event: SessionEvent; json: string; at?: string }>(incoming);
    for (const p of parked) if (!available.has(p.seq)) available.set(p.seq, p);

    const run: Array<{ event: SessionEvent; json: string; at?: string }> = [];
    if (incoming.size > 0) for (let next = lastSeq + 1; available.has(next); next++) run.push(available.get(next)!);
    // A chain opens with session.start: it carries what the Session row needs.
    if (!session && run.length > 0 && run[0]!.event.kind !== 'session.start') run.length = 0;
    const runEnd = lastSeq + run.length;
    let park = 0;
    for (const e of incoming.values()) {
      if (e.event.seq <= runEnd || parkedSeqs.has(e.event.seq)) continue;
      rows.park.sessionId.push(sessionId);
      rows.park.seq.push(e.event.seq);
      rows.park.payload.push(e.json);
      park++;
    }
    const pending = parked.filter((p) => p.seq > runEnd).length + park;
    if (run.length === 0) return { stored: 0, pending, duplicates, lastSeq, anchored: false };

    const links = chainEvents(session?.lastHash ?? GENESIS_HASH, run.map((r) => r.event));
    const start = run[0]!.event;
    if (!session && start.kind === 'session.start') {
      const s = rows.sessions;
      s.id.push(sessionId);
      s.identityName.push(start.identity.name);
      s.identityKind.push(start.identity.kind);
      s.tokenKind.push(start.tokenKind);
      s.connectionName.push(start.connection.name);
      s.connectionKind.push(start.connection.kind);
      s.profile.push(start.profile);
      s.workerId.push(start.workerId);
      s.clientAddress.push(start.clientAddress);
      s.startedAt.push(isoTime(start.at));
    }
    const ev = rows.events;
    let statements = 0;
    let blocked = 0;
    let end: Extract<SessionEvent, { kind: 'session.end' }> | undefined;
    for (let i = 0; i < run.length; i++) {
      const r = run[i]!;
      const e = r.event;
      ev.sessionId.push(sessionId);
      ev.seq.push(e.seq);
      ev.kind.push(e.kind);
      ev.at.push(r.at ?? isoTime(e.at));
      ev.payload.push(r.json);
      ev.prevHash.push(links[i]!.prevHash);
      ev.hash.push(links[i]!.hash);
      if (e.kind === 'statement') {
        statements++;
        if (e.verdict === 'BLOCK') blocked++;
      } else if (e.kind === 'session.end') {
        end ??= e;
      }
    }
    if (parked.some((p) => p.seq <= runEnd)) {
      rows.release.sessionId.push(sessionId);
      rows.release.upTo.push(runEnd);
    }
    const lastHash = links[links.length - 1]!.hash;
    const u = rows.updates;
    u.id.push(sessionId);
    u.lastSeq.push(runEnd);
    u.lastHash.push(lastHash);
    u.statements.push(statements);
    u.blocked.push(blocked);
    u.endedAt.push(end ? isoTime(end.at) : null);
    u.endReason.push(end ? end.reason : null);
    u.bytesIn.push(end ? String(end.bytesIn) : null);
    u.bytesOut.push(end ? String(end.bytesOut) : null);
    // Anchored once the whole chain up to the end is stored.
    if (end) rows.anchors.push(sessionAnchor(sessionId, runEnd, lastHash, end.reason));
    return { stored: run.length, pending, duplicates, lastSeq: runEnd, anchored: !!end };
  }

  private async write(c: PoolClient, rows: Rows): Promise<void> {
    const { park, sessions: s, events: ev, release, updates: u } = rows;
    if (park.seq.length > 0) {
      await c.query(
        `INSERT INTO "PendingSessionEvent" ("sessionId", seq, payload)
         SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::int[]), jsonb_array_elements($3::jsonb))
         ON CONFLICT ("sessionId", seq) DO NOTHING`,
        [park.sessionId, park.seq, jsonArray(park.payload)],
      );
    }
    if (s.id.length > 0) {
      await c.query(
        `INSERT INTO "Session" (id, "identityName", "identityKind", "tokenKind", "connectionName", "connectionKind", profile, "workerId", "clientAddress", "startedAt")
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::"IdentityKind"[], $4::text[], $5::text[], $6::"ConnectionKind"[], $7::text[], $8::text[], $9::text[], $10::timestamp(3)[])`,
        [s.id, s.identityName, s.identityKind, s.tokenKind, s.connectionName, s.connectionKind, s.profile, s.workerId, s.clientAddress, s.startedAt],
      );
    }
    if (ev.seq.length > 0) {
      // Rows are inserted (and numbered by id) in array order: per session, in seq order.
      await c.query(
        `INSERT INTO "SessionEvent" ("sessionId", seq, kind, at, payload, "prevHash", hash)
         SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::int[]), unnest($3::text[]), unnest($4::timestamp(3)[]), jsonb_array_elements($5::jsonb), unnest($6::text[]), unnest($7::text[]))
         ON CONFLICT ("sessionId", seq) DO NOTHING`,
        [ev.sessionId, ev.seq, ev.kind, ev.at, jsonArray(ev.payload), ev.prevHash, ev.hash],
      );
    }
    if (release.sessionId.length > 0) {
      await c.query('DELETE FROM "PendingSessionEvent" p USING unnest($1::uuid[], $2::int[]) AS v(id, "upTo") WHERE p."sessionId" = v.id AND p.seq <= v."upTo"', [release.sessionId, release.upTo]);
    }
    if (u.id.length > 0) {
      await c.query(
        `UPDATE "Session" s SET
           "lastSeq" = v."lastSeq", "lastHash" = v."lastHash",
           statements = s.statements + v.statements, blocked = s.blocked + v.blocked,
           "endedAt" = CASE WHEN v."endedAt" IS NOT NULL THEN v."endedAt" WHEN s."endReason" = $10 THEN NULL ELSE s."endedAt" END,
           "endReason" = CASE WHEN v."endReason" IS NOT NULL THEN v."endReason" WHEN s."endReason" = $10 THEN NULL ELSE s."endReason" END,
           "bytesIn" = coalesce(v."bytesIn", s."bytesIn"), "bytesOut" = coalesce(v."bytesOut", s."bytesOut")
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::int[], $6::timestamp(3)[], $7::text[], $8::bigint[], $9::bigint[])
           AS v(id, "lastSeq", "lastHash", statements, blocked, "endedAt", "endReason", "bytesIn", "bytesOut")
         WHERE s.id = v.id`,
        // A session closed as lost that records more is open again (its worker's spool drained late):
        // its own end, or the next sweep, closes it.
        [u.id, u.lastSeq, u.lastHash, u.statements, u.blocked, u.endedAt, u.endReason, u.bytesIn, u.bytesOut, LOST_SESSION_REASON],
      );
    }
    if (rows.anchors.length > 0) await this.appendAuditRaw(c, rows.anchors);
  }

  private async transaction(fn: (c: PoolClient) => Promise<void>): Promise<void> {
    this.pool ??= new Pool({ connectionString: this.config.databaseUrl, max: 2 });
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      await fn(c);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.release(broken);
    }
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

  /**
   * Open sessions started before `quietSince` whose last stored event is older than it, with no
   * event waiting for a gap received since: the ones that could be closed as lost, when their
   * worker is gone. Oldest first.
   */
  quietOpenSessions(quietSince: Date, limit: number): Promise<QuietSession[]> {
    return this.prisma.$queryRaw<QuietSession[]>`
      SELECT s.id::text AS id, s."workerId", s."startedAt"
      FROM "Session" s
      WHERE s."endedAt" IS NULL AND s."startedAt" < ${quietSince}
        AND coalesce((SELECT e.at FROM "SessionEvent" e WHERE e."sessionId" = s.id AND e.seq = s."lastSeq"), s."startedAt") < ${quietSince}
        AND NOT EXISTS (SELECT 1 FROM "PendingSessionEvent" p WHERE p."sessionId" = s.id AND p."receivedAt" >= ${quietSince})
      ORDER BY s."startedAt"
      LIMIT ${limit}`;
  }

  /**
   * Closes sessions whose worker was lost: ended at their last event, reason LOST_SESSION_REASON,
   * each chain anchored in the global audit chain as far as it was recorded. Under each session's
   * ingest lock, and only if still open, so an end that arrived meanwhile wins. A real
   * session.end arriving later still replaces the reason and anchors the chain again at its end.
   * Returns the sessions it closed.
   */
  async closeLost(sessions: ReadonlyArray<Pick<QuietSession, 'id' | 'workerId'>>): Promise<string[]> {
    if (sessions.length === 0) return [];
    const ids = [...new Set(sessions.map((s) => s.id))].sort();
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(${SESSION_LOCK_SPACE}::int, hashtext(t.id))) FROM (SELECT unnest(${ids}::text[]) AS id ORDER BY 1) t`;
      const closed = await tx.$queryRaw<Array<{ id: string; lastSeq: number; lastHash: string | null; workerId: string }>>`
        UPDATE "Session" s
        SET "endedAt" = coalesce((SELECT e.at FROM "SessionEvent" e WHERE e."sessionId" = s.id AND e.seq = s."lastSeq"), s."startedAt"), "endReason" = ${LOST_SESSION_REASON}
        WHERE s.id = ANY(${ids}::uuid[]) AND s."endedAt" IS NULL
        RETURNING s.id::text AS id, s."lastSeq", s."lastHash", s."workerId"`;
      const anchors = closed.filter((c) => c.lastHash !== null && c.lastSeq >= 0).map((c) => sessionAnchor(c.id, c.lastSeq, c.lastHash!, LOST_SESSION_REASON, { workerId: c.workerId }));
      if (anchors.length > 0) await this.appendAudit(tx, anchors);
      return closed.map((c) => c.id);
    });
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

  /** appendAudit inside an ingest transaction: the same chain and lock, one INSERT for all entries. */
  private async appendAuditRaw(c: PoolClient, entries: Array<Omit<AuditChainFields, 'at'>>): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [AUDIT_CHAIN_LOCK]);
    const prev = await c.query<{ hash: string }>('SELECT hash FROM "AuditLogEntry" ORDER BY id DESC LIMIT 1');
    let prevHash = prev.rows[0]?.hash ?? GENESIS_HASH;
    const cols = { at: [] as string[], actorName: [] as string[], actorKind: [] as string[], action: [] as string[], target: [] as (string | null)[], details: [] as string[], clientAddress: [] as (string | null)[], prevHash: [] as string[], hash: [] as string[] };
    for (const fields of entries) {
      // Postgres keeps milliseconds, as does Date: the hashed time is the stored time.
      const entry: AuditChainFields = { ...fields, at: new Date() };
      const hash = auditEntryHash(prevHash, entry);
      cols.at.push(entry.at.toISOString());
      cols.actorName.push(entry.actorName);
      cols.actorKind.push(entry.actorKind);
      cols.action.push(entry.action);
      cols.target.push(entry.target);
      cols.details.push(JSON.stringify(entry.details));
      cols.clientAddress.push(entry.clientAddress);
      cols.prevHash.push(prevHash);
      cols.hash.push(hash);
      prevHash = hash;
    }
    await c.query(
      `INSERT INTO "AuditLogEntry" (at, "actorName", "actorKind", action, target, details, "clientAddress", "prevHash", hash)
       SELECT * FROM ROWS FROM (unnest($1::timestamp(3)[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]), jsonb_array_elements($6::jsonb), unnest($7::text[]), unnest($8::text[]), unnest($9::text[]))`,
      [cols.at, cols.actorName, cols.actorKind, cols.action, cols.target, jsonArray(cols.details), cols.clientAddress, cols.prevHash, cols.hash],
    );
  }
}

/** A JSON array of already-serialised values: one jsonb parameter, parsed once by Postgres. */
function jsonArray(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
