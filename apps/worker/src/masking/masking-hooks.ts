import { createHmac, randomBytes } from 'node:crypto';
import { open, type SnapshotConnection } from '@airlock/contracts';
import { createMasker, emptyCounts, type ColumnInfo, type CountKey, type MaskCounts, type Masker, type MaskingRule, type ResultPlan } from '@airlock/masking';
import { DataRowCells, DataRowWriter, type FieldDescription, parseErrorResponse, parseNoticeResponse, buildErrorResponse, buildNoticeResponse, type NoticeFields, BackendCode } from '@airlock/pg-wire';
import type { Logger } from '../logger';
import type { PolicyIndex } from '../policy/policy-index';
import { ALLOW, type AllowVerdict, type CopyOutPlan, type BlockVerdict, type RowPlan, type RowRange, type RowSource, type SessionHooks, type SessionHooksFactory, type SessionInfo } from '../postgres/hooks';
import { type CatalogRegistry, type ConnectionCatalog, isDdlTag } from './catalog';
import { copyFormat, maskCopyRow, type CopyFormat } from './copy-out';
import { conservativeRules, connectionPolicy, rulesFor } from './masking-policy';

// Masks every result of a session whose connection has masking on: DataRows cell by cell as they
// stream (only changed cells are rewritten), RowDescriptions retyped to text where a mask cannot
// be the declared type, COPY TO STDOUT rows, and the free text of notices and errors.

/** Counts of one statement, by entity (plus FULL for whole-cell rules and ERROR for fail-closed cells). Only non-zero keys. */
export type StatementMaskCounts = Partial<MaskCounts>;

export interface StatementMasking {
  /** CommandComplete tag, e.g. "SELECT 50000". */
  tag: string;
  counts: StatementMaskCounts;
  /** Sum of counts: cells (or spans inside cells) masked. */
  total: number;
}

export interface MaskingHooksOptions {
  policy: () => PolicyIndex | undefined;
  poolPrivateKey: string | undefined;
  catalogs: CatalogRegistry;
  log: Logger;
  /** Called at each CommandComplete of a statement that masked something. Must not throw or block. */
  onStatementMasked?: (info: SessionInfo, masking: StatementMasking) => void;
}

/** What the masking hooks keep per session; readable by other hook sets (the recorder) through maskingSession(). */
export interface MaskingSessionState {
  /** The last statement's counts (set at its CommandComplete, before later hooks run). */
  readonly lastStatement: StatementMasking | null;
  /** Totals since the session started. */
  readonly sessionCounts: Readonly<MaskCounts>;
}

const sessions = new WeakMap<SessionInfo, MaskingSessionState>();

/** The masking state of a session, for other hook sets of the same session. */
export function maskingSession(info: SessionInfo): MaskingSessionState | undefined {
  return sessions.get(info);
}

interface MaskRowPlan extends RowPlan {
  readonly plan: ResultPlan;
  readonly masker: Masker;
  /**
   * Columns checked for cards only because of their type (int8, numeric): a card found there
   * becomes NULL rather than `[CARD]`, so the column keeps its type; `count(*)` and every other
   * bigint stay bigints. Columns a rule masks are announced as text instead.
   */
  readonly nullCards: readonly boolean[] | null;
}

export interface CopyPlan extends CopyOutPlan {
  readonly format: CopyFormat;
  readonly binary: boolean;
}

const TEXT_OID = 25;

const NOTICE_FIELDS = ['message', 'detail', 'hint', 'where', 'internalQuery'] as const;

/** Hash keys opened from snapshots, and a per-worker fallback for snapshots without one. */
class HashKeys {
  private readonly opened = new Map<string, Buffer>();
  private readonly fallback = randomBytes(32);

  constructor(
    private readonly poolPrivateKey: string | undefined,
    private readonly log: Logger,
  ) {}

  for(conn: SnapshotConnection): Buffer {
    const sealed = conn.maskingKeySealed;
    if (sealed && this.poolPrivateKey) {
      let key = this.opened.get(sealed);
      if (!key) {
        try {
          key = Buffer.from(open(sealed, this.poolPrivateKey), 'base64');
        } catch (err) {
          this.log.error({ connection: conn.name, err: (err as Error).message }, 'masking: the connection hash key does not open; using this worker\'s own key');
          key = this.derived(conn);
        }
        this.opened.set(sealed, key);
      }
      return key;
    }
    return this.derived(conn);
  }

  private derived(conn: SnapshotConnection): Buffer {
    return createHmac('sha256', this.fallback).update(conn.id).digest();
  }
}

