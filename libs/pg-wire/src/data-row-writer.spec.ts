import { describe, expect, it } from 'vitest';
import { buildDataRow, DataRowCells, DataRowWriter, type WireValue } from './index';

/** A replacement as DataRowWriter takes it: NULL, a string, bytes, or the cell with ranges spliced out. */
type Edit = null | string | Buffer | { splice: [number, number, number][] };

const PIECES = [Buffer.from('[EMAIL]'), Buffer.from(''), Buffer.from('[AWS_SECRET_KEY]-and-more-than-sixteen')];

function apply(w: DataRowWriter, frame: Buffer, cells: DataRowCells, i: number, e: Edit): void {
  if (e === null) w.null(i);
  else if (typeof e === 'string') w.text(i, e);
  else if (Buffer.isBuffer(e)) w.bytes(i, e);
  else {
    const s = cells.offsets[i];
    const spans = e.splice;
    w.spliced(i, frame, s, s + Math.max(cells.lengths[i], 0), spans.length, spans.map((x) => x[2]), spans.map((x) => x[0]), spans.map((x) => x[1]), PIECES);
  }
}

/** What the edited cell should hold. */
function expected(v: WireValue, e: Edit): WireValue {
  if (e === null || typeof e === 'string' || Buffer.isBuffer(e)) return e;
  const b = v === null ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(v);
  const parts: Buffer[] = [];
  let last = 0;
  for (const [s, end, p] of e.splice) {
    parts.push(b.subarray(last, s), PIECES[p]);
    last = end;
  }
  parts.push(b.subarray(last));
  return Buffer.concat(parts);
}

describe('DataRowWriter', () => {
  it('rewrites random rows exactly like building them anew, across slabs, and hands back null for untouched rows (frames alone and as ranges of a larger buffer)', () => {
    const values: WireValue[] = [null, '', 'a', 'jürgen@example.de 🙂', Buffer.from([0, 1, 2, 255]), 'x'.repeat(300), 'called about order 12; reply to ann@example.com'];
    let seed = 11;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const cells = new DataRowCells();
    const w = new DataRowWriter();
    const out: Buffer[] = [];
    const want: Buffer[] = [];
    for (let n = 0; n < 3000; n++) {
      const row = Array.from({ length: 1 + (n % 9) }, () => pick(values));
      const frame = buildDataRow(row);
      // Every other row as a relay passes it: a range of its read chunk, bytes on both sides.
      const ranged = n % 2 === 1;
      const before = ranged ? Buffer.alloc(rnd(9), 0x44) : Buffer.alloc(0);
      const buf = ranged ? Buffer.concat([before, frame, Buffer.alloc(rnd(9), 0x44)]) : frame;
      cells.scan(buf, before.length, before.length + frame.length);
      w.begin(buf, cells, before.length, before.length + frame.length);
      const edits = row.map((v): Edit | undefined => {
        const k = rnd(8);
        if (k < 3) return undefined;
        if (k === 3) return null;
        if (k === 4) return pick(['', '[EMAIL]', 'Grüße', 'y'.repeat(500), 'é'.repeat(30)]);
        if (k === 5) return pick([Buffer.from([9, 9]), Buffer.alloc(200, 3)]);
        const len = v === null ? 0 : Buffer.byteLength(v);
        const spans: [number, number, number][] = [];
        for (let at = rnd(3); at < len; at += 1 + rnd(12)) {
          const end = Math.min(len, at + rnd(20));
          spans.push([at, end, rnd(PIECES.length)]);
          at = end;
        }
        return { splice: spans };
      });
      edits.forEach((e, i) => e !== undefined && apply(w, buf, cells, i, e));
      const got = ranged ? (w.finish() ? w.rowBuf.subarray(w.rowStart, w.rowEnd) : null) : w.end();
      if (edits.every((e) => e === undefined)) {
        expect(got).toBeNull();
        continue;
      }
      out.push(got!);
      want.push(buildDataRow(row.map((v, i) => (edits[i] === undefined ? v : expected(v, edits[i]!)))));
      if (n % 1000 === 999) w.release();
    }
    // Rows handed out earlier are never written again.
    out.forEach((o, k) => expect(o, `row ${k}`).toEqual(want[k]));
  });

  it('writes consecutive rows side by side in one slab', () => {
    const cells = new DataRowCells();
    const w = new DataRowWriter();
    const rows = [1, 2, 3].map((g) => {
      const frame = buildDataRow([String(g), `user${g}@example.com`]);
      w.begin(frame, cells.scan(frame));
      w.text(1, '[EMAIL]');
      return w.end()!;
    });
    expect(rows[1].buffer).toBe(rows[0].buffer);
    expect(rows[1].byteOffset).toBe(rows[0].byteOffset + rows[0].length);
    expect(rows[2].byteOffset).toBe(rows[1].byteOffset + rows[1].length);
  });

  it('refuses cells out of order, and a row abandoned part-way is never handed out', () => {
    const cells = new DataRowCells();
    const w = new DataRowWriter();
    const frame = buildDataRow(['a', 'b', 'c']);
    w.begin(frame, cells.scan(frame));
    w.text(2, 'x');
    expect(() => w.text(1, 'y')).toThrow(/out of order/);
    w.begin(frame, cells);
    w.null(0);
    expect(w.end()).toEqual(buildDataRow([null, 'b', 'c']));
  });

  it('after reuse() writes the next rows from the start of the same slab, never over a row still being written', () => {
    const cells = new DataRowCells();
    const w = new DataRowWriter();
    const rewrite = (g: number): Buffer => {
      const frame = buildDataRow([String(g), `user${g}@example.com`]);
      w.begin(frame, cells.scan(frame));
      w.text(1, '[EMAIL]');
      return w.end()!;
    };
    const first = rewrite(1);
    rewrite(2);
    w.reuse();
    const again = rewrite(3);
    expect(again.buffer).toBe(first.buffer);
    expect(again.byteOffset).toBe(first.byteOffset);
    expect(again).toEqual(buildDataRow(['3', '[EMAIL]']));
    // Mid-row, reuse() leaves the row where it is.
    const frame = buildDataRow(['4', 'a', 'b']);
    w.begin(frame, cells.scan(frame));
    w.text(1, 'x');
    w.reuse();
    w.text(2, 'y');
    const row = w.end()!;
    expect(row).toEqual(buildDataRow(['4', 'x', 'y']));
    expect(row.byteOffset).toBe(again.byteOffset + again.length);
  });
});
