import { generatePoolKeyPair, type SnapshotConnection, type SnapshotRule } from '@airlock/contracts';
import type { Subject } from '@airlock/identity';
import { initSqlGuard } from '@airlock/sql-guard';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyIndex } from '../policy/policy-index';
import { snapshotFixture } from '../policy/snapshot-fixture';
import type { BlockVerdict, SessionHooks, SessionInfo, StatementVerdict } from '../postgres/hooks';
import { GuardCache } from './guard-cache';
import { guardrailHooks, guardrailSession, noteApproved, type GuardrailDecisionRecord } from './guardrail-hooks';

const pool = generatePoolKeyPair();
let version = 1;

function index(connection: Partial<SnapshotConnection>, rules: SnapshotRule[] = []): PolicyIndex {
  const snap = snapshotFixture({ pool: 'p', version: version++, poolPublicKey: pool.publicKey, connection });
  return new PolicyIndex({ ...snap, guardrailRules: rules }, pool.privateKey);
}

function session(policy: { current: PolicyIndex }, subject: Partial<Subject> = {}) {
  const decisions: GuardrailDecisionRecord[] = [];
  const info = {
    sessionId: 's1', workerId: 'w1', profile: 'readonly', clientUser: 'agent', applicationName: null, clientAddress: null, tls: false,
    startedAt: new Date(), expiresAt: undefined,
    subject: { kind: 'service_account', id: 'i1', name: 'agent', groups: [], tokenKind: 'api_key', ...subject } as Subject,
    connection: policy.current.connections.get('demo-pg')!,
  } satisfies SessionInfo;
  const hooks: SessionHooks = guardrailHooks({ policy: () => policy.current, guards: new GuardCache(), onDecision: (_i, r) => decisions.push(r) })(info);
  return { info, hooks, decisions, q: (sql: string) => hooks.onQuery!(sql) as StatementVerdict, p: (name: string, sql: string) => hooks.onParse!(name, sql, []) as StatementVerdict };
}

const guardDecision = (s: { info: SessionInfo }, sql: string) => new GuardCache().evaluate(s.info.connection, undefined, sql, { identity: 'agent', groups: [] });
const blockMessage = (v: StatementVerdict) => (v as BlockVerdict).message;

