import type { AirlockFile, ConnectionSpec, CredentialSpec, GrantSpec } from './config-file';
import { SECRET_FIELDS } from './config-file';

/** The control plane's state as the API returns it (never a secret). */
export interface CurrentConnection {
  name: string;
  kind: string;
  host: string;
  port: number;
  database: string | null;
  pool: string;
  tls: { mode: string; ca: string | null; serverName: string | null };
  guardrails: string;
  masking: boolean;
  reviewTimeoutSeconds: number;
  credentials: Array<{ profile: string; username: string | null }>;
}
export interface CurrentServiceAccount {
  name: string;
  roles: string[];
}
export interface CurrentGrant {
  id: string;
  subject: string;
  connection: string;
  profile: string;
  expiresAt: string | null;
  reason: string | null;
  source: string;
}
export interface CurrentState {
  connections: CurrentConnection[];
  serviceAccounts: CurrentServiceAccount[];
  grants: CurrentGrant[];
}

/** One GraphQL mutation to run; `input` may hold secrets and is never printed. */
export type Step =
  | { mutation: 'createConnection' | 'updateConnection' | 'deleteConnection' | 'setConnectionPolicy' | 'createServiceAccount' | 'grantAccess' | 'revokeAccess'; input: Record<string, unknown> };

export interface Change {
  op: '+' | '~' | '-';
  /** What a human reads: names and non-secret fields only. */
  line: string;
  steps: Step[];
}

export interface Plan {
  changes: Change[];
  /** Differences apply cannot reconcile (said, never silently ignored). */
  warnings: string[];
}

export interface PlanOptions {
  prune?: boolean;
  /** Re-send every secret (apply cannot compare secrets: the API never returns them). */
  rotateSecrets?: boolean;
}

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

export function plan(desired: AirlockFile, current: CurrentState, opts: PlanOptions = {}): Plan {
  const changes: Change[] = [];
  const warnings: string[] = [];
  const byName = new Map(current.connections.map((c) => [c.name, c]));

  for (const spec of desired.connections) {
    const cur = byName.get(spec.name);
    if (!cur) {
      changes.push(createConnection(spec));
      continue;
    }
    const update = updateConnection(spec, cur, opts);
    if (update) changes.push(update);
    const policy = policyChange(spec, cur);
    if (policy) changes.push(policy);
  }

  const accounts = new Map(current.serviceAccounts.map((s) => [s.name, s]));
  for (const sa of desired.serviceAccounts) {
    const cur = accounts.get(sa.name);
    if (!cur) {
      changes.push({ op: '+', line: `service account ${sa.name} (${(sa.roles ?? ['MEMBER']).join(', ')}; its API key is printed once)`, steps: [{ mutation: 'createServiceAccount', input: { name: sa.name, roles: sa.roles } }] });
    } else if (sa.roles && [...sa.roles].sort().join(',') !== [...cur.roles].sort().join(',')) {
      warnings.push(`service account ${sa.name} has roles ${cur.roles.join(', ') || '(none)'}, the file says ${sa.roles.join(', ')}: the API cannot change an account's roles; create a new account instead`);
    }
  }

  const standing = current.grants.filter((g) => g.source === 'STANDING');
  const kept = new Set<string>();
  for (const g of desired.grants) {
    const same = standing.filter((c) => c.subject === g.subject && c.connection === g.connection && !kept.has(c.id));
    const match = same.find((c) => !g.profile || c.profile === g.profile);
    const label = `grant ${g.subject} → ${g.connection}`;
    if (match) {
      kept.add(match.id);
      const diffs = grantDiffs(g, match);
      if (diffs.length) changes.push({ op: '~', line: `${label}: ${diffs.join('; ')}`, steps: [{ mutation: 'revokeAccess', input: { id: match.id } }, grant(g)] });
      continue;
    }
    const other = same[0];
    if (other) {
      kept.add(other.id);
      changes.push({ op: '~', line: `${label}: profile ${show(other.profile)} → ${show(g.profile)}`, steps: [{ mutation: 'revokeAccess', input: { id: other.id } }, grant(g)] });
    } else {
      changes.push({ op: '+', line: `${label}${g.profile ? ` (profile ${g.profile})` : ''}${g.expiresAt ? ` until ${g.expiresAt}` : ''}`, steps: [grant(g)] });
    }
  }

  if (opts.prune) {
    const wanted = new Set(desired.connections.map((c) => c.name));
    const gone = current.connections.filter((c) => !wanted.has(c.name));
    const goneNames = new Set(gone.map((c) => c.name));
    for (const g of standing) {
      // Deleting a connection drops its grants with it.
      if (!kept.has(g.id) && !goneNames.has(g.connection)) changes.push({ op: '-', line: `grant ${g.subject} → ${g.connection} (profile ${g.profile})`, steps: [{ mutation: 'revokeAccess', input: { id: g.id } }] });
    }
    for (const c of gone) changes.push({ op: '-', line: `connection ${c.name} (and its grants)`, steps: [{ mutation: 'deleteConnection', input: { name: c.name } }] });
  }
  return { changes, warnings };
}

