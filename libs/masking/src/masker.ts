/**
 * The hot-path engine. A worker builds one Masker per session (counts are per
 * masker), one plan per RowDescription, and calls maskCell for every non-null
 * cell of every DataRow. A column that needs nothing costs one array read; a
 * scanned cell with no candidate costs one byte pass and no string decode.
 */
import { decodeBinaryInteger, INT8_OID, NUMERIC_OID } from './binary';
import { type CellWriter } from './cell-writer';
import { Core } from './core';
import { emptyCounts } from './counts';
import { BudgetExceeded, Detection } from './detect';
import { binaryIsText, typeClass, type TypeClass } from './pg-types';
import { F_DIG7, F_LONG, mayFlag, prefilter, prefilterBytes } from './prefilter';
import { compileRules, findRule, type ColumnRef, type CompiledRule } from './rules';
import { label, render } from './styles';
import { type CellResult, type ColumnInfo, type EntityType, type MaskCounts, type MaskingPolicy, type MaskStyle, type MaskTextResult, type Span } from './types';
import { isCard } from './validators';
import { Redactor } from './scan/redact';
import { HAND_BACK, Scanner } from './scan/scanner';

/** skip: forwarded as is · full: a column rule masks the whole cell · scan/json: content detectors · numeric: cards only · inet: the cell is an IP. */
export type ColumnAction = 'skip' | 'full' | 'scan' | 'json' | 'numeric' | 'inet';

export interface PlannedColumn {
  readonly action: ColumnAction;
  readonly kind: TypeClass;
  readonly typeOid: number;
  /** For `full` and `inet`: what the whole cell is counted and labelled as. */
  readonly entity: EntityType | 'FULL';
  readonly style: MaskStyle;
  readonly ruleId?: string;
  readonly binary: boolean;
  /** Binary format whose bytes are UTF-8 text (text, varchar, json; jsonb after its version byte). */
  readonly binaryText: boolean;
  /**
   * A masked value may no longer parse as the declared type (`[CARD]` in an int8
   * column, `tok_…` in an inet column). A text-format proxy should announce such
   * columns as text (OID 25) in RowDescription; binary cells of them become NULL.
   */
  readonly typeMayChange: boolean;
  /** Column name: context for detectors (SSN, AWS secret key). */
  readonly hint: string;
  /**
   * Cells of this column in a row that the byte scanner masked. Past GATE_SKIP the gate in front of
   * it (mayFlag) is skipped: it would say yes, and the scanner decides clean cells exactly as well.
   */
  scanHits: number;
}

export interface ResultPlan {
  readonly columns: readonly PlannedColumn[];
  /** False when no column can change: the proxy may forward DataRows untouched. */
  readonly active: boolean;
}

export interface MaskerOptions {
  /** Rules scoped to another connection are ignored. Omitted: every rule applies. */
  connection?: string;
}

export interface MaskTextOptions {
  /** Apply this column's rule (a rule masks the whole text) and use its name as detector context. */
  column?: ColumnRef;
  /** Parse as JSON when it looks like an object/array (default true). */
  json?: boolean;
}

