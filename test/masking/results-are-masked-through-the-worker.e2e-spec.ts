import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, FrameReader, parseDataRow } from '@airlock/pg-wire';
import { createTestDatabase, type TestDatabase } from '@airlock/testing';
import { RawClient } from '../postgres/raw-client';
import { startMaskingHarness, type MaskedConnection, type MaskingHarness } from './harness';

interface Customer {
  id: number;
  email: string;
  phone: string;
  ssn: string;
  card_number: string;
  notes: string;
  profile: { contact: { email: string; phone: string } };
}

const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

/** psql as a child process; never spawnSync: the worker runs in this process and must keep serving. */
function psql(h: MaskingHarness, conn: MaskedConnection, args: string[]): Promise<{ out: string; err: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', ...args], { env: h.env(conn) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (status) => resolve({ out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8'), status }));
  });
}

describe('results are masked through the worker', () => {
  let db: TestDatabase;
  let h: MaskingHarness;
  let clear: Customer[];
  let direct: Client;
  const clients: Client[] = [];

  const connect = async (conn: MaskedConnection = 'crm') => {
    const c = new Client({ connectionString: h.url(conn) });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  /** The clear personal values of the demo table that appear in `text`. */
  const leaks = (text: string) => [...new Set(clear.flatMap((c) => [c.email, c.ssn, c.card_number, c.phone]))].filter((v) => text.includes(v));

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    const seed = (await import(pathToFileURL(path.resolve(__dirname, '../../deploy/demo/seed.mjs')).href)) as { seedDemo(url: string): Promise<number> };
    await seed.seedDemo(db.url);
    direct = new Client({ connectionString: db.url });
    await direct.connect();
    await direct.query(`CREATE TABLE api_keys (id int PRIMARY KEY, owner text, note text);
      INSERT INTO api_keys VALUES (1, 'ci', 'aws_access_key_id=${AWS_KEY}'), (2, 'bot', 'token ${GITHUB_TOKEN}');
      CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
      INSERT INTO users (email) VALUES ('taken@example.org');`);
    clear = (await direct.query<Customer>('SELECT * FROM customers ORDER BY id')).rows;
    h = await startMaskingHarness({
      db,
      rules: [
        { id: 'r-email', connection: 'crm-rules', name: 'email tokens', enabled: true, match: { column: 'public.customers.email' }, entity: 'EMAIL', style: 'hash' },
        { id: 'r-notes', connection: 'crm-rules', name: 'notes hidden', enabled: true, match: { column: 'public.customers.notes' }, entity: 'FULL', style: 'redact' },
        { id: 'r-balance', connection: 'crm-rules', name: 'balances', enabled: true, match: { columnName: 'balance_cents' }, entity: 'FULL', style: 'hash' },
        { id: 'r-dob', connection: 'crm-rules', name: 'dob', enabled: true, match: { columnName: 'date_of_birth' }, entity: 'DOB', style: 'null' },
      ],
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await direct?.end();
    await h?.close();
    await db?.drop();
  });

  it('SELECT * shows no clear email, phone, SSN, card or key; the target is unchanged', async () => {
    const before = JSON.stringify((await direct.query('SELECT * FROM customers ORDER BY id')).rows);
    const c = await connect();
    const rows = (await c.query<Customer>('SELECT * FROM customers ORDER BY id')).rows;
    expect(rows).toHaveLength(clear.length);
    expect(leaks(JSON.stringify(rows))).toEqual([]);
    expect(rows[0]!.email).toBe('[EMAIL]');
    expect(rows[0]!.ssn).toBe('[SSN]');
    expect(rows[0]!.card_number).toBe('[CARD]');
    const keys = JSON.stringify((await c.query('SELECT * FROM api_keys')).rows);
    expect(keys).not.toContain(AWS_KEY);
    expect(keys).not.toContain(GITHUB_TOKEN);
    expect(JSON.stringify((await direct.query('SELECT * FROM customers ORDER BY id')).rows)).toBe(before);
    // What the recorder gets: counts by entity at CommandComplete.
    const stmt = h.statements.find((s) => s.masking.tag === `SELECT ${clear.length}`);
    expect(stmt?.masking.counts.EMAIL).toBeGreaterThanOrEqual(clear.length);
    expect(stmt?.masking.counts.CARD).toBeGreaterThanOrEqual(clear.length);
  });

  it('psql sees the same masked table', async () => {
    const r = await psql(h, 'crm', ['-At', '-c', 'SELECT * FROM customers']);
    expect(r.status, r.err).toBe(0);
    expect(r.out.split('\n').filter(Boolean)).toHaveLength(clear.length);
    expect(leaks(r.out)).toEqual([]);
    expect(r.out).toContain('[EMAIL]');
  });

  it('jsonb stays valid JSON with its entities masked', async () => {
    const c = await connect();
    const rows = (await c.query<Customer>('SELECT profile FROM customers ORDER BY id LIMIT 20')).rows;
    for (const r of rows) {
      expect(typeof r.profile).toBe('object');
      expect(r.profile.contact.email).toBe('[EMAIL]');
    }
    const text = (await c.query<{ p: string }>('SELECT profile::text AS p FROM customers')).rows;
    for (const r of text) expect(() => JSON.parse(r.p)).not.toThrow();
  });

  it('a hash rule gives equal tokens for equal values, so GROUP BY and counts still work', async () => {
    const c = await connect('crm-rules');
    const one = (await c.query<{ email: string }>('SELECT email FROM customers WHERE id = 1')).rows[0]!.email;
    const again = (await (await connect('crm-rules')).query<{ email: string }>('SELECT email FROM customers WHERE id = 1')).rows[0]!.email;
    expect(one).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(again).toBe(one);
    // GROUP BY runs on the target; the grouped column is still customers.email, so its rule applies.
    const grouped = (await c.query<{ email: string; n: string }>('SELECT c.email, count(o.id) AS n FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.email')).rows;
    expect(grouped).toHaveLength(new Set(clear.map((x) => x.email)).size);
    expect(new Set(grouped.map((g) => g.email)).size).toBe(grouped.length);
    expect(grouped.every((g) => /^tok_[0-9a-f]{16}$/.test(g.email))).toBe(true);
    expect(grouped.reduce((n, g) => n + Number(g.n), 0)).toBe(1000);
    // Equal values, equal tokens: counting tokens client-side gives the target's own counts.
    const tokens = (await c.query<{ email: string }>('SELECT email FROM customers')).rows.map((r) => r.email);
    expect(new Set(tokens).size).toBe(new Set(clear.map((x) => x.email)).size);
    // Rules by schema.table.column (resolved through the catalog) and by column name.
    const row = (await c.query('SELECT notes, date_of_birth, ssn FROM customers WHERE id = 3')).rows[0];
    expect(row).toEqual({ notes: '[MASKED]', date_of_birth: null, ssn: '[SSN]' });
    // The same tokens on the connection's other tables: the key is per connection, not per result.
    expect(leaks(JSON.stringify(grouped))).toEqual([]);
  });

  it('an expression over a protected column loses the column rule but not the detectors', async () => {
    const c = await connect('crm-rules');
    const rows = (await c.query<{ n: string }>('SELECT upper(notes) AS n FROM customers ORDER BY id LIMIT 10')).rows;
    expect(rows.some((r) => r.n !== '[MASKED]')).toBe(true);
    expect(leaks(JSON.stringify(rows).toLowerCase())).toEqual([]);
  });

  it('binary-format results never show clear values (node-postgres binary, named prepared statement)', async () => {
    const c = await connect();
    // A parameter makes node-postgres use the extended protocol (Bind asks for binary results).
    const sql = 'SELECT id, email, ssn, card_number, notes, profile, card_number::int8 AS card_int, balance_cents FROM customers WHERE id > $1 ORDER BY id';
    // node-postgres honours `binary`; its type definitions do not declare it.
    const binary = (config: { text: string; values: unknown[]; name?: string }) => ({ ...config, binary: true }) as { text: string; values: unknown[]; name?: string };
    const bin = await c.query(binary({ text: sql, values: [0] }));
    const prepared = await c.query(binary({ name: 'masked_bin', text: sql, values: [0] }));
    expect(prepared.fields.map((f) => f.format)).toContain('binary');
    for (const res of [bin, prepared]) {
      expect(res.rows).toHaveLength(clear.length);
      const text = JSON.stringify(res.rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'bigint' ? String(v) : v));
      expect(leaks(text)).toEqual([]);
      // A card in a binary int8 cannot carry "[CARD]": it is NULL.
      expect(res.rows.every((r: { card_int: unknown }) => r.card_int === null)).toBe(true);
    }
  });

  it('an int8 holding a card becomes NULL and keeps its type; a rule masking an int8 announces it as text', async () => {
    const c = await connect();
    const res = await c.query('SELECT card_number::int8 AS n, balance_cents, count(*) OVER () AS total FROM customers WHERE id = 1');
    expect(res.rows[0]).toMatchObject({ n: null, total: '1' });
    expect(res.fields.map((f) => f.dataTypeID)).toEqual([20, 20, 20]);
    const r = await (await connect('crm-rules')).query('SELECT id, balance_cents FROM customers WHERE id = 1');
    expect(r.rows[0].balance_cents).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 25]);
  });

  it('COPY TO STDOUT (psql \\copy, text and CSV) is masked; binary COPY is refused', async () => {
    const text = await psql(h, 'crm', ['-c', '\\copy (SELECT id, email, ssn, card_number, notes, profile FROM customers ORDER BY id) to stdout']);
    expect(text.status, text.err).toBe(0);
    expect(text.out.split('\n').filter(Boolean)).toHaveLength(clear.length);
    expect(leaks(text.out)).toEqual([]);
    expect(text.out).toContain('[EMAIL]');
    const csv = await psql(h, 'crm', ['-c', '\\copy customers to stdout with (format csv, header)']);
    expect(csv.status, csv.err).toBe(0);
    expect(leaks(csv.out)).toEqual([]);
    expect(csv.out.split('\n')[0]).toContain('email');
    const bin = await psql(h, 'crm', ['-c', '\\copy customers to stdout with (format binary)']);
    expect(bin.status).not.toBe(0);
    expect(bin.err).toMatch(/airlock: binary COPY/);
    expect(leaks(bin.out)).toEqual([]);
  });

  it('COPY of a table applies column rules; COPY (query) is refused where rules exist', async () => {
    const table = await psql(h, 'crm-rules', ['-c', '\\copy customers (id, email, notes) to stdout']);
    expect(table.status, table.err).toBe(0);
    const first = table.out.split('\n')[0]!.split('\t');
    expect(first[1]).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(first[2]).toBe('[MASKED]');
    const q = await psql(h, 'crm-rules', ['-c', '\\copy (select email from customers) to stdout']);
    expect(q.status).not.toBe(0);
    expect(q.err).toMatch(/airlock: COPY \(query\)/);
  });

  it('errors and notices that echo values are masked', async () => {
    const c = await connect();
    const err = await c.query("INSERT INTO users (email) VALUES ('taken@example.org')").catch((e: Error & { detail?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('23505');
    expect((err as { detail?: string }).detail).toBe('Key (email)=([EMAIL]) already exists.');
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query("DO $$ BEGIN RAISE NOTICE 'reach me at %', 'ada@example.com'; END $$");
    expect(notices).toEqual(['reach me at [EMAIL]']);
  });

  it('masking off gives clear values', async () => {
    const c = await connect('crm-clear');
    const rows = (await c.query<Customer>('SELECT email, ssn, card_number FROM customers ORDER BY id')).rows;
    expect(rows.map((r) => r.email)).toEqual(clear.map((r) => r.email));
    expect(rows[0]!.card_number).toBe(clear[0]!.card_number);
  });

  it('a policy change applies to the next statement of a live session', async () => {
    const c = await connect('crm');
    expect((await c.query('SELECT email FROM customers WHERE id = 1')).rows[0].email).toBe('[EMAIL]');
    await h.publish({ crmMasking: false });
    expect((await c.query('SELECT email FROM customers WHERE id = 1')).rows[0].email).toBe(clear[0]!.email);
    await h.publish({ crmMasking: true });
    expect((await c.query('SELECT email FROM customers WHERE id = 1')).rows[0].email).toBe('[EMAIL]');
  });

  it('a 50k-row result streams through without buffering the result set', async () => {
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external + m.arrayBuffers;
    };
    global.gc?.();
    const base = used();
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
    // ~100 MB of rows, each with an email and a card, read by psql in a child process.
    const sql = "SELECT g, 'user' || g || '@example.com' AS email, '4111111111111111' AS card, repeat('x', 2000) AS pad FROM generate_series(1, 50000) g";
    const child = spawn('psql', ['-X', '-At', '-c', sql], { env: h.env('crm') });
    let lines = 0;
    let sample = '';
    child.stdout.on('data', (b: Buffer) => {
      for (const byte of b) if (byte === 10) lines++;
      if (sample.length < 10_000) sample += b.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(timer);
    expect(code).toBe(0);
    expect(lines).toBe(50_000);
    expect(sample).toContain('[EMAIL]|[CARD]');
    expect(sample).not.toContain('@example.com');
    // The worker runs in this process: a buffered result set would add its ~100 MB. Streaming
    // costs only garbage not yet collected (V8 collects external buffers at about 64 MB).
    expect(peak - base).toBeLessThan(90 * 1024 * 1024);
  });

  it('a reader that keeps stalling gets every row intact, masked or not (read buffers and row slabs are reused only once sent)', async () => {
    const ROWS = 60_000;
    // Rows of different lengths, each with its own number in two places: a byte from a reused
    // buffer written over before it was sent would show as a wrong or torn row.
    const sql = `SELECT g, 'row ' || g || ' mail user' || g || '@example.com' AS note, repeat(chr(97 + g % 26), 100 + g % 300) AS pad FROM generate_series(1, ${ROWS}) g`;
    for (const conn of ['crm', 'crm-clear'] as const) {
      const raw = await RawClient.login(h.port, conn, h.token);
      raw.socket.removeAllListeners('data');
      raw.socket.pause();
      raw.send(buildQuery(sql));
      // Let the worker fill the socket and queue its writes before anything is read.
      await new Promise((r) => setTimeout(r, 300));
      const reader = new FrameReader();
      let rows = 0;
      let bad: string | null = null;
      let tag = '';
      await new Promise<void>((resolve, reject) => {
        let chunks = 0;
        raw.socket.on('close', () => reject(new Error('closed early')));
        raw.socket.on('data', (chunk: Buffer) => {
          reader.push(chunk);
          for (let f = reader.next(); f !== null; f = reader.next()) {
            if (f.code === 0x44) {
              const g = ++rows;
              const [n, note, pad] = parseDataRow(f.bytes).values.map((v) => v?.toString('utf8'));
              const want = conn === 'crm' ? `row ${g} mail [EMAIL]` : `row ${g} mail user${g}@example.com`;
              if (bad === null && (n !== String(g) || note !== want || pad !== String.fromCharCode(97 + (g % 26)).repeat(100 + (g % 300)))) bad = `row ${g}: ${n} ${note} ${pad?.slice(0, 20)}…`;
            } else if (f.code === 0x43) tag = f.bytes.toString('latin1', 5, f.bytes.length - 1);
            else if (f.code === 0x5a) resolve();
          }
          // Stall again every few chunks, so the worker keeps running into a full socket.
          if (++chunks % 8 === 0) {
            raw.socket.pause();
            setTimeout(() => raw.socket.resume(), 2);
          }
        });
        raw.socket.resume();
      });
      raw.close();
      expect(bad, conn).toBeNull();
      expect(rows, conn).toBe(ROWS);
      expect(tag, conn).toBe(`SELECT ${ROWS}`);
    }
  });
});
