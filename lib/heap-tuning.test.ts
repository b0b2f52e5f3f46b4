import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from './heap-tuning';

describe('heapGrowingPercent', () => {
  it('defaults when unset, empty or not a whole number in range', () => {
    for (const value of [undefined, '', '  ', 'abc', '9', '401', '55.5', '-100', '1e9', 'Infinity']) {
      expect(heapGrowingPercent(value), String(value)).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    }
  });
  it('takes a whole number from 10 to 400', () => {
    expect(heapGrowingPercent('10')).toBe(10);
    expect(heapGrowingPercent(' 250 ')).toBe(250);
    expect(heapGrowingPercent('400')).toBe(400);
  });
  it('leaves V8 its own rule for 0', () => {
    expect(heapGrowingPercent('0')).toBeNull();
  });
});