export interface Masker {
  columnPlan(columns: ReadonlyArray<ColumnInfo>): ResultPlan;
  maskCell(plan: ResultPlan, colIndex: number, value: Buffer | string | null): CellResult;
  /**
   * maskCell for the non-null cell `buf[start, end)` of a wire message, without a view of it unless
   * it must be read as text: undefined when the cell stays as is, else its replacement — the new
   * bytes (a string to write as UTF-8, or a Buffer), or null for SQL NULL.
   */
  maskBytes(plan: ResultPlan, colIndex: number, buf: Buffer, start: number, end: number): Buffer | string | null | undefined;
  /**
   * maskBytes writing a changed cell to `out` instead of returning it (a redacted cell straight from
   * its bytes and the labels, with nothing allocated): true when the cell changed.
   */
  maskInto(plan: ResultPlan, colIndex: number, buf: Buffer, start: number, end: number, out: CellWriter): boolean;
  /**
   * maskInto for every non-null cell of one row, in column order (`cells` says where each cell is in
   * `buf`, as pg-wire's DataRowCells does). A cell of a column marked in `nullChanged` that would
   * change becomes NULL instead. Cells beyond the plan's columns (a row wider than its
   * description) become NULL: what was not planned never passes.
   */
  maskRowInto(plan: ResultPlan, buf: Buffer, cells: RowCells, out: CellWriter, nullChanged: readonly boolean[] | null): void;
  maskText(text: string, opts?: MaskTextOptions): MaskTextResult;
  /**
   * False when maskText (without a column) would leave the UTF-8 text buf[from, to) unchanged: no
   * enabled detector can match it (the prefilter, on the bytes, without decoding them). True means
   * it may: call maskText. Text cut from these bytes, or with characters replaced by others that
   * are not ASCII, is covered too.
   */
  mayMask(buf: Uint8Array, from: number, to: number): boolean;
  /** Counts since the last call (call it per statement), then resets. Every key is present. */
  takeCounts(): MaskCounts;
}

/** Where the cells of one row are in its buffer: offsets, and lengths (-1 for SQL NULL). */
export interface RowCells {
  readonly count: number;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
}

/** What decide() answers for a cell whose scanner spans are to be redacted (the redactor writes them). */
const SPANS = 0;

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_MILLIS = 50;
const BUDGET_MIN_CHARS = 8192;
/** Masked cells in a row after which a column's cells go to the byte scanner without the gate. */
const GATE_SKIP = 8;
const UNCHANGED_NULL: CellResult = Object.freeze({ value: null, changed: false });
const NULLED: CellResult = Object.freeze({ value: null, changed: true });

export function createMasker(policy: MaskingPolicy, options: MaskerOptions = {}): Masker {
  return new Engine(policy, options);
}

class Engine implements Masker {
  private readonly core: Core;
  private readonly relevant: number;
  private readonly rules: CompiledRule[];
  private readonly maxBytes: number;
  private readonly maxMillis: number;
  /** The byte scanner, when every detected entity is redacted (the default style). */
  private readonly redactor: Redactor | null;

  constructor(
    private readonly policy: MaskingPolicy,
    options: MaskerOptions,
  ) {
    const detection = new Detection(policy.entities);
    this.core = new Core(policy, detection);
    this.relevant = detection.relevantFlags;
    this.rules = compileRules(policy.rules, options.connection);
    this.maxBytes = policy.maxCellBytes ?? DEFAULT_MAX_BYTES;
    this.maxMillis = policy.maxCellMillis ?? DEFAULT_MAX_MILLIS;
    const redactOnly = policy.entities.every((e) => this.core.styleFor(e) === 'redact');
    this.redactor = redactOnly ? new Redactor(new Scanner(detection.enabled)) : null;
  }

  columnPlan(columns: ReadonlyArray<ColumnInfo>): ResultPlan {
    const planned = columns.map((c) => this.planColumn(c));
    return { columns: planned, active: planned.some((p) => p.action !== 'skip') };
  }

  private planColumn(c: ColumnInfo): PlannedColumn {
    const kind = typeClass(c.typeOid);
    const binary = c.format === 1;
    const textual = kind === 'text' || kind === 'json' || kind === 'jsonb';
    // One object shape for every column: maskCell reads these per cell, keep its property loads monomorphic.
    const make = (action: ColumnAction, entity: EntityType | 'FULL' = 'FULL', style = this.policy.defaultStyle, typeMayChange = false, ruleId?: string): PlannedColumn => ({
      action,
      kind,
      typeOid: c.typeOid,
      entity,
      style,
      ruleId,
      binary,
      binaryText: binary && binaryIsText(c.typeOid),
      typeMayChange,
      hint: c.column,
      scanHits: 0,
    });
    if (!this.policy.enabled) return make('skip');
    const rule = findRule(this.rules, c);
    if (rule) return make('full', rule.entity ?? 'FULL', rule.style, !textual && rule.style !== 'null', rule.id);
    const on = this.core.detection.enabled;
    switch (kind) {
      case 'skip':
        return make('skip');
      case 'numeric': {
        const st = this.core.styleFor('CARD');
        return on.has('CARD') ? make('numeric', 'CARD', st, st !== 'null') : make('skip');
      }
      case 'inet': {
        const st = this.core.styleFor('IP');
        return on.has('IP') ? make('inet', 'IP', st, st !== 'null') : make('skip');
      }
      case 'json':
      case 'jsonb':
        return make(this.relevant ? 'json' : 'skip');
      default:
        return make(this.relevant ? 'scan' : 'skip');
    }
  }

