import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefix, waitFor, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startDevIdp, type DevIdp } from '../../apps/dev-idp/src/idp';
import { buildCli, confirmDeviceCode, runCli, spawnCli } from './support';

describe('airlock login: OAuth device grant against the dev IdP, then whoami', () => {
  const prefix = testRedisPrefix();
  let db: TestDatabase;
  let idp: DevIdp;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let configDir: string;
  let idpDir: string;
  let env: Record<string, string>;
  const credentials = () => path.join(configDir, 'credentials.json');

  beforeAll(async () => {
    buildCli();
    configDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-login-')), 'nested', 'airlock');
    idpDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-idp-'));
    idp = await startDevIdp({ dataDir: idpDir, logger: pino({ level: 'silent' }) });
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: generateApiKey().key,
        AIRLOCK_HTTP_PORT: '0',
        AIRLOCK_REDIS_PREFIX: prefix,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: idp.audience,
        LOG_LEVEL: 'warn',
      }),
    );
    // The issuer comes from the control plane's /console-config.json when it publishes one, else from OIDC_ISSUER.
    env = { AIRLOCK_API_URL: cp.url, AIRLOCK_CONFIG_DIR: configDir, OIDC_ISSUER: idp.issuer };
  });

  afterAll(async () => {
    await cp?.close();
    await idp?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
    for (const d of [configDir && path.dirname(path.dirname(configDir)), idpDir]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('prints the verification URL and code, waits while bob confirms in the browser, and stores the tokens 0600', async () => {
    const login = spawnCli(['login'], env);
    const printed = await waitFor(() => /open (\S+) and enter the code (\S+)/.exec(login.output()), 'the verification URL and user code', 15_000);
    const [, verificationUri, userCode] = printed as unknown as [string, string, string];
    expect(verificationUri).toBe(`${idp.issuer}/device`);
    expect(login.output()).toContain('Waiting for you to confirm');

    const page = await confirmDeviceCode(verificationUri, userCode, 'bob', 'bob-dev-password');
    expect(page).toContain('Your device is signed in');

    expect(await login.exited).toBe(0);
    expect(login.output()).toContain(`Logged in. Credentials saved to ${credentials()}`);
    expect((await stat(credentials())).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o077).toBe(0);
    const stored = JSON.parse(await readFile(credentials(), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ issuer: idp.issuer, clientId: 'airlock-cli', accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.any(Number) });
  }, 60_000);

  it('whoami prints bob and his ADMIN role (airlock-admins group)', async () => {
    const r = await runCli(['whoami'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bob/);
    expect(r.stdout).toContain('bob@example.com');
    expect(r.stdout).toMatch(/roles: ADMIN/);
    expect(r.stdout).toContain('via:   login');
  });

  it('refreshes an expired access token with the refresh token and saves the new one', async () => {
    const before = JSON.parse(await readFile(credentials(), 'utf8')) as { accessToken: string; expiresAt: number };
    await writeFile(credentials(), JSON.stringify({ ...before, expiresAt: Date.now() - 1000 }), { mode: 0o600 });
    const r = await runCli(['whoami'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/roles: ADMIN/);
    const after = JSON.parse(await readFile(credentials(), 'utf8')) as { accessToken: string; expiresAt: number };
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now());
    expect((await stat(credentials())).mode & 0o777).toBe(0o600);
  });

  it('logout forgets the login; whoami then says to log in', async () => {
    const out = await runCli(['logout'], env);
    expect(out.stdout).toContain('Logged out');
    const r = await runCli(['whoami'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^airlock: not logged in: run `airlock login`/);
  });

  it('says where to set the issuer when none is known', async () => {
    // An API that publishes no /console-config.json (the dev IdP answers 404 there) and no OIDC_ISSUER.
    const r = await runCli(['login'], { AIRLOCK_API_URL: idp.issuer, AIRLOCK_CONFIG_DIR: configDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^airlock: cannot tell which identity provider to use: .*pass --issuer <url> or set OIDC_ISSUER/);
  });
});
