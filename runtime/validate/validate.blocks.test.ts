/** Validation of graphs built from the whole block vocabulary (lstm, attention, memory, encoder…). */
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './validate.ts';
import { edgeIndex, edit, fixture, nodeOf } from './test-graphs.ts';

const vec = (n: number, seq?: string) => ({ dtype: 'float', shape: [n], ...(seq !== undefined ? { seq } : {}) });

describe('the design’s worked example: seq2seq with attention', () => {
  const doc = fixture('design-seq2seq-attention');

  it('is valid, with every edge typed', () => {
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.edgeTypes.every((t) => t !== undefined)).toBe(true);
    expect(a.axes).toEqual(['src', 'y']);
  });

  it('feeds the decoder the target shifted by one step (teacher inferred from feedback)', () => {
    const a = analyzeGraph(doc);
    expect(a.outputTypes.get('prev.out')).toEqual({ seq: 'y', dtype: 'int', shape: [], vocab: 12 });
    expect(a.edgeTypes[edgeIndex(doc, 'prev.out', 'embT.in')]).toEqual({ dtype: 'int', shape: [], vocab: 12 });
  });

  it('starts the decoder’s delays from the encoder’s last state and attends to every encoder state', () => {
    const a = analyzeGraph(doc);
    expect(a.edgeTypes[edgeIndex(doc, 'enc.h', 'dh.init')]).toEqual(vec(64));
    expect(a.edgeTypes[edgeIndex(doc, 'enc.c', 'dc.init')]).toEqual(vec(64));
    expect(a.edgeTypes[edgeIndex(doc, 'enc.h', 'att.keys')]).toEqual(vec(64, 'src'));
    expect(a.outputTypes.get('att.context')).toEqual(vec(64));
    expect(a.outputTypes.get('cat.out')).toEqual(vec(96));
    expect(a.edgeTypes[edgeIndex(doc, 'out.out', 'loss.pred')]).toEqual(vec(12, 'y'));
    // eh and ec take their size from what the LSTM expects at h_prev and c_prev.
    expect(a.outputTypes.get('eh.out')).toEqual(vec(64));
    expect(a.outputTypes.get('ec.out')).toEqual(vec(64));
    expect(a.recurrentEdges.map((k) => doc.edges[k]!.to)).toEqual(['eh.in', 'ec.in', 'dh.in', 'dc.in']);
  });

  it('orders the encoder loop before the decoder loop, each contiguous', () => {
    const a = analyzeGraph(doc);
    expect(a.order).toEqual(['src', 'y', 'prev', 'embS', 'eh', 'ec', 'enc', 'embT', 'dh', 'att', 'cat', 'dc', 'dec', 'out', 'loss']);
    expect(a.loops.get('enc')!.nodes).toEqual(['embS', 'eh', 'ec', 'enc']);
  });

  it('refuses attention keys taken "last" (one state, not a sequence) as the wrong kind', () => {
    const bad = edit(doc, (d) => {
      d.edges[edgeIndex(d as typeof doc, 'enc.h', 'att.keys')]!.take = 'last';
    });
    const a = analyzeGraph(bad);
    expect(a.errors.map((e) => e.code)).toEqual(['E201']);
    expect(a.errors[0]!.message).toContain('att.keys takes a whole sequence of vectors');
  });

  it('refuses the attention weights (a sequence at each step) stacked into a sequence of sequences', () => {
    const bad = edit(doc, (d) => {
      d.nodes.push({ id: 'seen', type: 'loss', params: { kind: 'mse' } });
      d.edges.push({ from: 'att.weights', to: 'seen.pred' }, { from: 'y.out', to: 'seen.target' });
    });
    expect(analyzeGraph(bad).errors.map((e) => e.code)).toEqual(['E201']);
  });

  it('refuses a feedback input whose vocabulary is not its teacher’s', () => {
    const bad = edit(doc, (d) => {
      nodeOf(d, 'prev').params!.vocab = 13;
    });
    expect(analyzeGraph(bad).errors.map((e) => e.code)).toEqual(['E200']);
  });
});

describe('other graphs from the vocabulary', () => {
  it('Bi-LSTM: take-all outputs of loops over x are sliced into another loop over x', () => {
    const doc = fixture('bilstm');
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.edgeTypes[edgeIndex(doc, 'bwd.h', 'cat.b')]).toEqual(vec(32));
    expect(a.loops.get('backward')).toMatchObject({ direction: 'reverse', axis: 'x', nodes: ['bh', 'bc', 'bwd'] });
    expect(a.outputTypes.get('tags.out')).toEqual({ seq: 'x', dtype: 'int', shape: [], vocab: 5 });
  });

  it('memory network: a steps loop reads a whole sequence of sentence embeddings', () => {
    const doc = fixture('memory-network');
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.loops.get('hops')).toMatchObject({ steps: 3, axis: 'hops', nodes: ['u', 'read', 'next'] });
    expect(a.edgeTypes[edgeIndex(doc, 'story.out', 'embA.in')]).toEqual({ dtype: 'int', shape: [8], vocab: 40 });
    expect(a.edgeTypes[edgeIndex(doc, 'embA.out', 'read.keys')]).toEqual(vec(32, 'story'));
    expect(a.edgeTypes[edgeIndex(doc, 'next.out', 'W.in')]).toEqual(vec(32));
    expect(a.outputTypes.get('u.out')).toEqual(vec(32)); // from its init port
  });

  it('refuses token ids at an LSTM’s per-step vector port (E201)', () => {
    const doc = edit(fixture('bilstm'), (d) => {
      d.edges[edgeIndex(d as ReturnType<typeof fixture>, 'emb.out', 'fwd.x')] = { from: 'x.out', to: 'fwd.x' };
    });
    const a = analyzeGraph(doc);
    expect(a.errors.map((e) => e.code)).toEqual(['E201']);
    expect(a.errors[0]!.message).toContain('fwd.x takes a vector per step, but x.out delivers seq(x) int[] < 16');
  });
});
