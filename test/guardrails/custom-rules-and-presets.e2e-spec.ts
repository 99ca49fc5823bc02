import type { SnapshotRule } from '@airlock/contracts';
import type { Client, DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuardrailHarness, type GuardrailHarness } from './harness';

async function refused(p: Promise<unknown>): Promise<DatabaseError> {
  const err = (await p.then(() => null, (e: DatabaseError) => e)) as DatabaseError | null;
  if (err === null) throw new Error('expected the statement to be refused');
  return err;
}

const rule = (over: Partial<SnapshotRule> & { id: string; name: string; action: string; match: Record<string, unknown> }): SnapshotRule => ({
  connection: 'demo-pg', priority: 10, enabled: true, message: `${over.name} says no`, ...over,
});

describe('guardrail presets and custom rules through the worker (snapshot changes reach open sessions)', () => {
  let h: GuardrailHarness;
  let c: Client;

  beforeAll(async () => {
    h = await startGuardrailHarness('PERMISSIVE');
    await h.direct((d) => d.query('CREATE TABLE t (id int PRIMARY KEY, x int); INSERT INTO t VALUES (1, 10); CREATE TABLE secrets (k text); INSERT INTO secrets VALUES (\'s3cr3t\'); CREATE TABLE scratch (a int)'));
    c = await h.client();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('PERMISSIVE only blocks unparseable input', async () => {
    await c.query('DROP TABLE scratch');
    expect(await h.direct(async (d) => (await d.query("SELECT to_regclass('public.scratch') AS r")).rows[0].r)).toBeNull();
    const err = await refused(c.query('SELEC 1 FROM t'));
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(/^airlock: statement could not be parsed; blocked \(rule "Unparseable SQL"\)$/);
    expect((await c.query('SELECT x FROM t')).rows).toEqual([{ x: 10 }]);
  });

  it('PERMISSIVE still runs global rules', async () => {
    await h.setPolicy('PERMISSIVE', [rule({ id: 'g1', connection: null, name: 'org: no truncate', action: 'block', match: { kinds: ['TRUNCATE'] } })]);
    expect((await refused(c.query('TRUNCATE t'))).message).toBe('airlock: org: no truncate says no (rule "org: no truncate")');
    expect(await h.direct(async (d) => (await d.query('SELECT count(*)::int AS n FROM t')).rows[0].n)).toBe(1);
  });

  it('CUSTOM: a connection rule blocking SELECT on public.secrets blocks it, in the open session, both protocols', async () => {
    await h.setPolicy('CUSTOM', [
      rule({ id: 'r1', name: 'no secrets', action: 'block', match: { kinds: ['SELECT'], objects: ['public.secrets'] } }),
      rule({ id: 'r2', connection: 'secret-pg', name: 'other connection', action: 'block', match: { kinds: ['SELECT'], objects: ['public.t'] } }),
    ]);
    for (const sql of ['SELECT * FROM secrets', 'SELECT k FROM public.secrets', 'SELECT t.x FROM t JOIN secrets ON true']) {
      const err = await refused(c.query(sql));
      expect(err.code).toBe('42501');
      expect(err.message).toBe('airlock: no secrets says no (rule "no secrets")');
    }
    expect((await refused(c.query({ text: 'SELECT k FROM secrets WHERE k = $1', values: ['x'] }))).message).toContain('(rule "no secrets")');
    expect((await c.query('SELECT x FROM t')).rows).toEqual([{ x: 10 }]);
    // CUSTOM still ends with STANDARD.
    expect((await refused(c.query('DROP TABLE t'))).message).toContain('(rule "STANDARD: drop")');
  });

  it('CUSTOM: an allow rule lets a write through; a message mixing it with a blocked statement runs neither', async () => {
    await h.setPolicy('CUSTOM', [rule({ id: 'r3', name: 'inserts into t', action: 'allow', match: { kinds: ['INSERT'], objects: ['public.t'] } })]);
    await c.query('INSERT INTO t VALUES (5, 50)');
    expect((await refused(c.query('INSERT INTO t VALUES (99, 99); DROP TABLE t'))).message).toContain('(rule "STANDARD: drop")');
    const ids = await h.direct(async (d) => (await d.query('SELECT array_agg(id ORDER BY id) AS ids FROM t')).rows[0].ids);
    expect(ids).toEqual([1, 5]);
  });

  it('rules can target identities: a rule for someone else does not apply to the agent', async () => {
    await h.setPolicy('CUSTOM', [rule({ id: 'r4', name: 'not for bob', action: 'block', match: { kinds: ['SELECT'], identities: ['bob'] } })]);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await h.setPolicy('CUSTOM', [rule({ id: 'r5', name: 'agents read nothing', action: 'block', match: { kinds: ['SELECT'], identities: ['agent*'] } })]);
    expect((await refused(c.query('SELECT 1 AS one'))).message).toContain('(rule "agents read nothing")');
  });
});