  maskCell(plan: ResultPlan, colIndex: number, value: Buffer | string | null): CellResult {
    if (value === null) return UNCHANGED_NULL;
    const col = plan.columns[colIndex];
    if (col === undefined || col.action === 'skip') return { value, changed: false };
    return this.mask(col, value, false);
  }

  maskBytes(plan: ResultPlan, colIndex: number, buf: Buffer, start: number, end: number): Buffer | string | null | undefined {
    const r = this.decide(plan, colIndex, buf, start, end);
    return r === SPANS ? this.redactor!.redact(buf, start, end) : r;
  }

  maskInto(plan: ResultPlan, colIndex: number, buf: Buffer, start: number, end: number, out: CellWriter): boolean {
    const r = this.decide(plan, colIndex, buf, start, end);
    if (r === undefined) return false;
    this.write(r, out, colIndex, buf, start, end);
    return true;
  }

  maskRowInto(plan: ResultPlan, buf: Buffer, cells: RowCells, out: CellWriter, nullChanged: readonly boolean[] | null): void {
    const cols = plan.columns;
    const count = cells.count;
    const n = count < cols.length ? count : cols.length;
    const { offsets, lengths } = cells;
    // maskInto's loop, in one frame: every cell of a masked result passes here.
    for (let i = 0; i < n; i++) {
      const len = lengths[i];
      if (len < 0 || cols[i].action === 'skip') continue;
      const start = offsets[i];
      const r = this.decide(plan, i, buf, start, start + len);
      if (r === undefined) continue;
      if (nullChanged !== null && nullChanged[i]) out.null(i);
      else this.write(r, out, i, buf, start, start + len);
    }
    for (let i = cols.length; i < count; i++) if (lengths[i] >= 0) out.null(i);
  }

  /** A changed cell, as decide() answered for it, to `out` as column `col`. */
  private write(r: Buffer | string | null | typeof SPANS, out: CellWriter, col: number, buf: Buffer, start: number, end: number): void {
    if (r === SPANS) this.redactor!.into(out, col, buf, start, end);
    else if (r === null) out.null(col);
    else if (typeof r === 'string') out.text(col, r);
    else out.bytes(col, r);
  }

  /** maskBytes, but for a cell the byte scanner found spans in: SPANS (counted, to be redacted by the caller). */
  private decide(plan: ResultPlan, colIndex: number, buf: Buffer, start: number, end: number): Buffer | string | null | undefined | typeof SPANS {
    const col = plan.columns[colIndex];
    if (col === undefined || col.action === 'skip') return undefined;
    if (end - start <= this.maxBytes) {
      // The common outcomes, decided on the bytes in place: a text cell with nothing any detector
      // could start on, a number too short to be a card.
      if (col.action === 'scan' || col.action === 'json') {
        if (!col.binary || (col.binaryText && col.kind !== 'jsonb')) {
          const scanner = this.redactor !== null && col.action === 'scan';
          if ((!scanner || col.scanHits < GATE_SKIP) && !mayFlag(buf, start, end)) {
            col.scanHits = 0;
            return undefined;
          }
          // Plain text (JSON goes to its walk): the byte scanner, unless it hands the cell back to the detectors.
          if (scanner && buf[start] !== 0x7b && buf[start] !== 0x5b) {
            const r = this.scanCell(col, buf, start, end);
            if (r !== HAND_BACK) {
              col.scanHits = r === undefined ? 0 : col.scanHits + 1;
              return r;
            }
          }
          const flags = prefilterBytes(buf, start, end) & this.relevant;
          if (flags === 0) return undefined;
          // Only now is the cell read as text, with no view in between.
          const r = this.textCell(col, buf.toString('utf8', start, end), flags);
          return r.changed ? r.value : undefined;
        }
      } else if (col.action === 'numeric' && !col.binary && end - start < 13) return undefined;
    }
    const r = this.mask(col, buf.subarray(start, end), true);
    return r.changed ? r.value : undefined;
  }