/**
 * The worker's masking hooks. A session that starts with masking on reads the flag and the rules
 * again at every result, so a policy change (masking off, a new rule) applies to its next
 * statement. A session that starts with masking off gets no hooks at all, so its server bytes
 * take the relay's pass-through path; turning masking on reaches it when it reconnects.
 */
export function maskingHooks(opts: MaskingHooksOptions): SessionHooksFactory {
  const keys = new HashKeys(opts.poolPrivateKey, opts.log);
  return (info: SessionInfo): SessionHooks => {
    const conn = opts.policy()?.connections.get(info.connection.name) ?? info.connection;
    if (!conn.masking) return {};
    const s = new MaskingSession(info, opts, keys);
    sessions.set(info, s);
    return s;
  };
}

export class MaskingSession implements SessionHooks, MaskingSessionState {
  lastStatement: StatementMasking | null = null;
  sessionCounts: MaskCounts = emptyCounts();

  private version = -1;
  private enabled = false;
  private rules: MaskingRule[] = [];
  private exact: Masker | null = null;
  /** For results naming tables the catalog does not know yet (see conservativeRules). */
  private conservative: Masker | null = null;
  /** For COPY rows whose column names are unknown while rules exist. */
  private whole: Masker | null = null;
  private hashKey: Buffer = Buffer.alloc(0);
  private catalog: ConnectionCatalog | null = null;
  private readonly cells = new DataRowCells();
  /** Masked rows are written into its slab, side by side (see DataRowWriter). */
  private readonly writer = new DataRowWriter();
  /** The plan made for a RowDescription, by its fields array (a Describe answer is planned again at Execute). */
  private readonly planned = new WeakMap<readonly FieldDescription[], MaskRowPlan | null>();
  private readonly log: Logger;

  constructor(
    private readonly info: SessionInfo,
    private readonly opts: MaskingHooksOptions,
    private readonly keys: HashKeys,
  ) {
    this.log = opts.log.child({ session: info.sessionId, connection: info.connection.name });
  }

  async onStart(): Promise<void> {
    this.sync();
    // Column rules on schema.table.column need names: read them before the first result.
    if (this.enabled && this.catalog) await this.catalog.ensure();
  }

  /** Re-reads the connection's flag and rules when the worker's policy version changed. */
  private sync(): void {
    const index = this.opts.policy();
    if (!index || index.version === this.version) return;
    this.version = index.version;
    const conn = index.connections.get(this.info.connection.name) ?? this.info.connection;
    this.enabled = conn.masking;
    const rules = rulesFor(conn.name, index.snapshot.maskingRules);
    const key = this.keys.for(conn);
    if (this.exact && sameRules(rules, this.rules) && key.equals(this.hashKey)) return;
    this.collect();
    this.conservative = null;
    this.whole = null;
    this.rules = rules;
    this.hashKey = key;
    try {
      this.exact = createMasker(connectionPolicy(rules, key), { connection: conn.name });
    } catch (err) {
      // A rule the engine cannot compile (bad regex): mask by the rules that compile, and say so.
      this.log.error({ err: (err as Error).message }, 'masking: a rule does not compile; it is ignored');
      const ok = rules.filter((r) => {
        try {
          createMasker(connectionPolicy([r], key));
          return true;
        } catch {
          return false;
        }
      });
      this.rules = ok;
      this.exact = createMasker(connectionPolicy(ok, key), { connection: conn.name });
    }
    const policy = this.opts.policy;
    // Rules need names the RowDescription lacks (schema and table; COPY has no description at all).
    this.catalog = this.rules.length > 0 ? this.opts.catalogs.for(conn, () => policy()?.credential(conn, this.info.profile)) : null;
  }

  private wholeMasker(): Masker {
    const everything: MaskingRule = { id: 'airlock-unknown-columns', match: { columnName: '*' }, entity: 'FULL', style: 'redact', enabled: true };
    return (this.whole ??= createMasker(connectionPolicy([everything], this.hashKey)));
  }

  private conservativeMasker(): Masker {
    return (this.conservative ??= createMasker(connectionPolicy(conservativeRules(this.rules), this.hashKey), { connection: this.info.connection.name }));
  }

  // ---- results -------------------------------------------------------------------------------

  onRowDescription(fields: readonly FieldDescription[], _source: RowSource): RowPlan | null {
    return this.planFor(fields);
  }

