import { BackendCode, buildQuery, buildTerminate, DataRowCells, parseErrorResponse } from '@airlock/pg-wire';
import type { SnapshotConnection } from '@airlock/contracts';
import type { Logger } from '../logger';
import type { UpstreamCredential } from '../policy/policy-index';
import { FrameSource } from '../postgres/frame-source';
import { connectUpstream } from '../postgres/upstream';

// RowDescription names a column by table OID + attribute number. Column rules are written on
// `schema.table.column`, so the worker keeps, per connection, a map from (table OID, attnum) to
// names, read from the target's pg_catalog over a small connection of its own (opened for the
// read, closed after). Only connections with `match.column` rules pay for it.

export interface ColumnName {
  schema: string;
  table: string;
  column: string;
}

/** Tables (and views, matviews, partitions, foreign tables) outside the system schemas, with their live columns. */
const CATALOG_SQL = `SELECT c.oid::int8, a.attnum::int4, n.nspname, c.relname, a.attname
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','v','m','p','f')
  AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'
LIMIT 500000`;

/** Command tags after which table or column names may have changed. */
const DDL_TAG = /^(CREATE|ALTER|DROP|COMMENT|IMPORT|REFRESH|SELECT INTO|TRUNCATE)\b/;
export const isDdlTag = (tag: string): boolean => DDL_TAG.test(tag) && !tag.startsWith('CREATE INDEX') && !tag.startsWith('DROP INDEX');

const LOAD_TIMEOUT_MS = 5_000;
/** A catalog older than this is re-read in the background when a session starts. */
const MAX_AGE_MS = 60_000;
/** At most one re-read for unknown table OIDs per this long. */
const MISS_BACKOFF_MS = 1_000;

export type CatalogLoader = (connection: SnapshotConnection, credential: UpstreamCredential) => Promise<Map<number, Map<number, ColumnName>>>;

/** One connection's names; sessions share it. */
export class ConnectionCatalog {
  private tables: Map<number, Map<number, ColumnName>> | null = null;
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private stale = false;
  private lastMissLoad = 0;

  constructor(
    private readonly load: () => Promise<Map<number, Map<number, ColumnName>>>,
    private readonly log: Logger,
  ) {}

  get ready(): boolean {
    return this.tables !== null;
  }

  /** Waits for a first read (bounded); later ones run in the background. */
  async ensure(now = Date.now()): Promise<void> {
    if (this.tables === null) return this.refresh();
    if (this.stale || now - this.loadedAt > MAX_AGE_MS) void this.refresh();
  }

  /** Names of a column; undefined while unknown (the caller masks conservatively). */
  lookup(tableOid: number, attnum: number): ColumnName | undefined {
    return this.tables?.get(tableOid)?.get(attnum);
  }

  /** The live columns of a table in attnum order (COPY rows); unqualified names prefer `public`. */
  columnsOf(schema: string | undefined, table: string): { schema: string; columns: string[] } | undefined {
    if (!this.tables) return undefined;
    let found: Map<number, ColumnName> | undefined;
    for (const cols of this.tables.values()) {
      const first = cols.values().next().value;
      if (!first || first.table !== table) continue;
      if (schema !== undefined ? first.schema === schema : !found || first.schema === 'public') found = cols;
    }
    if (!found) return undefined;
    const sorted = [...found.entries()].sort((a, b) => a[0] - b[0]);
    return { schema: sorted[0][1].schema, columns: sorted.map(([, c]) => c.column) };
  }

  /** A RowDescription named a table this catalog does not know: re-read soon. */
  miss(): void {
    const now = Date.now();
    if (now - this.lastMissLoad < MISS_BACKOFF_MS) return;
    this.lastMissLoad = now;
    void this.refresh();
  }

  /** DDL ran somewhere through this worker: the next lookups may be wrong until re-read. */
  invalidate(): void {
    this.stale = true;
    void this.refresh();
  }

  refresh(): Promise<void> {
    if (this.loading) {
      // A DDL that lands during a read may not be in it: read once more afterwards.
      if (this.stale) void this.loading.then(() => (this.stale ? this.refresh() : undefined));
      return this.loading;
    }
    this.stale = false;
    const started = Date.now();
    this.loading = withTimeout(this.load(), LOAD_TIMEOUT_MS)
      .then((tables) => {
        this.tables = tables;
        this.loadedAt = started;
        this.log.debug({ tables: tables.size, ms: Date.now() - started }, 'masking: catalog read');
      })
      .catch((err: Error) => {
        this.log.warn({ err: err.message }, 'masking: catalog read failed; column rules on schema.table.column apply by column name until it succeeds');
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}

/** Catalogs by connection (and database), one per worker. */
export class CatalogRegistry {
  private readonly catalogs = new Map<string, ConnectionCatalog>();

  constructor(
    private readonly log: Logger,
    private readonly loader: CatalogLoader = readCatalog,
  ) {}

  for(connection: SnapshotConnection, credential: () => UpstreamCredential | undefined): ConnectionCatalog {
    const key = `${connection.id}\u0000${connection.host}:${connection.port}/${connection.database ?? ''}`;
    let c = this.catalogs.get(key);
    if (!c) {
      c = new ConnectionCatalog(async () => {
        const cred = credential();
        if (!cred) throw new Error('no credential to read the catalog with');
        return this.loader(connection, cred);
      }, this.log.child({ connection: connection.name }));
      this.catalogs.set(key, c);
    }
    return c;
  }
}

/** Reads the catalog over a fresh upstream login with the session's credential (simple Query, "53.2.2"). */
export async function readCatalog(connection: SnapshotConnection, credential: UpstreamCredential): Promise<Map<number, Map<number, ColumnName>>> {
  const up = await connectUpstream({ connection, maxMessageBytes: 64 * 1024 * 1024 }, credential, { application_name: 'airlock-masking-catalog' });
  const src = new FrameSource(up.input, up.reader);
  const tables = new Map<number, Map<number, ColumnName>>();
  const cells = new DataRowCells();
  try {
    up.socket.write(buildQuery(CATALOG_SQL));
    let error: string | null = null;
    for (;;) {
      const f = await src.next();
      if (f.code === BackendCode.DataRow) {
        cells.scan(f.bytes);
        const text = (i: number) => cells.cell(f.bytes, i)?.toString('utf8') ?? '';
        const oid = Number(text(0));
        let cols = tables.get(oid);
        if (!cols) tables.set(oid, (cols = new Map()));
        cols.set(Number(text(1)), { schema: text(2), table: text(3), column: text(4) });
      } else if (f.code === BackendCode.ErrorResponse) {
        error = parseErrorResponse(f.bytes).message ?? 'error';
      } else if (f.code === BackendCode.ReadyForQuery) {
        break;
      }
    }
    if (error !== null) throw new Error(`catalog query failed: ${error}`);
    up.socket.write(buildTerminate());
    return tables;
  } finally {
    src.detach();
    up.socket.end();
    up.socket.destroy();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
