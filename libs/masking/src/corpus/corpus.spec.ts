import { describe, expect, it } from 'vitest';
import { createMasker } from '../masker';
import { defaultPolicy } from '../defaults';
import { DETECTABLE_ENTITIES, type EntityType, type Span } from '../types';
import { buildCorpus } from './index';

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

const key = (s: Span): string => `${s.entity}:${s.start}:${s.end}`;

describe('labelled corpus', () => {
  const cells = buildCorpus();
  const masker = createMasker(defaultPolicy('corpus-key'));
  const tally = new Map<EntityType, Tally>(DETECTABLE_ENTITIES.map((e) => [e, { tp: 0, fp: 0, fn: 0 }]));
  const misses: string[] = [];

  for (const cell of cells) {
    const found = masker.maskText(cell.text, { column: cell.column ? { column: cell.column } : undefined }).spans;
    const want = new Set(cell.expected.map(key));
    const got = new Set(found.map(key));
    for (const s of found) {
      const t = tally.get(s.entity)!;
      if (want.has(key(s))) t.tp++;
      else {
        t.fp++;
        misses.push(`FP ${cell.id} ${s.entity} ${JSON.stringify(cell.text.slice(s.start, s.end))} in ${JSON.stringify(cell.text.slice(0, 160))}`);
      }
    }
    for (const s of cell.expected) {
      if (!got.has(key(s))) {
        tally.get(s.entity)!.fn++;
        misses.push(`FN ${cell.id} ${s.entity} ${JSON.stringify(cell.text.slice(s.start, s.end))} in ${JSON.stringify(cell.text.slice(0, 160))}`);
      }
    }
  }

  const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  const rows = [...tally].map(([e, t]) => ({ entity: e, expected: t.tp + t.fn, tp: t.tp, fp: t.fp, fn: t.fn, recall: ratio(t.tp, t.tp + t.fn), precision: ratio(t.tp, t.tp + t.fp) }));
  const all = rows.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });

  it('is large and varied enough', () => {
    expect(cells.length).toBeGreaterThanOrEqual(300);
    for (const kind of ['text', 'column', 'json'] as const) expect(cells.filter((c) => c.kind === kind).length).toBeGreaterThan(60);
    for (const r of rows) expect(r.expected, r.entity).toBeGreaterThanOrEqual(10);
  });

  it('meets recall >= 0.99 and precision >= 0.98 per entity and overall', () => {
    const fmt = (n: number): string => n.toFixed(3);
    const lines = [
      `corpus: ${cells.length} cells (${cells.filter((c) => c.kind === 'text').length} free text, ${cells.filter((c) => c.kind === 'column').length} structured, ${cells.filter((c) => c.kind === 'json').length} JSON), ${all.tp + all.fn} labelled spans`,
      'entity           expected   tp   fp   fn  recall  precision',
      ...rows.map((r) => `${r.entity.padEnd(16)} ${String(r.expected).padStart(8)} ${String(r.tp).padStart(4)} ${String(r.fp).padStart(4)} ${String(r.fn).padStart(4)}  ${fmt(r.recall)}  ${fmt(r.precision)}`),
      `${'OVERALL'.padEnd(16)} ${String(all.tp + all.fn).padStart(8)} ${String(all.tp).padStart(4)} ${String(all.fp).padStart(4)} ${String(all.fn).padStart(4)}  ${fmt(ratio(all.tp, all.tp + all.fn))}  ${fmt(ratio(all.tp, all.tp + all.fp))}`,
    ];
    console.log(lines.join('\n') + (misses.length ? '\n' + misses.join('\n') : ''));
    expect(ratio(all.tp, all.tp + all.fn)).toBeGreaterThanOrEqual(0.99);
    expect(ratio(all.tp, all.tp + all.fp)).toBeGreaterThanOrEqual(0.98);
    for (const r of rows) {
      expect(r.recall, `${r.entity} recall`).toBeGreaterThanOrEqual(0.99);
      expect(r.precision, `${r.entity} precision`).toBeGreaterThanOrEqual(0.98);
    }
  });
});
