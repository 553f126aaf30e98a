/**
 * Gradient checks of every block type through whole graphs: the example graphs (shrunk), variants
 * of them for the params the examples leave at one value, and a synthetic graph of the elementwise
 * blocks. Each runs as a float64 Model under every cell lowering; sampled entries of every weight's
 * gradient and of every float input's gradient must match central differences. Padded batches
 * (per-example lengths along a masked axis) must match too, and their padding must not matter.
 */
import { describe, expect, it } from 'vitest';
import { blockTypes } from '../../blocks/registry.ts';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { CellLowering } from '../compile/types.ts';
import { Model } from './model.ts';
import type { Pass, SourceData } from './pass.ts';
import { Rng } from './prng.ts';
import { TOL, checkGradients, loadExample, randomSources, setParams, wholeSequenceGraph } from './gradcheck-support.ts';

const B = 2;
/** Every cell lowering for graphs with gated cells (the only blocks it changes), else the default. */
const cellsFor = (doc: GraphDoc): readonly CellLowering[] =>
  doc.nodes.some((n) => n.type === 'lstm' || n.type === 'gru') ? ['fused', 'primitive', 'composite'] : ['fused'];

/** Every elementwise block in one recurrent step, with an mse loss at every step and a bce loss on the last. */
function elementwiseGraph(mse: { at: string; reduction: string }, bce: { reduction: string }): GraphDoc {
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


interface GraphCase {
  readonly name: string;
  readonly doc: GraphDoc;
  readonly lengths: Readonly<Record<string, number>>;
}

const EXAMPLES: readonly GraphCase[] = [
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

const VARIANTS: readonly GraphCase[] = [
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

function model(doc: GraphDoc, cells: CellLowering, seed: number): Model {
  const analysis = analyzeGraph(doc);
  expect(analysis.errors.map((e) => e.message)).toEqual([]);
  const m = new Model(analysis, { dtype: 'float64', cells });
  m.initialise(new Rng(seed));
  // Learned first states start at zero: move them off it so their gradient path is exercised.
  const r = new Rng(seed + 1);
  for (const w of m.weights.values()) if (w.every((v) => v === 0)) for (let i = 0; i < w.length; i++) w[i] = r.uniform(-0.5, 0.5);
  return m;
}

function openPass(m: Model, lengths: Readonly<Record<string, number>>, masked?: ReadonlySet<string>): Pass {
  const r = m.pass({ lengths, batch: B, backward: true, inputGrads: true, ...(masked !== undefined ? { masked } : {}) });
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.value;
}

describe.each([...EXAMPLES, ...VARIANTS].map((c) => [c.name, c] as const))('gradient check of %s', (_name, c) => {
  it.each(cellsFor(c.doc))('%s cells', (cells) => {
    const m = model(c.doc, cells, 7);
    const pass = openPass(m, c.lengths);
    const rng = new Rng(11);
    pass.feed({ size: B, sources: randomSources(m.analysis, c.lengths, B, rng), lengths: new Map() }, rng.fork('random states'));
    const report = checkGradients(pass, m.weights, m.grads, rng);
    expect(report.zeroWeights).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
    expect(report.worst).toBeLessThanOrEqual(TOL);
  });
});

interface PaddedCase extends GraphCase {
  /** Real length of each example, by masked axis. */
  readonly real: Readonly<Record<string, readonly number[]>>;
}

const PADDED: readonly PaddedCase[] = [
  { name: 'lstm (take last from a forward loop)', doc: loadExample('lstm'), lengths: { x: 3 }, real: { x: [3, 2] } },
  { name: 'elementwise blocks (loss mean at every step, take last)', doc: elementwiseGraph({ at: 'every', reduction: 'mean' }, { reduction: 'sum' }), lengths: { x: 3 }, real: { x: [2, 3] } },
  { name: 'elementwise blocks (loss at the last step)', doc: elementwiseGraph({ at: 'last', reduction: 'sum' }, { reduction: 'mean' }), lengths: { x: 3 }, real: { x: [1, 3] } },
  { name: 'bilstm (a reverse loop)', doc: loadExample('bilstm'), lengths: { x: 3 }, real: { x: [3, 2] } },
  { name: 'seq2seq (encoder and decoder padded)', doc: loadExample('seq2seq'), lengths: { src: 3, y: 3 }, real: { src: [2, 3], y: [3, 1] } },
  // Attention and memory must give padded keys no weight at all.
  { name: 'seq2seq with attention (padded keys)', doc: loadExample('seq2seq-attention'), lengths: { src: 3, y: 3 }, real: { src: [3, 2], y: [2, 3] } },
  { name: 'memory network (padded story)', doc: loadExample('memory-network'), lengths: { story: 3 }, real: { story: [3, 2] } },
];

/** A copy of `sources` with every element at a padded position (along the masked axes) redrawn. */
function repad(m: Model, sources: ReadonlyMap<string, SourceData>, real: PaddedCase['real'], rng: Rng): Map<string, SourceData> {
  const out = new Map<string, SourceData>();
  let changed = 0;
  for (const [node, src] of sources) {
    const t = m.analysis.outputTypes.get(`${node}.out`)!;
    const lens = t.seq !== undefined ? real[t.seq] : undefined;
    if (lens === undefined) {
      out.set(node, src);
      continue;
    }
    const T = src.length;
    const e = src.values.length / (B * T);
    const values = Array.from(src.values);
    for (let b = 0; b < B; b++) {
      for (let p = lens[b]!; p < T; p++) {
        for (let j = 0; j < e; j++) {
          const i = (b * T + p) * e + j;
          values[i] = t.dtype === 'int' ? (values[i]! + 1 + rng.int(t.vocab! - 1)) % t.vocab! : values[i]! + rng.uniform(0.5, 1);
          changed++;
        }
      }
    }
    out.set(node, { values, length: T });
  }
  expect(changed).toBeGreaterThan(0);
  return out;
}

describe.each(PADDED.map((c) => [c.name, c] as const))('padded batch: %s', (_name, c) => {
  it.each(cellsFor(c.doc))('%s cells: gradients match, padding does not matter', (cells) => {
    const m = model(c.doc, cells, 5);
    const pass = openPass(m, c.lengths, new Set(Object.keys(c.real)));
    const rng = new Rng(23);
    const lengths = new Map(Object.entries(c.real));
    const sources = randomSources(m.analysis, c.lengths, B, rng);
    pass.feed({ size: B, sources, lengths });
    const report = checkGradients(pass, m.weights, m.grads, rng);
    expect(report.worst).toBeLessThanOrEqual(TOL);

    // Same batch with other data in the padding: the objective and every gradient stay exactly the same.
    const before = pass.forward();
    pass.backward();
    const grads = new Map([...m.grads].map(([k, g]) => [k, Float64Array.from(g)]));
    const inputGrads = pass.plan.feeds.map((f) => pass.inputGrad(f.feed.sym)).map((g) => (g !== undefined ? Float64Array.from(g) : undefined));
    pass.feed({ size: B, sources: repad(m, sources, c.real, rng), lengths });
    expect(pass.forward()).toBe(before);
    pass.backward();
    for (const [k, g] of m.grads) {
      const was = grads.get(k)!;
      for (let i = 0; i < g.length; i++) if (g[i] !== was[i]) throw new Error(`grad ${k}[${i}] changed with the padding: ${was[i]} → ${g[i]}`);
    }
    pass.plan.feeds.forEach((f, j) => {
      const g = pass.inputGrad(f.feed.sym);
      const was = inputGrads[j];
      if (g === undefined || was === undefined) return;
      for (let i = 0; i < g.length; i++) if (g[i] !== was[i]) throw new Error(`grad of ${f.feed.node}@${f.feed.position} changed with the padding`);
    });
  });
});

describe('block coverage', () => {
  it('every block type of the registry is in a checked graph', () => {
    const seen = new Set<string>();
    for (const c of [...EXAMPLES, ...VARIANTS, ...PADDED]) for (const n of c.doc.nodes) seen.add(n.type);
    expect([...seen].sort()).toEqual([...blockTypes].sort());
  });
});
