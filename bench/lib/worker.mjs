// A built worker in its own process, serving a policy snapshot the bench publishes in Redis
// under its own key prefix (no control plane): the snapshot, its publication and the process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PG, REDIS_URL, freePort, require, root, waitPort } from './common.mjs';

// Loaded on first use, so a bench can say "build first" before anything needs the built code.
let built;
/** { contracts, identity }: the built @airlock/contracts and @airlock/identity. */
export const builtLibs = () =>
  (built ??= { contracts: require(path.join(root, 'libs/contracts/dist/index.js')), identity: require(path.join(root, 'libs/identity/dist/index.js')) });

/** A pool key pair and an API key for the service account `bench`. */
export const benchKeys = () => ({ pool: builtLibs().contracts.generatePoolKeyPair(), key: builtLibs().identity.generateApiKey() });

/** A POSTGRES connection to db on the local Postgres, credentials sealed for the pool; extra fields override. */
export const pgConnection = ({ name, db, pool, guardrails = 'PERMISSIVE', masking = false, ...extra }) => ({
  id: `c-${name}`, name, kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
  guardrails, masking, reviewTimeoutSeconds: 300, minApprovers: 1,
  credentials: [{ profile: 'rw', username: PG.user, sealed: builtLibs().contracts.seal(JSON.stringify({ password: 'unused' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
  ...extra,
});

/** Pool `bench`'s snapshot: the connections, each granted to sa:bench, and the bench API key. */
export const benchSnapshot = ({ key, connections }) => ({
  schemaVersion: 1, pool: 'bench', version: 1, generatedAt: new Date().toISOString(), oidc: null,
  connections,
  grants: connections.map((c, i) => ({ id: `g${i + 1}`, subject: 'sa:bench', connection: c.name, profile: 'rw', expiresAt: null })),
  apiKeys: [{ lookupId: key.id, hash: key.hash, identityId: 'i1', identityName: 'bench', expiresAt: null }],
  guardrailRules: [], maskingRules: [],
});

/**
 * Publishes the snapshot under prefix; a cleanup deletes every key of the prefix, BullMQ's
 * hash-tagged `{prefix}:…` queue keys included. Returns the prefix's key space.
 */
export async function publishSnapshot(prefix, snapshot, cleanups) {
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL);
  const keys = builtLibs().contracts.keySpace(prefix);
  await redis.set(keys.policySnapshot('bench'), JSON.stringify(snapshot));
  cleanups.push(async () => {
    const left = [...(await redis.keys(`${prefix}:*`)), ...(await redis.keys(`{${prefix}}:*`))];
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });
  return keys;
}

/**
 * Starts `node [...nodeArgs] entry` as a worker of pool `bench` under prefix, its Postgres
 * listener on a free port, state in stateDir; waits until it listens. A cleanup stops it
 * (SIGTERM, up to 5 s for it to exit, so a CPU profile gets written). workerId: AIRLOCK_WORKER_ID.
 * A free port can be taken between freePort() and the worker's listen (an outgoing connection of
 * any process may get it as its local port): a worker that exits before it listens is started
 * again on other ports, up to three times.
 */
export async function startWorkerProcess({ entry, name = 'worker', prefix, privateKey, stateDir, workerId, processes = 1, nodeArgs = [], cleanups }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const healthPort = await freePort();
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      env: {
        ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'bench', ...(workerId ? { AIRLOCK_WORKER_ID: workerId } : {}), AIRLOCK_POOL_PRIVATE_KEY: privateKey,
        AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${healthPort}`, AIRLOCK_STATE_DIR: stateDir, LOG_LEVEL: 'warn', AIRLOCK_WORKER_PROCESSES: String(processes),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(`exited with code ${code}`)));
    cleanups.push(() => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => (exited.then(resolve), child.kill('SIGTERM'), setTimeout(resolve, 5000).unref()))));
    const started = await Promise.race([waitPort(port, name).then(() => null), exited]);
    if (started === null) {
      if (processes > 1) await allProcessesReady(healthPort, name);
      return { port, pid: child.pid, child };
    }
    if (attempt === 3) throw new Error(`bench: ${name} ${started} before it listened (${attempt} attempts; its error is above)`);
    process.stdout.write(`bench: ${name} ${started} before it listened on ${port}; starting it again on other ports\n`);
  }
}

/**
 * A supervised worker listens as soon as its first process does; the others are handed
 * connections once they listen too. The supervisor's /readyz says when every process is up.
 */
async function allProcessesReady(healthPort, name) {
  const end = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    if (Date.now() > end) throw new Error(`bench: ${name}: not every worker process was ready after 30 s (/readyz on ${healthPort})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
