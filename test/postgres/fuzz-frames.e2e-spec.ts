import { randomBytes } from 'node:crypto';
import { buildBind, buildCancelRequest, buildExecute, buildParse, buildPasswordMessage, buildQuery, buildStartupMessage, buildSync } from '@airlock/pg-wire';
import { waitFor } from '@airlock/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';
import { RawClient } from './raw-client';

// Seeded so a failure can be replayed: AIRLOCK_FUZZ_SEED=<n>.
let seed = Number(process.env.AIRLOCK_FUZZ_SEED ?? Date.now() % 100000);
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

function mutate(msg: Buffer): Buffer {
  const b = Buffer.from(msg);
  switch (rand(4)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + rand(4); i < n; i++) b[rand(b.length)] ^= 1 << rand(8);
      return b;
    case 1: // truncate
      return b.subarray(0, rand(b.length));
    case 2: // lie about the length
      if (b.length >= 5) b.writeInt32BE(rand(2) ? -1 - rand(100) : rand(1 << 30), b[0] === 0 ? 0 : 1);
      return b;
    default: // append garbage
      return Buffer.concat([b, randomBytes(rand(64))]);
  }
}

function sendAndClose(port: number, chunks: Buffer[]): Promise<void> {
  return RawClient.connect(port).then(async (c) => {
    for (const chunk of chunks) {
      if (c.closed) break;
      c.socket.write(chunk);
      if (rand(3) === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    c.close();
  });
}

describe('fuzzed client frames never crash the worker', () => {
  let h: PgHarness;
  let bystander: Client;
  beforeAll(async () => {
    h = await startPgHarness({ maxMessageBytes: 1 << 20 });
    bystander = new Client({ connectionString: h.url() });
    await bystander.connect();
  });
  afterAll(async () => {
    await bystander?.end();
    await h?.close();
  });

  it(`before authentication (seed ${seed})`, async () => {
    const valid = [buildStartupMessage({ user: 'agent', database: 'demo-pg' }), buildPasswordMessage(h.token)];
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const kind = rand(3);
      const chunks = kind === 0 ? [randomBytes(1 + rand(200))] : kind === 1 ? [mutate(valid[0]), valid[1]] : [valid[0], mutate(valid[1])];
      jobs.push(sendAndClose(h.port, chunks));
      if (jobs.length >= 50) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    expect((await bystander.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('after authentication', async () => {
    const messages = [buildQuery('SELECT 1'), buildParse({ name: 'p', sql: 'SELECT $1::int', paramTypes: [23] }), buildBind({ statement: 'p', params: ['5'] }), buildExecute(), buildSync()];
    for (let round = 0; round < 60; round++) {
      const c = await RawClient.login(h.port, 'demo-pg', h.token);
      const chunks: Buffer[] = [];
      for (let i = 0; i < 8; i++) {
        const m = messages[rand(messages.length)];
        chunks.push(rand(2) ? mutate(m) : m);
      }
      if (rand(4) === 0) chunks.push(randomBytes(rand(300)));
      for (const chunk of chunks) c.socket.write(chunk);
      await new Promise((r) => setTimeout(r, 5));
      c.close();
    }
    expect((await bystander.query('SELECT 2 AS ok')).rows[0].ok).toBe(2);
  });

  it('a CancelRequest with an unknown key is closed without an answer, like Postgres', async () => {
    const c = await RawClient.connect(h.port);
    c.send(buildCancelRequest(12345, Buffer.from([1, 2, 3, 4])));
    await waitFor(() => c.closed, 'connection closed');
    await expect(c.until('E', 10)).rejects.toThrow(/closed before/);
  });

  it('an oversized frame gets 08P01 and only that session closes', async () => {
    const c = await RawClient.login(h.port, 'demo-pg', h.token);
    const header = Buffer.alloc(5);
    header[0] = 0x51;
    header.writeInt32BE(1 << 30, 1);
    c.socket.write(header);
    const frames = await c.until('E');
    expect(frames.at(-1)!.bytes.toString('latin1')).toMatch(/08P01.*airlock: invalid length 1073741824 for message 'Q'/s);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closed).toBe(true);
    expect((await bystander.query('SELECT 3 AS ok')).rows[0].ok).toBe(3);
    expect(h.worker.listeners[0].sessions()).toBeGreaterThanOrEqual(1);
  });
});