describe('guardrail hooks', () => {
  beforeAll(async () => {
    await initSqlGuard();
  });

  it('blocks STANDARD block rules with 42501 and an airlock: message naming the rule', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }) });
    const v = s.q('DROP TABLE t');
    expect(v).toMatchObject({ action: 'block', code: '42501' });
    expect(blockMessage(v)).toBe('airlock: DROP is blocked (rule "STANDARD: drop")');
    expect(s.q('SELECT 1')).toEqual({ action: 'allow' });
    expect(blockMessage(s.q('SELECT 1; DROP TABLE t'))).toMatch(/^airlock: DROP is blocked/);
  });

  it('refuses review verdicts with the interim message', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }) });
    const v = s.q("INSERT INTO t VALUES (1)");
    expect(blockMessage(v)).toBe('airlock: statement needs approval (rule "STANDARD: writes"); human review is not enabled on this worker');
  });

  it('records the last decision for the recorder', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }) });
    s.q('TRUNCATE t');
    expect(guardrailSession(s.info)?.lastDecision).toMatchObject({ source: 'query', verdict: 'block', rule: 'STANDARD: truncate', statementKind: 'TRUNCATE', statementKinds: ['TRUNCATE'] });
    expect(s.decisions[0]?.fingerprint).toEqual(expect.any(String));
    s.p('s1', 'SELECT 1');
    expect(s.decisions[1]).toMatchObject({ source: 'parse', statementName: 's1', verdict: 'allow', statementKind: 'SELECT' });
  });

  it('follows PREPARE to EXECUTE within the session, and forgets on DEALLOCATE', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }) });
    expect(s.q('EXECUTE p1')).toMatchObject({ action: 'block' });
    expect(s.q('PREPARE p1 AS SELECT 1')).toEqual({ action: 'allow' });
    expect(s.q('EXECUTE p1')).toEqual({ action: 'allow' });
    // A blocked PREPARE never ran: its name stays unknown.
    expect(s.q('PREPARE p2 AS DELETE FROM t')).toMatchObject({ action: 'block' });
    expect(s.q('EXECUTE p2')).toMatchObject({ action: 'block' });
    // The same EXECUTE text twice in a row is decided afresh each time (the per-session memo skips it).
    expect(s.q('EXECUTE p1')).toEqual({ action: 'allow' });
    expect(s.q('DEALLOCATE p1')).toEqual({ action: 'allow' });
    expect(s.q('EXECUTE p1')).toMatchObject({ action: 'block' });
    expect(s.p('', 'PREPARE p3 AS SELECT 2')).toEqual({ action: 'allow' });
    expect(s.p('', 'EXECUTE p3')).toEqual({ action: 'allow' });
  });

  it('an approved review records the PREPARE it ran (noteApproved, for the review path)', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }) });
    expect(s.q('PREPARE ins AS INSERT INTO t VALUES (1)')).toMatchObject({ action: 'block' });
    expect(s.q('EXECUTE ins')).toMatchObject({ action: 'block' });
    const held = s.decisions[0]!;
    expect(held.verdict).toBe('review');
    noteApproved(s.info, guardDecision(s, 'PREPARE ins AS INSERT INTO t VALUES (1)'));
    expect(guardrailSession(s.info)?.preparedVerdicts.get('ins')).toBe('allow');
    expect(s.q('EXECUTE ins')).toEqual({ action: 'allow' });
  });

  it('blocks FunctionCall messages', () => {
    const s = session({ current: index({ guardrails: 'PERMISSIVE' }) });
    expect(blockMessage(s.hooks.onFunctionCall!(1234) as StatementVerdict)).toMatch(/^airlock: the FunctionCall protocol message is blocked/);
  });

  it('PERMISSIVE blocks only unparseable input; global rules still apply', () => {
    const s = session({ current: index({ guardrails: 'PERMISSIVE' }) });
    expect(s.q('DROP TABLE t')).toEqual({ action: 'allow' });
    expect(blockMessage(s.q('SELEC 1'))).toMatch(/^airlock: statement could not be parsed; blocked \(rule "Unparseable SQL"\)/);
    const g = session({ current: index({ guardrails: 'PERMISSIVE' }, [{ id: 'r1', connection: null, name: 'no-drop', priority: 1, enabled: true, action: 'block', message: 'no drops here', match: { kinds: ['DROP'] } }]) });
    expect(blockMessage(g.q('DROP TABLE t'))).toBe('airlock: no drops here (rule "no-drop")');
  });

  it('applies a new snapshot to open sessions, and CUSTOM connection rules by identity', () => {
    const policy = { current: index({ guardrails: 'STANDARD' }) };
    const s = session(policy);
    expect(s.q('SELECT * FROM public.secrets')).toEqual({ action: 'allow' });
    const rule = { id: 'r2', connection: 'demo-pg', name: 'no-secrets', priority: 1, enabled: true, action: 'block', message: 'secrets are off limits', match: { kinds: ['SELECT'], objects: ['public.secrets'], identities: ['agent'] } };
    policy.current = index({ guardrails: 'CUSTOM' }, [rule, { ...rule, id: 'r3', connection: 'other-pg', name: 'other' }]);
    expect(blockMessage(s.q('SELECT * FROM secrets'))).toBe('airlock: secrets are off limits (rule "no-secrets")');
    expect(s.q('SELECT * FROM public.orders')).toEqual({ action: 'allow' });
    const other = session(policy, { name: 'someone-else' });
    expect(other.q('SELECT * FROM secrets')).toEqual({ action: 'allow' });
  });

  it('fails closed on a rule the worker cannot read', () => {
    const s = session({ current: index({ guardrails: 'STANDARD' }, [{ id: 'bad', connection: null, name: 'bad', enabled: true, priority: 1, action: 'BLOCK', message: 'x', match: {} }]) });
    expect(blockMessage(s.q('SELECT 1'))).toMatch(/^airlock: this connection's guardrail rules could not be read/);
  });
});
