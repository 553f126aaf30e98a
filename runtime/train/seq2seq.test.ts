/**
 * Seq2seq: decoder inputs are the target shifted right (start token first) while training and the
 * decoder's own argmax while generating. Generation is checked against teacher forcing fed the
 * generated tokens, which must give the same predictions; training by teacher forcing must carry
 * over to generation on the reverse task.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc, ParamValueJson } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { REVERSE_START } from '../tasks/reverse.ts';
import { Model } from './model.ts';
import { Rng } from './prng.ts';
import { shiftRight, Trainer } from './trainer.ts';

const example = (name: string): GraphDoc => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as GraphDoc;

function smallAttention(training: GraphDoc['training'] = {}): GraphDoc {
  const doc = example('seq2seq-attention.json');
  const sizes: Record<string, Record<string, ParamValueJson>> = { embS: { size: 8 }, embT: { size: 8 }, enc: { hidden: 16 }, dec: { hidden: 16 }, att: { size: 16 } };
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (sizes[n.id] !== undefined ? { ...n, params: { ...n.params, ...sizes[n.id] } } : n)),
    task: { name: 'reverse', params: { min_length: 2, max_length: 4, test_min_length: 2, test_max_length: 4, test_per_length: 30 } },
    training: { optimizer: 'adam', lr: 0.01, batch: 32, steps: 600, clip: 1, seed: 3, evalEvery: 1000, ...training },
  };
}

describe('decoder inputs', () => {
  it('teacher forcing shifts the target right by one step, the start token first', () => {
    expect([...shiftRight(Float32Array.of(5, 6, 12, 7, 12, 0), 2, 3, 11)]).toEqual([11, 5, 6, 11, 7, 12]);
  });

  it('generation gives the predictions that teacher forcing gives when fed the generated tokens', () => {
    const analysis = analyzeGraph(smallAttention(), { purpose: 'train' });
    if (!analysis.ok) throw new Error(analysis.errors[0]!.message);
    const model = new Model(analysis);
    model.initialise(new Rng(5));
    const B = 3;
    const [S, T] = [4, 5];
    const spec = { lengths: { src: S, y: T }, batch: B, backward: false };
    const gen = model.pass({ ...spec, generate: true });
    const teach = model.pass(spec);
    if (!gen.ok || !teach.ok) throw new Error('passes do not compile');
    const src = Float32Array.from({ length: B * S }, (_, i) => 1 + ((i * 7) % 10));
    const y = new Float32Array(B * T);
    const feed = (prev: Float32Array) => ({
      size: B,
      sources: new Map([
        ['src', { values: src, length: S }],
        ['y', { values: y, length: T }],
        ['prev', { values: prev, length: T }],
      ]),
      lengths: new Map(),
    });
    // Generating reads only step 0 of prev: fill the rest with nonsense to prove it.
    const startOnly = Float32Array.from({ length: B * T }, (_, i) => (i % T === 0 ? REVERSE_START : 3));
    gen.value.feed(feed(startOnly));
    gen.value.forward(B);
    const generated = gen.value.prediction(0, B, T);
    const V = generated.length / (B * T);
    const tokens = new Float32Array(B * T);
    for (let i = 0; i < B * T; i++) {
      const row = [...generated.subarray(i * V, (i + 1) * V)];
      tokens[i] = row.indexOf(Math.max(...row));
    }
    teach.value.feed(feed(shiftRight(tokens, B, T, REVERSE_START)));
    teach.value.forward(B);
    const forced = teach.value.prediction(0, B, T);
    for (let i = 0; i < forced.length; i++) expect(forced[i]).toBeCloseTo(generated[i]!, 5);
    // And the tokens fed back are not just the start token: generation really moved on.
    expect(new Set(tokens).size).toBeGreaterThan(1);
  });

  it('a model trained by teacher forcing reverses strings when generating', () => {
    const made = Trainer.create({ doc: smallAttention() });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    const t = made.value;
    const before = t.evaluate('test');
    let first = 0;
    for (let s = 1; s <= 600; s++) {
      const r = t.step();
      if (s === 1) first = r.loss;
    }
    const after = t.evaluate('test');
    // A decoder that saw its answer (no shift) would reach a near-zero loss at once and generate nonsense.
    expect(first).toBeGreaterThan(1.5);
    expect(before.metric).toBeLessThan(0.1);
    expect(after.metric).toBeGreaterThan(0.8);
    expect(after.byLength!.map((r) => r.length)).toEqual([2, 3, 4]);
    for (const r of after.byLength!) expect(r.count).toBe(30);
  });

  it('refuses a decoder input whose target has no start token (E441), naming the input', () => {
    // An LSTM on copy whose input also carries its own previous prediction: copy's y has no start token.
    const doc: GraphDoc = {
      format: 'unroll-graph',
      version: 1,
      name: 'copy with feedback',
      nodes: [
        { id: 'x', type: 'input', params: { kind: 'tokens', vocab: 10 } },
        { id: 'prev', type: 'input', params: { kind: 'tokens', vocab: 10, feedback: 'out' } },
        { id: 'ex', type: 'encoder', params: { kind: 'embedding', size: 4 } },
        { id: 'ep', type: 'encoder', params: { kind: 'embedding', size: 4 } },
        { id: 'cat', type: 'concat', params: {} },
        { id: 'cell', type: 'lstm', params: { hidden: 8 } },
        { id: 'h', type: 'delay', params: {} },
        { id: 'c', type: 'delay', params: {} },
        { id: 'out', type: 'decoder', params: { size: 10 } },
        { id: 'y', type: 'target', params: { kind: 'tokens', vocab: 10, align_with: 'x' } },
        { id: 'loss', type: 'loss', params: { kind: 'cross_entropy', at: 'every' } },
      ],
      edges: [
        { from: 'x.out', to: 'ex.in' },
        { from: 'prev.out', to: 'ep.in' },
        { from: 'ex.out', to: 'cat.a' },
        { from: 'ep.out', to: 'cat.b' },
        { from: 'cat.out', to: 'cell.x' },
        { from: 'h.out', to: 'cell.h_prev' },
        { from: 'c.out', to: 'cell.c_prev' },
        { from: 'cell.h', to: 'h.in' },
        { from: 'cell.c', to: 'c.in' },
        { from: 'cell.h', to: 'out.in' },
        { from: 'out.out', to: 'loss.pred', take: 'all' },
        { from: 'y.out', to: 'loss.target' },
      ],
      task: { name: 'copy', params: { T: 5 } },
    };
    const made = Trainer.create({ doc });
    expect(made.ok).toBe(false);
    if (made.ok) return;
    expect(made.errors).toHaveLength(1);
    expect(made.errors[0]).toMatchObject({ code: 'E441', nodes: ['prev'], path: '$.nodes[1]' });
    expect(made.errors[0]!.message).toMatch(/^decoder input prev: stream y of task copy has no start token/);
  });
});
