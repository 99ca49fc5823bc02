import type { Client, DatabaseError } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { functionCall, startGuardrailHarness, type GuardrailHarness } from './harness';

// STANDARD guardrails through the worker, with psql and node-postgres, against a fresh database:
// what is blocked never reaches the target, and the session goes on afterwards.

const BLOCKED: Array<[string, string]> = [
  ['DROP TABLE t', 'STANDARD: drop'],
  ['TRUNCATE t', 'STANDARD: truncate'],
  ['DELETE FROM t', 'STANDARD: missing-where'],
  ['UPDATE t SET x = 1 WHERE 1 = 1', 'STANDARD: constant-where'],
  ["DO $$ BEGIN DELETE FROM t; END $$", 'STANDARD: dynamic-sql'],
  ["SELECT pg_read_file('/etc/passwd')", 'STANDARD: server-file'],
  ["COPY t TO PROGRAM 'cat > /tmp/airlock-guardrail-e2e'", 'STANDARD: copy-program'],
  ['SELECT 1; DROP TABLE t', 'STANDARD: drop'],
];

const REVIEW_MESSAGE = /^airlock: statement needs approval \(rule "STANDARD: writes"\); human review is not enabled on this worker$/;

async function refused(p: Promise<unknown>): Promise<DatabaseError> {
  const err = (await p.then(() => null, (e: DatabaseError) => e)) as DatabaseError | null;
  if (err === null) throw new Error('expected the statement to be refused');
  return err;
}

describe('agent destructive SQL is blocked by STANDARD guardrails (worker, psql, node-postgres, real Postgres)', () => {
  let h: GuardrailHarness;
  let c: Client;

  const targetState = () =>
    h.direct(async (d) => ({
      tables: (await d.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 't'")).rows[0].n as number,
      rows: (await d.query('SELECT count(*)::int AS n FROM t')).rows[0].n as number,
      xs: (await d.query('SELECT array_agg(x ORDER BY id) AS xs FROM t')).rows[0].xs as number[],
    }));

  beforeAll(async () => {
    h = await startGuardrailHarness('STANDARD');
    await h.direct((d) => d.query('CREATE TABLE t (id int PRIMARY KEY, x int); INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)'));
    c = await h.client();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    expect(await targetState()).toEqual({ tables: 1, rows: 3, xs: [10, 20, 30] });
  });

  it.each(BLOCKED)('psql: %s → 42501 naming %s, target untouched', async (sql, rule) => {
    const r = await h.psql(sql);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`ERROR:  airlock: `);
    expect(r.stderr).toContain(`(rule "${rule}")`);
    expect(await targetState()).toEqual({ tables: 1, rows: 3, xs: [10, 20, 30] });
  });

  it('psql: reports SQLSTATE 42501', async () => {
    const r = await h.psql('DROP TABLE t', ['-v', 'VERBOSITY=verbose']);
    expect(r.stderr).toMatch(/ERROR:\s+42501: airlock: DROP is blocked \(rule "STANDARD: drop"\)/);
  });

  it.each(BLOCKED)('node-postgres simple protocol: %s → 42501 naming %s; the session goes on', async (sql, rule) => {
    const err = await refused(c.query(sql));
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(/^airlock: /);
    expect(err.message).toContain(`(rule "${rule}")`);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('a multi-statement message with one blocked statement runs none of them', async () => {
    const err = await refused(c.query("SET application_name = 'airlock_multi'; SELECT 1; DROP TABLE t"));
    expect(err.code).toBe('42501');
    expect((await c.query('SHOW application_name')).rows[0].application_name).not.toBe('airlock_multi');
  });

  it.each(BLOCKED.filter(([sql]) => !sql.includes(';')))('node-postgres extended protocol: %s → 42501 naming %s', async (sql, rule) => {
    const err = await refused(c.query({ text: sql, values: [], queryMode: 'extended' } as never));
    expect(err.code).toBe('42501');
    expect(err.message).toContain(`(rule "${rule}")`);
    expect((await c.query({ text: 'SELECT $1::int AS v', values: [7] })).rows).toEqual([{ v: 7 }]);
  });

  it('allowed reads return normally, in both protocols', async () => {
    expect((await c.query('SELECT id, x FROM t ORDER BY id')).rows).toEqual([{ id: 1, x: 10 }, { id: 2, x: 20 }, { id: 3, x: 30 }]);
    expect((await c.query({ text: 'SELECT x FROM t WHERE id = $1', values: [2] })).rows).toEqual([{ x: 20 }]);
    expect((await h.psql('SELECT count(*) FROM t')).stdout.trim()).toBe('3');
  });

  it('a blocked statement inside BEGIN aborts the transaction like Postgres would', async () => {
    await c.query('BEGIN');
    await c.query('SELECT 1');
    expect((await refused(c.query('DROP TABLE t'))).code).toBe('42501');
    const aborted = await refused(c.query('SELECT 1'));
    expect(aborted.code).toBe('25P02');
    await c.query('ROLLBACK');
    expect((await c.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(3);
    // Extended protocol inside a transaction too.
    await c.query('BEGIN');
    expect((await refused(c.query({ text: 'TRUNCATE t', values: [], queryMode: 'extended' } as never))).code).toBe('42501');
    expect((await refused(c.query({ text: 'SELECT $1::int', values: [1] }))).code).toBe('25P02');
    await c.query('ROLLBACK');
  });

  it('refuses a review verdict with the interim message (no human review yet)', async () => {
    const err = await refused(c.query('INSERT INTO t VALUES (4, 40)'));
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(REVIEW_MESSAGE);
    const r = await h.psql("UPDATE t SET x = 0 WHERE id = 1");
    expect(r.stderr).toMatch(/ERROR:  airlock: statement needs approval \(rule "STANDARD: writes"\)/);
  });

  it('named prepared statements (node-postgres { name, text }) follow their verdict on every execution', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await c.query({ name: 'count_t', text: 'SELECT count(*)::int AS n FROM t' })).rows).toEqual([{ n: 3 }]);
      const err = await refused(c.query({ name: 'wipe_t', text: 'DELETE FROM t' }));
      expect(err.code).toBe('42501');
      expect(err.message).toContain('(rule "STANDARD: missing-where")');
    }
    expect((await refused(c.query({ name: 'ins_t', text: 'INSERT INTO t VALUES ($1, $2)', values: [9, 90] }))).message).toMatch(REVIEW_MESSAGE);
  });

  it('SQL PREPARE / EXECUTE in the simple protocol carry the verdict of what was prepared', async () => {
    await c.query('PREPARE read_t AS SELECT count(*)::int AS n FROM t');
    expect((await c.query('EXECUTE read_t')).rows).toEqual([{ n: 3 }]);
    expect((await refused(c.query('PREPARE wipe AS DELETE FROM t'))).code).toBe('42501');
    const unknown = await refused(c.query('EXECUTE wipe'));
    expect(unknown.code).toBe('42501');
    expect(unknown.message).toContain('(rule "STANDARD: unknown-prepared")');
    await c.query('DEALLOCATE read_t');
    expect((await refused(c.query('EXECUTE read_t'))).code).toBe('42501');
  });

  it('blocks the FunctionCall protocol message and the session goes on', async () => {
    const oid = (await c.query("SELECT 'pg_read_file(text)'::regprocedure::oid::int AS oid")).rows[0].oid as number;
    const r = await functionCall(h.port, h.token, oid);
    expect(r).toMatchObject({ code: '42501', readyAfter: true });
    expect(r.message).toMatch(/^airlock: the FunctionCall protocol message is blocked/);
  });
});
