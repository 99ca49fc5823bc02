import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time';

describe('isoTime', () => {
  it('is toISOString for whole milliseconds, across seconds, days and years', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    for (let ms = base - 5; ms < base + 3000; ms += 7) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    for (const ms of [0, 1, 999, 1000, 1_700_000_000_001, Date.now(), 253_402_300_799_999]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
