import { describe, expect, it } from 'vitest';
import { F_AT, F_COLON, F_DIG7, F_IPV4, F_TOKEN, prefilter } from './prefilter';

describe('prefilter', () => {
  it('says nothing for clean text, dates and clock times', () => {
    for (const s of ['Ingrid Tanaka', 'active', 'shipped 2024-01-13 01:45:28.', 'on 2024/01/13', 'at 10:22:31', 'the eye of the hedgehog']) {
      expect(prefilter(s), s).toBe(0);
      expect(prefilter(Buffer.from(s)), s).toBe(0);
    }
  });

  it('flags every candidate kind, on strings and Buffers alike', () => {
    const cases: Array<[string, number]> = [
      ['a@b.co', F_AT],
      ['(415) 555-0132', F_DIG7],
      ['2024-01-13 415-555-0132', F_DIG7],
      ['01.23.45.67.89', F_DIG7],
      ['10.0.0.1', F_IPV4],
      ['fe80::1', F_COLON],
      ['eyJhbGciOiJIUzI1NiJ9', F_TOKEN],
      ['github_pat_x', F_TOKEN],
    ];
    for (const [s, f] of cases) {
      expect(prefilter(s) & f, s).toBe(f);
      expect(prefilter(Buffer.from(s)) & f, s).toBe(f);
    }
  });
});
