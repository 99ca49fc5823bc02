import { randomBytes } from 'node:crypto';
import { generatePoolKeyPair, keySpace, open, PolicyNotice, PolicySnapshot, type PoolKeyPair } from '@airlock/contracts';
import { generateApiKey, hashApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { chainHash } from '../../apps/control-plane/src/audit/audit-chain';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { gqlClient, startLocalIssuer } from './support';

// Plaintext secrets that must never come back out of the API or land in Redis.
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(24).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const secrets = [PASSWORD, PRIVATE_KEY, TOKEN, JSON.stringify(PRIVATE_KEY).slice(1, -1)];

const CONNECTION = `
  id name kind host port database pool guardrails masking reviewTimeoutSeconds
  tls { mode serverName } credentials { profile username rotatedAt }`;

describe('policy API: register, connect, grant, publish (real Postgres and Redis)', () => {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  const bodies: string[] = [];
  const notices: PolicyNotice[] = [];
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let idp: Awaited<ReturnType<typeof startLocalIssuer>>;
  let redis: Redis;
  let sub: Redis;
  let poolKeys: PoolKeyPair;
  let gql: ReturnType<typeof gqlClient>;
  let botKey: string;
  let grantId: string;

  const snapshot = async () => {
    const raw = await redis.get(keys.policySnapshot('default'));
    return raw ? { raw, snap: PolicySnapshot.parse(JSON.parse(raw)) } : undefined;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    idp = await startLocalIssuer();
    redis = new Redis('redis://127.0.0.1:6379');
    sub = new Redis('redis://127.0.0.1:6379');
    await sub.subscribe(keys.policyChannel());
    sub.on('message', (_channel, message: string) => notices.push(PolicyNotice.parse(JSON.parse(message))));
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: adminToken,
        AIRLOCK_HTTP_PORT: '0',
        AIRLOCK_REDIS_PREFIX: prefix,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: 'airlock',
        LOG_LEVEL: 'warn',
      }),
    );
    gql = gqlClient(cp.url, bodies);
    poolKeys = generatePoolKeyPair();
  });

  afterAll(async () => {
    await cp?.close();
    sub?.disconnect();
    if (redis) {
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
    }
    await idp?.close();
    await db?.drop();
  });

  it('answers an unauthenticated request with UNAUTHENTICATED and data: null', async () => {
    for (const token of [undefined, 'alk_not-a-real-key-but-long-enough-to-parse-as-compact-0000', 'garbage']) {
      const res = await gql('{ connections { name } me { name } }', {}, token);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0]?.message).toMatch(/^airlock: /);
    }
    const mutation = await gql('mutation { registerWorkerPool(input: { name: "x", publicKey: "y" }) { id } }');
    expect(mutation).toMatchObject({ data: null, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('refuses a graphql-ws connection without a credential', async () => {
    const client = createClient({ url: `${cp.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const outcome = await new Promise<string>((resolve) => {
      client.subscribe({ query: 'subscription { serverTicks { version } }' }, { next: () => resolve('data'), error: () => resolve('refused'), complete: () => resolve('complete') });
    });
    await client.dispose();
    expect(outcome).toBe('refused');
  });

  it('refuses a connection on a pool that does not exist, naming registerWorkerPool', async () => {
    const res = await gql(`mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }`, {
      i: { name: 'orders', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, credentials: [{ profile: 'readonly', username: 'ro', password: PASSWORD }] },
    }, adminToken);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/registerWorkerPool/);
  });

  it('validates and registers a worker pool', async () => {
    const bad = await gql('mutation { registerWorkerPool(input: { name: "default", publicKey: "c2hvcnQ=" }) { id } }', {}, adminToken);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const res = await gql<{ registerWorkerPool: { name: string; policyVersion: number } }>(
      'mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name publicKey policyVersion } }',
      { i: { name: 'default', publicKey: poolKeys.publicKey } },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.registerWorkerPool.name).toBe('default');
    expect(res.data?.registerWorkerPool.policyVersion).toBeGreaterThan(0);
  });

  it('creates a connection whose secrets are write-only', async () => {
    const res = await gql<{ createConnection: { credentials: Array<{ profile: string; username: string | null }> } }>(
      `mutation($i: CreateConnectionInput!) { createConnection(input: $i) { ${CONNECTION} } }`,
      {
        i: {
          name: 'orders', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'orders', tls: { mode: 'disable' },
          credentials: [
            { profile: 'readonly', username: 'ro', password: PASSWORD },
            { profile: 'admin', username: 'root', privateKey: PRIVATE_KEY, token: TOKEN },
          ],
        },
      },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.createConnection.credentials.map((c) => c.profile)).toEqual(['admin', 'readonly']);
    const again = await gql('mutation { createConnection(input: { name: "orders", kind: POSTGRES, host: "h", port: 1, credentials: [{ profile: "p" }] }) { id } }', {}, adminToken);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // The schema itself has nowhere to return a secret.
    const type = await gql<{ __type: { fields: Array<{ name: string }> } }>('{ __type(name: "CredentialProfile") { fields { name } } }', {}, adminToken);
    expect(type.data?.__type.fields.map((f) => f.name).sort()).toEqual(['profile', 'rotatedAt', 'username']);
  });

  it('creates a service account (key shown once) and grants it access; the snapshot carries both', async () => {
    const created = await gql<{ createServiceAccount: { serviceAccount: { id: string; name: string }; apiKey: string } }>(
      'mutation { createServiceAccount(input: { name: "reporting-bot" }) { serviceAccount { id name } apiKey } }',
      {},
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    botKey = created.data!.createServiceAccount.apiKey;
    expect(botKey).toMatch(/^alk_[0-9a-f]{16}_/);

    const before = notices.length;
    const granted = await gql<{ grantAccess: { id: string; profile: string; subject: string } }>(
      'mutation { grantAccess(input: { subject: "sa:reporting-bot", connection: "orders", reason: "nightly report" }) { id profile subject } }',
      {},
      adminToken,
    );
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.grantAccess.profile).toBe('readonly');
    grantId = granted.data!.grantAccess.id;

    const { snap } = await waitFor(async () => {
      const s = await snapshot();
      return s?.snap.grants.some((g) => g.id === grantId) ? s : undefined;
    }, 'the grant in the Redis snapshot');
    expect(snap.pool).toBe('default');
    expect(snap.grants).toContainEqual({ id: grantId, subject: 'sa:reporting-bot', connection: 'orders', profile: 'readonly', expiresAt: null });
    expect(snap.apiKeys).toContainEqual(expect.objectContaining({ hash: hashApiKey(botKey), identityName: 'reporting-bot' }));
    expect(snap.apiKeys).toContainEqual(expect.objectContaining({ hash: hashApiKey(adminToken), identityName: 'bootstrap-admin' }));
    expect(snap.oidc).toMatchObject({ issuer: idp.issuer, audience: 'airlock', jwks: { keys: [expect.objectContaining({ kid: 'test-key' })] } });
    // Credentials are sealed to the pool: its private key opens them, nothing else does.
    const readonly = snap.connections[0]!.credentials.find((c) => c.profile === 'readonly')!;
    expect(JSON.parse(open(readonly.sealed, poolKeys.privateKey))).toEqual({ password: PASSWORD });

    const notice = await waitFor(() => notices.slice(before).find((n) => n.version === snap.version), 'the policy notice');
    expect(notice).toEqual({ schemaVersion: 1, pool: 'default', version: snap.version });
  });

  it('lets the service account in as a MEMBER, who cannot grant itself access', async () => {
    const me = await gql('{ me { name kind roles email } }', {}, botKey);
    expect(me.data).toEqual({ me: { name: 'reporting-bot', kind: 'SERVICE_ACCOUNT', roles: ['MEMBER'], email: null } });
    const res = await gql('mutation { grantAccess(input: { subject: "sa:reporting-bot", connection: "orders", profile: "admin" }) { id } }', {}, botKey);
    expect(res).toMatchObject({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    const grants = await gql<{ accessGrants: unknown[] }>('{ accessGrants(connection: "orders") { id profile } }', {}, adminToken);
    expect(grants.data?.accessGrants).toEqual([{ id: grantId, profile: 'readonly' }]);
  });

  it('accepts a valid OIDC token and maps its groups to roles; refuses expired and wrong-audience tokens', async () => {
    const good = await idp.sign({ preferred_username: 'alice', email: 'alice@example.com', groups: ['airlock-auditors'] });
    const me = await gql('{ me { name kind roles email } }', {}, good);
    expect(me.data).toEqual({ me: { name: 'alice', kind: 'USER', roles: ['AUDITOR', 'MEMBER'], email: 'alice@example.com' } });
    const log = await gql<{ auditLog: unknown[] }>('{ auditLog(limit: 5) { action } }', {}, good);
    expect(log.errors).toBeUndefined();

    const expired = await idp.sign({ preferred_username: 'alice' }, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const wrongAud = await idp.sign({ preferred_username: 'alice' }, { aud: 'someone-else' });
    for (const [token, why] of [[expired, /expired/], [wrongAud, /audience/]] as const) {
      const res = await gql('{ me { name } }', {}, token);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0]?.message).toMatch(why);
    }
  });

  it('adds roles from database groups named like the IdP group', async () => {
    await withAdmin((c) => c.query(`INSERT INTO "Group" (id, name, roles) VALUES (gen_random_uuid(), 'platform', '{APPROVER}')`), db.url);
    const token = await idp.sign({ preferred_username: 'carol', groups: ['platform'] }, { sub: 'carol-sub' });
    const me = await gql('{ me { name roles } }', {}, token);
    expect(me.data).toEqual({ me: { name: 'carol', roles: ['APPROVER', 'MEMBER'] } });
  });

  it('rotates one profile secret on update and keeps the others', async () => {
    const NEW_PASSWORD = `pw2-${randomBytes(8).toString('hex')}`;
    const { snap: before } = (await snapshot())!;
    const res = await gql<{ updateConnection: { port: number; credentials: Array<{ profile: string; rotatedAt: string }> } }>(
      `mutation($i: UpdateConnectionInput!) { updateConnection(input: $i) { port credentials { profile rotatedAt } } }`,
      { i: { name: 'orders', port: 6543, credentials: [{ profile: 'readonly', username: 'ro', password: NEW_PASSWORD }, { profile: 'admin', username: 'root' }] } },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateConnection.port).toBe(6543);
    const { snap } = await waitFor(async () => {
      const s = await snapshot();
      return s && s.snap.version > before.version ? s : undefined;
    }, 'the updated snapshot');
    const creds = Object.fromEntries(snap.connections[0]!.credentials.map((c) => [c.profile, JSON.parse(open(c.sealed, poolKeys.privateKey))]));
    expect(creds).toEqual({ readonly: { password: NEW_PASSWORD }, admin: { privateKey: PRIVATE_KEY, token: TOKEN } });
    const old = before.connections[0]!.credentials;
    expect(snap.connections[0]!.credentials.find((c) => c.profile === 'admin')!.rotatedAt).toBe(old.find((c) => c.profile === 'admin')!.rotatedAt);
    expect(snap.connections[0]!.credentials.find((c) => c.profile === 'readonly')!.rotatedAt).not.toBe(old.find((c) => c.profile === 'readonly')!.rotatedAt);
    secrets.push(NEW_PASSWORD);
  });

  it('drops a revoked key from the next snapshot and refuses it', async () => {
    const { snap: before } = (await snapshot())!;
    const res = await gql('mutation { revokeApiKey(input: { serviceAccount: "reporting-bot" }) { name apiKeys { prefix revokedAt } } }', {}, adminToken);
    expect(res.errors).toBeUndefined();
    const { snap } = await waitFor(async () => {
      const s = await snapshot();
      return s && s.snap.version > before.version ? s : undefined;
    }, 'a newer snapshot');
    expect(snap.apiKeys.map((k) => k.hash)).not.toContain(hashApiKey(botKey));
    expect(snap.apiKeys.map((k) => k.hash)).toContain(hashApiKey(adminToken));
    expect((await gql('{ me { name } }', {}, botKey)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const rotated = await gql<{ rotateApiKey: { apiKey: string } }>('mutation { rotateApiKey(input: { serviceAccount: "reporting-bot" }) { apiKey } }', {}, adminToken);
    const fresh = rotated.data!.rotateApiKey.apiKey;
    expect((await gql('{ me { name } }', {}, fresh)).data).toEqual({ me: { name: 'reporting-bot' } });
  });

  it('drops a grant from the snapshot when it expires, without any further change', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const res = await gql<{ grantAccess: { id: string } }>(
      'mutation($at: DateTime!) { grantAccess(input: { subject: "user:bob@example.com", connection: "orders", expiresAt: $at }) { id } }',
      { at: expiresAt },
      adminToken,
    );
    const id = res.data!.grantAccess.id;
    await waitFor(async () => (await snapshot())?.snap.grants.some((g) => g.id === id), 'the timed grant');
    await waitFor(async () => (await snapshot())?.snap.grants.every((g) => g.id !== id), 'the grant to expire out of the snapshot', 10_000, 100);
  });

  it('keeps the audit chain linear under concurrent mutations', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => gql(`mutation { createServiceAccount(input: { name: "burst-${i}" }) { serviceAccount { id } } }`, {}, adminToken)));
  });

  it('keeps a linear hash-chained audit log of every mutation, secrets elided', async () => {
    const res = await gql<{ auditLog: Array<{ id: string; at: string; action: string; actorName: string; actorKind: string; target: string | null; details: string; clientAddress: string | null; prevHash: string; hash: string }> }>(
      '{ auditLog(limit: 500) { id at action actorName actorKind target details clientAddress prevHash hash } }',
      {},
      adminToken,
    );
    const entries = res.data!.auditLog.slice().reverse();
    expect(entries[0]!.prevHash).toBe('0'.repeat(64));
    expect(entries.length).toBeGreaterThan(20);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    // Each hash is recomputable from what the API shows: sha256(prevHash + canonical JSON of the entry).
    for (const e of entries) {
      const fields = { at: new Date(e.at), actorName: e.actorName, actorKind: e.actorKind, action: e.action, target: e.target, details: JSON.parse(e.details), clientAddress: e.clientAddress };
      expect(chainHash(e.prevHash, fields)).toBe(e.hash);
    }
    expect(entries.filter((e) => e.action === 'createServiceAccount' && e.target?.startsWith('burst-'))).toHaveLength(12);
    const create = entries.find((e) => e.action === 'createConnection' && JSON.parse(e.details).outcome === 'OK')!;
    expect(create).toMatchObject({ actorName: 'bootstrap-admin', target: 'orders' });
    expect(JSON.parse(create.details).input.credentials[0].password).toBe('[elided]');
    const denied = entries.find((e) => e.action === 'grantAccess' && e.actorName === 'reporting-bot')!;
    expect(JSON.parse(denied.details).outcome).toBe('FORBIDDEN');
  });

  it('lists live workers from their heartbeats and drops stale ones', async () => {
    const beat = (id: string, at: Date) =>
      JSON.stringify({
        id, pool: 'default', region: 'local', addresses: { postgres: '127.0.0.1:15432', ssh: '127.0.0.1:2222' }, policyVersion: 3,
        load: { sessions: 2, cpu: 0.1, rssBytes: 1 }, startedAt: at.toISOString(), at: at.toISOString(),
      });
    await redis.hset(keys.workers(), 'w-live', beat('w-live', new Date()), 'w-stale', beat('w-stale', new Date(Date.now() - 60_000)), 'w-junk', '{not json');
    const res = await gql('{ workers { id pool region address policyVersion lastSeen } }', {}, adminToken);
    expect(res.data).toEqual({ workers: [{ id: 'w-live', pool: 'default', region: 'local', address: '127.0.0.1:15432', policyVersion: 3, lastSeen: expect.any(String) }] });
  });

  it('counts GraphQL operations in /metrics', async () => {
    const text = await (await fetch(`${cp.url}/metrics`)).text();
    expect(text).toMatch(/airlock_graphql_operations_total\{type="mutation",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/airlock_graphql_operations_total\{type="query",outcome="error"\} [1-9]/);
    expect(text).toMatch(/airlock_policy_publishes_total\{pool="default"\} [1-9]/);
  });

  it('never returns a secret: every response body and the Redis snapshot are free of them', async () => {
    const { raw } = (await snapshot())!;
    for (const secret of secrets) {
      for (const body of bodies) expect(body).not.toContain(secret);
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toContain(botKey);
    const withKey = bodies.filter((b) => b.includes(botKey));
    expect(withKey).toHaveLength(1);
    expect(withKey[0]).toContain('createServiceAccount');
  });
});
