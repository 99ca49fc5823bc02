import { describe, expect, it } from 'vitest';
import { FrameWalker, PgProtocolError } from './index';
import { backendSamples, frontendSamples } from './testing/samples';

/** Frame end offsets of a concatenated sample sequence. */
const boundaries = (samples: Buffer[]) => samples.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s.length], []);

describe('FrameWalker', () => {
  for (const [side, samples] of [['frontend', frontendSamples()], ['backend', backendSamples()]] as const) {
    it(`follows the ${side} sequence split at every pair of byte boundaries`, () => {
      const all = Buffer.concat(samples);
      const ends = new Set(boundaries(samples));
      const expected = samples.filter((s) => s[0] === 0x51 || s[0] === 0x45).length;
      for (let i = 0; i <= all.length; i++) {
        for (let j = i; j <= all.length; j += 7) {
          const w = new FrameWalker(1 << 20, 0x51, 0x45);
          for (const part of [all.subarray(0, i), all.subarray(i, j), all.subarray(j)]) {
            expect(w.walk(part)).toBe(part.length);
          }
          expect(w.atBoundary).toBe(true);
          expect(w.counted).toBe(expected);
        }
        // Walking only the first i bytes ends at a boundary exactly when i is one.
        const w = new FrameWalker(1 << 20);
        w.walk(all.subarray(0, i));
        expect(w.atBoundary).toBe(i === 0 || ends.has(i));
      }
    });
  }

  it('stops at the next boundary when asked, and not before finishing the frame', () => {
    const samples = backendSamples();
    const all = Buffer.concat(samples);
    const first = samples[0].length;
    const w = new FrameWalker(1 << 20);
    expect(w.walk(all.subarray(0, 3))).toBe(3);
    // The rest of the first frame, then stop.
    expect(w.walk(all.subarray(3), 0, true)).toBe(first - 3);
    expect(w.atBoundary).toBe(true);
    // Already at a boundary: stops where it starts.
    expect(w.walk(all, first, true)).toBe(first);
  });

  it('refuses a length under 4 or over the cap like FrameReader, naming the message', () => {
    const tooBig = Buffer.from([0x51, 0, 0x10, 0, 0]);
    expect(() => new FrameWalker(4096).walk(tooBig)).toThrow(PgProtocolError);
    expect(() => new FrameWalker(4096).walk(tooBig)).toThrow(/invalid length 1048576 for message 'Q' \(allowed 4..4096\)/);
    expect(() => new FrameWalker(4096).walk(Buffer.from([0x44, 0, 0, 0, 3]))).toThrow(/invalid length 3/);
    // A header split across chunks is checked once it is whole.
    const w = new FrameWalker(4096);
    expect(w.walk(tooBig.subarray(0, 2))).toBe(2);
    expect(() => w.walk(tooBig.subarray(2))).toThrow(/invalid length 1048576/);
  });
});
