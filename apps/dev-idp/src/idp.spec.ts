import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createJwtVerifier, IdentityError, IdentityErrorCode, type TokenVerifier } from '@airlock/identity';
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_GRANT, startDevIdp, type DevIdp } from './idp';

/** A minimal browser: keeps cookies (ignoring paths, fine for one host) and follows redirects by hand. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, i);
      const value = (pair as string).slice(i + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects until a non-redirect, or until a URL starting with `stopAt` (e.g. the client's callback). */
  async follow(url: string, init: RequestInit = {}, stopAt?: string): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      url = new URL(res.headers.get('location') as string, url).toString();
      if (stopAt && url.startsWith(stopAt)) return { res, url };
      res = await this.request(url);
    }
    return { res, url };
  }

  postForm(url: string, form: Record<string, string>, stopAt?: string) {
    return this.follow(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }, stopAt);
  }
}

function formAction(html: string, base: string, id?: string): string {
  const form = id ? new RegExp(`<form[^>]*id="${id.replace('.', '\\.')}"[^>]*>`).exec(html)?.[0] : /<form[^>]*>/.exec(html)?.[0];
  const action = /action="([^"]+)"/.exec(form ?? '')?.[1];
  if (!action) throw new Error(`no form action in ${html.slice(0, 300)}`);
  return new URL(action.replace(/&amp;/g, '&'), base).toString();
}

function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) out[name] = value ?? '';
  }
  return out;
}

