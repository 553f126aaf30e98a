/** Weights files in and out of a model, PyTorch's recurrent-layer names taken by name. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { writeSafetensors } from '../weights/safetensors.ts';
import { Model } from './model.ts';
import { loadWeightBytes, weightTensors } from './model-weights.ts';
import { Rng } from './prng.ts';

function model(file: string, seed: number): Model {
  const a = analyzeGraph(JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8')) as GraphDoc, { purpose: 'train' });
  if (!a.ok) throw new Error(a.errors[0]!.message);
  const m = new Model(a);
  m.initialise(new Rng(seed));
  return m;
}

const renamed = (m: Model, rename: (name: string) => string): Uint8Array => writeSafetensors(weightTensors(m).map((t) => ({ ...t, name: rename(t.name) })));

describe('loading weights', () => {
  it('takes `lstm.weight_ih_l0` (a module holding nn.LSTM as `lstm`) and bare `weight_ih_l0` for the one cell', () => {
    const from = model('lstm.json', 1);
    for (const rename of [(n: string) => n.replace(/^lstm\.(\w+_(?:ih|hh))$/, 'lstm.$1_l0'), (n: string) => n.replace(/^lstm\.(\w+_(?:ih|hh))$/, '$1_l0')]) {
      const bytes = renamed(from, rename);
      const to = model('lstm.json', 2);
      expect(loadWeightBytes(to, bytes)).toEqual({ ok: true, value: 7 });
      for (const [k, w] of from.weights) expect([...to.weights.get(k)!]).toEqual([...w]);
    }
  });

  it('does not guess which cell bare PyTorch names belong to when there are several', () => {
    const from = model('seq2seq.json', 1);
    const r = loadWeightBytes(model('seq2seq.json', 2), renamed(from, (n) => (n === 'l1.weight_ih' ? 'weight_ih_l0' : n)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['E417', 'E419']));
    // …while the prefixed name is unambiguous.
    expect(loadWeightBytes(model('seq2seq.json', 2), renamed(from, (n) => (n === 'l1.weight_ih' ? 'l1.weight_ih_l0' : n))).ok).toBe(true);
  });
});
