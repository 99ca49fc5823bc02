import { DEFAULT_AGENT_SECRET, DEFAULT_AUDIENCE, DEFAULT_DATA_DIR, DEFAULT_ISSUER, type DevIdpOptions } from './idp';
import { DEFAULT_PASSWORDS } from './users';

export interface DevIdpConfig extends Required<Pick<DevIdpOptions, 'issuer' | 'port' | 'host' | 'audience' | 'dataDir' | 'agentSecret' | 'consoleRedirects'>> {
  passwords: { alice: string; bob: string };
  logLevel: string;
  /** Which secrets are the fixed, published defaults (worth a louder warning). */
  defaults: { agentSecret: boolean; alice: boolean; bob: boolean };
}

function fail(message: string): never {
  throw new Error(`airlock: dev-idp configuration: ${message}`);
}

/** Reads the environment once, at boot; nothing else in the app touches process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DevIdpConfig {
  const issuer = (env['OIDC_ISSUER'] ?? DEFAULT_ISSUER).replace(/\/+$/, '');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    fail(`OIDC_ISSUER is not a URL: ${issuer}`);
  }
  if (issuerUrl.pathname !== '/' || issuerUrl.search) fail('OIDC_ISSUER must be an origin without a path (e.g. http://127.0.0.1:8090)');
  const port = Number(env['DEV_IDP_PORT'] ?? (issuerUrl.port || (issuerUrl.protocol === 'https:' ? 443 : 80)));
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`DEV_IDP_PORT is not a port: ${env['DEV_IDP_PORT']}`);
  const consoleRedirects = (env['DEV_IDP_CONSOLE_REDIRECTS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const uri of consoleRedirects) {
    try {
      new URL(uri);
    } catch {
      fail(`DEV_IDP_CONSOLE_REDIRECTS has an invalid URL: ${uri}`);
    }
  }
  return {
    issuer,
    port,
    host: env['DEV_IDP_HOST'] ?? '127.0.0.1',
    audience: env['OIDC_AUDIENCE'] ?? DEFAULT_AUDIENCE,
    dataDir: env['DEV_IDP_DATA_DIR'] ?? DEFAULT_DATA_DIR,
    agentSecret: env['DEV_IDP_AGENT_SECRET'] || DEFAULT_AGENT_SECRET,
    consoleRedirects,
    passwords: {
      alice: env['DEV_IDP_ALICE_PASSWORD'] || DEFAULT_PASSWORDS.alice,
      bob: env['DEV_IDP_BOB_PASSWORD'] || DEFAULT_PASSWORDS.bob,
    },
    logLevel: env['DEV_IDP_LOG_LEVEL'] ?? 'info',
    defaults: {
      agentSecret: !env['DEV_IDP_AGENT_SECRET'],
      alice: !env['DEV_IDP_ALICE_PASSWORD'],
      bob: !env['DEV_IDP_BOB_PASSWORD'],
    },
  };
}
