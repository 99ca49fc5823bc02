import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { keySpace, type SessionEvent } from '@airlock/contracts';
import { createTestDatabase, type TestDatabase, testRedisPrefix, dropRedisPrefix } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import { PrismaService } from '../prisma/prisma.service';
import { RedisService } from '../redis/redis.service';
import { RecordEventsJobHandler } from './record-events.job';
import { RecordingRepository } from './recording.repository';
import { RecordingService } from './recording.service';

function events(sessionId: string, statements: number): SessionEvent[] {
  const at = '2026-11-27T10:00:00.000Z';
  const out: SessionEvent[] = [
    { kind: 'session.start', sessionId, seq: 0, at, identity: { kind: 'SERVICE_ACCOUNT', name: 'etl-bot', groups: [] }, tokenKind: 'api_key', connection: { name: 'orders', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'w1', clientAddress: null },
  ];
  for (let i = 1; i <= statements; i++) out.push({ kind: 'statement', sessionId, seq: i, at, sql: `SELECT ${i}`, fingerprint: 'f', statementKind: 'SELECT', verdict: 'ALLOW', rule: null, durationMs: 0.5, rows: 1, bytes: 10, errorCode: null, masked: {} });
  return out;
}

describe('record-events jobs in the blob form (real Redis and Postgres)', () => {
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  let db: TestDatabase;
  let prisma: PrismaService;
  let repo: RecordingRepository;
  let redis: RedisService;
  let handler: RecordEventsJobHandler;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_REDIS_PREFIX: prefix });
    prisma = new PrismaService(config);
    repo = new RecordingRepository(prisma, config);
    redis = new RedisService(config);
    handler = new RecordEventsJobHandler(new RecordingService(repo), redis);
  });
  afterAll(async () => {
    await dropRedisPrefix(redis.client, prefix);
    await redis?.onModuleDestroy();
    await repo?.onModuleDestroy();
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** What a worker does: the blob, then a job pointing to it. */
  const put = async (list: SessionEvent[], workerId = 'w1') => {
    const bytes = Buffer.from(list.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const blob = keys.recordingBlob(workerId, randomUUID());
    await redis.client.set(blob, bytes, 'EX', 600);
    return { schemaVersion: 1, workerId, blob, events: list.length, bytes: bytes.length };
  };

  /** What a worker does now: the lines compressed (schemaVersion 2). */
  const putCompressed = async (list: SessionEvent[], workerId = 'w1') => {
    const lines = Buffer.from(list.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const bytes = deflateRawSync(lines, { level: 1 });
    const blob = keys.recordingBlob(workerId, randomUUID());
    await redis.client.set(blob, bytes, 'EX', 600);
    return { schemaVersion: 2, workerId, blob, events: list.length, bytes: bytes.length, encoding: 'deflate-raw', plainBytes: lines.length };
  };

  it('stores the events of a compressed blob (schemaVersion 2) as those of a plain one', async () => {
    const id = randomUUID();
    const job = await putCompressed(events(id, 50));
    expect(job.bytes).toBeLessThan(job.plainBytes);
    expect(await handler.handle(job)).toMatchObject({ sessions: 1, stored: 51, duplicates: 0 });
    const stored = await prisma.sessionEvent.findMany({ where: { sessionId: id }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(stored.map((e) => e.seq)).toEqual([...Array(51).keys()]);
    await handler.completed(job);
    expect(await redis.client.exists(job.blob)).toBe(0);
  });

  it('refuses a compressed blob that is not what the job says: corrupt, longer, or shorter once inflated', async () => {
    const job = await putCompressed(events(randomUUID(), 3));
    await expect(handler.handle({ ...job, plainBytes: job.plainBytes - 1 })).rejects.toThrow(/^airlock: invalid record-events job: blob .* does not inflate to the \d+ bytes the job says/);
    await expect(handler.handle({ ...job, plainBytes: job.plainBytes + 1 })).rejects.toThrow(/inflates to \d+ bytes, the job says/);
    await expect(handler.handle({ ...job, encoding: 'gzip' })).rejects.toThrow(/^airlock: invalid record-events job/);
    const garbage = keys.recordingBlob('w1', randomUUID());
    await redis.client.set(garbage, Buffer.from('not deflate at all, just text'), 'EX', 600);
    await expect(handler.handle({ ...job, blob: garbage, bytes: 29 })).rejects.toThrow(/does not inflate/);
    // A compressed blob announced as plain (version 1) is not read as text.
    await expect(handler.handle({ schemaVersion: 1, workerId: 'w1', blob: job.blob, events: job.events, bytes: job.bytes })).rejects.toThrow(/^airlock: invalid record-events job/);
  });

  it('stores the events of the blob, and deletes the blob once the job completed', async () => {
    const id = randomUUID();
    const job = await put(events(id, 5));
    expect(await handler.handle(job)).toMatchObject({ sessions: 1, stored: 6, duplicates: 0 });
    // A retry before completion finds the blob again and stores nothing twice.
    expect(await handler.handle(job)).toMatchObject({ stored: 0, duplicates: 6 });
    expect(await prisma.sessionEvent.count({ where: { sessionId: id } })).toBe(6);
    await handler.completed(job);
    expect(await redis.client.exists(job.blob)).toBe(0);
  });

  it('fails a job whose blob is gone, saying how many events are lost', async () => {
    const job = await put(events(randomUUID(), 2));
    await redis.client.del(job.blob);
    await expect(handler.handle(job)).rejects.toThrow(/^airlock: the 3 events of this record-events job from worker w1 are gone from Redis/);
  });

  it('refuses a blob key outside the worker\'s own blob names, and blobs that do not match the job', async () => {
    const job = await put(events(randomUUID(), 2));
    await expect(handler.handle({ ...job, blob: keys.policySnapshot('default') })).rejects.toThrow(/^airlock: invalid record-events job: blob key .* is not under/);
    await expect(handler.handle({ ...job, workerId: 'w2' })).rejects.toThrow(/is not under/);
    await expect(handler.handle({ ...job, bytes: job.bytes + 1 })).rejects.toThrow(/holds \d+ bytes, the job says/);
    await expect(handler.handle({ ...job, events: 4 })).rejects.toThrow(/it says 4 events, its blob holds 3/);
    await expect(handler.handle({ ...job, events: 0 })).rejects.toThrow(/^airlock: invalid record-events job/);
  });
});