  /**
   * The RowDescription the client should see: columns whose masks may not parse as their type
   * (`[CARD]` in an int8) are announced as text. Binary-format columns keep their type: their
   * masked cells are NULL, never text.
   */
  rewriteRowDescription(fields: readonly FieldDescription[], _source: RowSource): FieldDescription[] | null {
    const p = this.planFor(fields);
    if (p === null) return null;
    let out: FieldDescription[] | null = null;
    p.plan.columns.forEach((c, i) => {
      if (!c.typeMayChange || c.action === 'numeric' || fields[i].format !== 0) return;
      out ??= fields.slice();
      out[i] = { ...fields[i], typeOid: TEXT_OID, typeSize: -1, typeModifier: -1 };
    });
    return out;
  }

  private planFor(fields: readonly FieldDescription[]): MaskRowPlan | null {
    this.sync();
    if (!this.enabled || !this.exact) return null;
    const known = this.planned.get(fields);
    if (known !== undefined && (known === null || known.masker === this.exact || known.masker === this.conservative)) return known;
    let unresolved = false;
    const cols: ColumnInfo[] = fields.map((f) => {
      const format = f.format === 1 ? 1 : 0;
      if (this.catalog === null || f.tableOid === 0) return { column: f.name, typeOid: f.typeOid, format };
      const n = this.catalog.lookup(f.tableOid, f.columnAttr);
      if (n === undefined) {
        unresolved = true;
        return { column: f.name, typeOid: f.typeOid, format };
      }
      return { schema: n.schema, table: n.table, column: n.column, typeOid: f.typeOid, format };
    });
    if (unresolved) this.catalog!.miss();
    const masker = unresolved ? this.conservativeMasker() : this.exact;
    const plan = masker.columnPlan(cols);
    const nullCards = plan.columns.some((c) => c.action === 'numeric') ? plan.columns.map((c) => c.action === 'numeric') : null;
    const out: MaskRowPlan | null = plan.active ? { fields, plan, masker, nullCards } : null;
    this.planned.set(fields, out);
    return out;
  }

  onDataRow(frame: Buffer, rowPlan: RowPlan): Buffer | null {
    return this.maskRow(frame, 0, frame.length, rowPlan) ? this.writer.rowBuf.subarray(this.writer.rowStart, this.writer.rowEnd) : null;
  }

  onDataRowRange(row: RowRange, rowPlan: RowPlan): void {
    if (!this.maskRow(row.buf, row.start, row.end, rowPlan)) return;
    const w = this.writer;
    row.buf = w.rowBuf;
    row.start = w.rowStart;
    row.end = w.rowEnd;
  }

  /** The DataRow frame buf[from, to) masked into the writer's slab: true when a cell changed. */
  private maskRow(buf: Buffer, from: number, to: number, rowPlan: RowPlan): boolean {
    const { plan, masker, nullCards } = rowPlan as MaskRowPlan;
    const cells = this.cells.scan(buf, from, to);
    const w = this.writer;
    w.begin(buf, cells, from, to);
    masker.maskRowInto(plan, buf, cells, w, nullCards);
    return w.finish();
  }

  onFlushed(): void {
    this.writer.reuse();
  }

  onCommandComplete(tag: string): void {
    this.writer.release();
    if (this.catalog && isDdlTag(tag)) this.catalog.invalidate();
    this.collect(tag);
  }

  /** A statement that failed part-way may have masked rows already: they are its counts, not the next one's. */
  onError(): void {
    this.writer.release();
    this.collect('ERROR');
  }

  /** Takes the counts of the statement that just ended from both maskers. */
  private collect(tag = ''): void {
    let counts: StatementMaskCounts | null = null;
    let total = 0;
    for (const m of [this.exact, this.conservative, this.whole]) {
      if (!m) continue;
      const c = m.takeCounts();
      for (const k in c) {
        const v = c[k as CountKey];
        if (v === 0) continue;
        counts ??= {};
        counts[k as CountKey] = (counts[k as CountKey] ?? 0) + v;
        this.sessionCounts[k as CountKey] += v;
        total += v;
      }
    }
    if (!tag) return;
    this.lastStatement = counts ? { tag, counts, total } : null;
    if (counts) this.opts.onStatementMasked?.(this.info, this.lastStatement!);
  }

  // ---- COPY TO STDOUT --------------------------------------------------------------------------

  /** CopyOutResponse: decides how its CopyData rows are masked. */
  onCopyOut(overallFormat: number, _columnFormats: readonly number[], source: RowSource): CopyPlan | null {
    this.sync();
    if (!this.enabled || !this.exact) return null;
    return { format: copyFormat(source.sql), binary: overallFormat === 1 };
  }

