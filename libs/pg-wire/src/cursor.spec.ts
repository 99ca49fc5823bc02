import { describe, expect, it } from 'vitest';
import { Cursor } from './cursor';
import { PgProtocolError } from './errors';

const strings = (...parts: string[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p + '\0')));

describe('Cursor.cstring', () => {
  it('reads empty, short and long strings one after another', () => {
    const long = 'x'.repeat(63) + 'é€' + 'y'.repeat(200); // multi-byte characters across the 64-byte mark
    const c = new Cursor(strings('', 'P0_1', long, ''), 0, 'test');
    expect(c.cstring()).toBe('');
    expect(c.cstring()).toBe('P0_1');
    expect(c.cstring()).toBe(long);
    expect(c.cstring()).toBe('');
    expect(c.remaining).toBe(0);
  });

  it('finds a terminator exactly at the 64th byte and just past it', () => {
    for (const n of [63, 64, 65]) {
      const c = new Cursor(strings('a'.repeat(n), 'b'), 0, 'test');
      expect(c.cstring()).toBe('a'.repeat(n));
      expect(c.cstring()).toBe('b');
    }
  });

  it('refuses a string without its terminator, short or long, and at the end of the body', () => {
    for (const body of [Buffer.from('abc'), Buffer.from('z'.repeat(100)), Buffer.alloc(0)]) {
      expect(() => new Cursor(body, 0, 'test').cstring()).toThrow(PgProtocolError);
    }
    const c = new Cursor(strings('done'), 0, 'test');
    c.cstring();
    expect(() => c.cstring()).toThrow(/malformed test message: unterminated string/);
  });
});
