import type { FindingCode, GuardrailMatch, StatementKind } from '@airlock/sql-guard';
import { z } from 'zod';

// Exhaustive by construction: adding a kind or finding to sql-guard fails this file's typecheck.
const KINDS: Record<StatementKind, true> = {
  SELECT: true, VALUES: true, INSERT: true, UPDATE: true, DELETE: true, MERGE: true,
  CREATE_TABLE: true, CREATE_TABLE_AS: true, CREATE_INDEX: true, CREATE_VIEW: true, CREATE_SCHEMA: true,
  CREATE_SEQUENCE: true, CREATE_FUNCTION: true, CREATE_TRIGGER: true, CREATE_RULE: true, CREATE_EXTENSION: true,
  CREATE_ROLE: true, ALTER_ROLE: true, CREATE_DATABASE: true, CREATE_OTHER: true,
  CREATE_SERVER: true, CREATE_FOREIGN_TABLE: true, IMPORT_FOREIGN_SCHEMA: true, CREATE_USER_MAPPING: true,
  ALTER_TABLE: true, ALTER_INDEX: true, ALTER_SYSTEM: true, ALTER_OTHER: true, RENAME: true, COMMENT: true,
  DROP: true, TRUNCATE: true,
  COPY: true, SET: true, RESET: true, SHOW: true, EXPLAIN: true, TRANSACTION: true, GRANT: true, REVOKE: true,
  CALL: true, DO: true, EXECUTE: true, PREPARE: true, DEALLOCATE: true,
  VACUUM: true, ANALYZE: true, CLUSTER: true, REINDEX: true, LOCK: true, CHECKPOINT: true, LOAD: true,
  DISCARD: true, LISTEN: true, NOTIFY: true, UNLISTEN: true,
  DECLARE_CURSOR: true, FETCH: true, CLOSE: true,
  OTHER: true,
};
const FINDINGS: Record<FindingCode, true> = {
  'missing-where': true, 'constant-where': true, 'data-modifying-cte': true, 'dynamic-sql': true, 'server-file': true,
  'copy-program': true, 'large-object-write': true, 'server-admin': true, 'foreign-access': true, 'superuser-role': true,
  'alter-drop': true, 'set-role': true, 'side-effect-function': true, 'unknown-function': true, 'select-into': true,
  'vacuum-full': true, 'unknown-prepared': true,
};
export const STATEMENT_KINDS = Object.keys(KINDS) as StatementKind[];
export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

const Glob = z.string().trim().min(1, 'must not be empty').max(200).regex(/^[^\s]+$/, 'must not contain spaces');
const List = <T extends z.ZodTypeAny>(item: T) => z.array(item).min(1, 'give at least one entry, or leave the field out').max(200);

const oneOf = (known: Record<string, true>, what: string) =>
  z.string().superRefine((v, ctx) => {
    if (!Object.hasOwn(known, v)) ctx.addIssue({ code: 'custom', message: `unknown ${what} "${v}"; known: ${Object.keys(known).join(', ')}` });
  });

/** A rule's `match`, as sql-guard runs it. Unknown kinds and findings are refused, not ignored. */
export const GuardrailMatchSchema = z
  .object({
    kinds: List(oneOf(KINDS, 'statement kind')),
    objects: List(Glob),
    functions: List(Glob),
    identities: List(Glob),
    groups: List(z.string().min(1).max(200)),
    writes: z.boolean(),
    whereConstantOnly: z.boolean(),
    missingWhere: z.boolean(),
    findings: List(oneOf(FINDINGS, 'finding')),
  })
  .partial()
  .strict();

export type MatchResult = { ok: true; match: GuardrailMatch } | { ok: false; message: string };

/** Validates a match from the API; null/undefined fields are left out (GraphQL sends null for unset). */
export function parseMatch(input: Record<string, unknown>): MatchResult {
  const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
  const r = GuardrailMatchSchema.safeParse(clean);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, message: `match.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, match: r.data as GuardrailMatch };
}