async function tokenRequest(idp: DevIdp, form: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`token endpoint ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

const CALLBACK = 'http://127.0.0.1:8080/callback';
let dataDir: string;
let idp: DevIdp;
let verifier: TokenVerifier;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dev-idp-'));
  idp = await startDevIdp({ dataDir, logger: pino({ level: 'silent' }) });
  verifier = createJwtVerifier({ issuer: idp.issuer, audience: 'airlock' });
});

afterAll(async () => {
  await idp?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function loginWithPkce(browser: Browser, username: string, password: string) {
  const verifierStr = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifierStr).digest('base64url');
  const state = crypto.randomBytes(8).toString('hex');
  const auth = new URL(`${idp.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: 'airlock-console',
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile email groups offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  const loginPage = await browser.follow(auth.toString(), {}, CALLBACK);
  expect(loginPage.res.status).toBe(200);
  expect(loginPage.url).toMatch(/\/interaction\/[^/]+$/);
  const html = await loginPage.res.text();
  expect(html).toContain('name="username"');
  expect(html).toContain('name="password"');
  const done = await browser.postForm(formAction(html, loginPage.url), { username, password }, CALLBACK);
  return { done, verifier: verifierStr, state };
}

describe('dev IdP', () => {
  it('serves the discovery document and the JWKS', async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc['issuer']).toBe(idp.issuer);
    expect(doc['jwks_uri']).toBe(`${idp.issuer}/jwks`);
    expect(doc['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials', DEVICE_GRANT, 'refresh_token']));
    expect(doc['device_authorization_endpoint']).toBe(`${idp.issuer}/device/auth`);
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d'); // public half only
  });

  it('issues demo-agent a client_credentials JWT that @airlock/identity accepts as a service account', async () => {
    const body = await tokenRequest(idp, { grant_type: 'client_credentials', client_id: 'demo-agent', client_secret: idp.clients.agent.clientSecret });
    const token = body['access_token'] as string;
    expect(token.split('.')).toHaveLength(3);
    const { subject, claims } = await verifier.verify(token);
    expect(claims['aud']).toBe('airlock');
    expect(claims['iss']).toBe(idp.issuer);
    expect(subject).toMatchObject({ kind: 'service_account', id: 'demo-agent', name: 'demo-agent', groups: [], tokenKind: 'oidc' });
    const wrongAud = createJwtVerifier({ issuer: idp.issuer, audience: 'not-airlock' });
    await expect(wrongAud.verify(token)).rejects.toMatchObject({ code: IdentityErrorCode.WRONG_AUDIENCE });
  });

  it('refuses demo-agent with a wrong secret', async () => {
    await expect(tokenRequest(idp, { grant_type: 'client_credentials', client_id: 'demo-agent', client_secret: 'nope' })).rejects.toThrow(/invalid_client/);
  });

  it('completes authorization code + PKCE for alice through the login form, with groups in the tokens', async () => {
    const browser = new Browser();
    const { done, verifier: codeVerifier, state } = await loginWithPkce(browser, 'alice', 'alice-dev-password');
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const cb = new URL(done.url);
    expect(cb.searchParams.get('state')).toBe(state);
    const code = cb.searchParams.get('code') as string;
    expect(code).toBeTruthy();

    const tokens = await tokenRequest(idp, { grant_type: 'authorization_code', client_id: 'airlock-console', code, redirect_uri: CALLBACK, code_verifier: codeVerifier });
    const { subject } = await verifier.verify(tokens['access_token'] as string);
    expect(subject).toMatchObject({ kind: 'user', id: 'alice', name: 'alice', email: 'alice@example.com', groups: ['airlock-approvers'] });
    const idToken = decodeJwt(tokens['id_token'] as string);
    expect(idToken).toMatchObject({ sub: 'alice', aud: 'airlock-console', groups: ['airlock-approvers'], email: 'alice@example.com', preferred_username: 'alice' });
    expect(tokens['refresh_token']).toBeTruthy();

    const refreshed = await tokenRequest(idp, { grant_type: 'refresh_token', client_id: 'airlock-console', refresh_token: tokens['refresh_token'] as string });
    expect((await verifier.verify(refreshed['access_token'] as string)).subject.groups).toEqual(['airlock-approvers']);
  });

  it('requires PKCE for the public console client', async () => {
    const url = `${idp.issuer}/auth?${new URLSearchParams({ client_id: 'airlock-console', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`;
    const res = await new Browser().request(url);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:8080\/callback\?error=invalid_request/);
  });

  it('shows an error and no redirect for a wrong password, and never echoes the password', async () => {
    const browser = new Browser();
    const { done } = await loginWithPkce(browser, 'alice', 'wrong-password-123');
    expect(done.res.status).toBe(401);
    const html = await done.res.text();
    expect(html).toContain('Wrong username or password');
    expect(html).not.toContain('wrong-password-123');
    expect(html).toContain('value="alice"');
  });

  it('has one sign-in button on the login page, and Cancel returns access_denied to the client', async () => {
    const browser = new Browser();
    const url = `${idp.issuer}/auth?${new URLSearchParams({ client_id: 'airlock-console', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's1' })}`;
    const login = await browser.follow(url, {}, CALLBACK);
    const html = await login.res.text();
    expect(html.match(/<button/g)).toHaveLength(1);
    const abortAction = /action="([^"]+\/abort)"/.exec(html)?.[1] as string;
    const done = await browser.postForm(new URL(abortAction, login.url).toString(), {}, CALLBACK);
    const cb = new URL(done.url);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    expect(cb.searchParams.get('state')).toBe('s1');
  });

  it('completes the device authorization grant for airlock-cli when bob confirms the code in the browser', async () => {
    const start = await fetch(`${idp.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'airlock-cli', scope: 'openid profile email groups offline_access' }).toString(),
    });
    expect(start.status).toBe(200);
    const device = (await start.json()) as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string };
    expect(device.verification_uri).toBe(`${idp.issuer}/device`);

    // Polling before the user acts says so.
    await expect(tokenRequest(idp, { grant_type: DEVICE_GRANT, client_id: 'airlock-cli', device_code: device.device_code })).rejects.toThrow(/authorization_pending/);

    const browser = new Browser();
    // The input page: type the user code.
    const input = await browser.follow(device.verification_uri);
    const inputHtml = await input.res.text();
    const confirm = await browser.postForm(formAction(inputHtml, input.url, 'op.deviceInputForm'), { ...hiddenInputs(inputHtml), user_code: device.user_code });
    const confirmHtml = await confirm.res.text();
    expect(confirmHtml).toContain('Confirm device');
    // Confirm, then sign in.
    const login = await browser.postForm(formAction(confirmHtml, confirm.url, 'op.deviceConfirmForm'), hiddenInputs(confirmHtml));
    expect(login.url).toMatch(/\/interaction\/[^/]+$/);
    const loginHtml = await login.res.text();
    const success = await browser.postForm(formAction(loginHtml, login.url), { username: 'bob', password: 'bob-dev-password' });
    expect(success.res.status).toBe(200);
    expect(await success.res.text()).toContain('Your device is signed in');

    const tokens = await tokenRequest(idp, { grant_type: DEVICE_GRANT, client_id: 'airlock-cli', device_code: device.device_code });
    const { subject } = await verifier.verify(tokens['access_token'] as string);
    expect(subject).toMatchObject({ kind: 'user', id: 'bob', email: 'bob@example.com', groups: ['airlock-admins'] });
    expect(tokens['refresh_token']).toBeTruthy();
  });

  it('keeps its signing keys across restarts (same data dir)', async () => {
    const kid = async (issuer: string) => ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]?.kid;
    const before = await kid(idp.issuer);
    const second = await startDevIdp({ dataDir, logger: pino({ level: 'silent' }) });
    try {
      expect(await kid(second.issuer)).toBe(before);
      expect((await fs.stat(second.jwksFile)).mode & 0o077).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('rejects a token from another dev IdP (its kid is not in our JWKS)', async () => {
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dev-idp-other-'));
    const other = await startDevIdp({ dataDir: otherDir, logger: pino({ level: 'silent' }) });
    try {
      const body = await tokenRequest(other, { grant_type: 'client_credentials', client_id: 'demo-agent', client_secret: other.clients.agent.clientSecret });
      const err = await verifier.verify(body['access_token'] as string).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdentityError);
      expect((err as IdentityError).code).toBe(IdentityErrorCode.UNKNOWN_KEY); // keys are checked before claims
    } finally {
      await other.close();
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });
});