function createConnection(spec: ConnectionSpec): Change {
  const steps: Step[] = [{ mutation: 'createConnection', input: connectionInput(spec, spec.credentials, true) }];
  const policy = spec.policy && Object.values(spec.policy).some((v) => v !== undefined);
  if (policy) steps.push({ mutation: 'setConnectionPolicy', input: { connection: spec.name, ...spec.policy } });
  const target = `${spec.kind} ${spec.host}:${spec.port}${spec.database ? `/${spec.database}` : ''}`;
  const profiles = spec.credentials.map((c) => `${c.profile}${secretFields(c).length ? ` (${secretFields(c).join(', ')} from env)` : ''}`).join(', ');
  const pol = policy ? `, policy ${Object.entries(spec.policy ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : '';
  return { op: '+', line: `connection ${spec.name}: ${target}, pool ${spec.pool}, credentials ${profiles}${pol}`, steps };
}

function updateConnection(spec: ConnectionSpec, cur: CurrentConnection, opts: PlanOptions): Change | undefined {
  const diffs: string[] = [];
  const field = (label: string, want: unknown, have: unknown) => {
    if (want !== have) diffs.push(`${label} ${show(have)} → ${show(want)}`);
  };
  field('kind', spec.kind, cur.kind);
  field('host', spec.host, cur.host);
  field('port', spec.port, cur.port);
  field('database', spec.database ?? null, cur.database);
  field('pool', spec.pool, cur.pool);
  if (spec.tls) {
    field('tls.mode', spec.tls.mode, cur.tls.mode);
    field('tls.ca', spec.tls.ca ?? null, cur.tls.ca);
    field('tls.serverName', spec.tls.serverName ?? null, cur.tls.serverName);
  }
  const have = new Map(cur.credentials.map((c) => [c.profile, c]));
  const want = new Set(spec.credentials.map((c) => c.profile));
  const sendSecretsFor = new Set<string>();
  for (const c of spec.credentials) {
    const h = have.get(c.profile);
    if (!h) {
      diffs.push(`credentials.${c.profile} added`);
      sendSecretsFor.add(c.profile);
      continue;
    }
    if ((c.username ?? null) !== h.username) diffs.push(`credentials.${c.profile}.username ${show(h.username)} → ${show(c.username ?? null)}`);
    if (opts.rotateSecrets && secretFields(c).length) {
      diffs.push(`credentials.${c.profile} ${secretFields(c).join(', ')} re-sent (--rotate-secrets)`);
      sendSecretsFor.add(c.profile);
    }
  }
  for (const h of cur.credentials) if (!want.has(h.profile)) diffs.push(`credentials.${h.profile} removed`);
  if (!diffs.length) return undefined;
  const creds = spec.credentials.map((c) => (sendSecretsFor.has(c.profile) ? c : { profile: c.profile, username: c.username }));
  return { op: '~', line: `connection ${spec.name}: ${diffs.join('; ')}`, steps: [{ mutation: 'updateConnection', input: connectionInput(spec, creds, false) }] };
}

function policyChange(spec: ConnectionSpec, cur: CurrentConnection): Change | undefined {
  if (!spec.policy) return undefined;
  const diffs: string[] = [];
  const input: Record<string, unknown> = { connection: spec.name };
  for (const key of ['guardrails', 'masking', 'reviewTimeoutSeconds'] as const) {
    const want = spec.policy[key];
    if (want !== undefined && want !== cur[key]) {
      diffs.push(`${key} ${show(cur[key])} → ${show(want)}`);
      input[key] = want;
    }
  }
  return diffs.length ? { op: '~', line: `connection ${spec.name} policy: ${diffs.join('; ')}`, steps: [{ mutation: 'setConnectionPolicy', input }] } : undefined;
}

function connectionInput(spec: ConnectionSpec, credentials: Array<Partial<CredentialSpec>>, create: boolean): Record<string, unknown> {
  const input: Record<string, unknown> = { name: spec.name, kind: spec.kind, host: spec.host, port: spec.port, pool: spec.pool, credentials };
  if (spec.database !== undefined || create) input['database'] = spec.database;
  if (spec.tls) input['tls'] = spec.tls;
  return input;
}

function secretFields(c: CredentialSpec): string[] {
  return Object.keys(c).filter((k) => SECRET_FIELDS.has(k) && c[k as keyof CredentialSpec] !== undefined);
}

function grant(g: GrantSpec): Step {
  return { mutation: 'grantAccess', input: { subject: g.subject, connection: g.connection, profile: g.profile, reason: g.reason, expiresAt: g.expiresAt } };
}

function grantDiffs(g: GrantSpec, cur: CurrentGrant): string[] {
  const out: string[] = [];
  if (g.reason !== undefined && g.reason !== cur.reason) out.push(`reason ${show(cur.reason)} → ${show(g.reason)}`);
  const want = g.expiresAt ? Date.parse(g.expiresAt) : null;
  const have = cur.expiresAt ? Date.parse(cur.expiresAt) : null;
  if (want !== have) out.push(`expiresAt ${show(cur.expiresAt)} → ${show(g.expiresAt ?? null)}`);
  return out;
}

/** The diff as printed by `apply` and `apply --dry-run`. */
export function renderPlan(p: Plan): string {
  const lines = p.changes.map((c) => `${c.op} ${c.line}`);
  for (const w of p.warnings) lines.push(`! ${w}`);
  const count = (op: Change['op']) => p.changes.filter((c) => c.op === op).length;
  lines.push(`Plan: ${count('+')} to create, ${count('~')} to update, ${count('-')} to delete.`);
  return lines.join('\n') + '\n';
}
