import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefix, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { gqlClient } from '../control-plane/support';
import { buildCli, recordingProxy, runCli, type CliResult } from './support';

const SECRET = `pg-${randomBytes(12).toString('hex')}`;
const LITERAL = `literal-${randomBytes(8).toString('hex')}`;

const file = (over: { port?: number; masking?: boolean; password?: string } = {}) => `
# Airlock config as code
connections:
  - name: demo
    kind: POSTGRES
    host: 127.0.0.1
    port: ${over.port ?? 5432}
    database: demo
    credentials:
      - profile: readonly
        username: demo_ro
        password: ${over.password ?? '${env:DEMO_PG_PASSWORD}'}
    policy:
      guardrails: STANDARD
      masking: ${over.masking ?? true}
      reviewTimeoutSeconds: 120
serviceAccounts:
  - name: nightly-bot
grants:
  - subject: sa:nightly-bot
    connection: demo
    profile: readonly
    reason: nightly export
`;

const STATE = `{
  connections { name port masking guardrails reviewTimeoutSeconds credentials { profile username rotatedAt } updatedAt }
  serviceAccounts { name apiKeys { prefix } }
  accessGrants { id subject connection profile reason }
}`;

describe('airlock apply: config as code against a real control plane (built CLI as a child process)', () => {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const outputs: CliResult[] = [];
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let dir: string;
  let gql: ReturnType<typeof gqlClient>;
  const testBodies: string[] = [];

  const airlock = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(['--api', proxy.url, ...args], { AIRLOCK_TOKEN: adminToken, DEMO_PG_PASSWORD: SECRET, AIRLOCK_CONFIG_DIR: dir, ...env });
    outputs.push(r);
    return r;
  };
  const write = async (name: string, text: string) => {
    const p = path.join(dir, name);
    await writeFile(p, text);
    return p;
  };
  const state = async () => (await gql<Record<string, unknown>>(`query ${STATE}`, {}, adminToken)).data;

  beforeAll(async () => {
    buildCli();
    dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-apply-'));
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: adminToken,
        AIRLOCK_HTTP_PORT: '0',
        AIRLOCK_REDIS_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      }),
    );
    proxy = await recordingProxy(cp.url);
    gql = gqlClient(cp.url, testBodies);
    const pool = await gql('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: generatePoolKeyPair().publicKey } }, adminToken);
    expect(pool.errors).toBeUndefined();
  });

  afterAll(async () => {
    await proxy?.close();
    await cp?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--dry-run on an empty control plane prints the creations and changes nothing', async () => {
    const f = await write('airlock.yaml', file());
    const r = await airlock(['apply', '-f', f, '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ connection demo: POSTGRES 127.0.0.1:5432/demo, pool default, credentials readonly (password from env)');
    expect(r.stdout).toContain('+ service account nightly-bot');
    expect(r.stdout).toContain('+ grant sa:nightly-bot → demo (profile readonly)');
    expect(r.stdout).toContain('Plan: 3 to create, 0 to update, 0 to delete.');
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(await state()).toMatchObject({ connections: [], serviceAccounts: [expect.objectContaining({ name: 'bootstrap-admin' })], accessGrants: [] });
  });

  it('apply creates the connection with its policy, the service account (key printed once) and the grant', async () => {
    const r = await airlock(['apply', '-f', path.join(dir, 'airlock.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/API key for service account nightly-bot: alk_\S+/);
    expect(r.stdout).toContain('Applied 3 changes from');
    const s = (await state()) as { connections: Array<Record<string, unknown>>; accessGrants: Array<Record<string, unknown>>; serviceAccounts: Array<{ name: string }> };
    expect(s.connections).toEqual([expect.objectContaining({ name: 'demo', port: 5432, masking: true, guardrails: 'STANDARD', reviewTimeoutSeconds: 120, credentials: [expect.objectContaining({ profile: 'readonly', username: 'demo_ro' })] })]);
    expect(s.serviceAccounts.map((a) => a.name)).toContain('nightly-bot');
    expect(s.accessGrants).toEqual([expect.objectContaining({ subject: 'sa:nightly-bot', connection: 'demo', profile: 'readonly', reason: 'nightly export' })]);
  });

  it('a second apply is a no-op and says so', async () => {
    const before = await state();
    const r = await airlock(['apply', '-f', path.join(dir, 'airlock.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`No changes: the control plane already matches ${path.join(dir, 'airlock.yaml')}.`);
    expect(r.stdout).not.toContain('alk_');
    expect(await state()).toEqual(before);
  });

  it('--dry-run of an edited file shows only the changed fields and changes nothing', async () => {
    const before = await state();
    const f = await write('edited.yaml', file({ port: 6543, masking: false }));
    const r = await airlock(['apply', '-f', f, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ connection demo: port 5432 → 6543');
    expect(r.stdout).toContain('~ connection demo policy: masking true → false');
    expect(r.stdout).toContain('Plan: 0 to create, 2 to update, 0 to delete.');
    expect(await state()).toEqual(before);
    const applied = await airlock(['apply', '-f', f]);
    expect(applied.code).toBe(0);
    expect(((await state()) as { connections: Array<{ port: number; masking: boolean }> }).connections[0]).toMatchObject({ port: 6543, masking: false });
  });

  it('lists connections and grants as tables', async () => {
    const c = await airlock(['connections']);
    expect(c.stdout).toMatch(/^NAME\s+KIND\s+TARGET/);
    expect(c.stdout).toMatch(/demo\s+POSTGRES\s+127\.0\.0\.1:6543\/demo\s+default\s+STANDARD\s+off\s+readonly/);
    const g = await airlock(['grants', '--connection', 'demo']);
    expect(g.stdout).toMatch(/sa:nightly-bot\s+demo\s+readonly\s+STANDING\s+never/);
    const w = await airlock(['workers']);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/No workers/);
  });

  it('refuses a literal secret in the file without echoing it, and changes nothing', async () => {
    const before = await state();
    const f = await write('literal.yaml', file({ password: LITERAL, port: 7000 }));
    const r = await airlock(['apply', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^airlock: .*literal\.yaml:12: connections\[0\]\.credentials\[0\]\.password is a literal secret; secrets never go in the file: put it in an environment variable/);
    expect(r.stderr + r.stdout).not.toContain(LITERAL);
    expect(await state()).toEqual(before);
  });

  it('names a missing environment variable', async () => {
    const r = await airlock(['apply', '-f', path.join(dir, 'airlock.yaml')], { DEMO_PG_PASSWORD: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^airlock: .*airlock\.yaml:12: connections\[0\]\.credentials\[0\]\.password references \$\{env:DEMO_PG_PASSWORD\}, but DEMO_PG_PASSWORD is not set: export it/);
  });

  it('tells the user what to do when not logged in or the token is refused', async () => {
    const none = await runCli(['--api', proxy.url, 'connections'], { AIRLOCK_CONFIG_DIR: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^airlock: not logged in: run `airlock login`/);
    const bad = await runCli(['--api', proxy.url, 'connections'], { AIRLOCK_TOKEN: 'alk_nope_nope', AIRLOCK_CONFIG_DIR: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^airlock: the control plane did not accept your credentials .*run `airlock login`/);
  });

  it('never shows the secret: not in the CLI output, not in any GraphQL response', async () => {
    expect(outputs.length).toBeGreaterThan(5);
    expect(proxy.bodies.length).toBeGreaterThan(5);
    for (const r of outputs) expect(r.stdout + r.stderr).not.toContain(SECRET);
    for (const body of [...proxy.bodies, ...testBodies]) expect(body).not.toContain(SECRET);
  });
});
