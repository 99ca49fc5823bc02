import { describe, expect, it } from 'vitest';
import { F_AT, F_COLON, F_DIG7, F_IPV4, F_TOKEN, mayFlag, prefilter } from './prefilter';

describe('prefilter', () => {
  it('says nothing for clean text, dates and clock times', () => {
    for (const s of ['Ingrid Tanaka', 'active', 'shipped 2024-01-13 01:45:28.', 'on 2024/01/13', 'at 10:22:31', 'the eye of the hedgehog', 'right through the high gate']) {
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
      ['ghp_x', F_TOKEN],
    ];
    for (const [s, f] of cases) {
      expect(prefilter(s) & f, s).toBe(f);
      expect(prefilter(Buffer.from(s)) & f, s).toBe(f);
    }
  });
});

describe('mayFlag (the gate in front of prefilter)', () => {
  // A deterministic generator (mulberry32): the same inputs on every run.
  let seed = 0x2f6b3a1d;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  // Pieces every prefilter flag is made of, and their near misses.
  const PIECES = [
    'a', 'e', 'g', 'h', 'x', 'A', 'K', 'I', 'S', 'D', 'E', 'J', 'y', 'p', 'o', 'u', '_', '-', '--', '-----BEGIN', '-----BEGI', '\\', '\\u', '\\n',
    '0', '1', '4', '9', '12', '2024', '.', ':', '::', ' ', '+', '/', '(', ')', '@', 'é', '🙂', 'AKIA', 'ASIA', 'eyJ', 'ey', 'ghp_', 'gh', 'gho', 'github_pat_',
    'glpat-', 'xox', 'xapp-', 'xap', 'hooks.slack.com', 'hooks.slack.co', 'DE89', 'GB', 'abcdefghij', 'ABCDEFGHIJ', '0123456789', 'lorem ipsum ',
  ];

  it('is true whenever prefilter flags anything, on random cells inside a larger buffer', () => {
    let flagged = 0;
    for (let n = 0; n < 40_000; n++) {
      let s = '';
      const mode = n % 4;
      if (mode === 0) {
        const parts = 1 + Math.floor(rand() * 24);
        for (let k = 0; k < parts; k++) s += pick(PIECES);
      } else if (mode === 1) {
        // Single characters around the thresholds: 7 digits in a chunk, 4 digits and 3 dots, '::'.
        const len = 1 + Math.floor(rand() * 20);
        for (let k = 0; k < len; k++) s += pick(['0', '1', '5', '9', '.', '.', '-', ' ', '(', '+', ':', 'A', 'Z', 'a', '/']);
      } else if (mode === 2) {
        // Hex groups between single colons (IPv6 without '::' needs all seven).
        const groups = 5 + Math.floor(rand() * 5);
        for (let k = 0; k < groups; k++) s += (k ? ':' : '') + pick(['fe', 'db', 'a', 'cafe', '0', 'f1']);
      } else {
        // A base64 run of 36–44 characters between breaks.
        const len = 36 + Math.floor(rand() * 9);
        s = pick(['', ' ', 'key=']);
        for (let k = 0; k < len; k++) s += pick(['a', 'Z', '0', '+', '/', 'q']);
        s += pick(['', ' ', '-', '=', '.']);
      }
      const cell = Buffer.from(s);
      // Bytes around the cell that would complete a literal or a run if the gate read past its range.
      const frame = Buffer.concat([Buffer.from(pick(['', 'x', 'eyJ', '@', '9999999', 'A'])), cell, Buffer.from(pick(['', 'J', 'KIA', '@', '1234567', '::', 'u']))]);
      const start = frame.indexOf(cell);
      const flags = prefilter(cell);
      if (flags !== 0) flagged++;
      if (flags !== 0 && !mayFlag(frame, start, start + cell.length)) expect.fail(`gate said no to ${JSON.stringify(s)} (flags ${flags})`);
    }
    // The generator must actually reach both outcomes for the check to mean anything.
    expect(flagged).toBeGreaterThan(5_000);
  });

  it('stays false for ordinary words and short numbers', () => {
    for (const s of ['customer 123456', 'status shipped, tracking pending, warehouse B', 'lorem ipsum '.repeat(8), 'the key they gave', 'through the right gate', 'example', 'v1.2']) {
      const b = Buffer.from(s);
      expect(mayFlag(b, 0, b.length), s).toBe(false);
    }
  });
});