  /** A plain-text cell through the byte scanner: undefined when unchanged, SPANS when it has spans (counted), HAND_BACK when the detectors must decide. */
  private scanCell(col: PlannedColumn, buf: Buffer, start: number, end: number): string | undefined | typeof SPANS | typeof HAND_BACK {
    const redactor = this.redactor!;
    try {
      const n = redactor.scanner.scan(buf, start, end, col.hint);
      if (n <= 0) return n === 0 ? undefined : HAND_BACK;
      redactor.count();
      return SPANS;
    } catch {
      return this.failClosed(col, buf.subarray(start, end), true).value as string;
    }
  }

  /** A text-format (or UTF-8 binary) scan/json cell, decoded, with its prefilter flags: what scan does after its decode. */
  private textCell(col: PlannedColumn, text: string, flags: number): CellResult {
    try {
      return this.detect(col, text, text, flags, true);
    } catch {
      return this.failClosed(col, text, true);
    }
  }

  /** `textOut`: a changed text cell comes back as its string (the caller writes it as UTF-8), not as a Buffer. */
  private mask(col: PlannedColumn, value: Buffer | string, textOut: boolean): CellResult {
    if (value.length > this.maxBytes) return this.failClosed(col, value, textOut);
    try {
      switch (col.action) {
        case 'full':
        case 'inet':
          return this.whole(col, value, textOut);
        case 'numeric':
          return this.numeric(col, value, textOut);
        default:
          return this.scan(col, value, textOut);
      }
    } catch {
      return this.failClosed(col, value, textOut);
    }
  }

  private whole(col: PlannedColumn, value: Buffer | string, textOut: boolean): CellResult {
    this.core.counts[col.entity]++;
    // A binary cell of a non-text type cannot carry replacement text: NULL is the only honest value.
    if (col.style === 'null' || (col.binary && !col.binaryText)) return NULLED;
    const text = typeof value === 'string' ? value : value.toString('utf8');
    return this.out(col, value, render(text, col.entity, col.style, this.core.hasher), textOut);
  }

  private numeric(col: PlannedColumn, value: Buffer | string, textOut: boolean): CellResult {
    // Fewer bytes than the shortest card number (13 digits; binary int8 is 8 bytes, numeric 8 + 2/4 digits).
    if (!col.binary && value.length < 13) return { value, changed: false };
    let digits: string | null;
    if (typeof value === 'string') digits = value;
    else if (col.binary) digits = col.typeOid === INT8_OID || col.typeOid === NUMERIC_OID ? decodeBinaryInteger(value, col.typeOid) : null;
    // A card in an int8 is one bare run (F_LONG); in a numeric array or range it may sit beside separators (F_DIG7).
    else digits = prefilter(value) & (F_DIG7 | F_LONG) ? value.toString('latin1') : null;
    if (digits === null || digits.length < 13) return { value, changed: false };
    let hit = false;
    // Arrays and ranges hold several numbers: check each run of digits.
    const masked = digits.replace(/\d{13,19}/g, (m) => {
      if (!isCard(m)) return m;
      hit = true;
      this.core.counts.CARD++;
      return render(m, 'CARD', col.style === 'null' ? 'redact' : col.style, this.core.hasher);
    });
    if (!hit) return { value, changed: false };
    if (col.style === 'null' || col.binary) return NULLED;
    return this.out(col, value, masked, textOut);
  }

