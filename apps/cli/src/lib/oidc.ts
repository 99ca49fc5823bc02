import * as oidc from 'openid-client';
import { CliError } from './errors';
import type { StoredCredentials } from './credentials';

export const CLI_CLIENT_ID = 'airlock-cli';
export const DEFAULT_SCOPE = 'openid profile email groups offline_access';

/** Discovers the issuer; plain http is allowed only for loopback issuers (the dev IdP). */
export async function discover(issuer: string, clientId = CLI_CLIENT_ID): Promise<oidc.Configuration> {
  const url = parseUrl(issuer, 'issuer');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  try {
    return await oidc.discovery(url, clientId, undefined, oidc.None(), url.protocol === 'http:' && loopback ? { execute: [oidc.allowInsecureRequests] } : undefined);
  } catch (err) {
    throw new CliError(`airlock: cannot discover the identity provider at ${issuer} (${describe(err)}): check --issuer or OIDC_ISSUER`);
  }
}

export interface DeviceLogin {
  verificationUri: string;
  verificationUriComplete: string | undefined;
  userCode: string;
  expiresIn: number;
  /** Resolves once the user has confirmed the code in their browser. */
  tokens: Promise<StoredCredentials>;
}

/** RFC 8628 device authorization grant. */
export async function startDeviceLogin(config: oidc.Configuration, issuer: string, scope = DEFAULT_SCOPE, signal?: AbortSignal): Promise<DeviceLogin> {
  let device: oidc.DeviceAuthorizationResponse;
  try {
    device = await oidc.initiateDeviceAuthorization(config, { scope });
  } catch (err) {
    throw new CliError(`airlock: the identity provider refused the device login (${describe(err)}): check that client "${config.clientMetadata().client_id}" may use the device grant`);
  }
  const tokens = oidc.pollDeviceAuthorizationGrant(config, device, undefined, { signal }).then(
    (t) => toStored(t, issuer, config.clientMetadata().client_id),
    (err: unknown) => {
      const code = (err as { error?: string }).error;
      if (code === 'expired_token') throw new CliError('airlock: the login code expired before it was confirmed: run `airlock login` again');
      if (code === 'access_denied') throw new CliError('airlock: the login was denied in the browser: run `airlock login` again to retry');
      throw new CliError(`airlock: device login failed (${describe(err)}): run \`airlock login\` again`);
    },
  );
  return { verificationUri: device.verification_uri, verificationUriComplete: device.verification_uri_complete, userCode: device.user_code, expiresIn: device.expires_in, tokens };
}

export async function refresh(creds: StoredCredentials): Promise<StoredCredentials> {
  if (!creds.refreshToken) throw new CliError('airlock: your login has expired and there is no refresh token: run `airlock login`');
  const config = await discover(creds.issuer, creds.clientId);
  try {
    const t = await oidc.refreshTokenGrant(config, creds.refreshToken);
    const next = toStored(t, creds.issuer, creds.clientId);
    return { ...next, refreshToken: next.refreshToken ?? creds.refreshToken, api: creds.api };
  } catch (err) {
    throw new CliError(`airlock: your login has expired and could not be refreshed (${describe(err)}): run \`airlock login\``);
  }
}

function toStored(t: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, issuer: string, clientId: string): StoredCredentials {
  const expiresIn = t.expiresIn();
  return { issuer, clientId, accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000 };
}

function parseUrl(value: string, what: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new CliError(`airlock: ${what} "${value}" is not a URL: give e.g. http://127.0.0.1:8090`);
  }
}

function describe(err: unknown): string {
  const e = err as { error?: string; error_description?: string; message?: string; cause?: { message?: string } };
  return [e.error, e.error_description, e.message, e.cause?.message].filter(Boolean).join(': ') || String(err);
}
