import type { StatementKind } from './types';

type Node = Record<string, unknown>;

const BY_NODE: Readonly<Record<string, StatementKind>> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE',
  CreateStmt: 'CREATE_TABLE', CreateTableAsStmt: 'CREATE_TABLE_AS', IndexStmt: 'CREATE_INDEX',
  ViewStmt: 'CREATE_VIEW', CreateSchemaStmt: 'CREATE_SCHEMA', CreateSeqStmt: 'CREATE_SEQUENCE',
  CreateFunctionStmt: 'CREATE_FUNCTION', CreateTrigStmt: 'CREATE_TRIGGER', RuleStmt: 'CREATE_RULE',
  CreateExtensionStmt: 'CREATE_EXTENSION', CreateRoleStmt: 'CREATE_ROLE', AlterRoleStmt: 'ALTER_ROLE',
  CreatedbStmt: 'CREATE_DATABASE', CreateForeignServerStmt: 'CREATE_SERVER',
  CreateForeignTableStmt: 'CREATE_FOREIGN_TABLE', ImportForeignSchemaStmt: 'IMPORT_FOREIGN_SCHEMA',
  CreateUserMappingStmt: 'CREATE_USER_MAPPING', AlterSystemStmt: 'ALTER_SYSTEM', RenameStmt: 'RENAME',
  CommentStmt: 'COMMENT', TruncateStmt: 'TRUNCATE', CopyStmt: 'COPY', VariableShowStmt: 'SHOW',
  ExplainStmt: 'EXPLAIN', TransactionStmt: 'TRANSACTION', GrantRoleStmt: 'GRANT', CallStmt: 'CALL',
  DoStmt: 'DO', ExecuteStmt: 'EXECUTE', PrepareStmt: 'PREPARE', DeallocateStmt: 'DEALLOCATE',
  ClusterStmt: 'CLUSTER', ReindexStmt: 'REINDEX', LockStmt: 'LOCK', CheckPointStmt: 'CHECKPOINT',
  LoadStmt: 'LOAD', DiscardStmt: 'DISCARD', ListenStmt: 'LISTEN', NotifyStmt: 'NOTIFY',
  UnlistenStmt: 'UNLISTEN', DeclareCursorStmt: 'DECLARE_CURSOR', FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE', CreateTableSpaceStmt: 'CREATE_OTHER',
};

/** Statement kind of a top-level (or nested) statement node. */
export function kindOf(nodeType: string, body: Node): StatementKind {
  switch (nodeType) {
    case 'SelectStmt':
      return body['valuesLists'] && !body['fromClause'] ? 'VALUES' : 'SELECT';
    case 'VariableSetStmt':
      return body['kind'] === 'VAR_RESET' || body['kind'] === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    case 'GrantStmt':
      return body['is_grant'] ? 'GRANT' : 'REVOKE';
    case 'VacuumStmt':
      return body['is_vacuumcmd'] ? 'VACUUM' : 'ANALYZE';
    case 'AlterTableStmt':
      return body['objtype'] === 'OBJECT_INDEX' ? 'ALTER_INDEX' : 'ALTER_TABLE';
  }
  const known = BY_NODE[nodeType];
  if (known) return known;
  // Every DROP-like node (DropStmt, DropRoleStmt, DropdbStmt, DropOwnedStmt …) is a DROP.
  if (nodeType.startsWith('Drop')) return 'DROP';
  if (nodeType.startsWith('Create') || nodeType.startsWith('Define')) return 'CREATE_OTHER';
  if (nodeType.startsWith('Alter')) return 'ALTER_OTHER';
  return 'OTHER';
}

/** Kinds that change data or schema, or server state. */
const NON_WRITING: ReadonlySet<StatementKind> = new Set<StatementKind>([
  'SELECT', 'VALUES', 'SHOW', 'EXPLAIN', 'TRANSACTION', 'SET', 'RESET', 'DISCARD', 'LISTEN', 'NOTIFY',
  'UNLISTEN', 'DECLARE_CURSOR', 'FETCH', 'CLOSE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'COPY',
  'LOCK', 'CHECKPOINT', 'LOAD', 'ANALYZE',
]);

export function kindWrites(kind: StatementKind): boolean {
  return !NON_WRITING.has(kind);
}
