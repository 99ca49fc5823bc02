import type { FindingCode, GuardrailRule, StatementKind, Verdict } from './types';

/**
 * The STANDARD preset as ordinary rules, first match wins, so block rules come before review
 * rules and review rules before the allow rules. Anything that reaches the end is reviewed
 * (see guard.ts): an unknown statement never passes silently.
 */
function rule(id: string, action: Verdict, message: string, match: GuardrailRule['match'], priority: number): GuardrailRule {
  return { id: `standard.${id}`, name: `STANDARD: ${id}`, connection: null, priority, enabled: true, action, message, match };
}

const block = (id: string, message: string, match: GuardrailRule['match']) => ['block', id, message, match] as const;
const review = (id: string, message: string, match: GuardrailRule['match']) => ['review', id, message, match] as const;
const allow = (id: string, message: string, match: GuardrailRule['match']) => ['allow', id, message, match] as const;
const f = (...codes: FindingCode[]) => ({ findings: codes });
const k = (...kinds: StatementKind[]) => ({ kinds });

const READ_KINDS: StatementKind[] = [
  'SELECT', 'VALUES', 'SHOW', 'EXPLAIN', 'TRANSACTION', 'SET', 'RESET', 'DISCARD', 'LISTEN', 'NOTIFY', 'UNLISTEN',
  'PREPARE', 'EXECUTE', 'DEALLOCATE', 'DECLARE_CURSOR', 'FETCH', 'CLOSE', 'COPY', 'ANALYZE',
];

const TABLE_DDL: StatementKind[] = [
  'CREATE_TABLE', 'CREATE_INDEX', 'ALTER_TABLE', 'ALTER_INDEX', 'CREATE_VIEW', 'CREATE_SCHEMA', 'CREATE_SEQUENCE',
  'CREATE_FUNCTION', 'CREATE_TRIGGER', 'CREATE_RULE', 'CREATE_EXTENSION', 'CREATE_ROLE', 'ALTER_ROLE',
  'CREATE_DATABASE', 'CREATE_OTHER', 'ALTER_OTHER', 'RENAME', 'COMMENT',
];

const STANDARD_TABLE = [
  block('drop', 'airlock: DROP is blocked', k('DROP')),
  block('truncate', 'airlock: TRUNCATE is blocked', k('TRUNCATE')),
  block('missing-where', 'airlock: UPDATE/DELETE without WHERE is blocked', f('missing-where')),
  block('constant-where', 'airlock: a WHERE/ON that holds only constants affects every row', f('constant-where')),
  block('alter-drop', 'airlock: ALTER … DROP is blocked', f('alter-drop')),
  block('copy-program', 'airlock: COPY … PROGRAM is blocked', f('copy-program')),
  block('server-file', 'airlock: server file access is blocked', f('server-file', 'large-object-write')),
  block('alter-system', 'airlock: ALTER SYSTEM is blocked', k('ALTER_SYSTEM', 'LOAD')),
  block('superuser', 'airlock: granting SUPERUSER is blocked', f('superuser-role')),
  block('server-admin', 'airlock: terminating backends and server administration are blocked', f('server-admin')),
  block('foreign-access', 'airlock: foreign servers and dblink are blocked', f('foreign-access')),
  block('dynamic-sql', 'airlock: dynamic SQL is blocked', f('dynamic-sql')),
  block('unknown-prepared', 'airlock: EXECUTE of a statement not prepared in this session', f('unknown-prepared')),
  review('set-role', 'changing role needs review', f('set-role')),
  review('functions', 'call of a function that may have side effects needs review', f('side-effect-function', 'unknown-function')),
  review('select-into', 'SELECT INTO / CREATE TABLE AS needs review', f('select-into')),
  review('maintenance', 'VACUUM FULL, CLUSTER, REINDEX and LOCK need review', { kinds: ['CLUSTER', 'REINDEX', 'LOCK'] }),
  review('vacuum-full', 'VACUUM FULL needs review', f('vacuum-full')),
  review('writes', 'data changes need review', k('INSERT', 'UPDATE', 'DELETE', 'MERGE')),
  review('copy-in', 'COPY FROM STDIN inserts rows and needs review', { kinds: ['COPY'], writes: true }),
  review('grant', 'GRANT/REVOKE needs review', k('GRANT', 'REVOKE')),
  review('ddl', 'schema changes need review', { kinds: TABLE_DDL }),
  review('call', 'CALL needs review', k('CALL', 'DO')),
  allow('reads', 'read-only statement', { kinds: READ_KINDS, writes: false }),
  allow('vacuum', 'plain VACUUM', { kinds: ['VACUUM'] }),
] as const;

export const STANDARD_RULES: readonly GuardrailRule[] = STANDARD_TABLE.map(([action, id, message, match], i) =>
  rule(id, action, message, match, 100_000 + i),
);
