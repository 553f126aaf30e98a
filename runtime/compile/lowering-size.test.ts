/** Lowering stays linear in T: stacks, masks and last-step selections are built once, duplicate ops merged (found in review). */
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import { readFileSync } from 'node:fs';
import { parseGraph } from '../graph/parse.ts';
import { lowerGraph } from './lower.ts';
import { planGraph } from './plan.ts';

/** Loop `b` reads loop `a`'s last state at every step (a context vector, as in Cho et al.'s seq2seq). */
const CONTEXT_EVERY_STEP = {
  format: 'unroll-graph',
  version: 1,
  name: 'context at every step',
  loops: [{ id: 'a', over: 'x' }, { id: 'b', over: 'x' }],
  nodes: [
    { id: 'x', type: 'input', params: { kind: 'tokens', vocab: 26 } },
    { id: 'emb', type: 'encoder', params: { kind: 'embedding', size: 4 }, loop: 'a' },
    { id: 'g1', type: 'rnn', params: { hidden: 4 }, loop: 'a' },
    { id: 'h1', type: 'delay', params: {}, loop: 'a' },
    { id: 'emb2', type: 'encoder', params: { kind: 'embedding', size: 4 }, loop: 'b' },
    { id: 'cat', type: 'concat', params: {}, loop: 'b' },
    { id: 'g2', type: 'rnn', params: { hidden: 4 }, loop: 'b' },
    { id: 'h2', type: 'delay', params: {}, loop: 'b' },
    { id: 'dec', type: 'decoder', params: { size: 2 } },
    { id: 'y', type: 'target', params: { kind: 'tokens', vocab: 2, sequence: false } },
    { id: 'loss', type: 'loss', params: { kind: 'cross_entropy' } },
  ],
  edges: [
    { from: 'x.out', to: 'emb.in' },
    { from: 'emb.out', to: 'g1.x' },
    { from: 'g1.h', to: 'h1.in' },
    { from: 'h1.out', to: 'g1.h_prev' },
    { from: 'x.out', to: 'emb2.in' },
    { from: 'emb2.out', to: 'cat.a' },
    { from: 'g1.h', to: 'cat.b', take: 'last' },
    { from: 'cat.out', to: 'g2.x' },
    { from: 'g2.h', to: 'h2.in' },
    { from: 'h2.out', to: 'g2.h_prev' },
    { from: 'g2.h', to: 'dec.in', take: 'last' },
    { from: 'dec.out', to: 'loss.pred' },
    { from: 'y.out', to: 'loss.target' },
  ],
} as unknown as GraphDoc;

describe('lowering cost in T', () => {
  // Regression (found in review), fixed: Lowering caches the per-example `take: last` selection (lower.ts
  // maskedLast → selectLast) instead of rebuilding T mul + T add ops for every consumer step:
  // with a padded axis the op graph grows as 2·T² (327,216 ops at T = 400, 6,417 unpadded).
  it('grows linearly in T when a padded loop reads another loop`s last state at every step', () => {
    const analysis = analyzeGraph(CONTEXT_EVERY_STEP);
    expect(analysis.errors.map((e) => e.message)).toEqual([]);
    const ops = (T: number): number => {
      const u = unrollGraph(analysis, { x: T });
      if (!u.ok) throw new Error(u.errors[0]!.message);
      return lowerGraph(analysis, u.value, { masked: new Set(['x']) }).ops.length;
    };
    expect(ops(200)).toBeLessThan(2.5 * ops(100));
  });
});

describe('attention reads its keys once', () => {
  // Regression (found in review), fixed: a `take: "all"` sequence is stacked once per edge (lower.ts resolve, case
  // 'stack') rather than once per consumer step: every decoder step re-copies all encoder states
  // for keys and values, forward and backward, so instructions and saved memory grow as T_dec·T_enc
  // (a 24 KB X.json with T = 2,500 runs `unroll eval` out of heap: FATAL ERROR, exit 134).
  it('plans a number of kernel calls linear in T for seq2seq-attention', () => {
    const p = parseGraph(readFileSync(new URL('../../examples/seq2seq-attention.json', import.meta.url), 'utf8'));
    if (!p.ok) throw new Error(p.errors[0]!.message);
    const analysis = analyzeGraph(p.value);
    const instrs = (T: number): number => {
      const u = unrollGraph(analysis, { src: T, y: T });
      if (!u.ok) throw new Error(u.errors[0]!.message);
      const plan = planGraph(lowerGraph(analysis, u.value), { batch: 1, backward: true });
      return plan.forward.length + plan.backward.length;
    };
    expect(instrs(100)).toBeLessThan(2.5 * instrs(50));
  });
});
