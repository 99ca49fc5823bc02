/** Default byte budget for the masked result sample a statement event carries. */
export const DEFAULT_SAMPLE_BYTES = 4096;

export interface ResultSample {
  /** Shared with the collector's caller (not a copy): read it, never change it. */
  columns: string[];
  rows: Array<Array<string | null>>;
}

/** The UTF-8 size of a sample's column names, what they cost its budget. */
export function columnsBytes(columns: readonly string[]): number {
  let n = 0;
  for (const c of columns) n += Buffer.byteLength(c);
  return n;
}

/**
 * Keeps the first result rows (already masked) while their UTF-8 size stays
 * within the budget; a row that would cross it is dropped whole, never cut, so
 * a sample never shows half a value. Column names count against the budget.
 */
export class SampleCollector {
  private readonly rows: Array<Array<string | null>> = [];
  private used: number;
  private full = false;

  /**
   * `columns` is shared, never copied: the caller does not change it afterwards (a recorder hands
   * every statement of the same result shape the same array). `columnBytes`: their UTF-8 size, when
   * the caller already knows it.
   */
  constructor(
    private readonly columns: string[],
    private readonly maxBytes = DEFAULT_SAMPLE_BYTES,
    columnBytes = columnsBytes(columns),
  ) {
    this.used = columnBytes;
  }

  /** Offers one masked row; returns false once the budget is spent (callers may stop offering). */
  add(row: ReadonlyArray<string | null>): boolean {
    let size = 0;
    for (const v of row) size += v === null ? 4 : Buffer.byteLength(v);
    if (!this.fits(size)) return false;
    this.rows.push([...row]);
    return true;
  }

  /**
   * For callers that know a row's size before decoding it (a text cell's wire length is its UTF-8
   * size): reserves `size` bytes; when it returns true, pass the decoded row to `take`.
   */
  fits(size: number): boolean {
    if (this.full) return false;
    if (this.used + size > this.maxBytes) {
      this.full = true;
      return false;
    }
    this.used += size;
    return true;
  }

  /** Keeps a row whose size `fits` accepted; the sample owns the array from now on. */
  take(row: Array<string | null>): void {
    this.rows.push(row);
  }

  result(): ResultSample | null {
    return this.maxBytes > 0 && (this.rows.length > 0 || this.columns.length > 0) ? { columns: this.columns, rows: this.rows } : null;
  }
}
