import { fingerprintSync, loadModule, normalizeSync, parseSync } from 'libpg-query';
import type { Classification, StatementInfo } from './types';
import { StatementWalker } from './walker';

let ready: Promise<void> | null = null;
let loaded = false;

/** Loads the WASM parser once; every other call is synchronous after it resolves. */
export function initSqlGuard(): Promise<void> {
  ready ??= loadModule().then(() => {
    loaded = true;
  });
  return ready;
}

export function isSqlGuardReady(): boolean {
  return loaded;
}

interface RawStmt {
  stmt?: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Classifies every statement of a simple-query message. Never throws: parse errors become `parseError`. */
export function classify(sql: string): Classification {
  if (!loaded) {
    // Failing closed: a caller that forgot initSqlGuard() must not get an "allow".
    return parseFailure('airlock: SQL parser not initialised', 0);
  }
  // Postgres answers an empty query with EmptyQueryResponse; libpg-query refuses '' outright
  // (whitespace and comment-only text parse to zero statements, as they should).
  if (sql.length === 0) return { statements: [], fingerprint: null, normalized: null, literalSensitive: false };
  let tree: { stmts?: RawStmt[] };
  try {
    tree = parseSync(sql) as { stmts?: RawStmt[] };
  } catch (err) {
    const details = (err as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    return parseFailure(details?.message ?? String((err as Error)?.message ?? err), details?.cursorPosition ?? 0);
  }
  const statements: StatementInfo[] = [];
  let literalSensitive = false;
  const stmts = tree.stmts ?? [];
  for (let i = 0; i < stmts.length; i++) {
    const raw = stmts[i]!;
    const location = raw.stmt_location ?? 0;
    const length = raw.stmt_len ?? sql.length - location;
    const walker = new StatementWalker();
    statements.push(walker.run(i, raw.stmt ?? {}, location, length));
    literalSensitive ||= walker.literalSensitive;
  }
  return { statements, fingerprint: safe(() => fingerprintSync(sql)), normalized: safe(() => normalizeSync(sql)), literalSensitive };
}

function parseFailure(message: string, position: number): Classification {
  return { statements: [], fingerprint: null, normalized: null, parseError: { message, position }, literalSensitive: false };
}

function safe(fn: () => string): string | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
