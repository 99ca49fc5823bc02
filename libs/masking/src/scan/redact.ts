/**
 * The `redact` style on the scanner's spans, written straight from the cell's bytes: a cell that is
 * one entity becomes its label (one shared string), any other is copied around its labels into one
 * new buffer, or both are written to a CellWriter. No span objects, no string building.
 */
import { type CellWriter } from '../cell-writer';
import { label } from '../styles';
import { ENTITY_TYPES, type MaskCounts } from '../types';
import { type Scanner } from './scanner';

const LABELS = ENTITY_TYPES.map((e) => label(e));
const LABEL_BYTES = LABELS.map((l) => Buffer.from(l, 'latin1'));

export class Redactor {
  /** Counts by entity index since the last flush. */
  private readonly counts = new Int32Array(ENTITY_TYPES.length);

  constructor(readonly scanner: Scanner) {}

  /** Counts the scanner's resolved spans. */
  count(): void {
    const { count, entity } = this.scanner.spans;
    for (let k = 0; k < count; k++) this.counts[entity[k]]++;
  }

  /** b[from, to) with the scanner's resolved spans redacted: a string for a whole-cell entity, else a buffer. */
  redact(b: Buffer, from: number, to: number): Buffer | string {
    const { count, entity, start, end } = this.scanner.spans;
    if (count === 1 && start[0] === 0 && end[0] === to - from) return LABELS[entity[0]];
    let size = to - from;
    for (let k = 0; k < count; k++) size += LABEL_BYTES[entity[k]].length - (end[k] - start[k]);
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    let last = from;
    for (let k = 0; k < count; k++) {
      pos = copy(b, last, from + start[k], out, pos);
      const l = LABEL_BYTES[entity[k]];
      pos = copy(l, 0, l.length, out, pos);
      last = from + end[k];
    }
    copy(b, last, to, out, pos);
    return out;
  }

  /** redact(), written to `out` as the cell of column `col`. */
  into(out: CellWriter, col: number, b: Buffer, from: number, to: number): void {
    const { count, entity, start, end } = this.scanner.spans;
    if (count === 1 && start[0] === 0 && end[0] === to - from) out.bytes(col, LABEL_BYTES[entity[0]]);
    else out.spliced(col, b, from, to, count, entity, start, end, LABEL_BYTES);
  }

  /** Adds the counts since the last flush to `into`. */
  flush(into: MaskCounts): void {
    for (let k = 0; k < this.counts.length; k++) {
      if (this.counts[k] === 0) continue;
      into[ENTITY_TYPES[k]] += this.counts[k];
      this.counts[k] = 0;
    }
  }
}

function copy(src: Uint8Array, from: number, to: number, out: Uint8Array, pos: number): number {
  for (let i = from; i < to; i++) out[pos++] = src[i];
  return pos;
}
