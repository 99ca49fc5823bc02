import { buildBind, buildExecute, buildParse, buildQuery, buildSync, DataRowCells, parseDataRow, parseErrorResponse, rewriteDataRow } from '@airlock/pg-wire';
import { withAdmin } from '@airlock/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowPlan, SessionHooksFactory, StatementVerdict } from '../../apps/worker/src/postgres/hooks';
import { startPgHarness, type PgHarness } from './harness';
import { RawClient } from './raw-client';

// Test hooks (a stand-in for guardrails, reviews and masking, which other modules will provide):
// block any statement mentioning forbidden_table, hold statements mentioning /*hold:allow*/ or
// /*hold:reject*/, and mask every column named email.
interface MaskPlan extends RowPlan {
  columns: number[];
}
const cells = new DataRowCells();
const testHooks: SessionHooksFactory = () => {
  const verdict = (sql: string): StatementVerdict | Promise<StatementVerdict> => {
    if (sql.includes('forbidden_table')) return { action: 'block', message: 'statement touches forbidden_table (rule test-block)' };
    if (sql.includes('/*hold:allow*/')) return { action: 'hold', notice: 'airlock: waiting for approval', decision: new Promise((r) => setTimeout(() => r({ action: 'allow' }), 400)) };
    if (sql.includes('/*hold:reject*/')) return new Promise((r) => setTimeout(() => r({ action: 'block', message: 'airlock: rejected by reviewer' }), 200));
    return { action: 'allow' };
  };
  return {
    onQuery: verdict,
    onParse: (_name, sql) => verdict(sql),
    onRowDescription(fields) {
      const columns = fields.map((f, i) => (f.name === 'email' ? i : -1)).filter((i) => i >= 0);
      return columns.length ? ({ fields, columns } as MaskPlan) : null;
    },
    onDataRow(frame, plan) {
      const { columns } = plan as MaskPlan;
      cells.scan(frame);
      const repl: (string | undefined)[] = [];
      for (const i of columns) if (cells.lengths[i] >= 0) repl[i] = '***';
      return rewriteDataRow(frame, repl, cells);
    },
  };
};

describe('hook pipeline: block, hold, row rewrite', () => {
  let h: PgHarness;
  let c: Client;
  beforeAll(async () => {
    h = await startPgHarness({ hooks: [testHooks] });
    c = new Client({ connectionString: h.url() });
    await c.connect();
    await withAdmin((a) => a.query('CREATE TABLE forbidden_table (x int)'), h.db.url);
    await c.query("CREATE TABLE users (id int, email text); INSERT INTO users VALUES (1, 'a@example.com'), (2, NULL)");
  });
  afterAll(async () => {
    await c?.end();
    await h?.close();
  });

  it('blocks a simple query with 42501 and keeps the session', async () => {
    await expect(c.query('SELECT * FROM forbidden_table')).rejects.toMatchObject({ code: '42501', message: 'airlock: statement touches forbidden_table (rule test-block)' });
    expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('a block inside a transaction aborts it, as a native error would', async () => {
    await c.query('BEGIN');
    await expect(c.query('SELECT * FROM forbidden_table')).rejects.toMatchObject({ code: '42501' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
  });

  it('blocks an extended-protocol statement and skips to Sync', async () => {
    await expect(c.query('SELECT x FROM forbidden_table WHERE x = $1', [1])).rejects.toMatchObject({ code: '42501' });
    expect((await c.query('SELECT $1::int AS v', [5])).rows[0].v).toBe(5);
  });

  it('answers a pipelined batch in order: rows, then the block, then ReadyForQuery', async () => {
    const raw = await RawClient.login(h.port, 'demo-pg', h.token);
    raw.send(
      buildParse({ name: '', sql: 'SELECT 1', paramTypes: [] }), buildBind({}), buildExecute(),
      buildParse({ name: '', sql: 'SELECT * FROM forbidden_table', paramTypes: [] }), buildBind({}), buildExecute(),
      buildSync(),
      buildQuery('SELECT 2'),
    );
    const first = await raw.until('Z');
    expect(RawClient.codes(first)).toBe('12DCEZ');
    expect(parseErrorResponse(first[4].bytes)).toMatchObject({ code: '42501', message: 'airlock: statement touches forbidden_table (rule test-block)' });
    expect(first[5].bytes[5]).toBe(0x49); // 'I': the implicit transaction was rolled back
    expect(RawClient.codes(await raw.until('Z'))).toBe('TDCZ');
    raw.close();
  });

  it('holds a statement without forwarding, then runs it on approval', async () => {
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const t0 = Date.now();
    expect((await c.query('SELECT /*hold:allow*/ 7 AS v')).rows[0].v).toBe(7);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(notices).toContain('airlock: waiting for approval');
    await expect(c.query('SELECT /*hold:reject*/ 1')).rejects.toMatchObject({ code: '42501', message: 'airlock: rejected by reviewer' });
    expect((await c.query('SELECT 3 AS v')).rows[0].v).toBe(3);
  });

  it('rewrites rows in simple and extended mode', async () => {
    expect((await c.query('SELECT id, email FROM users ORDER BY id')).rows).toEqual([{ id: 1, email: '***' }, { id: 2, email: null }]);
    expect((await c.query({ name: 'u', text: 'SELECT email, id FROM users WHERE id = $1', values: [1] })).rows).toEqual([{ email: '***', id: 1 }]);
    expect((await c.query({ name: 'u', text: 'SELECT email, id FROM users WHERE id = $1', values: [1] })).rows).toEqual([{ email: '***', id: 1 }]);
  });

  it('attributes rows of a statement executed without Describe (not "the last RowDescription")', async () => {
    const raw = await RawClient.login(h.port, 'demo-pg', h.token);
    raw.send(buildParse({ name: 's1', sql: 'SELECT email, id FROM users ORDER BY id', paramTypes: [] }), buildParse({ name: 's2', sql: 'SELECT 42 AS answer', paramTypes: [] }), buildSync());
    expect(RawClient.codes(await raw.until('Z'))).toBe('11Z');
    // Another result shape in between must not be mistaken for s1's.
    raw.send(buildQuery('SELECT 1 AS one'));
    expect(RawClient.codes(await raw.until('Z'))).toBe('TDCZ');
    raw.send(buildBind({ statement: 's1' }), buildExecute(), buildSync());
    const frames = await raw.until('Z');
    expect(RawClient.codes(frames)).toBe('2DDCZ');
    expect(parseDataRow(frames[1].bytes).values.map((v) => v?.toString() ?? null)).toEqual(['***', '1']);
    expect(parseDataRow(frames[2].bytes).values.map((v) => v?.toString() ?? null)).toEqual([null, '2']);
    raw.close();
  });
});
