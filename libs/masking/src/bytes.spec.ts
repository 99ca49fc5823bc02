import { describe, expect, it } from 'vitest';
import { buildCorpus } from './corpus';
import { Fake } from './corpus/fakes';
import { type CellWriter, createMasker, defaultPolicy, type MaskingPolicy } from './index';

// maskBytes is the worker's hot path: it decides most cells on the bytes in place and only reads
// the rest as text. Whatever it skips, maskCell (the reference) must agree it had nothing to mask.

const TEXT = 25;
const JSON_OID = 114;
const JSONB = 3802;
const INT8 = 20;

const f = new Fake(77);
const LOOKALIKES = [
  ...Array.from({ length: 20 }, () => f.orderNumber()),
  ...Array.from({ length: 10 }, () => f.uuid()),
  ...Array.from({ length: 10 }, () => f.hex(40)),
  ...Array.from({ length: 10 }, () => f.timestamp()),
  ...Array.from({ length: 10 }, () => f.epoch()),
  ...Array.from({ length: 10 }, () => f.version()),
  '10.0.0.1-beta', '**** **** **** 4242', 'the key they gave', 'right through the high gate', 'customer 1234567', 'lorem ipsum '.repeat(8),
];

function agree(policy: MaskingPolicy, values: ReadonlyArray<{ text: string; column?: string }>): number {
  const viaBytes = createMasker(policy);
  const viaCell = createMasker(policy);
  let changed = 0;
  for (const v of values) {
    const cols = [TEXT, JSON_OID, JSONB, INT8].map((typeOid) => ({ column: v.column ?? 'note', typeOid }));
    const pb = viaBytes.columnPlan(cols);
    const pc = viaCell.columnPlan(cols);
    const cell = Buffer.from(v.text);
    // Inside a larger buffer, with bytes on both sides that would change the answer if read.
    const frame = Buffer.concat([Buffer.from('eyJ@1234567'), cell, Buffer.from('@4111111111111111')]);
    for (let i = 0; i < cols.length; i++) {
      const out = viaBytes.maskBytes(pb, i, frame, 11, 11 + cell.length);
      // A text cell's new bytes come as a string or (from the byte scanner) a Buffer.
      const got = Buffer.isBuffer(out) ? out.toString('utf8') : out;
      const ref = viaCell.maskCell(pc, i, cell);
      const want = ref.changed ? (Buffer.isBuffer(ref.value) ? ref.value.toString('utf8') : ref.value) : undefined;
      expect(got, `${v.text} as type ${cols[i].typeOid}`).toEqual(want);
      if (want !== undefined) changed++;
    }
    expect(viaBytes.takeCounts(), v.text).toEqual(viaCell.takeCounts());
  }
  return changed;
}

