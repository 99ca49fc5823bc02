import { randomUUID } from 'node:crypto';
import type { SessionEvent } from '@airlock/contracts';
import type { Bind, FieldDescription } from '@airlock/pg-wire';
import { describe, expect, it } from 'vitest';
import type { GuardrailDecisionRecord } from '../guardrails';
import type { SessionHooks, SessionInfo } from '../postgres/hooks';
import { PgSessionError } from '../postgres/errors';
import { sessionCounter, SPOOL_FULL_SQLSTATE } from '../postgres/session-counter';
import { SPOOL_FULL_MESSAGE } from './recorder';
import { statementRecording } from './statement-recorder';

function info(): SessionInfo {
  return {
    sessionId: randomUUID(),
    workerId: 'w1',
    subject: { kind: 'service_account', id: 'i1', name: 'agent', groups: ['etl'], tokenKind: 'api_key' },
    connection: { name: 'orders' },
    profile: 'readonly',
    clientUser: 'agent',
    applicationName: null,
    clientAddress: '127.0.0.1',
    tls: false,
    startedAt: new Date(),
    expiresAt: undefined,
  } as unknown as SessionInfo;
}

const decision = (sql: string, verdict: GuardrailDecisionRecord['verdict'], over: Partial<GuardrailDecisionRecord> = {}): GuardrailDecisionRecord => ({
  source: 'query', statementName: null, sql, verdict, rule: verdict === 'block' ? 'STANDARD: drop' : 'STANDARD: reads', ruleId: null, reason: '', fingerprint: 'fp', statementKind: 'SELECT',
  statementKinds: ['SELECT'], at: new Date(), ...over,
});

