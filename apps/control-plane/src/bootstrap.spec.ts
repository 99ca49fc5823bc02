import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefixAt, type TestDatabase } from '@airlock/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startControlPlane } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';

describe('control plane bootstrap (real Postgres and Redis)', () => {
  const redisPrefix = testRedisPrefix();
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  const adminToken = generateApiKey().key;

  beforeAll(async () => {
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_REDIS_PREFIX: redisPrefix, LOG_LEVEL: 'warn' }),
    );
  });
  afterAll(async () => {
    await cp?.close();
    await dropRedisPrefixAt(redisPrefix);
    await db?.drop();
  });

  it('reports Postgres and Redis healthy', async () => {
    const res = await fetch(`${cp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  it('serves Prometheus text on /metrics', async () => {
    const res = await fetch(`${cp.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/# TYPE airlock_control_plane_process_cpu_seconds_total counter/);
  });

  it('streams a subscription over graphql-ws', async () => {
    const client = createClient({ url: cp.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${adminToken}` } });
    const got = await new Promise<unknown>((resolve, reject) => {
      const stop = client.subscribe(
        { query: 'subscription { serverTicks { version contractsVersion } }' },
        { next: (v) => { stop(); resolve(v.data); }, error: reject, complete: () => undefined },
      );
    });
    await client.dispose();
    expect(got).toEqual({ serverTicks: { version: '0.1.0', contractsVersion: 1 } });
  });
});

describe('configuration', () => {
  it('fails with one clear line naming the missing master key', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/db' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/db' })).toThrow(/^airlock: AIRLOCK_MASTER_KEY is not set/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({})).toThrow(/airlock: invalid configuration: DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://x@h/d', AIRLOCK_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/exactly 32 bytes/);
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://x@h/d', AIRLOCK_DEV_MODE: '1', AIRLOCK_GROUP_ROLES: 'ops=ROOT' })).toThrow(/AIRLOCK_GROUP_ROLES/);
  });

  it('maps IdP groups to roles', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://x@h/d', AIRLOCK_MASTER_KEY: 'ab'.repeat(32) });
    expect(c.groupRoles.get('airlock-approvers')).toEqual(['APPROVER']);
    expect(c.masterKey).toHaveLength(32);
  });
});
