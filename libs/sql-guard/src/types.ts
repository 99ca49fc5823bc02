/** Public types of the SQL guard. Plain data only: rules travel as JSON from the control plane. */

export type Verdict = 'allow' | 'review' | 'block';

export type StatementKind =
  | 'SELECT' | 'VALUES' | 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE'
  | 'CREATE_TABLE' | 'CREATE_TABLE_AS' | 'CREATE_INDEX' | 'CREATE_VIEW' | 'CREATE_SCHEMA'
  | 'CREATE_SEQUENCE' | 'CREATE_FUNCTION' | 'CREATE_TRIGGER' | 'CREATE_RULE' | 'CREATE_EXTENSION'
  | 'CREATE_ROLE' | 'ALTER_ROLE' | 'CREATE_DATABASE' | 'CREATE_OTHER'
  | 'CREATE_SERVER' | 'CREATE_FOREIGN_TABLE' | 'IMPORT_FOREIGN_SCHEMA' | 'CREATE_USER_MAPPING'
  | 'ALTER_TABLE' | 'ALTER_INDEX' | 'ALTER_SYSTEM' | 'ALTER_OTHER' | 'RENAME' | 'COMMENT'
  | 'DROP' | 'TRUNCATE'
  | 'COPY' | 'SET' | 'RESET' | 'SHOW' | 'EXPLAIN' | 'TRANSACTION' | 'GRANT' | 'REVOKE'
  | 'CALL' | 'DO' | 'EXECUTE' | 'PREPARE' | 'DEALLOCATE'
  | 'VACUUM' | 'ANALYZE' | 'CLUSTER' | 'REINDEX' | 'LOCK' | 'CHECKPOINT' | 'LOAD'
  | 'DISCARD' | 'LISTEN' | 'NOTIFY' | 'UNLISTEN'
  | 'DECLARE_CURSOR' | 'FETCH' | 'CLOSE'
  | 'OTHER';

/** Risk flags found in a statement. Each is a reason a preset may block or review it. */
export type FindingCode =
  | 'missing-where' // UPDATE/DELETE without WHERE, MERGE whose ON is missing
  | 'constant-where' // WHERE/ON that references no column of the target, or is a tautology
  | 'data-modifying-cte' // INSERT/UPDATE/DELETE/MERGE inside WITH
  | 'dynamic-sql' // DO, EXECUTE of a string, query_to_xml & co.
  | 'server-file' // pg_read_file, COPY to/from a server file, LOAD
  | 'copy-program' // COPY … PROGRAM
  | 'large-object-write' // lo_import, lo_export, lo_unlink, lo_put …
  | 'server-admin' // pg_terminate_backend, pg_cancel_backend, pg_reload_conf …
  | 'foreign-access' // dblink*, postgres_fdw, CREATE SERVER/FOREIGN TABLE/USER MAPPING
  | 'superuser-role' // CREATE/ALTER ROLE … SUPERUSER
  | 'alter-drop' // ALTER TABLE … DROP COLUMN/CONSTRAINT …
  | 'set-role' // SET ROLE, SET SESSION AUTHORIZATION, set_config('role', …)
  | 'side-effect-function' // nextval, setval, advisory locks, set_config …
  | 'unknown-function' // not in the allowlist of read-only built-ins
  | 'select-into' // SELECT … INTO, CREATE TABLE AS
  | 'vacuum-full'
  | 'unknown-prepared'; // EXECUTE of a name not PREPAREd in this session

export interface Finding {
  code: FindingCode;
  /** Type of the AST node that decided, e.g. `DeleteStmt`, `FuncCall`. */
  nodeType: string;
  /** Path in the parse tree, e.g. `stmts[1].DeleteStmt.whereClause`. */
  path: string;
  detail?: string;
}

export interface StatementInfo {
  index: number;
  /** Byte-free character offsets of the statement inside the message. */
  location: number;
  length: number;
  kind: StatementKind;
  /** The top kind plus the kinds of statements nested inside that execute (CTE DML, EXPLAIN ANALYZE, PREPARE body). */
  kinds: StatementKind[];
  nodeType: string;
  /** Tables and other relations, `schema.table` when qualified. CTE names are left out. */
  objects: string[];
  /** Schemas named explicitly (qualified relations, CREATE SCHEMA, IMPORT INTO …). */
  schemas: string[];
  /** Functions called, `schema.fn` when qualified. */
  functions: string[];
  writes: boolean;
  /** Every write that can take a WHERE (UPDATE, DELETE, MERGE ON) has one. Null when the statement has none of those. */
  hasWhere: boolean | null;
  missingWhere: boolean;
  whereConstantOnly: boolean;
  /** For PREPARE / EXECUTE / DEALLOCATE: the prepared statement's name. */
  preparedName?: string;
  findings: Finding[];
}

export interface Classification {
  statements: StatementInfo[];
  /** libpg-query fingerprint (literals ignored); null on parse error. */
  fingerprint: string | null;
  /** libpg-query normalize output (literals replaced by $n); null on parse error. */
  normalized: string | null;
  parseError?: { message: string; position: number };
  /**
   * True when a literal's value changed the classification (e.g. `set_config('role', …)`),
   * so the result must not be reused for the same statement with other literals.
   */
  literalSensitive: boolean;
}

export interface GuardrailMatch {
  kinds?: StatementKind[];
  /** Globs on `schema.table`; `*` matches within a name part, `**` anything. Unqualified tables match as `public.<t>` and `*.<t>`. */
  objects?: string[];
  /** Globs on function names; unqualified calls match as `pg_catalog.<f>` and `*.<f>`. */
  functions?: string[];
  /** Globs on the caller's identity (subject). */
  identities?: string[];
  /** The caller is in any of these groups. */
  groups?: string[];
  writes?: boolean;
  whereConstantOnly?: boolean;
  missingWhere?: boolean;
  /** Any of these findings is present (block/review); for allow, see rules.ts. */
  findings?: FindingCode[];
}

export interface GuardrailRule {
  id: string;
  name: string;
  /** Null or absent: a global rule. */
  connection?: string | null;
  /** Lower runs first. */
  priority: number;
  enabled: boolean;
  action: Verdict;
  message: string;
  match: GuardrailMatch;
}

export type Preset = 'STANDARD' | 'PERMISSIVE' | 'CUSTOM';

export interface RuleRef {
  id: string;
  name: string;
  message: string;
}

export interface StatementDecision {
  index: number;
  kind: StatementKind;
  verdict: Verdict;
  rule: RuleRef | null;
  reason: string;
  /** Finding that drove the decision, when one did. */
  finding: Finding | null;
  info: StatementInfo;
}

export interface Decision {
  verdict: Verdict;
  rule: RuleRef | null;
  reason: string;
  statements: StatementDecision[];
  fingerprint: string | null;
}

export interface EvaluateContext {
  identity: string;
  groups: string[];
  /** Names PREPAREd earlier in this session with the verdict their PREPARE got (after any approval). */
  preparedVerdicts?: ReadonlyMap<string, Verdict>;
}

export interface GuardOptions {
  preset: Preset;
  /** Global rules plus this connection's. */
  rules: GuardrailRule[];
  /** Entries in each classification cache; 0 disables caching. Default 10 000. */
  cacheSize?: number;
}

export interface Guard {
  evaluate(sql: string, ctx: EvaluateContext): Decision;
}

export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { allow: 0, review: 1, block: 2 };
