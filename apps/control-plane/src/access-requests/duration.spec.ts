import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads seconds and ISO-8601 durations', () => {
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration('PT1H')).toBe(3600);
    expect(parseDuration('PT30M')).toBe(1800);
    expect(parseDuration('P1DT2H')).toBe(93600);
    expect(parseDuration('PT5S')).toBe(5);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'P', 'PT', '1h', '-5', 'P1W', 'PT1H2']) expect(parseDuration(bad)).toBeNull();
  });
});
