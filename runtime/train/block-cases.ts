/**
 * The graphs that cover every block type: the example graphs (shrunk), variants for the params the
 * examples leave at one value, a synthetic graph of the elementwise blocks, and padded batches.
 * Shared by the gradient checks and the WebGPU parity tests. Test support only.
 */
import { expect } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import type { CellLowering } from '../compile/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { loadExample, setParams, wholeSequenceGraph } from './gradcheck-support.ts';
import { Model } from './model.ts';
import { Rng } from './prng.ts';

/**
 * A float64 model of a case's graph, initialised from `seed`. Learned first states start at zero:
 * they are moved off it so their gradient path is exercised. With `float32`, every weight is
 * rounded to float32, so a float32 backend and the float64 reference start from the same numbers.
 */
export function blockModel(doc: GraphDoc, cells: CellLowering, seed: number, float32 = false): Model {
  const analysis = analyzeGraph(doc);
  expect(analysis.errors.map((e) => e.message)).toEqual([]);
  const m = new Model(analysis, { dtype: 'float64', cells });
  m.initialise(new Rng(seed));
  const r = new Rng(seed + 1);
  for (const w of m.weights.values()) {
    const zero = w.every((v) => v === 0);
    for (let i = 0; i < w.length; i++) {
      const v = zero ? r.uniform(-0.5, 0.5) : w[i]!;
      w[i] = float32 ? Math.fround(v) : v;
    }
  }
  return m;
}

/** Every cell lowering for graphs with gated cells (the only blocks it changes), else the default. */
export const cellsFor = (doc: GraphDoc): readonly CellLowering[] =>
  doc.nodes.some((n) => n.type === 'lstm' || n.type === 'gru') ? ['fused', 'primitive', 'composite'] : ['fused'];

/** Every elementwise block in one recurrent step, with an mse loss at every step and a bce loss on the last. */
export function elementwiseGraph(mse: { at: string; reduction: string }, bce: { reduction: string }): GraphDoc {
  const inLoop = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, params, loop: 't' });
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'elementwise blocks',
    loops: [{ id: 't', over: 'x' }],
    nodes: [
      { id: 'x', type: 'input', params: { kind: 'vector', size: 3 } },
      inLoop('enc', 'encoder', { kind: 'linear', size: 3 }),
      inLoop('h', 'delay', { size: 3 }),
      inLoop('cat', 'concat'),
      inLoop('g', 'gate', { size: 3 }),
      inLoop('lin', 'linear', { size: 3 }),
      inLoop('r', 'relu'),
      inLoop('s', 'sigmoid'),
      inLoop('om', 'one_minus'),
      inLoop('m', 'multiply'),
      inLoop('th', 'tanh'),
      inLoop('sm', 'softmax'),
      inLoop('sum', 'add'),
      inLoop('dec', 'decoder', { size: 3 }),
      { id: 'y', type: 'target', params: { kind: 'vector', size: 3, align_with: 'x' } },
      { id: 'mse', type: 'loss', params: { kind: 'mse', ...mse } },
      { id: 'flag', type: 'target', params: { kind: 'vector', size: 3, sequence: false } },
      { id: 'bce', type: 'loss', params: { kind: 'bce', ...bce } },
    ],
    edges: [
      { from: 'x.out', to: 'enc.in' },
      { from: 'enc.out', to: 'cat.a' },
      { from: 'h.out', to: 'cat.b' },
      { from: 'cat.out', to: 'g.in' },
      { from: 'cat.out', to: 'lin.in' },
      { from: 'lin.out', to: 'r.in' },
      { from: 'lin.out', to: 's.in' },
      { from: 's.out', to: 'om.in' },
      { from: 'om.out', to: 'm.a' },
      { from: 'r.out', to: 'm.b' },
      { from: 'm.out', to: 'th.in' },
      { from: 'g.out', to: 'sm.in' },
      { from: 'th.out', to: 'sum.a' },
      { from: 'sm.out', to: 'sum.b' },
      { from: 'sum.out', to: 'h.in' },
      { from: 'sum.out', to: 'dec.in' },
      { from: 'dec.out', to: 'mse.pred', take: 'all' },
      { from: 'y.out', to: 'mse.target' },
      { from: 'dec.out', to: 'bce.pred', take: 'last' },
      { from: 'flag.out', to: 'bce.target' },
    ],
  } as GraphDoc;
}


export interface GraphCase {
  readonly name: string;
  readonly doc: GraphDoc;
  readonly lengths: Readonly<Record<string, number>>;
}

