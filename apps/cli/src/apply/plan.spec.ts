import { describe, expect, it } from 'vitest';
import { AirlockFile } from './config-file';
import { type CurrentState, plan, renderPlan } from './plan';

const SECRET = 'pw-never-printed';

const desired = AirlockFile.parse({
  connections: [
    {
      name: 'demo',
      kind: 'POSTGRES',
      host: '127.0.0.1',
      port: 5432,
      database: 'demo',
      credentials: [{ profile: 'readonly', username: 'ro', password: SECRET }],
      policy: { guardrails: 'STANDARD', masking: true },
    },
  ],
  serviceAccounts: [{ name: 'bot' }],
  grants: [{ subject: 'sa:bot', connection: 'demo', profile: 'readonly', reason: 'nightly' }],
});

const empty: CurrentState = { connections: [], serviceAccounts: [], grants: [] };

const applied = (): CurrentState => ({
  connections: [
    {
      name: 'demo',
      kind: 'POSTGRES',
      host: '127.0.0.1',
      port: 5432,
      database: 'demo',
      pool: 'default',
      tls: { mode: 'prefer', ca: null, serverName: null },
      guardrails: 'STANDARD',
      masking: true,
      reviewTimeoutSeconds: 300,
      credentials: [{ profile: 'readonly', username: 'ro' }],
    },
  ],
  serviceAccounts: [{ name: 'bot', roles: ['MEMBER'] }],
  grants: [{ id: 'g1', subject: 'sa:bot', connection: 'demo', profile: 'readonly', expiresAt: null, reason: 'nightly', source: 'STANDING' }],
});

describe('plan', () => {
  it('creates everything on an empty control plane, with the policy and the secret in the mutation only', () => {
    const p = plan(desired, empty);
    expect(p.changes.map((c) => c.op)).toEqual(['+', '+', '+']);
    expect(p.changes[0]!.steps.map((s) => s.mutation)).toEqual(['createConnection', 'setConnectionPolicy']);
    expect(JSON.stringify(p.changes[0]!.steps[0]!.input)).toContain(SECRET);
    const text = renderPlan(p);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('+ connection demo: POSTGRES 127.0.0.1:5432/demo, pool default, credentials readonly (password from env), policy guardrails=STANDARD masking=true');
    expect(text).toContain('+ service account bot');
    expect(text).toContain('+ grant sa:bot → demo (profile readonly)');
    expect(text).toContain('Plan: 3 to create, 0 to update, 0 to delete.');
  });

  it('is empty once applied (idempotent)', () => {
    expect(plan(desired, applied())).toEqual({ changes: [], warnings: [] });
  });

  it('updates only changed fields, and keeps stored secrets unless asked to rotate them', () => {
    const cur = applied();
    cur.connections[0]!.port = 5433;
    cur.connections[0]!.masking = false;
    const p = plan(desired, cur);
    expect(renderPlan(p)).toContain('~ connection demo: port 5433 → 5432');
    expect(renderPlan(p)).toContain('~ connection demo policy: masking false → true');
    const update = p.changes[0]!.steps[0]!;
    expect(update.mutation).toBe('updateConnection');
    expect(update.input['credentials']).toEqual([{ profile: 'readonly', username: 'ro' }]);
    expect(p.changes[1]!.steps[0]!.input).toEqual({ connection: 'demo', masking: true });

    const rotated = plan(desired, applied(), { rotateSecrets: true });
    expect(renderPlan(rotated)).toContain('credentials.readonly password re-sent (--rotate-secrets)');
    expect(JSON.stringify(rotated.changes[0]!.steps[0]!.input)).toContain(SECRET);
  });

  it('replaces a grant whose reason, expiry or profile differs', () => {
    const cur = applied();
    cur.grants[0]!.reason = 'old';
    const p = plan(desired, cur);
    expect(renderPlan(p)).toContain('~ grant sa:bot → demo: reason "old" → "nightly"');
    expect(p.changes[0]!.steps.map((s) => s.mutation)).toEqual(['revokeAccess', 'grantAccess']);
    const other = applied();
    other.grants[0]!.profile = 'readwrite';
    expect(renderPlan(plan(desired, other))).toContain('~ grant sa:bot → demo: profile "readwrite" → "readonly"');
  });

  it('deletes nothing unless --prune, and never touches just-in-time grants', () => {
    const cur = applied();
    cur.connections.push({ ...cur.connections[0]!, name: 'legacy' });
    cur.grants.push({ id: 'g2', subject: 'sa:old', connection: 'demo', profile: 'readonly', expiresAt: null, reason: null, source: 'STANDING' });
    cur.grants.push({ id: 'g3', subject: 'user:a@x', connection: 'demo', profile: 'readonly', expiresAt: null, reason: null, source: 'JUST_IN_TIME' });
    cur.grants.push({ id: 'g4', subject: 'sa:bot', connection: 'legacy', profile: 'readonly', expiresAt: null, reason: null, source: 'STANDING' });
    expect(plan(desired, cur).changes).toEqual([]);
    const pruned = plan(desired, cur, { prune: true });
    expect(pruned.changes.map((c) => `${c.op} ${c.line}`)).toEqual(['- grant sa:old → demo (profile readonly)', '- connection legacy (and its grants)']);
  });

  it('warns instead of silently ignoring roles it cannot change', () => {
    const cur = applied();
    cur.serviceAccounts[0]!.roles = ['ADMIN'];
    const withRoles = AirlockFile.parse({ ...desired, serviceAccounts: [{ name: 'bot', roles: ['MEMBER'] }] });
    const p = plan(withRoles, cur);
    expect(p.changes).toEqual([]);
    expect(p.warnings[0]).toMatch(/service account bot has roles ADMIN, the file says MEMBER/);
  });
});
