import { pino } from 'pino';
import { loadConfig } from './config';
import { startDevIdp, type DevIdp } from './idp';

function banner(idp: DevIdp, defaults: { agentSecret: boolean; alice: boolean; bob: boolean }): string {
  const d = (isDefault: boolean) => (isDefault ? ' (fixed dev default)' : '');
  const [alice, bob] = idp.users;
  return [
    '',
    '==================== Airlock dev IdP — DEV ONLY, NOT FOR PRODUCTION ====================',
    `issuer     ${idp.issuer}   (discovery: ${idp.issuer}/.well-known/openid-configuration)`,
    `audience   ${idp.audience}`,
    `users      alice / ${alice?.password}${d(defaults.alice)}   groups: ${alice?.groups.join(',')}`,
    `           bob   / ${bob?.password}${d(defaults.bob)}   groups: ${bob?.groups.join(',')}`,
    `clients    airlock-console  public, authorization code + PKCE, redirects: ${idp.clients.console.redirectUris.join(' ')}`,
    '           airlock-cli      public, device authorization grant + refresh tokens',
    `           demo-agent       confidential, client_credentials (client_secret_post), secret: ${idp.clients.agent.clientSecret}${d(defaults.agentSecret)}`,
    '========================================================================================',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ name: 'dev-idp', level: config.logLevel });
  const idp = await startDevIdp({ ...config, logger });
  // Printed once, on purpose: these are the dev IdP's published test credentials, not real secrets.
  process.stdout.write(`${banner(idp, config.defaults)}\n`);
  logger.info({ issuer: idp.issuer, host: idp.host, port: idp.port }, 'dev-idp: listening');

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'dev-idp: shutting down');
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
