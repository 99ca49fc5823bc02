import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { CliError } from '../lib/errors';

/** Fields that carry a secret: in the file they may only reference an environment variable. */
export const SECRET_FIELDS = new Set(['password', 'privateKey', 'token']);
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

const upper = <T extends [string, ...string[]]>(values: T) => z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(values));
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, "-" and "_" only');

const Credential = z.strictObject({
  profile: z.string().min(1),
  username: z.string().optional(),
  password: z.string().optional(),
  privateKey: z.string().optional(),
  token: z.string().optional(),
});

const Connection = z.strictObject({
  name,
  kind: upper(['POSTGRES', 'SSH', 'KUBERNETES', 'HTTP']),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  database: z.string().optional(),
  pool: z.string().default('default'),
  tls: z.strictObject({ mode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']), ca: z.string().optional(), serverName: z.string().optional() }).optional(),
  credentials: z.array(Credential).min(1, 'a connection needs at least one credential profile'),
  policy: z
    .strictObject({
      guardrails: upper(['STANDARD', 'PERMISSIVE', 'CUSTOM']).optional(),
      masking: z.boolean().optional(),
      reviewTimeoutSeconds: z.number().int().positive().optional(),
    })
    .optional(),
});

const ServiceAccount = z.strictObject({
  name,
  roles: z.array(upper(['ADMIN', 'APPROVER', 'AUDITOR', 'MEMBER'])).optional(),
});

const Grant = z.strictObject({
  subject: z.string().regex(/^(sa|user|group):.+$/, 'must be sa:<name>, user:<email> or group:<name>'),
  connection: z.string().min(1),
  profile: z.string().optional(),
  reason: z.string().optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const AirlockFile = z.strictObject({
  version: z.literal(1).optional(),
  connections: z.array(Connection).default([]),
  serviceAccounts: z.array(ServiceAccount).default([]),
  grants: z.array(Grant).default([]),
});
export type AirlockFile = z.infer<typeof AirlockFile>;
export type ConnectionSpec = z.infer<typeof Connection>;
export type CredentialSpec = z.infer<typeof Credential>;
export type ServiceAccountSpec = z.infer<typeof ServiceAccount>;
export type GrantSpec = z.infer<typeof Grant>;

type Path = Array<string | number>;

/** `connections[0].credentials[1].password` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(top level)';
}

/**
 * Parses and validates an airlock.yaml. Order matters: literal secrets are
 * refused before anything else so that no later error message can echo one;
 * then the schema; then `${env:NAME}` references are substituted.
 */
export function parseAirlockFile(text: string, file: string, env: NodeJS.ProcessEnv = process.env): AirlockFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (path: Path) => {
    const node = doc.getIn(path, true) as Node | undefined;
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    return `${file}${pos ? `:${pos.line}` : ''}: ${formatPath(path)}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new CliError(`airlock: ${file}:${lines.linePos(e.pos[0]).line}: not valid YAML (${e.code}): ${e.message.split('\n')[0]}`);
  }
  refuseLiteralSecrets(doc.contents as Node | null, [], where);

  const parsed = AirlockFile.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => `  ${where(i.path as Path)}: ${i.message}`);
    throw new CliError(`airlock: ${file} is not a valid Airlock config:\n${issues.join('\n')}\nfix these and run the command again`);
  }
  return substituteEnv(parsed.data, [], env, where) as AirlockFile;
}

function refuseLiteralSecrets(node: Node | null, path: Path, where: (p: Path) => string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = pair.value as Node | null;
      if (SECRET_FIELDS.has(key) && isScalar(value) && value.value !== null) {
        if (typeof value.value !== 'string' || !WHOLE_ENV_REF.test(value.value)) {
          throw new CliError(
            `airlock: ${where([...path, key])} is a literal secret; secrets never go in the file: put it in an environment variable and write \`${key}: \${env:SOME_VARIABLE}\``,
          );
        }
      }
      refuseLiteralSecrets(value, [...path, key], where);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => refuseLiteralSecrets(item as Node | null, [...path, i], where));
  }
}

function substituteEnv(value: unknown, path: Path, env: NodeJS.ProcessEnv, where: (p: Path) => string): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, variable: string) => {
      const v = env[variable];
      if (v === undefined || v === '') throw new CliError(`airlock: ${where(path)} references \${env:${variable}}, but ${variable} is not set: export it and run the command again`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...path, i], env, where));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...path, k], env, where)]));
  return value;
}
