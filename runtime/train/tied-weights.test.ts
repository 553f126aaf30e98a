/**
 * Weight tying across nodes (`share`, MemN2N's adjacent tying in examples/memory-network.json):
 * a borrowed weight is one tensor, stored once under its owner's key, and its gradient is the sum
 * of what every node that reads it contributes. Checked against an untied copy of the same
 * unrolled graph, in which each borrowing node reads its own copy `<key>#<node>` of the weight
 * (all given the same values), and against central differences; also with linear memory reads
 * (linear start), whose gradient takes another path.
 */
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../validate/validate.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import type { UnrolledGraph } from '../unroll/types.ts';
import { lowerGraph } from '../compile/lower.ts';
import { planGraph } from '../compile/plan.ts';
import { CpuProgram } from '../cpu/program.ts';
import { Model } from './model.ts';
import { Pass } from './pass.ts';
import { Rng } from './prng.ts';
import { TOL, checkGradients, loadExample, randomSources, setParams } from './gradcheck-support.ts';

const B = 2;
const lengths = { story: 3 };

/** The same unrolled graph with each borrowed weight renamed `<key>#<borrowing node>`. */
function untie(u: UnrolledGraph): UnrolledGraph {
  const nodes = u.nodes.map((n) => ({
    ...n,
    weights: Object.fromEntries(Object.entries(n.weights).map(([name, w]) => [name, w.node === n.node ? w : { ...w, key: `${w.key}#${n.node}` }])),
  }));
  return { ...u, nodes };
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe.each([false, true])('memory network with adjacent tying (linear memory reads: %s)', (linear) => {
  it('stores each tied table once; its gradient is Σ over the nodes that read it and matches central differences', () => {
    const doc = loadExample('memory-network', (d) => {
      for (const k of [1, 2, 3]) setParams(d, `read${k}`, { linear });
    });
    const analysis = analyzeGraph(doc);
    expect(analysis.errors).toEqual([]);
    const model = new Model(analysis, { dtype: 'float64' });
    expect(model.weightSpecs.map((w) => w.key)).toEqual(['B.weight', 'C1.weight', 'C2.weight', 'C3.weight']);
    model.initialise(new Rng(3));
    // The example's 0.1 init gives tiny logits; larger weights make every path's gradient visible.
    for (const w of model.weights.values()) w.forEach((v, i) => (w[i] = v * 5));
    const sources = randomSources(analysis, lengths, B, new Rng(4));
    const feed = { size: B, sources, lengths: new Map<string, ArrayLike<number>>() };

    const tiedR = model.pass({ lengths, batch: B, backward: true });
    if (!tiedR.ok) throw new Error(tiedR.errors[0]!.message);
    const tied = tiedR.value;
    tied.feed(feed);
    const objective = tied.forward();
    tied.backward();
    const tiedGrads = new Map([...model.grads].map(([k, g]) => [k, Float64Array.from(g)]));

    const unrolled = unrollGraph(analysis, lengths);
    if (!unrolled.ok) throw new Error(unrolled.errors[0]!.message);
    const lowered = lowerGraph(analysis, untie(unrolled.value), {});
    const weights = new Map<string, Float64Array>();
    const grads = new Map<string, Float64Array>();
    for (const key of lowered.weights.keys()) {
      const base = model.weights.get(key.split('#')[0]!)!;
      weights.set(key, Float64Array.from(base));
      grads.set(key, new Float64Array(base.length));
    }
    expect([...weights.keys()].sort()).toEqual(['B.weight', 'B.weight#A1', 'C1.weight', 'C1.weight#A2', 'C2.weight', 'C2.weight#A3', 'C3.weight', 'C3.weight#W']);
    const untied = new Pass(new CpuProgram(planGraph(lowered, { batch: B, backward: true }), 'float64', { weights, grads }), unrolled.value.lengths);
    untied.feed(feed);
    expect(Math.abs(untied.forward() - objective)).toBeLessThanOrEqual(1e-12 * Math.abs(objective));
    untied.backward();

    for (const [owner, borrower] of [['B', 'A1'], ['C1', 'A2'], ['C2', 'A3'], ['C3', 'W']] as const) {
      const key = `${owner}.weight`;
      const own = grads.get(key)!;
      const borrowed = grads.get(`${key}#${borrower}`)!;
      // Each use contributes, and something different.
      expect(maxAbs(own), `${key} from ${owner}`).toBeGreaterThan(1e-6);
      expect(maxAbs(borrowed), `${key} from ${borrower}`).toBeGreaterThan(1e-6);
      expect(maxAbs(own.map((v, i) => v - borrowed[i]!))).toBeGreaterThan(1e-6);
      const want = tiedGrads.get(key)!;
      const scale = Math.max(1, maxAbs(want));
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(own[i]! + borrowed[i]! - want[i]!) <= 1e-12 * scale)) throw new Error(`${key}[${i}]: tied ${want[i]}, Σ ${own[i]! + borrowed[i]!}`);
      }
    }

    const report = checkGradients(tied, model.weights, model.grads, new Rng(5), 40);
    expect(report.zeroWeights).toEqual([]);
    expect(report.worst).toBeLessThanOrEqual(TOL);
  });
});
