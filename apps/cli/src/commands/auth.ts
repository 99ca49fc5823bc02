import { Command } from 'commander';
import { apiFrom } from '../lib/api';
import { loadCredentials, removeCredentials, saveCredentials } from '../lib/credentials';
import { CliError } from '../lib/errors';
import { CLI_CLIENT_ID, DEFAULT_SCOPE, discover, startDeviceLogin } from '../lib/oidc';
import { credentialsFile } from '../lib/paths';

interface LoginOptions {
  issuer?: string;
  clientId: string;
  scope: string;
}

/** The issuer: --issuer, else what the control plane publishes for its console, else OIDC_ISSUER. */
async function findIssuer(api: string, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  try {
    const res = await fetch(`${api.replace(/\/$/, '')}/console-config.json`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (res.ok) {
      const cfg = (await res.json()) as { issuer?: unknown };
      if (typeof cfg.issuer === 'string' && cfg.issuer) return cfg.issuer;
    }
  } catch {
    // Older control planes do not publish it: fall back to the environment.
  }
  if (process.env.OIDC_ISSUER) return process.env.OIDC_ISSUER;
  throw new CliError(`airlock: cannot tell which identity provider to use: ${api} publishes none at /console-config.json; pass --issuer <url> or set OIDC_ISSUER`);
}

export function loginCommand(): Command {
  return new Command('login')
    .description('sign in through your identity provider (OAuth device authorization grant)')
    .option('--issuer <url>', 'OIDC issuer (default: the control plane\'s, else OIDC_ISSUER)')
    .option('--client-id <id>', 'OAuth client of the CLI', CLI_CLIENT_ID)
    .option('--scope <scopes>', 'scopes to ask for', DEFAULT_SCOPE)
    .action(async (opts: LoginOptions, cmd: Command) => {
      const { api } = cmd.optsWithGlobals<{ api: string }>();
      const issuer = await findIssuer(api, opts.issuer);
      const config = await discover(issuer, opts.clientId);
      const login = await startDeviceLogin(config, issuer, opts.scope);
      process.stdout.write(
        `To sign in, open ${login.verificationUri} and enter the code ${login.userCode}\n` +
          (login.verificationUriComplete ? `(or open ${login.verificationUriComplete})\n` : '') +
          `Waiting for you to confirm (the code expires in ${Math.round(login.expiresIn / 60)} min)…\n`,
      );
      const creds = await login.tokens;
      await saveCredentials({ ...creds, api });
      process.stdout.write(`Logged in. Credentials saved to ${credentialsFile()}\n`);
    });
}

export function logoutCommand(): Command {
  return new Command('logout').description('forget the stored login').action(async () => {
    const removed = await removeCredentials();
    process.stdout.write(removed ? `Logged out: removed ${credentialsFile()}\n` : 'Not logged in: nothing to remove.\n');
    if (process.env.AIRLOCK_TOKEN) process.stdout.write('Note: AIRLOCK_TOKEN is still set in your environment and is used instead of a login.\n');
  });
}

export function whoamiCommand(): Command {
  return new Command('whoami').description('who the control plane sees you as, and your roles').action(async (_opts: unknown, cmd: Command) => {
    const api = apiFrom(cmd.optsWithGlobals<{ api: string }>());
    const { me } = await api.request<{ me: { name: string; kind: string; roles: string[]; email: string | null } }>('query { me { name kind roles email } }');
    const via = process.env.AIRLOCK_TOKEN ? 'AIRLOCK_TOKEN' : (await loadCredentials()) ? 'login' : 'unknown';
    process.stdout.write(`${me.name}${me.email ? ` <${me.email}>` : ''}\nkind:  ${me.kind}\nroles: ${me.roles.join(', ') || '(none)'}\nvia:   ${via}\n`);
  });
}
