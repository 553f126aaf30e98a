/**
 * `training.linearStart`: the first N steps train the graph with linear memory reads, on the same
 * weights and optimiser state, then the graph as drawn. Checked against two plain trainers: one of
 * the graph with `linear: true` drawn in for the first N steps, one of the graph as drawn that
 * continues from its state.
 */
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { loadExample } from './gradcheck-support.ts';
import { linearStartDoc } from './linear-start.ts';
import { Trainer } from './trainer.ts';

const N = 3;
const small = (doc: GraphDoc): GraphDoc => ({
  ...doc,
  task: { name: 'babi', params: { ...doc.task!.params, train_size: 40, test_size: 8 } },
  training: { ...doc.training, batch: 4, steps: 10, linearStart: 0 },
});
const make = (doc: GraphDoc, linearStart = 0): Trainer => {
  const made = Trainer.create({ doc, overrides: { linearStart } });
  if (!made.ok) throw new Error(made.errors[0]!.message);
  return made.value;
};

describe('linear start', () => {
  const doc = small(loadExample('memory-network'));

  it('turns on linear in every memory node and nothing else', () => {
    const lin = linearStartDoc(doc)!;
    expect(lin.nodes.filter((n) => n.params?.linear === true).map((n) => n.id)).toEqual(['read1', 'read2', 'read3']);
    expect(lin.nodes.map((n) => ({ ...n, params: { ...n.params, linear: undefined } }))).toEqual(doc.nodes.map((n) => ({ ...n, params: { ...n.params, linear: undefined } })));
    expect(linearStartDoc(loadExample('lstm'))).toBeUndefined();
  });

  it('runs the first N steps linear, then with the softmax, on one set of weights', () => {
    const phased = make(doc, N);
    const linear = make(linearStartDoc(doc)!);
    for (let s = 0; s < N; s++) {
      expect(phased.step().loss).toBe(linear.step().loss);
      // Evaluation during linear start is of the linear graph; after its last step, of the graph as drawn.
      if (s < N - 1) expect(phased.evaluate('test')).toEqual(linear.evaluate('test'));
    }
    const softmax = make(doc);
    softmax.setState(linear.getState());
    expect(phased.evaluate('test')).toEqual(softmax.evaluate('test'));
    expect(phased.evaluate('test')).not.toEqual(linear.evaluate('test'));
    const after = phased.step().loss;
    expect(after).toBe(softmax.step().loss);
    // Not the linear graph's step: the switch happened.
    expect(after).not.toBe(linear.step().loss);
    expect(phased.evaluate('test')).toEqual(softmax.evaluate('test'));
  });

  it('goes back to the linear graph when a state from before the switch is loaded', () => {
    const phased = make(doc, N);
    const early = (phased.step(), phased.getState());
    for (let s = 1; s < N + 2; s++) phased.step();
    phased.setState(early);
    const linear = make(linearStartDoc(doc)!);
    linear.setState(early);
    expect(phased.step().loss).toBe(linear.step().loss);
  });
});
