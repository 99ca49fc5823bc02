import { Injectable } from '@nestjs/common';
import type { ChainAnchor } from '@airlock/audit';
import { type Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

export interface SessionQuery {
  identityName?: string;
  identityKind?: 'USER' | 'SERVICE_ACCOUNT';
  connection?: string;
  from?: Date;
  to?: Date;
  verdict?: string;
  text?: string;
  after?: { startedAt: Date; id: string };
}

export interface SessionRecord {
  id: string;
  identityName: string;
  identityKind: string;
  tokenKind: string;
  connectionName: string;
  connectionKind: string;
  profile: string;
  workerId: string;
  clientAddress: string | null;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  statements: number;
  blocked: number;
  bytesIn: bigint;
  bytesOut: bigint;
  lastSeq: number;
  lastHash: string | null;
}

export interface EventRecord {
  seq: number;
  kind: string;
  at: Date;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export interface ReviewRange {
  from: Date;
  to: Date;
  connection?: string;
}

/** One (identity, connection) aggregate row of the access review. */
export interface ActivityRow {
  identityKind: string;
  identityName: string;
  connectionName: string;
  key: string;
  n: bigint;
  blocked: bigint;
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async page(q: SessionQuery, take: number): Promise<SessionRecord[]> {
    const and: Prisma.SessionWhereInput[] = [];
    if (q.identityName !== undefined) and.push({ identityName: q.identityName });
    if (q.identityKind !== undefined) and.push({ identityKind: q.identityKind });
    if (q.connection !== undefined) and.push({ connectionName: q.connection });
    if (q.from) and.push({ startedAt: { gte: q.from } });
    if (q.to) and.push({ startedAt: { lt: q.to } });
    if (q.verdict || q.text) {
      const ev: Prisma.SessionEventWhereInput[] = [{ kind: 'statement' }];
      if (q.verdict) ev.push({ payload: { path: ['verdict'], equals: q.verdict } });
      if (q.text) ev.push({ payload: { path: ['sql'], string_contains: q.text } });
      and.push({ events: { some: { AND: ev } } });
    }
    if (q.after) and.push({ OR: [{ startedAt: { lt: q.after.startedAt } }, { startedAt: q.after.startedAt, id: { lt: q.after.id } }] });
    return this.prisma.session.findMany({ where: { AND: and }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take });
  }

  findById(id: string): Promise<SessionRecord | null> {
    return this.prisma.session.findUnique({ where: { id } });
  }

  events(sessionId: string, afterSeq: number, take: number): Promise<EventRecord[]> {
    return this.prisma.sessionEvent.findMany({ where: { sessionId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take, select: { seq: true, kind: true, at: true, payload: true, prevHash: true, hash: true } });
  }

  /** Where the session's chain was last anchored in the global audit chain (seq and hash), if it was. */
  async anchor(sessionId: string): Promise<ChainAnchor | null> {
    const entry = await this.prisma.auditLogEntry.findFirst({ where: { action: 'session.anchored', target: sessionId }, orderBy: { id: 'desc' }, select: { details: true } });
    const details = entry?.details as { lastHash?: unknown; lastSeq?: unknown } | undefined;
    return typeof details?.lastHash === 'string' && typeof details.lastSeq === 'number' ? { seq: details.lastSeq, hash: details.lastHash } : null;
  }

  async sessionCounts(r: ReviewRange): Promise<ActivityRow[]> {
    return this.prisma.$queryRaw<ActivityRow[]>`
      SELECT s."identityKind"::text AS "identityKind", s."identityName", s."connectionName", '' AS key, count(*) AS n, 0::bigint AS blocked
      FROM "Session" s
      WHERE s."startedAt" >= ${r.from} AND s."startedAt" < ${r.to} AND (${r.connection ?? null}::text IS NULL OR s."connectionName" = ${r.connection ?? null})
      GROUP BY 1, 2, 3`;
  }

  async statementsByKind(r: ReviewRange): Promise<ActivityRow[]> {
    return this.prisma.$queryRaw<ActivityRow[]>`
      SELECT s."identityKind"::text AS "identityKind", s."identityName", s."connectionName", coalesce(e.payload->>'statementKind', 'UNKNOWN') AS key,
             count(*) AS n, count(*) FILTER (WHERE e.payload->>'verdict' = 'BLOCK') AS blocked
      FROM "SessionEvent" e JOIN "Session" s ON s.id = e."sessionId"
      WHERE e.kind = 'statement' AND s."startedAt" >= ${r.from} AND s."startedAt" < ${r.to} AND (${r.connection ?? null}::text IS NULL OR s."connectionName" = ${r.connection ?? null})
      GROUP BY 1, 2, 3, 4`;
  }

  async maskedByType(r: ReviewRange): Promise<ActivityRow[]> {
    return this.prisma.$queryRaw<ActivityRow[]>`
      SELECT s."identityKind"::text AS "identityKind", s."identityName", s."connectionName", m.key AS key, sum(m.value::bigint)::bigint AS n, 0::bigint AS blocked
      FROM "SessionEvent" e JOIN "Session" s ON s.id = e."sessionId", jsonb_each_text(coalesce(e.payload->'masked', '{}'::jsonb)) m
      WHERE e.kind = 'statement' AND s."startedAt" >= ${r.from} AND s."startedAt" < ${r.to} AND (${r.connection ?? null}::text IS NULL OR s."connectionName" = ${r.connection ?? null})
      GROUP BY 1, 2, 3, 4`;
  }

  /** Grants in force at some point of the range. */
  grants(r: ReviewRange) {
    return this.prisma.accessGrant.findMany({
      where: {
        createdAt: { lt: r.to },
        AND: [{ OR: [{ revokedAt: null }, { revokedAt: { gte: r.from } }] }, { OR: [{ expiresAt: null }, { expiresAt: { gte: r.from } }] }],
        ...(r.connection ? { connection: { name: r.connection } } : {}),
      },
      include: { connection: { select: { name: true } } },
      orderBy: { createdAt: 'asc' },
    });
  }

  reviews(r: ReviewRange) {
    return this.prisma.reviewRequest.findMany({
      where: { createdAt: { gte: r.from, lt: r.to }, ...(r.connection ? { connectionName: r.connection } : {}) },
      include: { decisions: { orderBy: { createdAt: 'asc' } } },
      orderBy: { createdAt: 'asc' },
    });
  }
}
