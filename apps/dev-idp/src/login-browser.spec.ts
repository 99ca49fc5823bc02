import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createJwtVerifier } from '@airlock/identity';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startDevIdp } from './idp';

const CHROMIUM = '/usr/bin/chromium';

// Real Chromium: `npm test` installs Debian's package when it is missing (scripts/lib.mjs).
describe('dev IdP login in a real browser', () => {
  it('alice signs in through the login form and the console gets a code for a token with her groups', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dev-idp-browser-'));
    const callback = http.createServer((_req, res) => res.end('callback'));
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    const idp = await startDevIdp({ dataDir, consoleRedirects: [redirectUri], logger: pino({ level: 'silent' }) });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const verifier = crypto.randomBytes(32).toString('base64url');
      const params = new URLSearchParams({
        client_id: 'airlock-console',
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid profile email groups',
        code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state: 'st',
      });
      const page = await browser.newPage();
      await page.goto(`${idp.issuer}/auth?${params}`);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-dev-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.toString().startsWith(redirectUri));
      const code = new URL(page.url()).searchParams.get('code') as string;

      const res = await fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'airlock-console', code, redirect_uri: redirectUri, code_verifier: verifier }),
      });
      const tokens = (await res.json()) as { access_token: string };
      const { subject } = await createJwtVerifier({ issuer: idp.issuer, audience: 'airlock' }).verify(tokens.access_token);
      expect(subject).toMatchObject({ kind: 'user', id: 'alice', groups: ['airlock-approvers'] });
    } finally {
      await browser.close();
      await idp.close();
      callback.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
