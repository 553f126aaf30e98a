/**
 * A step that goes non-finite halts with a message naming where (node@step) and the training
 * step, and leaves the trainer exactly as after the last good step: weights, optimiser state and
 * random streams, so that nothing of the good run is lost.
 */
import { describe, expect, it } from 'vitest';
import { Trainer, TrainerError } from './trainer.ts';
import { firstNonFiniteGradient, firstNonFiniteValue } from './divergence.ts';
import { divergingRelu, smallBrackets } from '../worker/fixtures/docs.ts';
import type { GraphDoc } from '../graph/types.ts';

function trainer(doc: GraphDoc): Trainer {
  const made = Trainer.create({ doc });
  if (!made.ok) throw new Error(made.errors[0]!.message);
  return made.value;
}

function halt(t: Trainer): TrainerError {
  for (let i = 0; i < 100; i++) {
    try {
      t.step();
    } catch (e) {
      if (e instanceof TrainerError) return e;
      throw e;
    }
  }
  throw new Error('did not diverge');
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('divergence', () => {
  it('names the first non-finite forward value as node@step, and keeps the state of the last good step', () => {
    const t = trainer(divergingRelu());
    const e = halt(t);
    const good = t.steps;
    expect(e.errors[0]!.code).toBe('E442');
    expect(e.message).toMatch(new RegExp(`^training step ${good + 1}: the loss is (NaN|-?Infinity); the first non-finite number is the value of (g|out)@(\\d+) \\(port (h|out)\\) in the forward pass`));
    expect(e.message).toMatch(`kept the weights of step ${good}, the last good one`);
    const at = Number(/@(\d+)/.exec(e.message)![1]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(100);
    expect(e.errors[0]!.nodes).toEqual([/value of (\w+)@/.exec(e.message)![1]]);

    // The same run stopped by hand after `good` steps has exactly this state.
    const ref = trainer(divergingRelu());
    for (let i = 0; i < good; i++) ref.step();
    const a = t.getState();
    const b = ref.getState();
    expect(a.step).toBe(b.step);
    expect(a.dataRng).toEqual(b.dataRng);
    expect(a.stateRng).toEqual(b.stateRng);
    for (const [k, w] of b.weights) expect(sameBits(a.weights.get(k)!, w)).toBe(true);
    for (const w of a.weights.values()) expect(Array.from(w).every(Number.isFinite)).toBe(true);
    // Deterministic: the next attempt halts at the same place with the same message.
    expect(halt(t).message).toBe(e.message);
  });

  it('undoes an update that makes a weight non-finite, naming the weight', () => {
    // SGD with weight decay 1 at lr 10 sends a huge (finite) embedding row past float32's range,
    // while the forward pass and the gradients stay finite (the row's token is rare or absent).
    const t = trainer(smallBrackets({ optimizer: 'sgd', lr: 10, weightDecay: 1 }));
    t.model.weights.get('emb.weight')!.fill(3e38, 25 * 16, 26 * 16);
    const before = t.getState();
    const e = halt(t);
    expect(e.message).toMatch(/^training step 1: the update made weight emb\.weight non-finite \(gradient norm [\d.e-]+\)\. Training stopped and kept the initial weights/);
    const after = t.getState();
    expect(after.step).toBe(0);
    expect(after.dataRng).toEqual(before.dataRng);
    expect(after.optimizer.step).toBe(0);
    for (const [k, w] of before.weights) expect(sameBits(after.weights.get(k)!, w)).toBe(true);
  });

  it('reads gradients in backward order and falls back to the weights’ summed gradients', () => {
    const t = trainer(smallBrackets());
    const lengths = { x: 12 };
    const made = t.model.pass({ lengths, batch: 8, backward: true, masked: new Set(['x']), keepOutputs: true, keepGrads: true });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    const pass = made.value;
    const outputs = pass.plan.lowered.outputs;
    // Zero data is a valid batch: every value and gradient is finite.
    pass.feed({ size: 8, sources: new Map([['x', { values: new Float32Array(8 * 12), length: 12 }], ['y', { values: new Float32Array(8), length: 0 }]]), lengths: new Map([['x', new Float32Array(8).fill(12)]]) });
    pass.forward(8);
    pass.backward();
    expect(firstNonFiniteValue(pass)).toBeUndefined();
    expect(firstNonFiniteGradient(pass, t.model.grads)).toBeUndefined();

    // Poison two gradients: the one backward computes first (the later step) is reported.
    pass.valueGrad(outputs.get('lstm@3.h')!)![0] = NaN;
    pass.valueGrad(outputs.get('lstm@9.c')!)![5] = Infinity;
    expect(firstNonFiniteGradient(pass, t.model.grads)).toEqual({ kind: 'gradient', node: 'lstm', step: 9, port: 'c', value: Infinity });
    pass.valueGrad(outputs.get('lstm@9.c')!)![5] = 0;
    expect(firstNonFiniteGradient(pass, t.model.grads)).toMatchObject({ node: 'lstm', step: 3, port: 'h' });
    pass.valueGrad(outputs.get('lstm@3.h')!)![0] = 0;
    t.model.grads.get('dec.bias')![1] = -Infinity;
    expect(firstNonFiniteGradient(pass, t.model.grads)).toEqual({ kind: 'weight-gradient', node: 'dec', port: 'bias', value: -Infinity });
    // A forward value is found in schedule order, outside loops without a step.
    pass.valueOf(outputs.get('emb@4.out')!)[0] = NaN;
    pass.valueOf(outputs.get('emb@2.out')!)[0] = NaN;
    expect(firstNonFiniteValue(pass)).toEqual({ kind: 'value', node: 'emb', step: 2, port: 'out', value: NaN });
  });
});
