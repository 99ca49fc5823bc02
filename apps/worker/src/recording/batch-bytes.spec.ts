import { describe, expect, it } from 'vitest';
import { BatchBytes } from './batch-bytes';

describe('BatchBytes', () => {
  it('keeps every line, in UTF-8, across growth, and starts over after take()', () => {
    const b = new BatchBytes(16);
    const lines = Array.from({ length: 500 }, (_, i) => `{"seq":${i},"sql":"SELECT 'é😀中' || ${'x'.repeat(i % 37)}"}`);
    for (const l of lines) b.line(l);
    expect(b.take().toString('utf8')).toBe(lines.map((l) => l + '\n').join(''));
    expect(b.length).toBe(0);
    b.line('after');
    expect(b.take().toString('utf8')).toBe('after\n');
  });

  it('hands out a copy: the next lines do not change a batch already taken', () => {
    const b = new BatchBytes(64);
    b.line('first');
    const first = b.take();
    b.line('second');
    expect(first.toString('utf8')).toBe('first\n');
  });

  it('takes into a buffer of the caller: the bytes at its start, and the next batch starts empty', () => {
    const b = new BatchBytes(16);
    b.line('{"a":"é"}');
    const target = Buffer.alloc(64, 0x20);
    const n = b.length;
    b.takeInto(target);
    expect(target.subarray(0, n).toString('utf8')).toBe('{"a":"é"}\n');
    expect(b.length).toBe(0);
    b.line('x'.repeat(40));
    expect(() => b.takeInto(Buffer.alloc(8))).toThrow(/does not fit/);
  });
});
