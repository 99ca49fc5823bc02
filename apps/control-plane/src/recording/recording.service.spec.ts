import { randomUUID } from 'node:crypto';
import { type SessionEvent } from '@airlock/contracts';
import { verifyChain } from '@airlock/audit';
import { createTestDatabase, type TestDatabase } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import { PrismaService } from '../prisma/prisma.service';
import { RecordingRepository } from './recording.repository';
import { RecordingService } from './recording.service';
import { RetentionService } from './retention.service';

function sessionEvents(sessionId: string, statements: number, startedAt = '2026-11-27T10:00:00.000Z'): SessionEvent[] {
  const out: SessionEvent[] = [
    { kind: 'session.start', sessionId, seq: 0, at: startedAt, identity: { kind: 'SERVICE_ACCOUNT', name: 'etl-bot', groups: [] }, tokenKind: 'api_key', connection: { name: 'orders', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'w1', clientAddress: '127.0.0.1' },
  ];
  for (let i = 1; i <= statements; i++) {
    out.push({ kind: 'statement', sessionId, seq: i, at: startedAt, sql: `SELECT ${i}`, fingerprint: 'f', statementKind: 'SELECT', verdict: i % 5 === 0 ? 'BLOCK' : 'ALLOW', rule: i % 5 === 0 ? 'no-select-5' : null, durationMs: 0.5, rows: 1, bytes: 10, errorCode: i % 5 === 0 ? '42501' : null, masked: { email: 1 } });
  }
  out.push({ kind: 'session.end', sessionId, seq: statements + 1, at: startedAt, reason: 'client closed', statements, bytesIn: 100, bytesOut: 200 });
  return out;
}

const job = (events: SessionEvent[]) => ({ schemaVersion: 1, workerId: 'w1', events });

describe('recording ingestion (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let service: RecordingService;
  let retention: RetentionService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_RETENTION_DAYS: '30' });
    prisma = new PrismaService(config);
    const repo = new RecordingRepository(prisma);
    service = new RecordingService(repo);
    retention = new RetentionService(config, repo);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const stored = async (sessionId: string) => {
    const rows = await prisma.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: 'asc' } });
    return rows.map((r) => ({ event: r.payload as unknown as SessionEvent, prevHash: r.prevHash, hash: r.hash }));
  };

  it('stores the same job twice once', async () => {
    const id = randomUUID();
    const payload = job(sessionEvents(id, 10));
    const first = await service.ingest(payload);
    const second = await service.ingest(payload);
    expect(first).toMatchObject({ stored: 12, duplicates: 0 });
    expect(second).toMatchObject({ stored: 0, duplicates: 12 });
    const links = await stored(id);
    expect(links.map((l) => l.event.seq)).toEqual([...Array(12).keys()]);
    const session = await prisma.session.findUniqueOrThrow({ where: { id } });
    expect(session).toMatchObject({ statements: 10, blocked: 2, lastSeq: 11, endReason: 'client closed', bytesOut: 200n });
    expect(verifyChain(links, session.lastHash)).toMatchObject({ ok: true });
  });

  it('ends in order when jobs arrive out of order, and anchors the session once', async () => {
    const id = randomUUID();
    const events = sessionEvents(id, 20);
    const batches = [events.slice(15), events.slice(5, 10), events.slice(0, 5), events.slice(10, 15), events.slice(5, 10)];
    const results = [];
    for (const b of batches) results.push(await service.ingest(job(b)));
    expect(results[0]).toMatchObject({ stored: 0, pending: 7 });
    expect(results[1]).toMatchObject({ stored: 0, pending: 12 });
    expect(results[2]).toMatchObject({ stored: 10, pending: 7 });
    expect(results[3]).toMatchObject({ stored: 12, pending: 0 });
    expect(results[4]).toMatchObject({ stored: 0, duplicates: 5 });
    const links = await stored(id);
    expect(links.map((l) => l.event.seq)).toEqual([...Array(22).keys()]);
    expect(verifyChain(links).ok).toBe(true);
    expect(await prisma.pendingSessionEvent.count({ where: { sessionId: id } })).toBe(0);
    const anchors = await prisma.auditLogEntry.findMany({ where: { action: 'session.anchored', target: id } });
    expect(anchors).toHaveLength(1);
    expect(anchors[0]!.details).toMatchObject({ lastSeq: 21, lastHash: links[21]!.hash });
  });

  it('stores concurrent deliveries of interleaved batches exactly once', async () => {
    const id = randomUUID();
    const events = sessionEvents(id, 200);
    const batches: SessionEvent[][] = [];
    for (let i = 0; i < events.length; i += 7) batches.push(events.slice(i, i + 7));
    const shuffled = [...batches, ...batches].sort(() => Math.random() - 0.5);
    await Promise.all(shuffled.map((b) => service.ingest(job(b))));
    const links = await stored(id);
    expect(links.map((l) => l.event.seq)).toEqual([...Array(202).keys()]);
    expect(verifyChain(links).ok).toBe(true);
  });

  it('rejects a payload that breaks the contract', async () => {
    await expect(service.ingest({ schemaVersion: 1, workerId: 'w', events: [{ kind: 'nope' }] })).rejects.toThrow(/^airlock: invalid record-events job/);
  });

  it('purges sessions past retention and writes an audit entry', async () => {
    const id = randomUUID();
    await service.ingest(job(sessionEvents(id, 3, '2020-01-01T00:00:00.000Z')));
    const r = await retention.purge(new Date('2026-11-27T12:00:00Z'));
    expect(r).toMatchObject({ sessions: 1, events: 5 });
    expect(await prisma.session.findUnique({ where: { id } })).toBeNull();
    const entry = await prisma.auditLogEntry.findFirst({ where: { action: 'sessions.purged' } });
    expect(entry?.details).toMatchObject({ sessions: 1, events: 5, retentionDays: 30 });
  });
});
