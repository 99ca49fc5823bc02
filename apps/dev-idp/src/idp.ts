import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadOrCreateSigningKeys } from './keys';
import { deviceConfirmPage, deviceInputPage, loginPage, messagePage, page } from './pages';
import { type InteractionDetails, type OidcCtx, type OidcProvider } from './provider-types';
import { checkPassword, devUsers, userClaims, type DevUser } from './users';

export const DEFAULT_ISSUER = 'http://127.0.0.1:8090';
export const DEFAULT_AUDIENCE = 'airlock';
export const DEFAULT_DATA_DIR = path.join('.airlock', 'dev-idp');
export const DEFAULT_AGENT_SECRET = 'demo-agent-dev-secret';
export const DEFAULT_CONSOLE_REDIRECTS = ['http://127.0.0.1:8080/callback', 'http://localhost:5173/callback'];
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Every scope Airlock's clients may ask for; the resource server (audience) accepts all of them. */
export const AIRLOCK_SCOPES = 'openid profile email groups offline_access';

export interface DevIdpOptions {
  /** Default: http://<host>:<port>, or DEFAULT_ISSUER's port when neither issuer nor port is given by main. */
  issuer?: string;
  /** Default: the issuer's port, else 0 (a free port, for tests). */
  port?: number;
  host?: string;
  audience?: string;
  /** Where jwks.json lives. Default `.airlock/dev-idp` under the working directory. */
  dataDir?: string;
  agentSecret?: string;
  passwords?: Partial<Record<'alice' | 'bob', string>>;
  /** Extra redirect URIs for airlock-console, on top of DEFAULT_CONSOLE_REDIRECTS. */
  consoleRedirects?: string[];
  logger?: Logger;
}

export interface DevIdpClients {
  console: { clientId: 'airlock-console'; redirectUris: string[] };
  cli: { clientId: 'airlock-cli' };
  /** Confidential; authenticates with client_secret_post (openid-client's default). */
  agent: { clientId: 'demo-agent'; clientSecret: string; tokenEndpointAuthMethod: 'client_secret_post' };
}

