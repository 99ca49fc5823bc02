import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OidcSettings } from '@airlock/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config';

type Jwks = NonNullable<OidcSettings['jwks']>;

const CACHE_MS = 5 * 60_000;
const TIMEOUT_MS = 3_000;

/**
 * The IdP's signing keys, shipped in every snapshot so workers verify tokens
 * offline. Fetched through discovery and cached; when the IdP is unreachable
 * the last good set is kept, or null if there never was one.
 */
@Injectable()
export class OidcJwksService {
  private readonly logger = new Logger(OidcJwksService.name);
  private cached: { jwks: Jwks; at: number } | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async settings(): Promise<OidcSettings | null> {
    const oidc = this.config.oidc;
    if (!oidc) return null;
    return { issuer: oidc.issuer, audience: oidc.audience, jwks: await this.jwks(oidc.issuer) };
  }

  private async jwks(issuer: string): Promise<Jwks | null> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.jwks;
    try {
      const discovery = (await this.getJson(`${issuer}/.well-known/openid-configuration`)) as { jwks_uri?: unknown };
      if (typeof discovery.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
      const jwks = (await this.getJson(discovery.jwks_uri)) as Jwks;
      if (!Array.isArray(jwks?.keys)) throw new Error('jwks_uri did not return a key set');
      this.cached = { jwks: { keys: jwks.keys }, at: Date.now() };
    } catch (err) {
      this.logger.warn({ msg: 'IdP signing keys unavailable; snapshot keeps the last known set', issuer, err: (err as Error).message });
    }
    return this.cached?.jwks ?? null;
  }

  private async getJson(url: string): Promise<unknown> {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return res.json();
  }
}
