import { classifyFunction, ROLE_SETTINGS } from './functions';
import { kindOf, kindWrites } from './kinds';
import type { Finding, FindingCode, StatementInfo, StatementKind } from './types';
import { isConstantPredicate } from './where';

type Node = Record<string, unknown>;

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const FOREIGN = new Set([
  'CreateForeignServerStmt', 'AlterForeignServerStmt', 'CreateForeignTableStmt', 'ImportForeignSchemaStmt',
  'CreateUserMappingStmt', 'AlterUserMappingStmt', 'CreateFdwStmt', 'AlterFdwStmt',
]);
const FOREIGN_EXTENSIONS = new Set(['dblink', 'postgres_fdw', 'file_fdw', 'adminpack']);

/**
 * Walks one top-level statement's parse tree, every nested node included (CTEs, subqueries,
 * function arguments, PREPARE and EXPLAIN bodies), and records what it touches and risks.
 */
export class StatementWalker {
  private readonly relations: { schema: string | null; name: string }[] = [];
  private readonly cteNames = new Set<string>();
  private readonly schemas = new Set<string>();
  private readonly functions = new Set<string>();
  private readonly kinds = new Set<StatementKind>();
  private readonly findings: Finding[] = [];
  private writes = false;
  private whereSeen: boolean | null = null;
  private missingWhere = false;
  private constantWhere = false;
  private preparedName: string | undefined;
  literalSensitive = false;

  run(index: number, raw: Node, location: number, length: number): StatementInfo {
    const nodeType = Object.keys(raw)[0] ?? 'Unknown';
    const body = (raw[nodeType] ?? {}) as Node;
    const kind = kindOf(nodeType, body);
    this.kinds.add(kind);
    if (kindWrites(kind)) this.writes = true;
    this.visit(raw, `stmts[${index}]`, false);
    const objects = this.relations
      .filter((r) => r.schema !== null || !this.cteNames.has(r.name))
      .map((r) => (r.schema ? `${r.schema}.${r.name}` : r.name));
    return {
      index, location, length, kind, nodeType,
      kinds: [kind, ...[...this.kinds].filter((k) => k !== kind)],
      objects: [...new Set(objects)],
      schemas: [...this.schemas],
      functions: [...this.functions],
      writes: this.writes,
      hasWhere: this.whereSeen,
      missingWhere: this.missingWhere,
      whereConstantOnly: this.constantWhere,
      preparedName: this.preparedName,
      findings: this.findings,
    };
  }