export interface DevIdp {
  issuer: string;
  port: number;
  host: string;
  audience: string;
  /** The RFC 8707 resource indicator for `audience` (clients may omit `resource`: it is the default). */
  resource: string;
  jwksFile: string;
  clients: DevIdpClients;
  users: DevUser[];
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 16 * 1024;

/**
 * RFC 8707 resource indicators must be absolute URIs, while Airlock's audience is a bare name (`airlock`).
 * The indicator names the resource server; the `aud` claim in its tokens is still the plain audience.
 */
export function resourceIndicatorFor(audience: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(audience) ? audience : `urn:airlock:audience:${audience}`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw Object.assign(new Error('airlock: form too large'), { status: 413 });
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function buildConfiguration(o: {
  audience: string;
  jwks: unknown;
  users: DevUser[];
  clients: DevIdpClients;
}): Record<string, unknown> {
  const findUser = (id: string | undefined) => o.users.find((u) => u.username === id);
  const firstParty = new Set<string>([o.clients.console.clientId, o.clients.cli.clientId, o.clients.agent.clientId]);
  const resource = resourceIndicatorFor(o.audience);
  const consoleOrigins = [...new Set(o.clients.console.redirectUris.map((u) => new URL(u).origin))];

  return {
    clients: [
      {
        client_id: o.clients.console.clientId,
        client_name: 'Airlock console',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: o.clients.console.redirectUris,
        post_logout_redirect_uris: consoleOrigins.map((origin) => `${origin}/`),
      },
      {
        client_id: o.clients.cli.clientId,
        client_name: 'Airlock CLI',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: o.clients.agent.clientId,
        client_name: 'Demo agent',
        client_secret: o.clients.agent.clientSecret,
        token_endpoint_auth_method: o.clients.agent.tokenEndpointAuthMethod,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: o.jwks,
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: AIRLOCK_SCOPES.split(' '),
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Put scope-derived claims (groups, email…) in ID tokens too, not only at userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const user = findUser(sub);
      return user ? { accountId: user.username, claims: async () => userClaims(user) } : undefined;
    },
    async extraTokenClaims(_ctx: unknown, token: { kind: string; accountId?: string }) {
      const user = token.kind === 'AccessToken' ? findUser(token.accountId) : undefined;
      if (!user) return undefined; // client_credentials: a service account has no groups
      return { preferred_username: user.username, email: user.email, groups: [...user.groups] };
    },
    // First-party clients never show a consent screen: reuse or create a grant covering every scope.
    async loadExistingGrant(ctx: OidcCtx) {
      const { client, session, result, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!firstParty.has(client.clientId)) return existing;
      const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(AIRLOCK_SCOPES);
      grant.addResourceScope(resource, AIRLOCK_SCOPES);
      await grant.save();
      return grant;
    },
    async issueRefreshToken(_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) {
      return client.grantTypeAllowed('refresh_token');
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    clientBasedCORS(_ctx: unknown, origin: string, client: { redirectUris?: string[] }) {
      return (client.redirectUris ?? []).some((u) => new URL(u).origin === origin);
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 3600,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx: OidcCtx, form: string, _out: unknown, err?: { name?: string; userCode?: string }) {
          const error = err ? (err.userCode || err.name === 'NoCodeError' ? 'That code is not valid. Try again.' : 'The sign-in could not be completed.') : undefined;
          ctx.type = 'html';
          ctx.body = deviceInputPage(form, error);
        },
        async userCodeConfirmSource(ctx: OidcCtx, form: string, client: { clientName?: string; clientId: string }, _info: unknown, userCode: string) {
          ctx.type = 'html';
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        async successSource(ctx: OidcCtx) {
          ctx.type = 'html';
          ctx.body = messagePage('Signed in', 'Your device is signed in. You can close this page and return to the terminal.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx: unknown, resourceIndicator: string) {
          if (resourceIndicator !== resource) throw new Error(`unknown resource ${resourceIndicator}`);
          return {
            scope: AIRLOCK_SCOPES,
            audience: o.audience,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: OidcCtx, form: string) {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out — Airlock dev IdP',
            `<h1>Sign out?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
          );
        },
        async postLogoutSuccessSource(ctx: OidcCtx) {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You have been signed out.');
        },
      },
    },
    async renderError(ctx: OidcCtx, out: { error?: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in error', `${out.error ?? 'error'}: ${out.error_description ?? 'the request could not be completed'}`);
    },
  };
}

class Interactions {
  constructor(
    private readonly provider: OidcProvider,
    private readonly users: DevUser[],
    private readonly logger: Logger,
  ) {}

  /** Routes /interaction/:uid[/login|/abort]; returns false when the path is not ours. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/.exec(pathname);
    if (!m) return false;
    const [, uid, action] = m;
    let details: InteractionDetails;
    try {
      details = await this.provider.interactionDetails(req, res);
    } catch {
      send(res, 400, messagePage('Sign-in expired', 'This sign-in request is unknown or has expired. Start again from the application.'));
      return true;
    }
    if (details.uid !== uid) {
      send(res, 400, messagePage('Sign-in mismatch', 'This page does not belong to the current sign-in request.'));
      return true;
    }
    if (req.method === 'GET' && !action) await this.show(req, res, details);
    else if (req.method === 'POST' && action === 'login') await this.login(req, res, details);
    else if (req.method === 'POST' && action === 'abort') {
      await this.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    } else send(res, 405, messagePage('Not allowed', 'Method not allowed.'));
    return true;
  }

  private async clientName(clientId: string | undefined): Promise<string> {
    const client = clientId ? await this.provider.Client.find(clientId) : undefined;
    return client?.clientName ?? clientId ?? 'an application';
  }

  private async show(req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
    if (details.prompt.name === 'login') {
      send(res, 200, loginPage({ uid: details.uid, clientName: await this.clientName(details.params['client_id']), username: details.params['login_hint'] }));
      return;
    }
    if (details.prompt.name === 'consent') {
      await this.consent(req, res, details);
      return;
    }
    send(res, 400, messagePage('Unsupported prompt', `The dev IdP does not handle the "${details.prompt.name}" prompt.`));
  }

  private async login(req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
    const form = await readForm(req);
    const username = (form.get('username') ?? '').trim();
    const user = checkPassword(this.users, username, form.get('password') ?? '');
    if (details.prompt.name !== 'login') {
      send(res, 400, messagePage('Already signed in', 'This request no longer needs a sign-in.'));
      return;
    }
    if (!user) {
      this.logger.info({ username, uid: details.uid }, 'dev-idp: failed sign-in');
      send(res, 401, loginPage({ uid: details.uid, clientName: await this.clientName(details.params['client_id']), username, error: 'Wrong username or password.' }));
      return;
    }
    this.logger.info({ username: user.username, clientId: details.params['client_id'] }, 'dev-idp: signed in');
    await this.provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
  }

  /** Consent for first-party clients is implicit: grant whatever is missing and carry on. */
  private async consent(req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = (details.grantId ? await this.provider.Grant.find(details.grantId) : undefined) ??
      new this.provider.Grant({ accountId: details.session?.accountId, clientId: details.params['client_id'] });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
}

/** Starts a real OpenID Provider for Airlock's quickstart and tests. */
export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const logger = options.logger ?? pino({ name: 'dev-idp' });
  const host = options.host ?? '127.0.0.1';
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const requestedPort = options.port ?? (options.issuer ? Number(new URL(options.issuer).port || 80) : 0);

  let handler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = http.createServer((req, res) => {
    if (!handler) return send(res, 503, messagePage('Starting', 'The dev IdP is starting.'));
    handler(req, res).catch((err: unknown) => {
      logger.error({ err: { message: (err as Error).message, name: (err as Error).name } }, 'dev-idp: request failed');
      if (!res.headersSent) send(res, (err as { status?: number }).status ?? 500, messagePage('Error', 'airlock: dev IdP internal error'));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  try {
    const issuer = options.issuer ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const { jwks, file: jwksFile, created } = await loadOrCreateSigningKeys(options.dataDir ?? DEFAULT_DATA_DIR);
    logger.info({ jwksFile, created }, created ? 'dev-idp: generated signing keys' : 'dev-idp: loaded signing keys');

    const users = devUsers(options.passwords);
    const clients: DevIdpClients = {
      console: { clientId: 'airlock-console', redirectUris: [...new Set([...DEFAULT_CONSOLE_REDIRECTS, ...(options.consoleRedirects ?? [])])] },
      cli: { clientId: 'airlock-cli' },
      agent: { clientId: 'demo-agent', clientSecret: options.agentSecret ?? DEFAULT_AGENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
    };

    // oidc-provider is ESM-only; require(esm) loads it on Node >= 20.19.
    const { Provider } = (await import('oidc-provider')) as { Provider: new (issuer: string, config: Record<string, unknown>) => OidcProvider };
    const provider = new Provider(issuer, buildConfiguration({ audience, jwks, users, clients }));
    provider.on('server_error', (_ctx: unknown, err: Error) => logger.error({ err: { message: err.message, name: err.name } }, 'dev-idp: server error'));
    for (const event of ['grant.error', 'authorization.error', 'introspection.error', 'revocation.error']) {
      provider.on(event, (_ctx: unknown, err: { error?: string; error_description?: string }) =>
        logger.warn({ event, error: err.error, description: err.error_description }, 'dev-idp: request refused'),
      );
    }

    const interactions = new Interactions(provider, users, logger);
    const oidc = provider.callback();
    handler = async (req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (pathname === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      if (pathname.startsWith('/interaction/') && (await interactions.handle(req, res, pathname))) return;
      oidc(req, res);
    };

    return { issuer, port, host, audience, resource: resourceIndicatorFor(audience), jwksFile, clients, users, close };
  } catch (err) {
    await close();
    throw err;
  }
}
