/**
 * The labelled corpus: free text, structured column values and nested JSON,
 * with exact expected spans. Markers `«ENTITY|value»` are stripped here and
 * turned into spans over the clean text.
 */
import { type EntityType, type Span } from '../types';
import { Fake } from './fakes';
import { FREE_TEXT } from './free-text';
import { HANDWRITTEN } from './handwritten';
import { HELD_OUT } from './heldout';
import { JSON_DOCS } from './json';
import { STRUCTURED } from './structured';

export interface CorpusCell {
  id: string;
  kind: 'text' | 'column' | 'json';
  /** Column name the value came from (detector context), for structured cells. */
  column?: string;
  text: string;
  expected: Span[];
}

export function unmark(marked: string): { text: string; expected: Span[] } {
  let text = '';
  const expected: Span[] = [];
  const re = /«([A-Z_]+)\|([\s\S]*?)»/g;
  let last = 0;
  for (const m of marked.matchAll(re)) {
    text += marked.slice(last, m.index);
    expected.push({ entity: m[1] as EntityType, start: text.length, end: text.length + m[2].length });
    text += m[2];
    last = m.index + m[0].length;
  }
  return { text: text + marked.slice(last), expected };
}

export function buildCorpus(): CorpusCell[] {
  const cells: CorpusCell[] = [];
  FREE_TEXT.forEach((t, i) => {
    for (let k = 0; k < 3; k++) cells.push({ id: `text-${i}-${k}`, kind: 'text', ...unmark(t(new Fake(1000 + i * 7 + k))) });
  });
  STRUCTURED.forEach(([column, gen], i) => {
    for (let k = 0; k < 3; k++) cells.push({ id: `col-${column}-${i}-${k}`, kind: 'column', column, ...unmark(gen(new Fake(5000 + i * 11 + k))) });
  });
  JSON_DOCS.forEach((t, i) => {
    for (let k = 0; k < 4; k++) cells.push({ id: `json-${i}-${k}`, kind: 'json', ...unmark(t(new Fake(9000 + i * 13 + k))) });
  });
  const add = (prefix: string) => ([column, marked]: [string | null, string], i: number) => {
    const kind = marked.startsWith('{') ? 'json' : column ? 'column' : 'text';
    cells.push({ id: `${prefix}-${i}`, kind, column: column ?? undefined, ...unmark(marked) });
  };
  HANDWRITTEN.forEach(add('hand'));
  HELD_OUT.forEach(add('heldout'));
  return cells;
}
