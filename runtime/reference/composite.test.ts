/**
 * Composites against the fused cells on random weights and inputs, for the variants PyTorch
 * fixtures do not cover (GRU reset before, no bias, LSTM forget bias): the same numbers either way.
 */
import { describe, expect, it } from 'vitest';
import { vector } from '../../blocks/shape.ts';
import { resolveParams } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { evaluateBlock } from './block.ts';
import { evaluateComposite } from './composite.ts';

/** Small deterministic generator (mulberry32) so failures reproduce. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

const I = 3;
const H = 5;
const STEPS = 6;

/** Steps the fused block and its composite side by side; returns their largest difference over every output. */
function compare(type: string, given: Record<string, unknown>, seed: number): { diff: number; states: Float64Array[] } {
  const block = getBlock(type)!;
  const params = resolveParams(block.params, { hidden: H, ...given });
  const types = Object.fromEntries(block.inputs.map((p) => [p.name, vector(p.name === 'x' ? I : H)]));
  const rand = uniform(seed);
  const vec = (n: number, scale = 1): Float64Array => Float64Array.from({ length: n }, () => rand() * scale);
  const weights = Object.fromEntries(block.weights(types, params).map((w) => [w.name, vec(w.shape.reduce((a, b) => a * b, 1), 0.8)]));
  const def = block.composite!(types, params);
  let state: Record<string, Float64Array> = Object.fromEntries(block.inputs.filter((p) => p.name !== 'x').map((p) => [p.name, vec(H)]));
  let diff = 0;
  const states: Float64Array[] = [];
  for (let t = 0; t < STEPS; t++) {
    const ins = { x: vec(I, 2), ...state };
    const fused = evaluateBlock(block, params, { types, values: ins }, weights);
    const drawn = evaluateComposite(def, ins, weights);
    expect(Object.keys(drawn).sort()).toEqual(Object.keys(fused).sort());
    for (const [port, v] of Object.entries(fused)) v.forEach((x, i) => (diff = Math.max(diff, Math.abs(x - drawn[port]![i]!))));
    state = Object.fromEntries(Object.entries(fused).map(([port, v]) => [`${port}_prev`, v]));
    states.push(fused.h!);
  }
  return { diff, states };
}

describe('composite and fused forward agree', () => {
  it.each([
    ['gru', { reset: 'before' }],
    ['gru', { reset: 'before', bias: false }],
    ['gru', { reset: 'after', bias: false }],
    ['lstm', { bias: false }],
    ['lstm', { forget_bias: 1 }],
  ] as const)('%s %j within 1e-12 on random inputs', (type, params) => {
    for (const seed of [1, 2, 3]) expect(compare(type, params, seed).diff).toBeLessThanOrEqual(1e-12);
  });

  it('GRU reset before is a different cell from reset after', () => {
    const before = compare('gru', { reset: 'before' }, 7).states;
    const after = compare('gru', { reset: 'after' }, 7).states;
    const gap = Math.max(...before.flatMap((h, t) => [...h].map((x, i) => Math.abs(x - after[t]![i]!))));
    expect(gap).toBeGreaterThan(1e-3);
  });
});
