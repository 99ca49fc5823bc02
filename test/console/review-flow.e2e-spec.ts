import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startDevIdp } from '../../apps/dev-idp/src/idp';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { LISTENERS } from '../../apps/worker/src/listeners';

const ROOT = path.resolve(__dirname, '../..');
const CONSOLE_DIR = path.join(ROOT, 'apps/console');
const DIST = path.join(CONSOLE_DIR, 'dist');
const SHOTS = path.join(ROOT, 'test-results/console');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Newest modification time under a path (files only). */
function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))));
}

/** Builds the console when dist is missing or older than its sources, so the test never runs a stale bundle. */
function ensureConsoleBuilt(): void {
  const index = path.join(DIST, 'index.html');
  const sources = Math.max(newest(path.join(CONSOLE_DIR, 'src')), newest(path.join(CONSOLE_DIR, 'index.html')), newest(path.join(CONSOLE_DIR, 'vite.config.ts')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npx', ['vite', 'build'], { cwd: CONSOLE_DIR, stdio: 'pipe' });
}

async function gql<T>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface StoredEvent {
  seq: number;
  kind: string;
  sql: string | null;
  verdict: string | null;
  approver: string | null;
  reviewId: string | null;
  rows: number | null;
}

describe('review flow in the console: psql UPDATE held → alice approves live in the inbox → psql done → replay names alice', () => {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const poolKeys = generatePoolKeyPair();
  const pageErrors: string[] = [];
  let db: TestDatabase;
  let target: TestDatabase;
  let idp: Awaited<ReturnType<typeof startDevIdp>>;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let worker: RunningWorker;
  let idpDir: string;
  let stateDir: string;
  let pgPort: number;
  let agentKey: string;
  let browser: Browser;
  let page: Page;
  let shot = 0;
  const screenshot = (name: string) => page.screenshot({ path: path.join(SHOTS, `review-flow-${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });

  const email = async (id = 1) => {
    const c = new Client({ connectionString: target.url });
    await c.connect();
    try {
      return (await c.query<{ email: string }>('SELECT email FROM customers WHERE id = $1', [id])).rows[0]!.email;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase();
    target = await createTestDatabase({ migrated: false });
    await withAdmin(async (c) => {
      await c.query('CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL)');
      await c.query("INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 5) g");
    }, target.url);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    idpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'review-flow-idp-'));
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'review-flow-worker-'));
    idp = await startDevIdp({ port: 0, dataDir: idpDir, consoleRedirects: [`${origin}/callback`], logger: pino({ level: 'silent' }) });
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: adminToken,
        AIRLOCK_HTTP_PORT: String(port),
        AIRLOCK_REDIS_PREFIX: prefix,
        AIRLOCK_CONSOLE_DIR: DIST,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: idp.audience,
        LOG_LEVEL: 'warn',
      }),
    );

    await gql(cp.url, adminToken, 'mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
    await gql(cp.url, adminToken, 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
      i: { name: 'shop', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: target.name, tls: { mode: 'disable' }, credentials: [{ profile: 'readwrite', username: 'postgres', password: 'trust-not-used' }] },
    });
    await gql(cp.url, adminToken, 'mutation { setConnectionPolicy(input: { connection: "shop", guardrails: STANDARD, masking: false }) { name } }');
    agentKey = (await gql<{ createServiceAccount: { apiKey: string } }>(cp.url, adminToken, 'mutation { createServiceAccount(input: { name: "agent" }) { apiKey } }')).createServiceAccount.apiKey;
    await gql(cp.url, adminToken, 'mutation { grantAccess(input: { subject: "sa:agent", connection: "shop", reason: "e2e" }) { id } }');

    pgPort = await freePort();
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_REDIS_PREFIX: prefix,
        AIRLOCK_WORKER_ID: `review-flow-${prefix}`,
        AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
        AIRLOCK_PG_LISTEN: `127.0.0.1:${pgPort}`,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
        AIRLOCK_STATE_DIR: stateDir,
        AIRLOCK_CONSOLE_URL: cp.url,
        LOG_LEVEL: process.env.AIRLOCK_TEST_LOG ?? 'silent',
      }),
      LISTENERS,
    );
    await waitFor(() => worker.ctx.policy.current?.grants('shop').some((g) => g.subject === 'sa:agent') || undefined, 'the worker to apply the policy');

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close().catch(() => undefined);
    await cp?.close();
    await idp?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
    await target?.drop();
    if (idpDir) await fs.rm(idpDir, { recursive: true, force: true });
    if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('alice approves a held UPDATE from the live inbox; psql gets UPDATE 1; the replay shows alice as approver', async () => {
    // 1. alice signs in through the dev IdP's form and lands on the inbox.
    await page.goto(`${cp.url}/`);
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-dev-password');
    await screenshot('idp-login');
    await page.click('#sign-in');
    await page.waitForURL((u) => u.origin === cp.url && u.pathname === '/reviews');
    await page.getByRole('heading', { level: 1, name: 'Review inbox' }).waitFor();
    await expect.poll(() => page.getByTestId('who').textContent()).toMatch(/alice/i);
    await page.getByText('No statement is waiting for a decision.').waitFor();
    await page.getByText('Live: new requests appear here as they arrive').waitFor();
    await screenshot('inbox-empty');

    // Any full navigation from here on would be a reload: the request must arrive over the subscription.
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    // 2. The agent's psql sends an UPDATE … WHERE: STANDARD guardrails hold it for review.
    const child = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', "UPDATE customers SET email = 'approved@example.com' WHERE id = 1"], {
      env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pgPort), PGUSER: 'agent', PGPASSWORD: agentKey, PGDATABASE: 'shop', PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '5' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    try {
      const reviewId = await waitFor(() => /waiting for approval of review (r_[0-9a-f]+)/.exec(err)?.[1], 'psql to print the review notice', 15_000, 5);
      expect(err).toContain(`${cp.url}/reviews/${reviewId}`);

      // 3. The request shows up in alice's inbox without a reload.
      const card = page.locator(`article[data-review-id="${reviewId}"]`);
      await card.waitFor({ timeout: 15_000 });
      expect(navigations).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      expect(await card.getByRole('heading', { level: 2 }).textContent()).toMatch(/agent\s+on\s+shop/);
      expect(await card.locator('code, pre').first().textContent()).toContain('UPDATE customers SET email = $1 WHERE id = $2');
      // The worker's classification reads as text, not JSON.
      const classification = card.locator('dt:has-text("Classification") + dd');
      expect(await classification.textContent()).toBe('UPDATE — data changes need review');
      await expect.poll(() => page.getByRole('tab', { name: /Pending statements \(1\)/ }).count()).toBe(1);
      await screenshot('inbox-request-live');

      // Held: nothing reached the target yet, and psql is still waiting.
      expect(await email()).toBe('user1@example.com');
      expect(child.exitCode).toBeNull();
      expect(out).toBe('');

      // 4. alice approves.
      await card.getByRole('button', { name: 'Approve once' }).click();
      await card.waitFor({ state: 'detached', timeout: 10_000 });
      await page.getByText('No statement is waiting for a decision.').waitFor();
      await screenshot('inbox-after-approval');

      // 5. psql gets its result; the row changed.
      expect(await exited).toBe(0);
      expect(out).toContain('UPDATE 1');
      expect(await email()).toBe('approved@example.com');

      // The inbox's history names alice.
      await page.getByRole('tab', { name: 'History' }).click();
      const row = page.getByRole('row').filter({ hasText: 'APPROVED' });
      await row.waitFor();
      expect(await row.textContent()).toMatch(/agent.*shop.*APPROVED.*alice/s);
      await screenshot('inbox-history');

      // 6. Wait for the recording consumer to store the approved statement, then follow Sessions → the session → replay.
      const sessionId = (await gql<{ reviewRequest: { sessionId: string } }>(cp.url, adminToken, 'query($id: String!) { reviewRequest(id: $id) { sessionId } }', { id: reviewId })).reviewRequest.sessionId;
      expect(sessionId).toBeTruthy();
      await waitFor(
        async () => {
          const s = await gql<{ session: { endedAt: string | null; events: StoredEvent[] } }>(cp.url, adminToken, 'query($id: ID!) { session(id: $id) { endedAt events { seq kind sql verdict approver reviewId rows } } }', { id: sessionId }).catch(() => undefined);
          return s?.session.endedAt && s.session.events.some((e) => e.kind === 'statement' && e.approver === 'alice') ? s : undefined;
        },
        'the recorded session with the approved UPDATE',
        20_000,
      );

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Sessions/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
      const sessionRow = page.getByRole('row').filter({ hasText: 'agent' }).filter({ hasText: 'shop' });
      await sessionRow.waitFor();
      await screenshot('sessions');
      await sessionRow.getByRole('link').click();
      await page.waitForURL((u) => u.pathname === `/sessions/${sessionId}`);
      await page.getByRole('heading', { level: 1, name: 'Session replay' }).waitFor();
      const update = page.getByRole('list', { name: 'Session events' }).getByRole('listitem').filter({ hasText: 'UPDATE customers' });
      await update.first().waitFor();
      const statement = update.filter({ has: page.getByTestId('approver') }).first();
      expect(await statement.getByTestId('approver').textContent()).toBe('alice');
      expect(await statement.textContent()).toContain("UPDATE customers SET email = 'approved@example.com' WHERE id = 1");
      expect(await statement.getAttribute('data-verdict')).toBe('REVIEW');
      // verifySession is for auditors: an approver is not offered a button that would answer FORBIDDEN.
      expect(await page.getByRole('button', { name: 'Verify recording integrity' }).count()).toBe(0);
      expect(await page.locator('[data-state="error"]').allTextContents()).toEqual([]);
      await screenshot('session-replay');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    expect(pageErrors).toEqual([]);
  });
});