describe('maskBytes (cells inside a wire buffer)', () => {
  const corpus = buildCorpus();

  it('agrees with maskCell on every corpus cell, as text, json, jsonb and int8 columns', () => {
    expect(agree(defaultPolicy('k'), corpus)).toBeGreaterThan(300);
  });

  it('agrees with maskCell on look-alikes (and masks none of them as text)', () => {
    const m = createMasker(defaultPolicy('k'));
    const plan = m.columnPlan([{ column: 'note', typeOid: TEXT }]);
    for (const v of LOOKALIKES) {
      const b = Buffer.from(v);
      expect(m.maskBytes(plan, 0, b, 0, b.length), v).toBeUndefined();
    }
    agree(defaultPolicy('k'), LOOKALIKES.map((text) => ({ text })));
  });

  it('agrees with maskCell on every corpus cell and look-alike that follows a run of masked cells (no gate then)', () => {
    const viaBytes = createMasker(defaultPolicy('k'));
    const viaCell = createMasker(defaultPolicy('k'));
    const pb = viaBytes.columnPlan([{ column: 'note', typeOid: TEXT }]);
    const pc = viaCell.columnPlan([{ column: 'note', typeOid: TEXT }]);
    const hit = Buffer.from('mail jane@example.com');
    for (const v of [...corpus.map((c) => c.text), ...LOOKALIKES]) {
      for (let k = 0; k < 10; k++) expect(viaBytes.maskBytes(pb, 0, hit, 0, hit.length)).toBeDefined();
      const cell = Buffer.from(v);
      const out = viaBytes.maskBytes(pb, 0, cell, 0, cell.length);
      const ref = viaCell.maskCell(pc, 0, cell);
      const text = (x: unknown): unknown => (Buffer.isBuffer(x) ? x.toString('utf8') : x);
      expect(text(out), v).toEqual(ref.changed ? text(ref.value) : undefined);
    }
  });

  it('agrees with maskCell under the partial, hash and null styles', () => {
    for (const defaultStyle of ['partial', 'hash', 'null'] as const) agree({ ...defaultPolicy('k'), defaultStyle }, corpus.slice(0, 120));
  });

  it('returns text for text cells, a Buffer for binary jsonb, null for a nulled cell', () => {
    const m = createMasker({ ...defaultPolicy('k'), entityStyles: { CARD: 'null' } });
    const plan = m.columnPlan([
      { column: 'note', typeOid: TEXT },
      { column: 'doc', typeOid: JSONB, format: 1 },
      { column: 'note', typeOid: TEXT, format: 1 },
    ]);
    const t = Buffer.from('mail jane@example.com');
    expect(m.maskBytes(plan, 0, t, 0, t.length)).toBe('mail [EMAIL]');
    const j = Buffer.concat([Buffer.of(1), Buffer.from('{"e":"jane@example.com"}')]);
    expect(m.maskBytes(plan, 1, j, 0, j.length)).toEqual(Buffer.concat([Buffer.of(1), Buffer.from('{"e":"[EMAIL]"}')]));
    const c = Buffer.from('card 4111 1111 1111 1111');
    expect(m.maskBytes(plan, 2, c, 0, c.length)).toBeNull();
  });

  it('writes through maskInto exactly what maskBytes returns, with the same counts', () => {
    /** Records the one cell written, as bytes (null for SQL NULL). */
    class Recorder implements CellWriter {
      got: Buffer | null | undefined = undefined;
      null(): void {
        this.got = null;
      }
      text(_col: number, s: string): void {
        this.got = Buffer.from(s);
      }
      bytes(_col: number, b: Buffer): void {
        this.got = Buffer.from(b);
      }
      spliced(_col: number, src: Buffer, from: number, to: number, count: number, piece: ArrayLike<number>, start: ArrayLike<number>, end: ArrayLike<number>, pieces: readonly Buffer[]): void {
        const parts: Buffer[] = [];
        let last = from;
        for (let k = 0; k < count; k++) {
          parts.push(src.subarray(last, from + start[k]), pieces[piece[k]]);
          last = from + end[k];
        }
        parts.push(src.subarray(last, to));
        this.got = Buffer.concat(parts);
      }
    }
    const values = [...corpus.map((c) => c.text), ...LOOKALIKES];
    for (const policy of [defaultPolicy('k'), { ...defaultPolicy('k'), defaultStyle: 'partial' as const }]) {
      const viaInto = createMasker(policy);
      const viaBytes = createMasker(policy);
      const cols = [TEXT, JSON_OID, JSONB, INT8].map((typeOid) => ({ column: 'note', typeOid }));
      const pi = viaInto.columnPlan(cols);
      const pb = viaBytes.columnPlan(cols);
      for (const v of values) {
        const frame = Buffer.concat([Buffer.from('eyJ@1234567'), Buffer.from(v), Buffer.from('@4111111111111111')]);
        const end = frame.length - 17;
        for (let i = 0; i < cols.length; i++) {
          const w = new Recorder();
          const changed = viaInto.maskInto(pi, i, frame, 11, end, w);
          const want = viaBytes.maskBytes(pb, i, frame, 11, end);
          expect(changed, v).toBe(want !== undefined);
          expect(w.got, v).toEqual(want === undefined ? undefined : want === null ? null : Buffer.from(want));
        }
      }
      expect(viaInto.takeCounts()).toEqual(viaBytes.takeCounts());
    }
  });

  it('fails closed on an oversized cell without reading it', () => {
    const m = createMasker({ ...defaultPolicy('k'), maxCellBytes: 16 });
    const plan = m.columnPlan([{ column: 'note', typeOid: TEXT }]);
    const b = Buffer.from('nothing to see here at all');
    expect(m.maskBytes(plan, 0, b, 0, b.length)).toBe('[MASKED]');
    expect(m.takeCounts().ERROR).toBe(1);
  });
});
