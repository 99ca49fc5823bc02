import { Command } from 'commander';
import { apiFrom } from '../lib/api';
import { table } from '../lib/table';

type Globals = { api: string };

export function connectionsCommand(): Command {
  return new Command('connections').description('list connections (targets)').action(async (_o: unknown, cmd: Command) => {
    const api = apiFrom(cmd.optsWithGlobals<Globals>());
    const { connections } = await api.request<{
      connections: Array<{ name: string; kind: string; host: string; port: number; database: string | null; pool: string; guardrails: string; masking: boolean; credentials: Array<{ profile: string }> }>;
    }>('query { connections { name kind host port database pool guardrails masking credentials { profile } } }');
    if (!connections.length) return void process.stdout.write('No connections yet: add one with `airlock apply -f airlock.yaml`.\n');
    process.stdout.write(
      table(
        ['NAME', 'KIND', 'TARGET', 'POOL', 'GUARDRAILS', 'MASKING', 'PROFILES'],
        connections.map((c) => [c.name, c.kind, `${c.host}:${c.port}${c.database ? `/${c.database}` : ''}`, c.pool, c.guardrails, c.masking ? 'on' : 'off', c.credentials.map((p) => p.profile).join(',')]),
      ),
    );
  });
}

export function grantsCommand(): Command {
  return new Command('grants')
    .description('list active access grants')
    .option('--connection <name>', 'only grants on this connection')
    .option('--all', 'include revoked and expired grants')
    .action(async (opts: { connection?: string; all?: boolean }, cmd: Command) => {
      const api = apiFrom(cmd.optsWithGlobals<Globals>());
      const { accessGrants } = await api.request<{
        accessGrants: Array<{ id: string; subject: string; connection: string; profile: string; source: string; expiresAt: string | null; revokedAt: string | null; grantedBy: string; reason: string | null }>;
      }>('query($c: String, $all: Boolean) { accessGrants(connection: $c, includeInactive: $all) { id subject connection profile source expiresAt revokedAt grantedBy reason } }', {
        c: opts.connection ?? null,
        all: opts.all ?? false,
      });
      if (!accessGrants.length) return void process.stdout.write(`No ${opts.all ? '' : 'active '}grants${opts.connection ? ` on ${opts.connection}` : ''}.\n`);
      process.stdout.write(
        table(
          ['SUBJECT', 'CONNECTION', 'PROFILE', 'SOURCE', 'EXPIRES', 'GRANTED BY', 'ID'],
          accessGrants.map((g) => [g.subject, g.connection, g.profile, g.revokedAt ? `${g.source} (revoked)` : g.source, g.expiresAt ?? 'never', g.grantedBy, g.id]),
        ),
      );
    });
}

export function workersCommand(): Command {
  return new Command('workers')
    .description('list workers with a fresh heartbeat')
    .option('--pool <name>', 'only this pool')
    .action(async (opts: { pool?: string }, cmd: Command) => {
      const api = apiFrom(cmd.optsWithGlobals<Globals>());
      const { workers } = await api.request<{
        workers: Array<{ id: string; pool: string; region: string; address: string | null; sshAddress: string | null; httpAddress: string | null; policyVersion: number; sessions: number; lastSeen: string }>;
      }>('query($p: String) { workers(pool: $p) { id pool region address sshAddress httpAddress policyVersion sessions lastSeen } }', { p: opts.pool ?? null });
      if (!workers.length) return void process.stdout.write(`No workers${opts.pool ? ` in pool ${opts.pool}` : ''} have sent a heartbeat recently: is one running? (npm run quickstart starts one)\n`);
      process.stdout.write(
        table(
          ['ID', 'POOL', 'REGION', 'POSTGRES', 'SSH', 'HTTP', 'POLICY', 'SESSIONS', 'LAST SEEN'],
          workers.map((w) => [w.id, w.pool, w.region, w.address ?? '-', w.sshAddress ?? '-', w.httpAddress ?? '-', `v${w.policyVersion}`, String(w.sessions), w.lastSeen]),
        ),
      );
    });
}
