/**
 * OpenID Connect authorization code flow with PKCE (RFC 7636), done with
 * WebCrypto. Tokens live in memory only; sessionStorage holds just the
 * verifier and state across the redirect to the IdP and back.
 */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  audience?: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
}

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt: number;
}

const PENDING_KEY = 'airlock.console.pkce';
// The dev IdP (and most IdPs for a first-party public client) issue a refresh token without offline_access.
const SCOPES = 'openid profile email groups';

export const callbackPath = '/callback';
const redirectUri = () => `${window.location.origin}${callbackPath}`;

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch('/console-config.json', { headers: { accept: 'application/json' } });
    if (res.ok) {
      const cfg = (await res.json()) as Partial<ConsoleConfig>;
      if (cfg.issuer) return { issuer: cfg.issuer, clientId: cfg.clientId ?? 'airlock-console', audience: cfg.audience };
    }
  } catch {
    // Fall through to the build-time settings (Vite dev server).
  }
  const issuer = import.meta.env.VITE_OIDC_ISSUER as string | undefined;
  if (!issuer) throw new Error('No identity provider configured: the control plane serves none at /console-config.json and VITE_OIDC_ISSUER is unset.');
  return { issuer, clientId: (import.meta.env.VITE_OIDC_CLIENT_ID as string | undefined) ?? 'airlock-console', audience: import.meta.env.VITE_OIDC_AUDIENCE as string | undefined };
}

export class OidcClient {
  private discovery?: Discovery;
  private tokens?: Tokens;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private listeners = new Set<() => void>();

  constructor(readonly config: ConsoleConfig) {}

  get accessToken(): string | undefined {
    return this.tokens?.accessToken;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async discover(): Promise<Discovery> {
    if (!this.discovery) {
      const res = await fetch(`${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (!res.ok) throw new Error(`The identity provider's discovery document failed (${res.status}).`);
      this.discovery = (await res.json()) as Discovery;
    }
    return this.discovery;
  }

  /** Sends the browser to the IdP; `returnTo` is where to land after the callback. */
  async signIn(returnTo: string): Promise<void> {
    const d = await this.discover();
    const verifier = randomString(48);
    const state = randomString(16);
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
    const params = new URLSearchParams({
      client_id: this.config.clientId,
      response_type: 'code',
      redirect_uri: redirectUri(),
      scope: SCOPES,
      state,
      code_challenge: await challengeFor(verifier),
      code_challenge_method: 'S256',
    });
    window.location.assign(`${d.authorization_endpoint}?${params}`);
  }

  /** Finishes the redirect: checks state, exchanges the code. Returns the path to go back to. */
  async handleCallback(url: URL): Promise<string> {
    const raw = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    const error = url.searchParams.get('error');
    if (error) throw new Error(`Sign-in failed: ${url.searchParams.get('error_description') ?? error}`);
    if (!raw) throw new Error('Sign-in failed: this browser tab did not start the sign-in (no PKCE verifier).');
    const pending = JSON.parse(raw) as { verifier: string; state: string; returnTo: string };
    if (url.searchParams.get('state') !== pending.state) throw new Error('Sign-in failed: the state parameter does not match.');
    const code = url.searchParams.get('code');
    if (!code) throw new Error('Sign-in failed: no authorization code.');
    await this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: pending.verifier });
    return pending.returnTo || '/';
  }

  private async tokenRequest(body: Record<string, string>): Promise<void> {
    const d = await this.discover();
    const res = await fetch(d.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: this.config.clientId, ...body }),
    });
    const json = (await res.json().catch(() => ({}))) as TokenResponse & { error?: string; error_description?: string };
    if (!res.ok || !json.access_token) throw new Error(`Token request failed: ${json.error_description ?? json.error ?? res.status}`);
    this.tokens = {
      accessToken: json.access_token,
      refreshToken: json.refresh_token ?? this.tokens?.refreshToken,
      idToken: json.id_token ?? this.tokens?.idToken,
      expiresAt: Date.now() + (json.expires_in ?? 300) * 1000,
    };
    this.scheduleRefresh();
    this.listeners.forEach((fn) => fn());
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (!this.tokens?.refreshToken) return;
    // Refresh a minute before expiry (or at 80% of a short lifetime).
    const left = this.tokens.expiresAt - Date.now();
    const delay = Math.max(5_000, Math.min(left - 60_000, left * 0.8));
    this.refreshTimer = setTimeout(() => void this.refresh().catch(() => this.expire()), delay);
  }

  async refresh(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) throw new Error('No refresh token.');
    await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private expire(): void {
    this.tokens = undefined;
    this.listeners.forEach((fn) => fn());
  }

  async signOut(): Promise<void> {
    clearTimeout(this.refreshTimer);
    const idToken = this.tokens?.idToken;
    this.tokens = undefined;
    const d = await this.discover().catch(() => undefined);
    if (d?.end_session_endpoint && idToken) {
      const params = new URLSearchParams({ id_token_hint: idToken, client_id: this.config.clientId, post_logout_redirect_uri: `${window.location.origin}/` });
      window.location.assign(`${d.end_session_endpoint}?${params}`);
    } else {
      this.listeners.forEach((fn) => fn());
    }
  }
}
