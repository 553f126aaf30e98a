/**
 * The recurrent cells against PyTorch: fixtures/golden/*.json hold nn.RNN/GRU/LSTM (seed 0,
 * input 3, hidden 4, batch 2, 5 steps) with outputs in float64 and float32. Each block's forward,
 * and each composite drawn from primitives, is stepped one example at a time on the reference evaluator.
 */
import { loadGolden, type Golden } from './golden-fixture.ts';
import { describe, expect, it } from 'vitest';
import type { AnyBlockDef } from '../../blocks/types.ts';
import { vector } from '../../blocks/shape.ts';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { evaluateBlock } from './block.ts';
import { evaluateComposite } from './composite.ts';

const load = loadGolden;

/** PyTorch's layer-0 names (weight_ih_l0) to the block's (weight_ih), values flattened row-major. */
const weightsOf = (gold: Golden): Record<string, Float64Array> =>
  Object.fromEntries(Object.entries(gold.weights).map(([name, v]) => [name.replace(/_l0$/, ''), Float64Array.from(v.flat())]));

type Step = (ins: Record<string, Float64Array>) => Record<string, Float64Array>;

/** Runs `step` over the golden input for example `b`; returns every h and the final state. */
function unroll(gold: Golden, step: Step, b: number, initial: boolean): { hs: Float64Array[]; h: Float64Array; c?: Float64Array } {
  const H = gold.hidden_size;
  let h: Float64Array = initial ? Float64Array.from(gold.initial_state.h0[0]![b]!) : new Float64Array(H);
  let c: Float64Array | undefined = gold.cell !== 'lstm' ? undefined : initial ? Float64Array.from(gold.initial_state.c0![0]![b]!) : new Float64Array(H);
  const hs: Float64Array[] = [];
  for (let t = 0; t < gold.seq_len; t++) {
    const out = step({ x: Float64Array.from(gold.input[b]![t]!), h_prev: h, ...(c !== undefined ? { c_prev: c } : {}) });
    h = out.h!;
    c = out.c;
    hs.push(h);
  }
  return { hs, h, ...(c !== undefined ? { c } : {}) };
}

function maxDiff(got: ArrayLike<number>, want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
  return m;
}

function expectMatches(gold: Golden, step: Step): void {
  for (const initial of [false, true]) {
    const refs = initial ? gold.with_initial_state : gold.zero_initial_state;
    for (let b = 0; b < gold.batch; b++) {
      const run = unroll(gold, step, b, initial);
      for (const [precision, tol] of [['float64', 1e-9], ['float32', 1e-5]] as const) {
        const ref = refs[precision];
        const where = `${initial ? 'given' : 'zero'} initial state, example ${b}, ${precision}`;
        run.hs.forEach((h, t) => expect(maxDiff(h, ref.output[b]![t]!), `output at step ${t}, ${where}`).toBeLessThanOrEqual(tol));
        expect(maxDiff(run.h, ref.h_n[0]![b]!), `h_n, ${where}`).toBeLessThanOrEqual(tol);
        if (gold.cell === 'lstm') expect(maxDiff(run.c!, ref.c_n![0]![b]!), `c_n, ${where}`).toBeLessThanOrEqual(tol);
      }
    }
  }
}

describe.each(['rnn', 'gru', 'lstm'] as const)('%s against PyTorch', (cell) => {
  const gold = load(cell);
  const block: AnyBlockDef = getBlock(cell)!;
  const params = resolveParams(block.params, { hidden: gold.hidden_size });
  const H = gold.hidden_size;
  const types = Object.fromEntries(block.inputs.map((p) => [p.name, vector(p.name === 'x' ? gold.input_size : H)]));
  const weights = weightsOf(gold);

  it('has the fixture’s weight names and shapes', () => {
    expect(gold.cell).toBe(cell);
    const expected = Object.fromEntries(Object.entries(gold.weight_shapes).map(([name, shape]) => [name.replace(/_l0$/, ''), shape]));
    expect(Object.fromEntries(block.weights(types, params).map((w) => [w.name, w.shape]))).toEqual(expected);
  });

  it('fused forward matches outputs and final state, with zero and given initial state', () => {
    expectMatches(gold, (ins) => evaluateBlock(block, params, { types, values: ins }, weights));
  });

  if (block.composite !== undefined) {
    const def = block.composite(types, params);
    it('composite from primitive blocks matches too', () => {
      expectMatches(gold, (ins) => evaluateComposite(def, ins, weights));
    });
  }
});
