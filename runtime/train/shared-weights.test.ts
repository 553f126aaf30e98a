/**
 * The 3-step shared-weight check: in an unrolled RNN every step's copy of a cell reads the same
 * weights, so the weight's gradient must be the sum of what each step contributes. The tied model
 * is compared with an untied copy of the same unrolled graph, where the copy at step t reads its
 * own weights `<key>@t` (all given the same values): Σ_t ∂L/∂W@t = ∂L/∂W, each step's part is
 * nonzero and its own, and the tied gradient matches central differences.
 */
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import type { UnrolledGraph } from '../unroll/types.ts';
import { lowerGraph } from '../compile/lower.ts';
import { planGraph } from '../compile/plan.ts';
import type { CellLowering } from '../compile/types.ts';
import { CpuProgram } from '../cpu/program.ts';
import { Model } from './model.ts';
import { Pass } from './pass.ts';
import { Rng } from './prng.ts';
import { TOL, checkGradients, randomSources } from './gradcheck-support.ts';

const T = 3;
const B = 2;

/** x → cell ⇄ delays (first state from inputs h0, c0, so step 0's recurrent weights matter too) → decoder → MSE at every step. */
function cellGraph(cell: 'rnn' | 'lstm'): GraphDoc {
  const states = cell === 'lstm' ? ['h', 'c'] : ['h'];
  const nodes: GraphDoc['nodes'][number][] = [
    { id: 'x', type: 'input', params: { kind: 'vector', size: 2 } },
    { id: 'y', type: 'target', params: { kind: 'vector', size: 2, align_with: 'x' } },
    { id: 'cell', type: cell, params: { hidden: 3 }, loop: 't' },
    { id: 'dec', type: 'decoder', params: { size: 2 }, loop: 't' },
    { id: 'loss', type: 'loss', params: { kind: 'mse', reduction: 'sum', at: 'every' } },
  ];
  const edges: GraphDoc['edges'][number][] = [
    { from: 'x.out', to: 'cell.x' },
    { from: 'cell.h', to: 'dec.in' },
    { from: 'dec.out', to: 'loss.pred', take: 'all' },
    { from: 'y.out', to: 'loss.target' },
  ];
  for (const s of states) {
    nodes.push({ id: `d_${s}`, type: 'delay', params: {}, loop: 't' }, { id: `${s}0`, type: 'input', params: { kind: 'vector', size: 3, sequence: false } });
    edges.push({ from: `cell.${s}`, to: `d_${s}.in` }, { from: `d_${s}.out`, to: `cell.${s}_prev` }, { from: `${s}0.out`, to: `d_${s}.init` });
  }
  return { format: 'unroll-graph', version: 1, name: `${cell} over 3 steps`, loops: [{ id: 't', over: 'x' }], nodes, edges };
}

/** The same unrolled graph with the weights of the copy at step t renamed `<key>@t`. */
function untie(u: UnrolledGraph): UnrolledGraph {
  const nodes = u.nodes.map((n) =>
    n.step === undefined ? n : { ...n, weights: Object.fromEntries(Object.entries(n.weights).map(([name, w]) => [name, { ...w, key: `${w.key}@${n.step}` }])) },
  );
  return { ...u, nodes };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

const CASES: readonly ['rnn' | 'lstm', CellLowering][] = [
  ['rnn', 'fused'],
  ['lstm', 'fused'],
  ['lstm', 'primitive'],
];

describe.each(CASES)('%s (%s cells) over 3 steps', (cell, cells) => {
  it('tied gradient = Σ per-step gradients, each step contributes its own, and matches central differences', () => {
    const analysis = analyzeGraph(cellGraph(cell));
    expect(analysis.errors).toEqual([]);
    const model = new Model(analysis, { dtype: 'float64', cells });
    model.initialise(new Rng(3));
    const lengths = { x: T };
    const sources = randomSources(analysis, lengths, B, new Rng(4));
    const feed = { size: B, sources, lengths: new Map<string, ArrayLike<number>>() };

    const tiedR = model.pass({ lengths, batch: B, backward: true, inputGrads: true });
    if (!tiedR.ok) throw new Error(tiedR.errors[0]!.message);
    const tied = tiedR.value;
    tied.feed(feed);
    const objective = tied.forward();
    tied.backward();
    const tiedGrads = new Map([...model.grads].map(([k, g]) => [k, Float64Array.from(g)]));

    // Untied: every step's copy of a looped node reads its own weights, all equal to the tied ones.
    const unrolled = unrollGraph(analysis, lengths);
    if (!unrolled.ok) throw new Error(unrolled.errors[0]!.message);
    const lowered = lowerGraph(analysis, untie(unrolled.value), { cells });
    const plan = planGraph(lowered, { batch: B, backward: true });
    const weights = new Map<string, Float64Array>();
    const grads = new Map<string, Float64Array>();
    for (const key of lowered.weights.keys()) {
      const base = model.weights.get(key.split('@')[0]!)!;
      weights.set(key, Float64Array.from(base));
      grads.set(key, new Float64Array(base.length));
    }
    const untied = new Pass(new CpuProgram(plan, 'float64', { weights, grads }), unrolled.value.lengths);
    untied.feed(feed);
    expect(Math.abs(untied.forward() - objective)).toBeLessThanOrEqual(1e-12 * Math.abs(objective));
    untied.backward();

    const looped = [...tiedGrads.keys()].filter((k) => k.startsWith('cell.') || k.startsWith('dec.'));
    expect(looped.length).toBe(6); // the cell's four tensors and the decoder's two
    for (const key of looped) {
      const perStep = Array.from({ length: T }, (_, t) => grads.get(`${key}@${t}`)!);
      expect(perStep.every((g) => g !== undefined)).toBe(true);
      expect(grads.has(key), `${key} is untied`).toBe(false);
      const want = tiedGrads.get(key)!;
      const scale = Math.max(1, maxAbs(want));
      // (a) the sum over steps
      for (let i = 0; i < want.length; i++) {
        const sum = perStep.reduce((s, g) => s + g[i]!, 0);
        if (!(Math.abs(sum - want[i]!) <= 1e-12 * scale)) throw new Error(`${key}[${i}]: tied ${want[i]}, Σ_t ${sum}`);
      }
      // (b) every step contributes, and not the same thing
      for (let t = 0; t < T; t++) {
        expect(maxAbs(perStep[t]!), `${key}@${t} contributes`).toBeGreaterThan(1e-6);
        for (let s = 0; s < t; s++) {
          const diff = maxAbs(perStep[t]!.map((v, i) => v - perStep[s]![i]!));
          expect(diff, `${key}@${t} differs from ${key}@${s}`).toBeGreaterThan(1e-6);
        }
      }
    }

    // (c) the tied gradient against central differences, every entry.
    const report = checkGradients(tied, model.weights, model.grads, new Rng(5), Infinity);
    expect(report.zeroWeights).toEqual([]);
    expect(report.worst).toBeLessThanOrEqual(TOL);
  });
});