  /**
   * One CopyData row. Binary COPY cannot carry masks and is not parsed: each of its messages
   * is replaced by an empty one, so the client gets no value at all and fails to read the file
   * (the guard in onQuery refuses binary COPY before it runs; this is the backstop).
   */
  onCopyData(frame: Buffer, plan: CopyPlan): Buffer | null {
    if (plan.binary) {
      this.exact!.takeCounts();
      return Buffer.from([BackendCode.CopyData, 0, 0, 0, 4]);
    }
    const masker = this.exact!;
    const row = frame.subarray(5);
    const fmt = plan.format;
    let named: ResultPlan | null = null;
    const out = maskCopyRow(row, fmt, masker, (n) => (named ??= this.copyPlan(fmt, n, masker)));
    if (out === null) return null;
    const head = Buffer.allocUnsafe(5);
    head[0] = BackendCode.CopyData;
    head.writeInt32BE(out.length + 4, 1);
    return Buffer.concat([head, out]);
  }

  private copyPlan(fmt: CopyFormat, n: number, masker: Masker): ResultPlan {
    const t = fmt.table;
    const known = t && this.catalog ? this.catalog.columnsOf(t.schema, t.table) : undefined;
    const names = fmt.columns ?? known?.columns;
    // Column names unknown (a table the catalog has not seen yet) while rules exist: no rule can
    // be matched, so every field is masked whole rather than guessed.
    if (!names && this.rules.length > 0) {
      this.catalog?.miss();
      return this.wholeMasker().columnPlan(Array.from({ length: n }, () => ({ column: '?column?', typeOid: TEXT_OID, format: 0 as const })));
    }
    const m = masker;
    const cols: ColumnInfo[] = [];
    for (let i = 0; i < n; i++) {
      cols.push({ schema: known?.schema ?? t?.schema, table: t?.table, column: names?.[i] ?? '?column?', typeOid: TEXT_OID, format: 0 });
    }
    return m.columnPlan(cols);
  }

  /** Statements whose COPY output could not be masked are refused before they run. */
  onQuery(sql: string): AllowVerdict | BlockVerdict {
    return this.copyGuard(sql);
  }

  onParse(_name: string, sql: string): AllowVerdict | BlockVerdict {
    return this.copyGuard(sql);
  }

  private copyGuard(sql: string): AllowVerdict | BlockVerdict {
    this.sync();
    if (!this.enabled || !/\bcopy\b/i.test(sql) || !/\bstdout\b/i.test(sql)) return ALLOW;
    if (isBinaryCopyOut(sql)) {
      return { action: 'block', code: '0A000', message: 'airlock: binary COPY TO STDOUT cannot be masked; use FORMAT text or csv' };
    }
    // COPY (query) gives no column names: column rules could not apply to its rows.
    if (this.rules.length > 0 && /\bcopy\s*\(/i.test(sql)) {
      return {
        action: 'block',
        code: '0A000',
        message: "airlock: COPY (query) TO STDOUT cannot apply this connection's column masking rules; run the query as a SELECT, or COPY a table",
      };
    }
    return ALLOW;
  }

  // ---- notices and errors ----------------------------------------------------------------------

  /** NoticeResponse / ErrorResponse: their free text often echoes values (`Key (email)=(…) already exists`). */
  rewriteNotice(frame: Buffer): Buffer | null {
    this.sync();
    if (!this.enabled || !this.exact) return null;
    const isError = frame[0] === BackendCode.ErrorResponse;
    const fields: NoticeFields = isError ? parseErrorResponse(frame) : parseNoticeResponse(frame);
    let changed = false;
    for (const k of NOTICE_FIELDS) {
      const v = fields[k];
      if (v === undefined) continue;
      const r = this.exact.maskText(v, { json: false });
      if (r.changed) {
        fields[k] = r.text;
        changed = true;
      }
    }
    if (!changed) return null;
    return isError ? buildErrorResponse(fields) : buildNoticeResponse(fields);
  }

  onEnd(): void {
    this.writer.release();
    this.collect();
  }
}

/** COPY … TO STDOUT with the binary format (either option spelling). */
export function isBinaryCopyOut(sql: string): boolean {
  if (!/\bcopy\b/i.test(sql) || !/\bstdout\b/i.test(sql)) return false;
  return /\bstdout\b[\s\S]*\b(?:format\s+"?binary"?|binary)\b/i.test(sql) || /^\s*copy\s+binary\b/i.test(sql);
}

function sameRules(a: readonly MaskingRule[], b: readonly MaskingRule[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
