import { SessionEvent } from '@airlock/contracts';
import { seededRandom as rng } from '@airlock/testing';
import { describe, expect, it } from 'vitest';
import { eventJson, millis, type StatementFields, statementEvent } from './event-json';

// Pieces JSON.stringify treats specially: quotes, backslashes, every C0 control, DEL, U+2028/9,
// surrogate pairs (emoji), lone high and low surrogates, non-BMP and plain text.
const PIECES = ['"', '\\', '\u2028', '\u2029', '\u007f', '😀', '\ud800', '\udfff', 'é', 'SELECT 1', ' ', "'", '/', '</script>', ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))];

function text(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += r() < 0.5 ? PIECES[Math.floor(r() * PIECES.length)] : Math.random().toString(36).slice(2, 2 + Math.floor(r() * 8));
  return s;
}
const maybe = <T>(r: () => number, v: () => T): T | null => (r() < 0.3 ? null : v());
const NUMBERS = [0, -0, 1, 0.1, 3.395, 1e21, 1e-7, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, 123456.789];

function fields(r: () => number): StatementFields {
  const cols = Math.floor(r() * 4);
  return {
    at: new Date(1_700_000_000_000 + Math.floor(r() * 1e10)).toISOString(),
    sql: text(r),
    params: r() < 0.4 ? undefined : Array.from({ length: Math.floor(r() * 4) }, () => maybe(r, () => text(r))),
    fingerprint: maybe(r, () => text(r)),
    statementKind: maybe(r, () => 'SELECT'),
    verdict: (['ALLOW', 'BLOCK', 'REVIEW'] as const)[Math.floor(r() * 3)]!,
    rule: maybe(r, () => text(r)),
    reviewId: maybe(r, () => text(r)),
    approver: maybe(r, () => text(r)),
    durationMs: NUMBERS[Math.floor(r() * NUMBERS.length)]!,
    rows: Math.floor(r() * 1e6),
    bytes: Math.floor(r() * 1e9),
    errorCode: maybe(r, () => '42501'),
    masked: r() < 0.5 ? {} : Object.fromEntries(Array.from({ length: Math.floor(r() * 3) + 1 }, () => [text(r) || 'EMAIL', Math.floor(r() * 100)])),
    sample: maybe(r, () => ({
      columns: Array.from({ length: cols }, () => text(r)),
      rows: Array.from({ length: Math.floor(r() * 3) }, () => Array.from({ length: cols }, () => maybe(r, () => text(r)))),
    })),
  };
}

describe('eventJson', () => {
  it('writes statement events exactly as JSON.stringify does (20,000 generated events)', () => {
    const r = rng(20261127);
    for (let i = 0; i < 20_000; i++) {
      const e = statementEvent(fields(r));
      e.sessionId = '71a02516-49db-4b3d-9b88-a39b37bb5951';
      e.seq = i;
      const line = eventJson(e);
      expect(line, `event ${i}`).toBe(JSON.stringify(e));
    }
  });

  it('writes durations rounded to µs as JSON.stringify does, and any other number through it', () => {
    for (let k = 0; k <= 300_000; k++) expect(millis(k / 1000)).toBe(JSON.stringify(k / 1000));
    const r = rng(99);
    for (let i = 0; i < 100_000; i++) {
      const k = Math.floor(r() * 10 ** Math.floor(r() * 16));
      expect(millis(k / 1000), `k=${k}`).toBe(JSON.stringify(k / 1000));
      const x = r() * 10 ** Math.floor(r() * 12);
      expect(millis(x), `x=${x}`).toBe(JSON.stringify(x));
    }
    for (const x of [0.0001, 1 / 3, 1e-7, 1e21, -1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 0.1 + 0.2]) expect(millis(x)).toBe(JSON.stringify(x));
  });

  it('gives lines the control plane accepts', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const e = statementEvent({ ...fields(r), masked: { EMAIL: 2 }, durationMs: 1.5 });
      e.sessionId = '71a02516-49db-4b3d-9b88-a39b37bb5951';
      e.seq = i;
      expect(SessionEvent.safeParse(JSON.parse(eventJson(e))).success).toBe(true);
    }
  });

  it('leaves other events, and statement events built elsewhere, to JSON.stringify', () => {
    const end: SessionEvent = { kind: 'session.end', sessionId: 'x', seq: 3, at: 'now', reason: 'client "left"', statements: 1, bytesIn: 2, bytesOut: 3 };
    expect(eventJson(end)).toBe(JSON.stringify(end));
    // Another key order than statementEvent's: the hand writer must not be used for it.
    const other = { sql: 'SELECT "a"', kind: 'statement', sessionId: 's', seq: 1, at: 'now', fingerprint: null, statementKind: null, verdict: 'ALLOW', rule: null, durationMs: 0, rows: 0, bytes: 0, errorCode: null, masked: {} } as SessionEvent;
    expect(eventJson(other)).toBe(JSON.stringify(other));
  });

  it('keeps the mark out of the JSON and out of the object a spread copies', () => {
    const e = statementEvent(fields(rng(1)));
    expect(JSON.parse(eventJson(e))).toEqual(JSON.parse(JSON.stringify({ ...e })));
    expect(Object.keys(e)).not.toContain('BUILT');
  });
});
