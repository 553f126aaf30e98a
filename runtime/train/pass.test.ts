/** A pass over fewer real examples than its batch size: padding rows change nothing. */
import { describe, expect, it } from 'vitest';
import { Model } from './model.ts';
import { Rng } from './prng.ts';
import { loadExample, randomSources, setParams } from './gradcheck-support.ts';
import { analyzeGraph } from '../validate/validate.ts';

describe('Pass with a short batch', () => {
  it('gives the loss and gradients of the real rows alone', () => {
    const doc = loadExample('lstm', (d) => setParams(d, 'lstm', { hidden: 5 }));
    const a = analyzeGraph(doc);
    const model = new Model(a, { dtype: 'float64' });
    model.initialise(new Rng(4));
    const sources = randomSources(a, { x: 4 }, 2, new Rng(9));
    const grads = (batch: number): { loss: number; g: Map<string, Float64Array> } => {
      const r = model.pass({ lengths: { x: 4 }, batch, backward: true });
      if (!r.ok) throw new Error('no pass');
      r.value.feed({ size: 2, sources, lengths: new Map() });
      const loss = r.value.forward(2);
      r.value.backward();
      return { loss, g: new Map([...model.grads].map(([k, v]) => [k, Float64Array.from(v)])) };
    };
    const exact = grads(2);
    const padded = grads(5);
    expect(padded.loss).toBeCloseTo(exact.loss, 12);
    for (const [k, g] of exact.g) {
      const p = padded.g.get(k)!;
      g.forEach((v, i) => expect(p[i]).toBeCloseTo(v, 12));
    }
    expect([...exact.g.values()].some((g) => g.some((v) => v !== 0))).toBe(true);
  });
});
