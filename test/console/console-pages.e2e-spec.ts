import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefixAt, type TestDatabase } from '@airlock/testing';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startDevIdp } from '../../apps/dev-idp/src/idp';

const ROOT = path.resolve(__dirname, '../..');
const CONSOLE_DIR = path.join(ROOT, 'apps/console');
const DIST = path.join(CONSOLE_DIR, 'dist');
const SHOTS = path.join(ROOT, 'test-results/console');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const PAGES = [
  { nav: 'Reviews', heading: 'Review inbox', shot: 'reviews' },
  { nav: 'Sessions', heading: 'Sessions', shot: 'sessions' },
  { nav: 'Connections', heading: 'Connections', shot: 'connections' },
  { nav: 'Rules', heading: 'Rules', shot: 'rules' },
  { nav: 'Access review', heading: 'Access review', shot: 'access-review' },
  { nav: 'Workers', heading: 'Workers', shot: 'workers' },
];

async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string }> };
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

describe('console in a real Chromium against the dev IdP and an in-process control plane', () => {
  const redisPrefix = testRedisPrefix();
  const adminToken = generateApiKey().key;
  const pageErrors: string[] = [];
  let db: TestDatabase;
  let idp: Awaited<ReturnType<typeof startDevIdp>>;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let idpDir: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) execFileSync('npx', ['vite', 'build'], { cwd: CONSOLE_DIR, stdio: 'pipe' });
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    idpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'console-idp-'));
    idp = await startDevIdp({ port: 0, dataDir: idpDir, consoleRedirects: [`${origin}/callback`], logger: pino({ level: 'silent' }) });
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: adminToken,
        AIRLOCK_HTTP_PORT: String(port),
        AIRLOCK_REDIS_PREFIX: redisPrefix,
        AIRLOCK_CONSOLE_DIR: DIST,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: idp.audience,
        LOG_LEVEL: 'warn',
      }),
    );
    // Something to look at: a pool, a connection, a grant for alice.
    await gql(cp.url, adminToken, 'mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { id } }', { i: { name: 'default', publicKey: generatePoolKeyPair().publicKey } });
    await gql(cp.url, adminToken, 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }', {
      i: { name: 'orders', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'orders', credentials: [{ profile: 'readonly', username: 'ro', password: 'not-shown' }] },
    });
    await gql(cp.url, adminToken, 'mutation($i: GrantAccessInput!) { grantAccess(input: $i) { id } }', { i: { connection: 'orders', subject: 'user:alice@example.com', reason: 'on-call' } });

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    // Deterministic pages: nothing but the loopback stack.
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await cp?.close();
    await idp?.close();
    await db?.drop();
    await dropRedisPrefixAt(redisPrefix);
    if (idpDir) await fs.rm(idpDir, { recursive: true, force: true });
  });

  it('serves the console with an SPA fallback without shadowing the API', async () => {
    const deep = await fetch(`${cp.url}/sessions/abc`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${cp.url}/healthz`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${cp.url}/metrics`)).headers.get('content-type')).toMatch(/text\/plain/);
    expect((await fetch(`${cp.url}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${cp.url}/graphql/nope`)).status).toBe(404);
    expect((await fetch(`${cp.url}/..%2f..%2fpackage.json`)).status).not.toBe(500);
    expect(await (await fetch(`${cp.url}/console-config.json`)).json()).toEqual({ issuer: idp.issuer, clientId: 'airlock-console', audience: 'airlock' });
  });

  it('alice signs in through the dev IdP and the header shows her and APPROVER', async () => {
    await page.goto(`${cp.url}/`);
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-dev-password');
    await page.click('#sign-in');
    await page.waitForURL((u) => u.origin === cp.url && u.pathname === '/reviews');
    const who = page.getByTestId('who');
    await expect.poll(() => who.textContent()).toMatch(/alice/i);
    expect(await page.getByTestId('role').textContent()).toBe('APPROVER');
    // The token stays in memory: nothing about it in storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toMatch(/eyJ/);
  });

  it('navigates every page, each showing real data or a clear state, and screenshots it', async () => {
    for (const p of PAGES) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${p.nav}`) }).click();
      await page.getByRole('heading', { level: 1, name: p.heading }).waitFor();
      await page.waitForLoadState('networkidle');
      await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 10_000 }).toBe(0);
      // Nothing failed unexpectedly: missing operations say "not available", forbidden ones say so.
      expect(await page.locator('[data-state="error"]').allTextContents()).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `${p.shot}.png`), fullPage: true });
    }
    expect(pageErrors).toEqual([]);
  });

  it('shows the connection with its health and alice\'s grant from the live API', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('rowheader', { name: 'orders' }).waitFor();
    expect(await page.getByRole('row', { name: /orders/ }).textContent()).toMatch(/no live worker/);
    await page.getByRole('button', { name: 'Policy & grants' }).click();
    await page.getByRole('cell', { name: 'user:alice@example.com' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'connections-grants.png'), fullPage: true });
  });

  it('sessions: alice\'s own (none yet), or "not available on this server" on a control plane without the recording API', async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    const state = page.locator('[data-state], table.data, p:has-text("No sessions match")').first();
    await state.waitFor();
    const kind = await state.getAttribute('data-state');
    // Until the recording API lands the page names the missing operation; afterwards it lists sessions.
    if (kind === 'unavailable') expect(await state.textContent()).toMatch(/not available on this server.*sessions/s);
    else expect(kind).not.toBe('error');
  });

  it('keyboard: skip link, focusable navigation, visible focus; dark theme toggle', async () => {
    // A full load of a deep link: the IdP session signs alice straight back in, onto the same page.
    await page.goto(`${cp.url}/reviews`);
    await page.waitForURL((u) => u.origin === cp.url && u.pathname === '/reviews');
    await page.getByRole('heading', { level: 1, name: 'Review inbox' }).waitFor();
    // Depending on how the sign-in redirect lands, the app may move focus to <main> after a
    // navigation (for screen readers). Let pending effects run, then start keyboard navigation from
    // the top of the document, as a user who has just loaded the page would.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent)).toMatch(/Airlock/);
    await page.getByLabel('Theme').selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: path.join(SHOTS, 'reviews-dark.png'), fullPage: true });
    await page.getByRole('link', { name: 'Workers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Workers' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'workers-dark.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('rowheader', { name: 'orders' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'connections-mobile-dark.png'), fullPage: true });
    // Responsive: wide tables scroll inside their box, the page itself never scrolls sideways.
    const overflow = await page.evaluate(() =>
      [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap')).map((el) => `${el.tagName}.${el.className}`).slice(0, 5),
    );
    expect(overflow).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByLabel('Theme').selectOption('system');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('signs out through the IdP', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    expect(pageErrors).toEqual([]);
  });
});
