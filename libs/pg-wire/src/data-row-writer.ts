import { BackendCode } from './codes';
import { type DataRowCells } from './data-row';

/** The first slab of a result; each one that fills up is followed by one twice its size, up to MAX_SLAB. */
const FIRST_SLAB = 16 * 1024;
const MAX_SLAB = 256 * 1024;
/** Room asked for beyond the frame when a row starts: replacements a little longer than their cells fit. */
const ROW_SLACK = 64;
/** Runs longer than this are copied natively; shorter ones four bytes at a time (a call to Buffer#copy costs ~60 ns). */
const LONG_RUN = 96;
/** Short pieces (labels) and strings are copied byte by byte. */
const SHORT = 16;
const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/**
 * Rewrites DataRows ("53.7 Message Formats") cell by cell into a slab shared by the rows of a
 * result, for a proxy that changes cells of most rows (masking): no replacement list, no sizing
 * pass, no buffer per row. Between begin() and end() the caller replaces cells in increasing
 * column order; untouched runs are copied from the frame when the next replacement (or end())
 * needs them, and a row in which nothing was replaced is never copied. A row handed out is a view
 * of the slab that is not written again until the caller says it was sent (reuse()); a full slab
 * is left to its views and a new one begun. Consecutive rewritten rows sit side by side in memory
 * and a ForwardRun sends them as one range. Call release() at the end of a result to let the slab go.
 */
export class DataRowWriter {
  private slab: Buffer = EMPTY;
  private out: DataView = EMPTY_VIEW;
  private next = FIRST_SLAB;
  private pos = 0;
  /** Start of the row being written in the slab; -1 until its first replacement. */
  private row = -1;
  /** The buffer holding the frame being rewritten, and the frame's range in it. */
  private frame: Buffer = EMPTY;
  private frameEnd = 0;
  /** The frame's memory (a view of its whole ArrayBuffer, kept while frames come from the same chunk) and its offset there. */
  private src: DataView = EMPTY_VIEW;
  private srcBuffer: ArrayBufferLike | null = null;
  private srcFrame: Buffer = EMPTY;
  private base = 0;
  private cells: DataRowCells | null = null;
  /** The next frame byte not yet copied or replaced. */
  private run = 0;
  private frameStart = 0;
  /** After finish() returned true: the rewritten row is rowBuf[rowStart, rowEnd). */
  rowBuf: Buffer = EMPTY;
  rowStart = 0;
  rowEnd = 0;

  /**
   * Starts on the frame buf[from, to) (by default the whole buffer), whose cells `cells` has just
   * scanned (cells.scan(buf, from, to): offsets are in buf).
   */
  begin(buf: Buffer, cells: DataRowCells, from = 0, to = buf.length): void {
    // A row abandoned part-way (its masking threw) was never handed out: its bytes are reused.
    if (this.row >= 0) this.pos = this.row;
    this.frame = buf;
    this.frameStart = from;
    this.frameEnd = to;
    this.cells = cells;
    this.row = -1;
  }

  /** Cell i becomes SQL NULL. */
  null(i: number): void {
    this.open(i, 4);
    this.out.setInt32(this.pos, -1);
    this.pos += 4;
  }