  /** planOnly: inside EXPLAIN without ANALYZE, where statements are planned but not run. */
  private visit(value: unknown, path: string, planOnly: boolean): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.visit(value[i], `${path}[${i}]`, planOnly);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const obj = value as Node;
    // Bare RangeVar bodies (e.g. DeleteStmt.relation) carry no wrapper key; relname identifies them.
    if (typeof obj['relname'] === 'string') this.addRelation(obj);
    if (typeof obj['ctename'] === 'string') this.cteNames.add(obj['ctename']);
    for (const key of Object.keys(obj)) {
      const child = obj[key];
      const p = `${path}.${key}`;
      if (isNodeKey(key) && child && typeof child === 'object' && !Array.isArray(child)) {
        const nextPlanOnly = this.onNode(key, child as Node, p, planOnly);
        this.visit(child, p, nextPlanOnly);
      } else {
        this.visit(child, p, planOnly);
      }
    }
  }

  /** Handles one typed node; returns whether its children are only planned. */
  private onNode(type: string, n: Node, path: string, planOnly: boolean): boolean {
    if (type === 'FuncCall') {
      this.onFunction(n, path);
      return planOnly;
    }
    if (type === 'ExplainStmt') {
      if (defElems(n).some((d) => d['arg'])) this.literalSensitive = true;
      return planOnly || !explainAnalyzes(n);
    }
    if (planOnly) return true;
    if (type.endsWith('Stmt')) this.onNestedStatement(type, n, path);
    if (DML.has(type)) this.onDml(type, n, path);
    else this.onOther(type, n, path);
    return false;
  }

  private onNestedStatement(type: string, n: Node, path: string): void {
    // Top-level statements are counted in run(); here only statements inside another one.
    if (/^stmts\[\d+\]\.[A-Za-z]+$/.test(path)) return;
    const kind = kindOf(type, n);
    if (type === 'SelectStmt' && !n['intoClause']) return;
    this.kinds.add(kind);
    if (kindWrites(kind)) this.writes = true;
    if (DML.has(type) && path.includes('.withClause.')) this.flag('data-modifying-cte', type, path);
  }

  private onDml(type: string, n: Node, path: string): void {
    this.writes = true;
    if (type === 'InsertStmt') return;
    const rel = (n['relation'] ?? {}) as Node;
    const target = { relname: String(rel['relname'] ?? ''), alias: aliasOf(rel) };
    if (type === 'MergeStmt') {
      if (!mergeChangesRows(n)) return;
      this.noteWhere(n['joinCondition'], target, path, 'joinCondition', type);
      return;
    }
    this.noteWhere(n['whereClause'], target, path, 'whereClause', type);
  }

  private noteWhere(where: unknown, target: { relname: string; alias: string | null }, path: string, field: string, type: string): void {
    if (!where) {
      this.whereSeen = false;
      this.missingWhere = true;
      this.flag('missing-where', type, path);
      return;
    }
    if (this.whereSeen === null) this.whereSeen = true;
    // Inside AND/OR the values of constants decide (`id=5 OR 1=1` vs `id=5 OR 1=2`).
    if (containsKey(where, 'BoolExpr')) this.literalSensitive = true;
    // WHERE CURRENT OF a cursor names one row: a real predicate.
    if ((where as Node)['CurrentOfExpr']) return;
    if (isConstantPredicate(where, target)) {
      this.constantWhere = true;
      this.flag('constant-where', type, `${path}.${field}`);
    }
  }

  private onOther(type: string, n: Node, path: string): void {
    // `EXPLAIN (ANALYZE 0)` vs `(ANALYZE 1)`: option values given as literals change the meaning.
    if (defElems(n).some((d) => d['arg'] && !(d['arg'] as Node)['Boolean'])) this.literalSensitive = true;
    switch (type) {
      case 'SelectStmt':
        if (n['intoClause']) this.flag('select-into', type, `${path}.intoClause`);
        return;
      case 'CreateTableAsStmt':
        return this.flag('select-into', type, path);
      case 'DoStmt':
        return this.flag('dynamic-sql', type, path, 'DO block');
      case 'ExecuteStmt':
      case 'PrepareStmt':
      case 'DeallocateStmt':
        this.preparedName = typeof n['name'] === 'string' ? n['name'] : undefined;
        return;
      case 'CopyStmt':
        return this.onCopy(n, path);
      case 'CreateRoleStmt':
      case 'AlterRoleStmt':
        if (grantsSuperuser(n)) this.flag('superuser-role', type, `${path}.options`);
        return;
      case 'AlterTableCmd':
        if (String(n['subtype'] ?? '').startsWith('AT_Drop')) this.flag('alter-drop', type, path, String(n['subtype']));
        return;
      case 'VariableSetStmt':
        if (ROLE_SETTINGS.has(String(n['name'] ?? '')) && n['kind'] !== 'VAR_RESET') this.flag('set-role', type, path);
        return;
      case 'VacuumStmt':
        if (hasOption(n, 'full')) this.flag('vacuum-full', type, `${path}.options`);
        return;
      case 'LoadStmt':
        return this.flag('server-file', type, path, 'LOAD of a shared library');
      case 'CallStmt':
        return this.onFunction((n['funccall'] ?? {}) as Node, `${path}.funccall`);
      case 'CreateExtensionStmt':
        if (FOREIGN_EXTENSIONS.has(String(n['extname'] ?? ''))) this.flag('foreign-access', type, path, String(n['extname']));
        return;
      case 'CreateSchemaStmt':
        if (typeof n['schemaname'] === 'string') this.schemas.add(n['schemaname']);
        return;
      case 'DropStmt':
        return this.onDrop(n);
    }
    if (FOREIGN.has(type)) this.flag('foreign-access', type, path);
  }

  private onCopy(n: Node, path: string): void {
    if (n['is_from']) this.writes = true;
    if (n['is_program']) this.flag('copy-program', 'CopyStmt', path, String(n['filename'] ?? ''));
    else if (typeof n['filename'] === 'string') this.flag('server-file', 'CopyStmt', path, n['filename']);
  }

  private onDrop(n: Node): void {
    const objects = (n['objects'] as Node[] | undefined) ?? [];
    for (const o of objects) {
      const items = ((o['List'] as Node | undefined)?.['items'] as Node[] | undefined) ?? [o];
      const parts = items.map((i) => (i['String'] as Node | undefined)?.['sval']).filter((s): s is string => typeof s === 'string');
      if (parts.length === 0) continue;
      if (n['removeType'] === 'OBJECT_SCHEMA') this.schemas.add(parts.join('.'));
      else this.relations.push({ schema: parts.length > 1 ? parts[parts.length - 2]! : null, name: parts[parts.length - 1]! });
    }
  }

  private onFunction(n: Node, path: string): void {
    const parts = ((n['funcname'] as Node[] | undefined) ?? [])
      .map((f) => (f['String'] as Node | undefined)?.['sval'])
      .filter((s): s is string => typeof s === 'string');
    if (parts.length === 0) return;
    const name = parts.join('.');
    this.functions.add(name);
    let code = classifyFunction(parts);
    if (parts[parts.length - 1]!.toLowerCase() === 'set_config') {
      // The first argument decides: set_config('role', …) is SET ROLE.
      this.literalSensitive = true;
      const first = ((n['args'] as Node[] | undefined) ?? [])[0];
      const setting = literalString(first);
      if (setting === null || ROLE_SETTINGS.has(setting.toLowerCase())) code = 'set-role';
    }
    if (code) this.flag(code, 'FuncCall', path, name);
  }

  private addRelation(rv: Node): void {
    const schema = typeof rv['schemaname'] === 'string' ? rv['schemaname'] : null;
    if (schema) this.schemas.add(schema);
    this.relations.push({ schema, name: String(rv['relname']) });
  }

  private flag(code: FindingCode, nodeType: string, path: string, detail?: string): void {
    this.findings.push(detail === undefined ? { code, nodeType, path } : { code, nodeType, path, detail });
  }
}

function isNodeKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90;
}

function aliasOf(rel: Node): string | null {
  const alias = rel['alias'] as Node | undefined;
  return typeof alias?.['aliasname'] === 'string' ? alias['aliasname'] : null;
}

function defElems(n: Node): Node[] {
  const options = n['options'];
  return Array.isArray(options) ? options.map((o: Node) => (o['DefElem'] ?? {}) as Node) : [];
}

function hasOption(n: Node, name: string): boolean {
  return defElems(n).some((d) => d['defname'] === name && !isFalseArg(d['arg']));
}

function isFalseArg(arg: unknown): boolean {
  if (!arg) return false;
  const a = arg as Node;
  const b = a['Boolean'] as Node | undefined;
  if (b) return !b['boolval'];
  const s = (a['String'] as Node | undefined)?.['sval'];
  if (typeof s === 'string') return ['false', 'off', 'no', '0'].includes(s.toLowerCase());
  const i = a['Integer'] as Node | undefined;
  if (i) return !i['ival'];
  return false;
}

function explainAnalyzes(n: Node): boolean {
  return hasOption(n, 'analyze');
}

function grantsSuperuser(n: Node): boolean {
  return defElems(n).some((d) => d['defname'] === 'superuser' && !isFalseArg(d['arg']));
}

function mergeChangesRows(n: Node): boolean {
  const clauses = (n['mergeWhenClauses'] as Node[] | undefined) ?? [];
  return clauses.some((c) => {
    const t = ((c['MergeWhenClause'] ?? {}) as Node)['commandType'];
    return t === 'CMD_UPDATE' || t === 'CMD_DELETE';
  });
}

function literalString(arg: Node | undefined): string | null {
  const c = arg?.['A_Const'] as Node | undefined;
  const s = (c?.['sval'] as Node | undefined)?.['sval'];
  return typeof s === 'string' ? s : null;
}

function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => containsKey(v, key));
  if (!value || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) if (k === key || containsKey(v, key)) return true;
  return false;
}
