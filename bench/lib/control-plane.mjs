// The in-process benches' setup: built modules with a "run npm run build" hint, admin SQL on the
// local Postgres, a cleanup stack (also run on Ctrl-C) and a control plane with an admin token.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ADMIN_URL, REDIS_URL, require, root } from './common.mjs';

/** require() of a built file relative to the root; exits with a hint when it is missing. */
export function loadBuilt(p) {
  try {
    return require(path.join(root, p));
  } catch (err) {
    if (err.code === 'MODULE_NOT_FOUND') {
      process.stderr.write(`airlock bench: ${p} is missing: run \`npm run build\` first\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** The admin URL with another database. */
export const databaseUrl = (name) => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Runs sql on its own connection (ADMIN_URL unless told). */
export async function admin(sql, url = ADMIN_URL) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A cleanup stack: push(fn); run() pops and awaits each, reporting failures; Ctrl-C runs it and exits 130. */
export function cleanupStack() {
  const cleanups = [];
  const run = async () => {
    while (cleanups.length) await cleanups.pop()().catch((err) => process.stderr.write(`airlock bench: cleanup: ${err.message}\n`));
  };
  process.once('SIGINT', () => void run().finally(() => process.exit(130)));
  return { push: (fn) => cleanups.push(fn), run };
}

/**
 * Starts the built control plane in this process on databaseUrl (migrated) under prefix, with a
 * fresh admin token; a cleanup closes it. Returns { cp, adminToken, gql(query, variables) }.
 */
export async function startBenchControlPlane({ dbUrl, prefix, cleanups }) {
  const { startControlPlane } = loadBuilt('apps/control-plane/dist/bootstrap.js');
  const { loadConfig } = loadBuilt('apps/control-plane/dist/config/config.js');
  const { generateApiKey } = require('@airlock/identity');
  const adminToken = generateApiKey().key;
  const cp = await startControlPlane(
    loadConfig({ DATABASE_URL: dbUrl, REDIS_URL, AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'), AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_HTTP_PORT: '0', AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'error' }),
  );
  cleanups.push(() => cp.close());
  const gql = async (query, variables = {}) => {
    const res = await fetch(`${cp.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query, variables }) });
    const body = await res.json();
    if (body.errors?.length) throw new Error(`GraphQL: ${body.errors[0].message}`);
    return body.data;
  };
  return { cp, adminToken, gql };
}

/** A cleanup deleting every Redis key under prefix (and `{prefix}:*`, BullMQ's hash-tagged form). */
export const redisPrefixCleanup = (prefix) => async () => {
  const { Redis } = require('ioredis');
  const r = new Redis(REDIS_URL);
  const keys = [...(await r.keys(`${prefix}:*`)), ...(await r.keys(`{${prefix}}:*`))];
  if (keys.length) await r.del(...keys);
  r.disconnect();
};
