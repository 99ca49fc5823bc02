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
  let repo: RecordingRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_RETENTION_DAYS: '30' });
    prisma = new PrismaService(config);
    repo = new RecordingRepository(prisma, config);
    service = new RecordingService(repo);
    retention = new RetentionService(config, repo);
  });
  afterAll(async () => {
    await repo?.onModuleDestroy();
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
    await expect(service.ingest({ schemaVersion: 1, workerId: 'w', lines: '{"kind":"nope"}\n' })).rejects.toThrow(/^airlock: invalid record-events job/);
    await expect(service.ingest({ schemaVersion: 1, workerId: 'w', lines: '{"kind":\n' })).rejects.toThrow(/^airlock: invalid record-events job: a line is not JSON/);
    const bad = sessionEvents(randomUUID(), 1);
    await expect(service.ingest(job([{ ...bad[0]!, at: 'yesterday' }]))).rejects.toThrow(/"at" is not a time/);
    await expect(service.ingest(job([{ ...bad[0]!, seq: 2 ** 31 }]))).rejects.toThrow(/seq 2147483648 is out of range/);
  });

  it('stores JSON Lines jobs (the worker\'s form) like events jobs, and either form twice once', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const lines = (events: SessionEvent[]) => ({ schemaVersion: 1, workerId: 'w1', lines: events.map((e) => `${JSON.stringify(e)}\n`).join('') });
    expect(await service.ingest(lines(sessionEvents(a, 4)))).toMatchObject({ sessions: 1, stored: 6, duplicates: 0 });
    expect(await service.ingest(job(sessionEvents(b, 4)))).toMatchObject({ sessions: 1, stored: 6, duplicates: 0 });
    expect(await service.ingest(job(sessionEvents(a, 4)))).toMatchObject({ stored: 0, duplicates: 6 });
    expect(await service.ingest(lines(sessionEvents(b, 4)))).toMatchObject({ stored: 0, duplicates: 6 });
    const [la, lb] = [await stored(a), await stored(b)];
    // The same events stored, whichever form carried them.
    expect(la.map((l) => ({ ...l.event, sessionId: b }))).toEqual(lb.map((l) => l.event));
    for (const links of [la, lb]) expect(verifyChain(links).ok).toBe(true);
  });

  it('stores jobs that arrive together in one group, in arrival order, without parking', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const all = ids.map((id) => sessionEvents(id, 30));
    // Interleaved the way a worker with three sessions batches them: each job holds a slice of every session.
    const jobs = [0, 8, 16, 24].map((from) => job(all.flatMap((events) => events.slice(from, from + 8))));
    const results = await Promise.all(jobs.map((j) => service.ingest(j)));
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(96);
    expect(results.every((r) => r.pending === 0 && r.duplicates === 0)).toBe(true);
    for (const id of ids) {
      const links = await stored(id);
      expect(links.map((l) => l.event.seq)).toEqual([...Array(32).keys()]);
      expect(verifyChain(links).ok).toBe(true);
      const ordered = await prisma.sessionEvent.findMany({ where: { sessionId: id }, orderBy: { id: 'asc' }, select: { seq: true } });
      expect(ordered.map((r) => r.seq)).toEqual([...Array(32).keys()]);
    }
    expect(await prisma.pendingSessionEvent.count({ where: { sessionId: { in: ids } } })).toBe(0);
  });

  it('fails only the job Postgres refuses when it arrives in a group with others', async () => {
    const good = randomUUID();
    const poisoned = randomUUID();
    // jsonb cannot hold \u0000: the database refuses this event, after validation let it through.
    const bad = sessionEvents(poisoned, 2).map((e) => (e.kind === 'statement' ? { ...e, sql: 'SELECT \u0000' } : e));
    const [ok, failed] = await Promise.allSettled([service.ingest(job(sessionEvents(good, 2))), service.ingest(job(bad))]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { stored: 4 } });
    expect(failed.status).toBe('rejected');
    expect((await stored(good)).length).toBe(4);
    expect(await prisma.session.findUnique({ where: { id: poisoned } })).toBeNull();
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
