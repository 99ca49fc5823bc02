import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@airlock/testing';
import { buildQuery } from '@airlock/pg-wire';
import { startPgHarness, type PgHarness } from './harness';
import { RawClient } from './raw-client';

/** A `COPY … FROM STDIN` driven through pg's Submittable interface (pg-copy-streams is not installed). */
function copyIn(client: Client, sql: string, rows: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const submittable = {
      submit(connection: { query(t: string): void; sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        for (const r of rows) connection.sendCopyFromChunk(Buffer.from(r));
        connection.endCopyFrom();
      },
      handleCommandComplete() {},
      handleReadyForQuery() {
        resolve();
      },
      handleError(err: Error) {
        reject(err);
      },
    };
    void client.query(submittable as never);
  });
}

/** `COPY … TO STDOUT` collected through a Submittable. */
function copyOut(client: Client, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const submittable = {
      submit(connection: { query(t: string): void }) {
        connection.query(sql);
      },
      handleCopyOutResponse() {},
      handleCopyData(msg: { chunk: Buffer }) {
        // pg-protocol hands out views into a buffer it reuses: copy.
        chunks.push(Buffer.from(msg.chunk));
      },
      handleCommandComplete() {},
      handleReadyForQuery() {
        resolve(Buffer.concat(chunks).toString());
      },
      handleError(err: Error) {
        reject(err);
      },
    };
    void client.query(submittable as never);
  });
}

describe('node-postgres through the worker', () => {
  let h: PgHarness;
  const clients: Client[] = [];
  const connect = async (url = h.url()) => {
    const c = new Client({ connectionString: url });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startPgHarness();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await h?.close();
  });

  it('runs simple, parameterized and prepared statements', async () => {
    const c = await connect();
    expect((await c.query('SELECT current_database() AS db, current_user AS u')).rows[0]).toEqual({ db: h.db.name, u: 'postgres' });
    await c.query('CREATE TABLE people (id int PRIMARY KEY, name text, born date)');
    await c.query('INSERT INTO people VALUES ($1, $2, $3), ($4, $5, $6)', [1, 'Ada', '1815-12-10', 2, 'Grace', '1906-12-09']);
    const named = { name: 'by-id', text: 'SELECT name FROM people WHERE id = $1' };
    expect((await c.query({ ...named, values: [1] })).rows).toEqual([{ name: 'Ada' }]);
    expect((await c.query({ ...named, values: [2] })).rows).toEqual([{ name: 'Grace' }]);
    expect((await c.query({ text: 'SELECT id, born FROM people ORDER BY id', rowMode: 'array' })).rows.map((r) => r[0])).toEqual([1, 2]);
    await expect(c.query('SELECT * FROM nope')).rejects.toMatchObject({ code: '42P01' });
    // The session survives an error, in and out of a transaction block.
    await c.query('BEGIN');
    await expect(c.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
    expect((await c.query('SELECT 42 AS n')).rows[0].n).toBe(42);
  });

  it('hands the client its own cancel key and forwards a cancel with the real one', async () => {
    const c = await connect();
    const realPid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const clientPid = (c as unknown as { processID: number }).processID;
    expect(clientPid).not.toBe(realPid);
    const started = Date.now();
    const sleeping = c.query('SELECT pg_sleep(10)');
    await new Promise((r) => setTimeout(r, 300));
    const canceller = new Client({ connectionString: h.url() });
    // pg's own cancel path: a fresh connection that sends CancelRequest with the client's key.
    (canceller as unknown as { cancel(client: Client, query: unknown): void }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
    await expect(sleeping).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('streams COPY in and out', async () => {
    const c = await connect();
    await c.query('CREATE TABLE copied (id int, note text)');
    const rows = Array.from({ length: 5000 }, (_, i) => `${i}\tnote ${i}\n`);
    await copyIn(c, 'COPY copied FROM STDIN', rows);
    expect((await c.query('SELECT count(*)::int AS n FROM copied')).rows[0].n).toBe(5000);
    const out = await copyOut(c, 'COPY (SELECT * FROM copied ORDER BY id) TO STDOUT');
    expect(out).toBe(rows.join(''));
  });

  it('delivers LISTEN/NOTIFY across sessions', async () => {
    const listener = await connect();
    const notifier = await connect();
    const got: string[] = [];
    listener.on('notification', (n) => got.push(`${n.channel}:${n.payload}`));
    await listener.query('LISTEN airlock_test');
    await notifier.query("NOTIFY airlock_test, 'hello'");
    await notifier.query("SELECT pg_notify('airlock_test', 'world')");
    await waitFor(() => got.length === 2, 'two notifications');
    expect(got).toEqual(['airlock_test:hello', 'airlock_test:world']);
  });

  it('streams a 50 MB result', async () => {
    const c = await connect();
    const res = await c.query({ text: "SELECT i, repeat('x', 1000) AS pad FROM generate_series(1, 50000) i", rowMode: 'array' });
    expect(res.rows.length).toBe(50000);
    expect(res.rows[49999][0]).toBe(50000);
    expect((res.rows[123][1] as string).length).toBe(1000);
  });

  it('a slow reader holds a 300 MB result back (backpressure) instead of filling the worker memory', async () => {
    const raw = await RawClient.login(h.port, 'demo-pg', h.token);
    raw.socket.removeAllListeners('data');
    raw.socket.pause();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    raw.send(buildQuery("SELECT repeat('y', 1000) FROM generate_series(1, 300000)"));
    await new Promise((r) => setTimeout(r, 1500));
    const grown = process.memoryUsage().rss - rssBefore;
    // Kernel socket buffers plus one high-water mark per side; nowhere near 300 MB.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    let bytes = 0;
    let tail = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      raw.socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        tail = Buffer.concat([tail, chunk]).subarray(-6);
        if (tail[0] === 0x5a) resolve();
      });
      raw.socket.resume();
    });
    expect(bytes).toBeGreaterThan(300_000 * 1000);
    raw.close();
  });

  it('an upstream that dies ends only its own session', async () => {
    const victim = await connect();
    const bystander = await connect();
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const errors: { code?: string }[] = [];
    victim.on('error', (e) => errors.push(e as never));
    const ended = new Promise((r) => victim.once('end', r));
    await bystander.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    expect(errors[0]).toMatchObject({ code: '57P01' });
    expect((await bystander.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('records session start and end with identity, connection and counters', async () => {
    const c = new Client({ connectionString: h.url() + '?application_name=counter-test' });
    await c.connect();
    await c.query('SELECT 1');
    await c.query({ text: 'SELECT $1::text', values: ['x'] });
    const before = h.events.length;
    await c.end();
    const end = await waitFor(() => h.events.slice(before).find((e) => e.kind === 'session.end'), 'session.end');
    const start = h.events.find((e) => e.kind === 'session.start' && e.sessionId === end.sessionId);
    expect(start).toMatchObject({ kind: 'session.start', seq: 0, identity: { kind: 'SERVICE_ACCOUNT', name: 'agent' }, tokenKind: 'api_key', connection: { name: 'demo-pg', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'w-pg-test', clientAddress: '127.0.0.1' });
    expect(end).toMatchObject({ seq: 1, statements: 2, reason: expect.any(String) });
    if (end.kind !== 'session.end') throw new Error('unreachable');
    expect(end.bytesIn).toBeGreaterThan(50);
    expect(end.bytesOut).toBeGreaterThan(100);
  });
});
