import { CliError } from './errors';
import { loadCredentials, saveCredentials, type StoredCredentials } from './credentials';
import { refresh } from './oidc';

/** Refresh a little early so a token does not expire between here and the control plane. */
const REFRESH_MARGIN_MS = 30_000;

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; reason?: string };
}

/** The bearer token: AIRLOCK_TOKEN (API key or access token) wins; else the stored login, refreshed when expired. */
export async function resolveToken(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.AIRLOCK_TOKEN) return env.AIRLOCK_TOKEN;
  let creds: StoredCredentials | undefined = await loadCredentials();
  if (!creds) throw new CliError('airlock: not logged in: run `airlock login`, or set AIRLOCK_TOKEN to an API key');
  if (creds.expiresAt !== undefined && creds.expiresAt - REFRESH_MARGIN_MS < Date.now()) {
    creds = await refresh(creds);
    await saveCredentials(creds);
  }
  return creds.accessToken;
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: () => Promise<string>,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const token = await this.token();
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/$/, '')}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`airlock: cannot reach the control plane at ${this.url} (${cause?.code ?? cause?.message ?? (err as Error).message}): is it running? check --api or AIRLOCK_API_URL`);
    }
    const text = await res.text();
    let body: { data?: T | null; errors?: GraphqlError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new CliError(`airlock: ${this.url}/graphql answered ${res.status} with something that is not GraphQL: check --api points at the control plane`);
    }
    const first = body.errors?.[0];
    if (first) throw graphqlError(first);
    if (!body.data) throw new CliError(`airlock: the control plane answered ${res.status} without data: retry, and check its logs if it persists`);
    return body.data;
  }
}

function graphqlError(e: GraphqlError): CliError {
  const msg = e.message.replace(/^airlock:\s*/, '');
  switch (e.extensions?.code) {
    case 'UNAUTHENTICATED':
      return new CliError(`airlock: the control plane did not accept your credentials (${msg}): run \`airlock login\`, or check AIRLOCK_TOKEN`);
    case 'FORBIDDEN':
      return new CliError(`airlock: ${msg}: ask an admin for the role this needs (see \`airlock whoami\`)`);
    default:
      return new CliError(`airlock: ${msg}`);
  }
}

/** The API client for a command, from the global --api option. */
export function apiFrom(opts: { api: string }): ApiClient {
  return new ApiClient(opts.api, () => resolveToken());
}
