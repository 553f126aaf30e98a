import { describe, expect, it } from 'vitest';
import { ByLength } from './by-length.ts';

describe('ByLength', () => {
  it('adds per-length sums over batches and divides at the end, shortest length first', () => {
    const acc = new ByLength();
    acc.add({ total: 3, count: 4, byLength: new Map([[7, { total: 1, count: 2 }], [5, { total: 2, count: 2 }]]) });
    acc.add({ total: 1, count: 4, byLength: new Map([[7, { total: 1, count: 4 }]]) });
    acc.add({ total: 1, count: 1 });
    expect(acc.rows()).toEqual([
      { length: 5, metric: 1, count: 2 },
      { length: 7, metric: 2 / 6, count: 6 },
    ]);
  });

  it('has no rows when no score was broken down by length', () => {
    const acc = new ByLength();
    acc.add({ total: 1, count: 1 });
    expect(acc.rows()).toBeUndefined();
  });
});
