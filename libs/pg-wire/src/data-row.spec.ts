import { describe, expect, it } from 'vitest';
import { buildDataRow, DataRowCells, parseDataRow, PgProtocolError, rewriteDataRow, type WireValue } from './index';

describe('DataRow cells', () => {
  const row = buildDataRow(['1', 'ann@example.com', null, '', Buffer.from([0, 1, 2])]);

  it('locates cells without decoding them', () => {
    const cells = new DataRowCells().scan(row);
    expect(cells.count).toBe(5);
    expect(Array.from(cells.lengths.subarray(0, 5))).toEqual([1, 15, -1, 0, 3]);
    expect(cells.cell(row, 1)?.toString()).toBe('ann@example.com');
    expect(cells.cell(row, 2)).toBeNull();
    expect(cells.cell(row, 1)?.buffer).toBe(row.buffer);
  });

  it('locates the cells of a frame that is a range of a larger buffer, offsets in that buffer, and checks the range alone', () => {
    const buf = Buffer.concat([Buffer.from('DDDD'), row, Buffer.from('D\0\0')]);
    const cells = new DataRowCells().scan(buf, 4, 4 + row.length);
    expect(cells.count).toBe(5);
    expect(Array.from(cells.lengths.subarray(0, 5))).toEqual([1, 15, -1, 0, 3]);
    expect(cells.offsets[1]).toBe(4 + 7 + 5 + 4);
    expect(cells.cell(buf, 1)?.toString()).toBe('ann@example.com');
    // The bytes after the range are not part of the frame: one short is an error, not a read past it.
    expect(() => new DataRowCells().scan(buf, 4, 4 + row.length - 1)).toThrow(PgProtocolError);
    expect(() => new DataRowCells().scan(buf, 4, 4 + row.length + 1)).toThrow(PgProtocolError);
  });

  it('grows for wide rows and is reusable', () => {
    const wide = buildDataRow(Array.from({ length: 40 }, (_, i) => String(i)));
    const cells = new DataRowCells();
    expect(cells.scan(wide).count).toBe(40);
    expect(cells.cell(wide, 39)?.toString()).toBe('39');
    expect(cells.scan(row).count).toBe(5);
  });

  it('rewrites only the replaced cells and copies the rest byte for byte', () => {
    const out = rewriteDataRow(row, new Map([[1, '***'], [3, null]]));
    expect(out.equals(buildDataRow(['1', '***', null, null, Buffer.from([0, 1, 2])]))).toBe(true);
    const sparse: (string | null | undefined)[] = [];
    sparse[0] = 'x';
    sparse[4] = 'tail';
    expect(rewriteDataRow(row, sparse).equals(buildDataRow(['x', 'ann@example.com', null, '', 'tail']))).toBe(true);
    expect(rewriteDataRow(row, new Map()).equals(row)).toBe(true);
    expect(parseDataRow(rewriteDataRow(row, new Map([[2, 'was null']]))).values[2]?.toString()).toBe('was null');
  });

  it('accepts pre-scanned cells', () => {
    const cells = new DataRowCells().scan(row);
    expect(rewriteDataRow(row, [undefined, 'm'], cells).equals(buildDataRow(['1', 'm', null, '', Buffer.from([0, 1, 2])]))).toBe(true);
  });

  it('rejects cells that overrun or underfill the frame', () => {
    const over = Buffer.from(row);
    over.writeInt32BE(1000, 7);
    expect(() => new DataRowCells().scan(over)).toThrow(PgProtocolError);
    const bad = Buffer.from(row);
    bad.writeInt32BE(-2, 7);
    expect(() => new DataRowCells().scan(bad)).toThrow(/bad length -2/);
    const fewer = Buffer.from(row);
    fewer.writeInt16BE(4, 5);
    expect(() => new DataRowCells().scan(fewer)).toThrow(/trailing/);
  });
});

describe('protocol limits in builders', () => {
  it('refuses more than 32767 columns with SQLSTATE 54000', () => {
    expect(() => buildDataRow(new Array(32768).fill(null))).toThrow(expect.objectContaining({ sqlState: '54000' }));
  });

  it('rewrites every mix of kept, NULL, empty, ASCII, multi-byte and binary cells exactly like building the row anew', () => {
    const values: WireValue[] = [null, '', 'a', 'jürgen@example.de 🙂', Buffer.from([0, 1, 2, 255]), 'x'.repeat(300)];
    const replacements: (WireValue | undefined)[] = [undefined, null, '', '[EMAIL]', 'Grüße', Buffer.from([9, 9]), 'y'.repeat(500), 'z'.repeat(48), 'é'.repeat(30)];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % xs.length];
    const cells = new DataRowCells();
    for (let n = 0; n < 500; n++) {
      const row = Array.from({ length: 1 + (n % 9) }, () => pick(values));
      const frame = buildDataRow(row);
      const repl = row.map(() => pick(replacements));
      const expected = buildDataRow(row.map((v, i) => (repl[i] === undefined ? v : repl[i]!)));
      expect(rewriteDataRow(frame, repl, cells.scan(frame))).toEqual(expected);
      expect(rewriteDataRow(frame, new Map(repl.flatMap((r, i) => (r === undefined ? [] : [[i, r] as const]))))).toEqual(expected);
    }
  });
});
