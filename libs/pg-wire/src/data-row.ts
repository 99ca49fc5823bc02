import { BackendCode } from './codes';
import { openTyped } from './cursor';
import { PgProtocolError } from './errors';
import { type WireValue } from './frontend';
import { valueSize, Writer } from './writer';

// DataRow ('D', "53.7 Message Formats"): int16 count, then per column an int32 length (-1 for
// NULL) and that many bytes. Masking touches a few cells per row, so the helpers below locate
// cells without decoding them and copy untouched cells as raw byte ranges.

export interface DataRow {
  type: 'dataRow';
  /** Views into the frame; null is SQL NULL. */
  values: (Buffer | null)[];
}

/**
 * Reusable cell index of one DataRow frame: keep one per connection and call `scan()` per row,
 * so locating cells allocates nothing once the arrays have grown to the widest row.
 */
export class DataRowCells {
  count = 0;
  /** Byte offset of each cell's value in the buffer scanned (for a frame that is the whole buffer: in the frame). */
  offsets = new Int32Array(16);
  /** Byte length of each cell's value, -1 for NULL. */
  lengths = new Int32Array(16);

  /**
   * Indexes the cells of the DataRow frame bytes[from, to) (by default the whole buffer: a relay
   * passes the frame's range of its read chunk and makes no view of it), validating that they
   * exactly fill it.
   */
  scan(bytes: Buffer, from = 0, to = bytes.length): this {
    const end = to;
    // The header checks of openTyped and count16 inline (this runs for every row of a masked
    // result: no cursor per row); anything unusual goes through them for their error.
    const n =
      end - from >= 7 && bytes[from] === BackendCode.DataRow && int32At(bytes, from + 1) + 1 === end - from && bytes[from + 5] < 0x80
        ? (bytes[from + 5] << 8) | bytes[from + 6]
        : openTyped(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to), BackendCode.DataRow, 'DataRow').count16();
    if (n > this.offsets.length) {
      this.offsets = new Int32Array(n);
      this.lengths = new Int32Array(n);
    }
    let pos = from + 7;
    for (let i = 0; i < n; i++) {
      if (end - pos < 4) malformed(`truncated at column ${i}`);
      const len = int32At(bytes, pos);
      pos += 4;
      if (len < -1 || len > end - pos) malformed(`bad length ${len} at column ${i}`);
      this.offsets[i] = pos;
      this.lengths[i] = len;
      if (len > 0) pos += len;
    }
    if (pos !== end) malformed(`${end - pos} unexpected trailing bytes`);
    this.count = n;
    return this;
  }

  /** Zero-copy view of cell i of the frame last scanned, or null for NULL. */
  cell(bytes: Buffer, i: number): Buffer | null {
    const len = this.lengths[i];
    return len < 0 ? null : bytes.subarray(this.offsets[i], this.offsets[i] + len);
  }
}

function int32At(b: Buffer, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}

function malformed(reason: string): never {
  throw new PgProtocolError(`malformed DataRow message: ${reason}`);
}

export function parseDataRow(bytes: Buffer): DataRow {
  const cells = new DataRowCells().scan(bytes);
  const values: (Buffer | null)[] = new Array(cells.count);
  for (let i = 0; i < cells.count; i++) values[i] = cells.cell(bytes, i);
  return { type: 'dataRow', values };
}

export function buildDataRow(values: readonly WireValue[]): Buffer {
  let size = 2;
  for (const v of values) size += valueSize(v);
  const w = new Writer(BackendCode.DataRow, size).count16(values.length);
  for (const v of values) w.value(v);
  return w.done();
}

/** Column index → new value (null writes SQL NULL); absent indexes keep their bytes. */
export type CellReplacements = ReadonlyMap<number, WireValue> | readonly (WireValue | undefined)[];

function replacementAt(r: CellReplacements, i: number): WireValue | undefined {
  return r instanceof Map ? (r as ReadonlyMap<number, WireValue>).get(i) : (r as readonly (WireValue | undefined)[])[i];
}

/**
 * Rebuilds a DataRow with some cells replaced into one exact-size buffer: untouched runs copied
 * straight from the frame, replacement strings encoded in place (no Writer, no view per run;
 * short ASCII replacements like "[EMAIL]" and short runs byte by byte, which beats Node's
 * argument-checking write/copy at that size). Pass `cells` already scanned from `bytes` to skip
 * a rescan. On a masked result this runs once per row.
 */
export function rewriteDataRow(bytes: Buffer, replacements: CellReplacements, cells: DataRowCells = new DataRowCells().scan(bytes)): Buffer {
  const n = cells.count;
  let size = bytes.length;
  for (let i = 0; i < n; i++) {
    const r = replacementAt(replacements, i);
    if (r === undefined) continue;
    size += (r === null ? 0 : typeof r === 'string' ? utf8Length(r) : r.length) - Math.max(cells.lengths[i], 0);
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = BackendCode.DataRow;
  putInt32(out, 1, size - 1);
  let pos = 5;
  let runStart = 5; // the column count is unchanged: it starts the first run
  for (let i = 0; i < n; i++) {
    const r = replacementAt(replacements, i);
    if (r === undefined) continue;
    const cellStart = cells.offsets[i] - 4;
    pos = copyRun(bytes, runStart, cellStart, out, pos);
    if (r === null) pos = putInt32(out, pos, -1);
    else if (typeof r === 'string') {
      const written = putUtf8(out, pos + 4, r);
      pos = putInt32(out, pos, written) + written;
    } else pos = copyRun(r, 0, r.length, out, putInt32(out, pos, r.length));
    runStart = cells.offsets[i] + Math.max(cells.lengths[i], 0);
  }
  copyRun(bytes, runStart, bytes.length, out, pos);
  return out;
}

/** Below this, runs are copied and ASCII strings written byte by byte. */
const SHORT = 48;

function putInt32(out: Buffer, pos: number, v: number): number {
  out[pos] = v >>> 24;
  out[pos + 1] = v >>> 16;
  out[pos + 2] = v >>> 8;
  out[pos + 3] = v;
  return pos + 4;
}

function copyRun(src: Buffer, from: number, to: number, out: Buffer, pos: number): number {
  if (to - from > SHORT) return pos + src.copy(out, pos, from, to);
  for (let k = from; k < to; k++) out[pos++] = src[k];
  return pos;
}

function utf8Length(s: string): number {
  if (s.length > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function putUtf8(out: Buffer, pos: number, s: string): number {
  if (s.length <= SHORT) {
    let k = 0;
    for (; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) break;
      out[pos + k] = c;
    }
    if (k === s.length) return k;
  }
  return out.write(s, pos, 'utf8');
}