/** A DataRow frame of text cells. */
function dataRow(cells: Array<string | null>): Buffer {
  const parts = cells.map((c) => {
    if (c === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const v = Buffer.from(c);
    const len = Buffer.alloc(4);
    len.writeInt32BE(v.length);
    return Buffer.concat([len, v]);
  });
  const body = Buffer.concat([Buffer.from([0, cells.length]), ...parts]);
  const head = Buffer.alloc(5);
  head[0] = 0x44;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const field = (name: string): FieldDescription => ({ name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }) as FieldDescription;

function session(opts: { sampleBytes?: number } = {}) {
  const events: SessionEvent[] = [];
  const recorder = { record: (e: SessionEvent) => void events.push(e) };
  const rec = statementRecording(recorder, opts);
  const i = info();
  const hooks: SessionHooks = rec.hooks(i);
  const counter = sessionCounter(recorder)(i);
  void counter.onStart?.(i);
  const statements = () => events.filter((e): e is Extract<SessionEvent, { kind: 'statement' }> => e.kind === 'statement');
  const end = () => counter.onEnd?.('client closed', { bytesIn: 1, bytesOut: 2, statements: 3 });
  return { events, rec, i, hooks, statements, end };
}

describe('statement recorder', () => {
  it('records a query with rows, bytes, a sample and duration, on one gap-free sequence with start and end', () => {
    const s = session();
    s.rec.onDecision(s.i, decision('SELECT email FROM t', 'allow'));
    s.hooks.onQuery!('SELECT email FROM t');
    const plan = s.hooks.onRowDescription!([field('email')], { kind: 'query', name: '', sql: 'SELECT email FROM t' })!;
    const rows = [dataRow(['[EMAIL]']), dataRow([null])];
    for (const r of rows) expect(s.hooks.onDataRow!(r, plan)).toBeNull();
    s.hooks.onCommandComplete!('SELECT 2');
    s.end();
    expect(s.events.map((e) => [e.seq, e.kind])).toEqual([[0, 'session.start'], [1, 'statement'], [2, 'session.end']]);
    expect(s.statements()[0]).toMatchObject({
      sql: 'SELECT email FROM t', verdict: 'ALLOW', rule: 'STANDARD: reads', fingerprint: 'fp', statementKind: 'SELECT', rows: 2, bytes: rows[0].length + rows[1].length,
      errorCode: null, masked: {}, sample: { columns: ['email'], rows: [['[EMAIL]'], [null]] },
    });
    expect(s.statements()[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('samples each statement of a repeated result shape on its own, and names the columns of a new shape', () => {
    const s = session();
    const shape = [field('id'), field('name')];
    const run = (fields: FieldDescription[], cells: string[]) => {
      s.hooks.onQuery!('SELECT id, name FROM t');
      const plan = s.hooks.onRowDescription!(fields, { kind: 'query', name: '', sql: null })!;
      s.hooks.onDataRow!(dataRow(cells), plan);
      s.hooks.onCommandComplete!('SELECT 1');
    };
    run(shape, ['1', 'a']);
    run(shape, ['2', 'b']);
    run([field('total')], ['3']);
    run(shape, ['4', 'd']);
    expect(s.statements().map((e) => e.sample)).toEqual([
      { columns: ['id', 'name'], rows: [['1', 'a']] },
      { columns: ['id', 'name'], rows: [['2', 'b']] },
      { columns: ['total'], rows: [['3']] },
      { columns: ['id', 'name'], rows: [['4', 'd']] },
    ]);
  });

  it('records a blocked statement in order, after the statements sent before it', () => {
    const s = session();
    s.rec.onDecision(s.i, decision('SELECT 1', 'allow'));
    s.hooks.onQuery!('SELECT 1');
    // Pipelined: the DROP is refused while SELECT 1 still runs upstream.
    s.rec.onDecision(s.i, decision('DROP TABLE t', 'block', { statementKind: 'DROP', statementKinds: ['DROP'] }));
    expect(s.statements()).toHaveLength(0);
    s.hooks.onCommandComplete!('SELECT 1');
    expect(s.statements().map((e) => [e.sql, e.verdict, e.rule, e.errorCode, e.rows])).toEqual([
      ['SELECT 1', 'ALLOW', 'STANDARD: reads', null, 1],
      ['DROP TABLE t', 'BLOCK', 'STANDARD: drop', '42501', 0],
    ]);
  });

  it('gives each statement of a multi-statement query its own event; an error ends the message', () => {
    const s = session();
    s.rec.onDecision(s.i, decision('UPDATE a SET x = 1 WHERE id = 2; SELECT 1; SELECT 2', 'allow', { statementKinds: ['UPDATE', 'SELECT', 'SELECT'] }));
    s.hooks.onQuery!('UPDATE a SET x = 1 WHERE id = 2; SELECT 1; SELECT 2');
    s.hooks.onCommandComplete!('UPDATE 4');
    s.hooks.onError!({ code: '22012', message: 'division by zero' } as never);
    s.rec.onDecision(s.i, decision('SELECT 3', 'allow'));
    s.hooks.onQuery!('SELECT 3');
    s.hooks.onCommandComplete!('SELECT 1');
    expect(s.statements().map((e) => [e.statementKind, e.rows, e.errorCode])).toEqual([
      ['UPDATE', 4, null],
      ['SELECT', 0, '22012'],
      ['SELECT', 1, null],
    ]);
  });

  it('records extended-protocol statements with masked bind parameters, and a suspended portal as one statement', () => {
    const s = session();
    s.rec.onDecision(s.i, decision('SELECT $1::text', 'allow', { source: 'parse', statementName: 's1' }));
    s.hooks.onParse!('s1', 'SELECT $1::text', []);
    const bind = { type: 'bind', portal: 'p', statement: 's1', paramFormats: [], params: [Buffer.from('mail ada@example.com'), null], resultFormats: [] } as Bind;
    s.hooks.onBind!(bind, { name: 's1', sql: 'SELECT $1::text', paramTypes: [] });
    s.hooks.onExecute!('p', 1);
    s.hooks.onExecute!('p', 1);
    s.hooks.onCommandComplete!('SELECT 2');
    const [e] = s.statements();
    expect(s.statements()).toHaveLength(1);
    expect(e).toMatchObject({ sql: 'SELECT $1::text', verdict: 'ALLOW', rows: 2 });
    expect(e.params![0]).not.toContain('ada@example.com');
    expect(e.params![1]).toBeNull();
  });

  it('records a bind parameter holding NUL bytes storably (jsonb has no U+0000), as U+FFFD', () => {
    const s = session();
    s.hooks.onParse!('s2', 'SELECT $1::bytea', []);
    const bind = { type: 'bind', portal: '', statement: 's2', paramFormats: [0], params: [Buffer.from('a\0b\0')], resultFormats: [] } as Bind;
    s.hooks.onBind!(bind, { name: 's2', sql: 'SELECT $1::bytea', paramTypes: [] });
    s.hooks.onExecute!('', 0);
    s.hooks.onCommandComplete!('SELECT 1');
    const [e] = s.statements();
    expect(e.params).toEqual(['a\uFFFDb\uFFFD']);
    expect(JSON.stringify(e)).not.toContain('\\u0000');
  });

  it('records a held statement with its review, approved or rejected', () => {
    const s = session();
    s.rec.onDecision(s.i, decision('DELETE FROM t WHERE id = 1', 'review', { rule: 'STANDARD: writes', statementKind: 'DELETE', statementKinds: ['DELETE'] }));
    s.rec.onReviewEvent(s.i, { reviewId: 'r_1', status: 'REQUESTED', approver: null, reason: 'writes', at: new Date() });
    s.rec.onReviewEvent(s.i, { reviewId: 'r_1', status: 'APPROVED', approver: 'alice', reason: null, at: new Date() });
    s.hooks.onQuery!('DELETE FROM t WHERE id = 1');
    s.hooks.onCommandComplete!('DELETE 1');
    s.rec.onDecision(s.i, decision('DELETE FROM t WHERE id = 2', 'review', { rule: 'STANDARD: writes', statementKind: 'DELETE', statementKinds: ['DELETE'] }));
    s.rec.onReviewEvent(s.i, { reviewId: 'r_2', status: 'REJECTED', approver: 'bob', reason: 'no', at: new Date() });
    s.end();
    expect(s.events.map((e) => e.kind)).toEqual(['session.start', 'review', 'review', 'statement', 'review', 'statement', 'session.end']);
    expect(s.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.statements().map((e) => [e.verdict, e.reviewId, e.approver, e.rows, e.errorCode])).toEqual([
      ['REVIEW', 'r_1', 'alice', 1, null],
      ['REVIEW', 'r_2', 'bob', 0, '42501'],
    ]);
  });

  it('stops sampling when the budget is spent but keeps counting', () => {
    const s = session({ sampleBytes: 20 });
    s.hooks.onQuery!('SELECT v FROM t');
    const plan = s.hooks.onRowDescription!([field('v')], { kind: 'query', name: '', sql: 'SELECT v FROM t' })!;
    for (let n = 0; n < 100; n++) s.hooks.onDataRow!(dataRow(['0123456789']), plan);
    s.hooks.onCommandComplete!('SELECT 100');
    const [e] = s.statements();
    expect(e.rows).toBe(100);
    expect(e.verdict).toBe('ALLOW');
    expect(e.sample!.rows).toHaveLength(1);
  });

  it('records a statement still running when the session ends', () => {
    const s = session();
    s.hooks.onQuery!('SELECT pg_sleep(10)');
    s.end();
    expect(s.statements()[0]).toMatchObject({ sql: 'SELECT pg_sleep(10)', errorCode: '08006' });
    expect(s.events[s.events.length - 1].kind).toBe('session.end');
  });
});

describe('session counter', () => {
  it('refuses a session with a native error while the recorder cannot accept sessions', () => {
    const make = sessionCounter({ record: () => undefined, canAcceptSessions: () => false });
    let err: unknown;
    try {
      make(info());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PgSessionError);
    expect(err).toMatchObject({ sqlState: SPOOL_FULL_SQLSTATE, message: SPOOL_FULL_MESSAGE });
  });
});
