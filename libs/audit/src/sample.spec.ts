import { describe, expect, it } from 'vitest';
import { SampleCollector } from './sample';

describe('SampleCollector', () => {
  it('keeps whole rows within the byte budget', () => {
    const s = new SampleCollector(['id', 'email'], 30);
    expect(s.add(['1', '***@example.com'])).toBe(true); // 7 + 16 = 23
    expect(s.add(['2', '***@example.com'])).toBe(false); // would be 40
    expect(s.add(['3', 'x'])).toBe(false); // stays closed: the sample is the first rows, not a pick
    expect(s.result()).toEqual({ columns: ['id', 'email'], rows: [['1', '***@example.com']] });
  });

  it('counts UTF-8 bytes and nulls', () => {
    // 'é€' is 2 characters, 5 bytes; the column name 'n' is 1; a null counts 4.
    expect(new SampleCollector(['n'], 6).add(['é€'])).toBe(true);
    expect(new SampleCollector(['n'], 5).add(['é€'])).toBe(false);
    expect(new SampleCollector(['n'], 5).add([null])).toBe(true);
    expect(new SampleCollector(['n'], 4).add([null])).toBe(false);
  });

  it('reserves a known size with fits() and keeps the row given to take()', () => {
    const s = new SampleCollector(['id'], 10);
    expect(s.fits(6)).toBe(true);
    s.take(['123456']);
    expect(s.fits(4)).toBe(false); // 2 + 6 + 4 > 10: closed from now on
    expect(s.fits(1)).toBe(false);
    expect(s.result()).toEqual({ columns: ['id'], rows: [['123456']] });
  });

  it('shares the column names it was given and charges the size the caller says they have', () => {
    const columns = ['id'];
    // 'id' is 2 bytes; told 4, the collector has 1 left of a budget of 5 (it would have 3).
    const s = new SampleCollector(columns, 5, 4);
    expect(s.fits(2)).toBe(false);
    const t = new SampleCollector(columns, 5, 4);
    expect(t.fits(1)).toBe(true);
    expect(t.result()!.columns).toBe(columns);
  });

  it('records nothing with a zero budget', () => {
    expect(new SampleCollector(['a'], 0).result()).toBeNull();
  });
});
