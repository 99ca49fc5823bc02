import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix } from '@airlock/testing';
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';

it('dump', async () => {
  const db = await createTestDatabase();
  const adminToken = generateApiKey().key;
  const cp = await startControlPlane(loadConfig({ DATABASE_URL: db.url, AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'), AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_HTTP_PORT: '0', AIRLOCK_REDIS_PREFIX: testRedisPrefix(), LOG_LEVEL: 'warn' }));
  const res = await fetch(`${cp.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query: getIntrospectionQuery() }) });
  const j = await res.json();
  writeFileSync('/tmp/schema.graphql', printSchema(buildClientSchema(j.data)));
  const r2 = await fetch(`${cp.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query: '{ sessions { id } }' }) });
  writeFileSync('/tmp/err.json', await r2.text());
  await cp.close(); await db.drop?.();
});