export const EXAMPLES: readonly GraphCase[] = [
  { name: 'bilinear-rnn', doc: loadExample('bilinear-rnn'), lengths: { x: 3 } },
  { name: 'bilstm', doc: loadExample('bilstm'), lengths: { x: 3 } },
  { name: 'elman-rnn', doc: loadExample('elman-rnn'), lengths: { x: 3 } },
  { name: 'gru-from-primitives', doc: loadExample('gru-from-primitives'), lengths: { x: 3 } },
  { name: 'gru', doc: loadExample('gru'), lengths: { x: 3 } },
  { name: 'lstm', doc: loadExample('lstm'), lengths: { x: 3 } },
  { name: 'memory-network', doc: loadExample('memory-network'), lengths: { story: 3 } },
  { name: 'seq2seq-attention', doc: loadExample('seq2seq-attention'), lengths: { src: 3, y: 2 } },
  { name: 'seq2seq', doc: loadExample('seq2seq'), lengths: { src: 2, y: 3 } },
];

export const VARIANTS: readonly GraphCase[] = [
  { name: 'gru with reset before', doc: loadExample('gru', (d) => setParams(d, 'gru', { reset: 'before' })), lengths: { x: 3 } },
  { name: 'gru without bias', doc: loadExample('gru', (d) => setParams(d, 'gru', { bias: false })), lengths: { x: 3 } },
  { name: 'lstm without bias', doc: loadExample('lstm', (d) => setParams(d, 'lstm', { bias: false })), lengths: { x: 3 } },
  {
    name: 'elman-rnn with relu and a learned first state',
    doc: loadExample('elman-rnn', (d) => {
      setParams(d, 'g', { nonlinearity: 'relu' });
      setParams(d, 'z', { init: 'learned' });
    }),
    lengths: { x: 3 },
  },
  { name: 'elman-rnn with a random first state', doc: loadExample('elman-rnn', (d) => setParams(d, 'z', { init: 'random' })), lengths: { x: 3 } },
  { name: 'attention (additive) over a whole input sequence', doc: wholeSequenceGraph('additive'), lengths: { x: 4 } },
  { name: 'attention (scaled_dot) over a whole input sequence', doc: wholeSequenceGraph('scaled_dot'), lengths: { x: 4 } },
  { name: 'seq2seq-attention, dot score', doc: loadExample('seq2seq-attention', (d) => setParams(d, 'att', { score: 'dot' })), lengths: { src: 3, y: 2 } },
  { name: 'seq2seq-attention, scaled_dot score', doc: loadExample('seq2seq-attention', (d) => setParams(d, 'att', { score: 'scaled_dot' })), lengths: { src: 2, y: 3 } },
  { name: 'elementwise blocks: mse mean at every, bce sum', doc: elementwiseGraph({ at: 'every', reduction: 'mean' }, { reduction: 'sum' }), lengths: { x: 3 } },
  { name: 'elementwise blocks: mse sum at last, bce mean', doc: elementwiseGraph({ at: 'last', reduction: 'sum' }, { reduction: 'mean' }), lengths: { x: 3 } },
];

export interface PaddedCase extends GraphCase {
  /** Real length of each example, by masked axis. */
  readonly real: Readonly<Record<string, readonly number[]>>;
}

export const PADDED: readonly PaddedCase[] = [
  { name: 'lstm (take last from a forward loop)', doc: loadExample('lstm'), lengths: { x: 3 }, real: { x: [3, 2] } },
  { name: 'elementwise blocks (loss mean at every step, take last)', doc: elementwiseGraph({ at: 'every', reduction: 'mean' }, { reduction: 'sum' }), lengths: { x: 3 }, real: { x: [2, 3] } },
  { name: 'elementwise blocks (loss at the last step)', doc: elementwiseGraph({ at: 'last', reduction: 'sum' }, { reduction: 'mean' }), lengths: { x: 3 }, real: { x: [1, 3] } },
  { name: 'bilstm (a reverse loop)', doc: loadExample('bilstm'), lengths: { x: 3 }, real: { x: [3, 2] } },
  { name: 'seq2seq (encoder and decoder padded)', doc: loadExample('seq2seq'), lengths: { src: 3, y: 3 }, real: { src: [2, 3], y: [3, 1] } },
  // Attention and memory must give padded keys no weight at all.
  { name: 'seq2seq with attention (padded keys)', doc: loadExample('seq2seq-attention'), lengths: { src: 3, y: 3 }, real: { src: [3, 2], y: [2, 3] } },
  { name: 'memory network (padded story)', doc: loadExample('memory-network'), lengths: { story: 3 }, real: { story: [3, 2] } },
];

