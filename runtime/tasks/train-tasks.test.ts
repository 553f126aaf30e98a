/**
 * The new tasks through the real trainer on small graphs: their streams feed a compiled pass (bags
 * of ids along a story axis, multi-hot vector targets), the loss goes down, and evaluation reports
 * the metric (by length where the task gives it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../graph/parse.ts';
import type { GraphDoc } from '../graph/types.ts';
import { Trainer } from '../train/trainer.ts';
import { BABI_WORDS } from './babi.ts';
import { CHARLM_CHARS } from './charlm.ts';
import { createTask } from './registry.ts';
import { elmanDoc } from './test-helpers.ts';

function example(name: string): GraphDoc {
  const r = parseGraph(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name} does not parse`);
  return r.value;
}

function trainer(doc: GraphDoc): Trainer {
  const r = Trainer.create({ doc, evalBatch: 64 });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training on the new tasks', () => {
  it('dyck: an RNN with a BCE loss on the multi-hot target learns, and evaluation reports accuracy by length', () => {
    const doc = elmanDoc({ x: { kind: 'tokens', vocab: 2 }, y: { kind: 'vector', size: 3, align_with: 'x' }, decoderSize: 3, take: 'all' });
    const bce: GraphDoc = {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === 'loss' ? { ...n, params: { kind: 'bce' } } : n)),
      task: { name: 'dyck', params: { max_length: 12, test_min_length: 14, test_max_length: 20, train_size: 200, test_size: 40 } },
      training: { batch: 16, lr: 0.01 },
    };
    const t = trainer(bce);
    const losses = Array.from({ length: 60 }, () => t.step().loss);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    const r = t.evaluate('test');
    expect(r.count).toBe(40);
    const rows = r.byLength!;
    expect(rows.map((x) => x.length)).toEqual([...rows.map((x) => x.length)].sort((a, b) => a - b));
    expect(rows.reduce((a, x) => a + x.count, 0)).toBe(40);
    expect(rows.reduce((a, x) => a + x.metric * x.count, 0) / 40).toBeCloseTo(r.metric, 10);
    for (const x of rows) expect(x.length).toBeGreaterThanOrEqual(14);
  });

  it('babi: the memory-network example reads bags of word ids along the story axis and learns task 1', () => {
    const task = createTask({ name: 'babi', params: { memory: 10 } });
    if (!task.ok) throw new Error('babi');
    const V = task.value.streams[0]!.vocab!;
    const doc = example('memory-network.json');
    const fitted: GraphDoc = {
      ...doc,
      nodes: doc.nodes.map((n) =>
        ['story', 'question', 'answer'].includes(n.id) ? { ...n, params: { ...n.params, vocab: V, ...(n.id === 'answer' ? {} : { size: BABI_WORDS }) } } : n.id === 'W' ? { ...n, params: { ...n.params, size: V } } : n,
      ),
      task: { name: 'babi', params: { memory: 10, train_size: 200, test_size: 64 } },
      training: { batch: 16, lr: 0.01 },
    };
    const t = trainer(fitted);
    const losses = Array.from({ length: 40 }, () => t.step().loss);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    const r = t.evaluate('test');
    expect(r.count).toBe(64);
    expect(r.byLength).toBeUndefined();
    // Six locations: a model that learned anything about the question beats a sixth.
    expect(r.metric).toBeGreaterThan(1 / 6);
  });

  it('charlm: a character RNN trains and is scored in bits per character', () => {
    const V = CHARLM_CHARS.length;
    const doc: GraphDoc = {
      ...elmanDoc({ x: { kind: 'tokens', vocab: V }, y: { kind: 'tokens', vocab: V, align_with: 'x' }, decoderSize: V, take: 'all' }),
      task: { name: 'charlm', params: { length: 20, test_fraction: 0.01 } },
      training: { batch: 16, lr: 0.01 },
    };
    const t = trainer(doc);
    const first = t.step();
    // Cross-entropy in nats at initialisation is the metric in bits times ln 2 (both average every step).
    expect(first.metric * Math.LN2).toBeCloseTo(first.loss, 3);
    for (let i = 0; i < 30; i++) t.step();
    const r = t.evaluate('test');
    expect(r.metric).toBeLessThan(Math.log2(V));
    expect(r.metric * Math.LN2).toBeCloseTo(r.loss, 3);
  });
});
