import { describe, expect, it } from 'vitest';
import { logRange, logTicks, pow10 } from './chart-ticks.ts';

describe('log axes', () => {
  it('range: the decades around the data', () => {
    expect(logRange(0.003, 0.2)).toEqual([0.001, 1]);
    expect(logRange(1.9e-26, 0.23)).toEqual([1e-26, 1]);
    expect(logRange(1e-3, 1e-3)).toEqual([1e-3, 1e-2]);
    expect(logRange(2, 2)).toEqual([1, 10]);
    expect(logRange(null, null)).toEqual([0.1, 1]);
    expect(logRange(0, 1)).toEqual([0.1, 1]);
  });

  it('ticks: every decade when they fit, else every k-th, exact powers of ten', () => {
    expect(logTicks(1e-3, 1, 8)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    expect(logTicks(1e-26, 1, 6)).toEqual([1e-25, 1e-20, 1e-15, 1e-10, 1e-5, 1]);
    expect(logTicks(1e-26, 1, 14)).toEqual([1e-26, 1e-24, 1e-22, 1e-20, 1e-18, 1e-16, 1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
    expect(logTicks(0.5, 0.9, 5)).toEqual([]);
    expect(logTicks(1e-40, 10, 3).length).toBeLessThanOrEqual(3);
    for (const t of logTicks(1e-30, 1, 40)) expect(String(t)).toMatch(/^1(e-\d+)?$|^0\.0*1$/);
    expect(pow10(-24)).toBe(1e-24);
  });
});
