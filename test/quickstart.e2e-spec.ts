import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefixAt, withAdmin, type TestDatabase } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('npm run quickstart brings the whole stack up', () => {
  const redisPrefix = testRedisPrefix();
  let db: TestDatabase;
  let child: ChildProcess;
  let out = '';
  const state = mkdtempSync(path.join(tmpdir(), 'airlock-qs-'));
  const demoDb = `airlock_t_demo_${process.pid}`;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    for (const p of ['cp', 'idp', 'pg', 'health']) ports[p] = await freePort();
    child = spawn(process.execPath, ['scripts/quickstart.mjs'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        AIRLOCK_REDIS_PREFIX: redisPrefix,
        AIRLOCK_QUICKSTART_DIR: state,
        AIRLOCK_DEMO_DATABASE: demoDb,
        AIRLOCK_HTTP_PORT: String(ports.cp),
        OIDC_ISSUER: `http://127.0.0.1:${ports.idp}`,
        AIRLOCK_PG_LISTEN: `127.0.0.1:${ports.pg}`,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${ports.health}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (out.includes('Airlock is running.')) resolve();
        if (child.exitCode !== null) reject(new Error(`quickstart exited ${child.exitCode}:\n${out}`));
      }, 200);
      setTimeout(() => (clearInterval(t), reject(new Error(`quickstart did not come up:\n${out}`))), 100_000);
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
    await dropRedisPrefixAt(redisPrefix);
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${demoDb}" WITH (FORCE)`));
    await db?.drop();
    rmSync(state, { recursive: true, force: true });
  });

  it('serves control plane /healthz, /metrics, the IdP discovery document and worker /healthz', async () => {
    expect((await fetch(`http://127.0.0.1:${ports.cp}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${ports.cp}/metrics`)).text()).toMatch(/^# HELP /m);
    const discovery = (await (await fetch(`http://127.0.0.1:${ports.idp}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(`http://127.0.0.1:${ports.idp}`);
    const worker = (await (await fetch(`http://127.0.0.1:${ports.health}/healthz`)).json()) as { status: string; policyVersion: number };
    expect(worker.status).toBe('ok');
    expect(worker.policyVersion).toBeGreaterThan(0);
  });

  it('prints a psql line that works as pasted', () => {
    const line = out.split('\n').find((l) => l.trim().startsWith('psql "'));
    expect(line).toBeDefined();
    const url = /psql "([^"]+)"/.exec(line!)![1];
    expect(url).toContain(`127.0.0.1:${ports.pg}/demo-pg?sslmode=require`);
    const res = spawnSync('psql', [url, '-XAtc', 'SELECT count(*) FROM customers'], { encoding: 'utf8', timeout: 20_000 });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('200');
  });

  it('stops every process it started on Ctrl-C', async () => {
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    for (const port of Object.values(ports)) {
      const open = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
      expect(open).toBe(false);
    }
  });
});
