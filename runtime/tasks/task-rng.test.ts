import { describe, expect, it } from 'vitest';
import { taskRng } from './task-rng.ts';

const draw = (labels: (string | number)[], seed = 1): number[] => {
  const r = taskRng(seed, ...labels);
  return Array.from({ length: 4 }, () => r.next());
};

describe('taskRng', () => {
  it('repeats for the same seed and labels, and differs when either changes', () => {
    expect(draw(['copy', 'test', 3])).toEqual(draw(['copy', 'test', 3]));
    const streams = [draw(['copy', 'test', 3]), draw(['copy', 'test', 4]), draw(['copy', 'test', 3], 2), draw(['adding', 'test', 3]), draw(['copy', 'test'])];
    expect(new Set(streams.map((s) => s.join())).size).toBe(streams.length);
    for (const s of streams) expect(s.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