  /** Cell i becomes `s`, as UTF-8. */
  text(i: number, s: string): void {
    const n = s.length;
    this.open(i, 4 + n);
    let k = 0;
    if (n <= SHORT) {
      const out = this.slab;
      const at = this.pos + 4;
      for (; k < n; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) break;
        out[at + k] = c;
      }
    }
    if (k < n) {
      // Not short ASCII: at most 3 bytes per UTF-16 unit.
      this.ensure(4 + 3 * n);
      k = this.slab.write(s, this.pos + 4, 'utf8');
    }
    this.out.setInt32(this.pos, k);
    this.pos += 4 + k;
  }

  /** Cell i becomes b. */
  bytes(i: number, b: Buffer): void {
    const n = b.length;
    this.open(i, 4 + n);
    this.out.setInt32(this.pos, n);
    this.pos += 4;
    this.piece(b);
  }

  /**
   * Cell i becomes the frame's bytes [from, to) (offsets in `src`, which must be the buffer begin() was given) with
   * `count` ranges replaced: range k, [from + start[k], from + end[k]) (sorted, disjoint), by
   * pieces[piece[k]].
   */
  spliced(
    i: number,
    src: Buffer,
    from: number,
    to: number,
    count: number,
    piece: ArrayLike<number>,
    start: ArrayLike<number>,
    end: ArrayLike<number>,
    pieces: readonly Buffer[],
  ): void {
    if (src !== this.frame) throw new RangeError('DataRowWriter: spliced() reads the frame being rewritten');
    let size = to - from;
    for (let k = 0; k < count; k++) size += pieces[piece[k]].length - (end[k] - start[k]);
    this.open(i, 4 + size);
    this.out.setInt32(this.pos, size);
    this.pos += 4;
    let last = from;
    for (let k = 0; k < count; k++) {
      this.copy(last, from + start[k]);
      this.piece(pieces[piece[k]]);
      last = from + end[k];
    }
    this.copy(last, to);
  }

  /** The rewritten row, or null when no cell was replaced (send the frame itself). */
  end(): Buffer | null {
    return this.finish() ? this.rowBuf.subarray(this.rowStart, this.rowEnd) : null;
  }

  /**
   * end() without a view: false when no cell was replaced (send the frame itself), else true and
   * the row is rowBuf[rowStart, rowEnd) — bytes of the slab not written again before reuse(), so a
   * relay can queue the range (ForwardRun.appendRange) and rows side by side go out as one.
   */
  finish(): boolean {
    const row = this.row;
    if (row < 0) return false;
    const end = this.frameEnd;
    this.ensure(end - this.run);
    this.copy(this.run, end);
    this.out.setInt32(row + 1, this.pos - row - 1);
    this.row = -1;
    this.frame = EMPTY;
    this.rowBuf = this.slab;
    this.rowStart = row;
    this.rowEnd = this.pos;
    return true;
  }

  /**
   * Every row handed out so far has been sent and nothing refers to it any more (the proxy's write
   * went straight to the kernel): the next rows are written from the start of the same slab, so a
   * long result reuses one slab instead of leaving a trail of them to the garbage collector.
   */
  reuse(): void {
    if (this.row < 0) this.pos = 0;
  }

  /** Lets the slab go (the rows handed out keep what they need); the next result starts small. */
  release(): void {
    this.slab = EMPTY;
    this.out = EMPTY_VIEW;
    this.pos = 0;
    this.next = FIRST_SLAB;
    this.src = EMPTY_VIEW;
    this.srcBuffer = null;
    this.srcFrame = EMPTY;
    this.rowBuf = EMPTY;
  }

  /** Copies the frame up to cell i (starting the row on the first call) and makes room for `n` bytes. */
  private open(i: number, n: number): void {
    const cells = this.cells!;
    const cellStart = cells.offsets[i] - 4;
    if (this.row < 0) {
      const frame = this.frame;
      // Rows come from the same chunk object: `buffer` and `byteOffset` (calls into V8) once per chunk.
      if (frame !== this.srcFrame) {
        this.srcFrame = frame;
        if (frame.buffer !== this.srcBuffer) {
          this.srcBuffer = frame.buffer;
          this.src = new DataView(frame.buffer);
        }
        this.base = frame.byteOffset;
      }
      this.ensure(this.frameEnd - this.frameStart + ROW_SLACK);
      this.row = this.pos;
      this.slab[this.pos] = BackendCode.DataRow;
      // The length is written at finish(); the column count is unchanged and starts the first run.
      this.pos += 5;
      this.run = this.frameStart + 5;
    } else if (cellStart < this.run) throw new RangeError(`DataRowWriter: cell ${i} replaced out of order`);
    this.ensure(cellStart - this.run + n);
    this.copy(this.run, cellStart);
    this.run = cells.offsets[i] + Math.max(cells.lengths[i], 0);
  }

  /** Frame bytes [from, to) to the slab (room already made). */
  private copy(from: number, to: number): void {
    const n = to - from;
    const d = this.pos;
    if (n > LONG_RUN) this.frame.copy(this.slab, d, from, to);
    else {
      const src = this.src;
      const out = this.out;
      const s = this.base + from;
      let k = 0;
      for (; k + 4 <= n; k += 4) out.setInt32(d + k, src.getInt32(s + k));
      for (; k < n; k++) out.setUint8(d + k, src.getUint8(s + k));
    }
    this.pos = d + n;
  }

  /** A piece's bytes to the slab (room already made). */
  private piece(p: Buffer): void {
    const n = p.length;
    const d = this.pos;
    if (n > SHORT) p.copy(this.slab, d);
    else {
      const out = this.slab;
      for (let k = 0; k < n; k++) out[d + k] = p[k];
    }
    this.pos = d + n;
  }

  /** Room for n more bytes: a full slab is left as it is and the row so far moves to a new one. */
  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const rowStart = this.row < 0 ? this.pos : this.row;
    const kept = this.pos - rowStart;
    const size = Math.max(this.next, kept + n + ROW_SLACK);
    const slab = Buffer.allocUnsafe(size);
    if (kept > 0) this.slab.copy(slab, 0, rowStart, this.pos);
    this.slab = slab;
    this.out = new DataView(slab.buffer, slab.byteOffset, slab.length);
    this.next = Math.min(this.next * 2, MAX_SLAB);
    if (this.row >= 0) this.row = 0;
    this.pos = kept;
  }
}
