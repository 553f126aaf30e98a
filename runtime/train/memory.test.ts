/**
 * Training allocates its buffers once: the resident set stays flat (±10%) between step 100 and
 * step 1000, and so does the memory held in typed arrays, where a leak of one 8 KB buffer per
 * step (7 MB over the run) would show.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../graph/parse.ts';
import { Trainer } from './trainer.ts';

describe('memory while training', () => {
  it('RSS at step 1000 is within 10% of RSS at step 100', () => {
    const parsed = parseGraph(readFileSync(new URL('../../examples/lstm.json', import.meta.url), 'utf8'));
    if (!parsed.ok) throw new Error('lstm.json does not parse');
    const doc = {
      ...parsed.value,
      nodes: parsed.value.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 16 } } : n)),
      task: { name: 'brackets', params: { max_length: 20, test_min_length: 21, test_max_length: 24, train_size: 2000, test_size: 50 } },
      training: { ...parsed.value.training, batch: 16 },
    };
    const made = Trainer.create({ doc });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    const t = made.value;
    let at100 = 0;
    let buffers100 = 0;
    for (let s = 1; s <= 1000; s++) {
      t.step(s % 50 === 0);
      if (s === 100) {
        at100 = process.memoryUsage().rss;
        buffers100 = process.memoryUsage().arrayBuffers;
      }
    }
    const at1000 = process.memoryUsage().rss;
    expect(at1000 / at100).toBeGreaterThan(0.9);
    expect(at1000 / at100).toBeLessThan(1.1);
    // Per-step batches are garbage collected; nothing accumulates in typed arrays.
    expect(process.memoryUsage().arrayBuffers - buffers100).toBeLessThan(4 * 1024 * 1024);
  });
});