  private scan(col: PlannedColumn, value: Buffer | string, textOut: boolean): CellResult {
    const jsonbBinary = col.binary && col.kind === 'jsonb' && typeof value !== 'string';
    const body = jsonbBinary ? (value as Buffer).subarray(1) : value;
    const flags = prefilter(body) & this.relevant;
    if (flags === 0) return { value, changed: false };
    // Only now decode: most cells never get here.
    return this.detect(col, value, typeof body === 'string' ? body : body.toString('utf8'), flags, textOut);
  }

  private detect(col: PlannedColumn, value: Buffer | string, text: string, flags: number, textOut: boolean): CellResult {
    const tryJson = col.action === 'json' || text[0] === '{' || text[0] === '[';
    const res = this.core.maskString(text, flags, col.hint, tryJson, this.deadline(text), false);
    if (!res.changed) return { value, changed: false };
    if (res.nulled || (col.binary && !col.binaryText)) return NULLED;
    return this.out(col, value, res.text, textOut, true);
  }

  /**
   * Detectors are linear (bounded regexes, token-boundary starts), so a cell under
   * BUDGET_MIN_CHARS finishes in well under a millisecond: reading the clock for it
   * would cost more than it protects.
   */
  private deadline(text: string): number {
    return text.length < BUDGET_MIN_CHARS ? Infinity : performance.now() + this.maxMillis;
  }

  /** Same type in as out; whole-cell replacements in json/jsonb columns become JSON strings so clients still parse them. */
  private out(col: PlannedColumn, original: Buffer | string, text: string, textOut: boolean, alreadyJson = false): CellResult {
    const isJson = col.kind === 'json' || col.kind === 'jsonb';
    const t = isJson && !alreadyJson ? JSON.stringify(text) : text;
    if (typeof original === 'string' || (textOut && !(col.binary && col.kind === 'jsonb'))) return { value: t, changed: true };
    const buf = Buffer.from(t, 'utf8');
    return { value: col.binary && col.kind === 'jsonb' ? Buffer.concat([Buffer.of(1), buf]) : buf, changed: true };
  }

  private failClosed(col: PlannedColumn, value: Buffer | string, textOut: boolean): CellResult {
    this.core.counts.ERROR++;
    if (col.style === 'null' || (col.binary && !col.binaryText)) return NULLED;
    return this.out(col, value, label('ERROR'), textOut);
  }

  mayMask(buf: Uint8Array, from: number, to: number): boolean {
    return this.policy.enabled && (prefilterBytes(buf, from, to) & this.relevant) !== 0;
  }

  maskText(text: string, opts: MaskTextOptions = {}): MaskTextResult {
    try {
      if (!this.policy.enabled) return { text, spans: [], changed: false };
      if (text.length > this.maxBytes) throw new BudgetExceeded();
      const rule = opts.column ? findRule(this.rules, opts.column) : undefined;
      if (rule) {
        const entity = rule.entity ?? 'FULL';
        this.core.counts[entity]++;
        const spans: Span[] = entity === 'FULL' ? [] : [{ entity, start: 0, end: text.length }];
        return { text: render(text, entity, rule.style === 'null' ? 'redact' : rule.style, this.core.hasher), spans, changed: true };
      }
      const flags = prefilter(text) & this.relevant;
      if (flags === 0) return { text, spans: [], changed: false };
      const tryJson = opts.json !== false && (text[0] === '{' || text[0] === '[');
      const res = this.core.maskString(text, flags, opts.column?.column, tryJson, this.deadline(text), true);
      return { text: res.text, spans: res.spans, changed: res.changed };
    } catch {
      this.core.counts.ERROR++;
      return { text: label('ERROR'), spans: [], changed: true };
    }
  }

  takeCounts(): MaskCounts {
    const c = this.core.counts;
    this.redactor?.flush(c);
    this.core.counts = emptyCounts();
    return c;
  }
}
