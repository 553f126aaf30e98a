import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './validate.ts';
import { IMPLICIT_LOOP_ID, type GraphAnalysis } from './types.ts';
import { edgeIndex, edit, fixture, nodeOf } from './test-graphs.ts';

const vec = (n: number, seq?: string) => ({ dtype: 'float', shape: [n], ...(seq !== undefined ? { seq } : {}) });

function expectValid(a: GraphAnalysis): void {
  expect(a.errors).toEqual([]);
  expect(a.ok).toBe(true);
}

/** Every node once, every non-recurrent edge pointing forward, every loop one contiguous run. */
function expectGoodOrder(a: GraphAnalysis): void {
  const pos = new Map(a.order.map((id, i) => [id, i]));
  expect([...pos.keys()].sort()).toEqual(a.doc.nodes.map((n) => n.id).sort());
  a.doc.edges.forEach((e, k) => {
    if (a.recurrentEdges.includes(k)) return;
    expect(pos.get(e.from.split('.')[0]!)!).toBeLessThan(pos.get(e.to.split('.')[0]!)!);
  });
  for (const l of a.loops.values()) {
    if (l.nodes.length === 0) continue;
    const start = pos.get(l.nodes[0]!)!;
    expect(a.order.slice(start, start + l.nodes.length)).toEqual(l.nodes);
  }
}

describe('analyzeGraph on valid graphs', () => {
  it('accepts the Elman RNN and types every edge', () => {
    const doc = fixture('elman');
    const a = analyzeGraph(doc);
    expectValid(a);
    expect(a.edgeTypes).toHaveLength(doc.edges.length);
    expect(a.edgeTypes.every((t) => t !== undefined)).toBe(true);
    expect(a.edgeTypes[edgeIndex(doc, 'x.out', 'enc.in')]).toEqual(vec(3)); // sliced per step
    expect(a.edgeTypes[edgeIndex(doc, 'enc.out', 'g.x')]).toEqual(vec(8));
    expect(a.edgeTypes[edgeIndex(doc, 'z.out', 'g.h_prev')]).toEqual(vec(16));
    expect(a.edgeTypes[edgeIndex(doc, 'g.h', 'z.in')]).toEqual(vec(16));
    expect(a.edgeTypes[edgeIndex(doc, 'dec.out', 'loss.pred')]).toEqual(vec(2, 'x')); // take all (default)
    expect(a.edgeTypes[edgeIndex(doc, 'y.out', 'loss.target')]).toEqual(vec(2, 'x')); // align_with x
    expect(a.outputTypes.get('x.out')).toEqual(vec(3, 'x'));
    expect(a.outputTypes.get('loss.value')).toEqual({ dtype: 'float', shape: [] });
    expect(a.recurrentEdges).toEqual([edgeIndex(doc, 'g.h', 'z.in')]);
    expect(a.axes).toEqual(['x']);
    expect(a.params.get('g')).toEqual({ hidden: 16, nonlinearity: 'tanh', bias: true, init: 'pytorch' });
    // enc 8·3+8, g 16·8+16·16+16+16, dec 2·16+2
    expect(a.counts).toEqual({ nodes: 7, edges: 7, weights: 8, parameters: 32 + 416 + 34 });
    expect(a.weights.get('g')!.map((w) => w.name)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(a.warnings).toEqual([]);
    expectGoodOrder(a);
  });

  it('puts every node but inputs, targets and losses in the implicit loop, in per-step order', () => {
    const a = analyzeGraph(fixture('elman'));
    const loop = a.loops.get(IMPLICIT_LOOP_ID)!;
    expect(loop).toEqual({ id: IMPLICIT_LOOP_ID, axis: 'x', direction: 'forward', nodes: ['enc', 'z', 'g', 'dec'], implicit: true });
    expect([...a.nodeLoop]).toEqual([
      ['x', undefined],
      ['enc', IMPLICIT_LOOP_ID],
      ['g', IMPLICIT_LOOP_ID],
      ['z', IMPLICIT_LOOP_ID],
      ['dec', IMPLICIT_LOOP_ID],
      ['y', undefined],
      ['loss', undefined],
    ]);
    expect(a.order).toEqual(['x', 'enc', 'z', 'g', 'dec', 'y', 'loss']);
  });

  it('runs the implicit loop over the first sequence input in document order', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.nodes.unshift({ id: 'w', type: 'input', params: { kind: 'vector', size: 3, sequence: false } });
      d.nodes.unshift({ id: 'v', type: 'input', params: { kind: 'vector', size: 3, align_with: 'x' } });
    });
    const a = analyzeGraph(doc);
    expect(a.loops.get(IMPLICIT_LOOP_ID)!.axis).toBe('x'); // v runs along x
    expect(a.nodeLoop.get('v')).toBeUndefined();
  });

  it('has no loop at all when no input is a sequence', () => {
    const doc = edit(fixture('hops'), (d) => {
      d.loops = [];
      for (const n of d.nodes) delete n.loop;
      nodeOf(d, 'hd').params = { size: 6 };
    });
    const a = analyzeGraph(doc);
    expect(a.loops.size).toBe(0);
    expect(a.errors.map((e) => e.code).sort()).toEqual(['E208', 'E209']);
  });

  it('accepts a 2-loop encoder/decoder whose decoder state starts from the encoder’s last state', () => {
    const doc = fixture('seq2seq');
    const a = analyzeGraph(doc);
    expectValid(a);
    expect(a.outputTypes.get('prev.out')).toEqual(vec(4, 'y')); // teacher inferred: out → loss.pred, y at loss.target
    expect(a.axes).toEqual(['src', 'y']);
    expect(a.loops.get('enc')).toMatchObject({ axis: 'src', nodes: ['embS', 'eh', 'enc'] });
    expect(a.loops.get('dec')).toMatchObject({ axis: 'y', nodes: ['embT', 'dh', 'dec', 'out'] });
    expect(a.edgeTypes[edgeIndex(doc, 'enc.h', 'dh.init')]).toEqual(vec(16)); // take last
    expect(a.outputTypes.get('dh.out')).toEqual(vec(16)); // from init
    expect(a.outputTypes.get('eh.out')).toEqual(vec(16)); // from what enc.h_prev expects
    expect(a.recurrentEdges).toEqual([edgeIndex(doc, 'enc.h', 'eh.in'), edgeIndex(doc, 'dec.h', 'dh.in')]);
    expectGoodOrder(a);
    expect(a.order.indexOf('enc')).toBeLessThan(a.order.indexOf('embT'));
  });

  it('accepts a reverse loop', () => {
    const a = analyzeGraph(fixture('reverse'));
    expectValid(a);
    expect(a.loops.get('bw')).toMatchObject({ direction: 'reverse', axis: 'x', implicit: false });
    expect(a.weights.get('bd')).toEqual([{ name: 'init', shape: [5], init: { kind: 'zeros' }, doc: 'learned first-step state' }]);
    expectGoodOrder(a);
  });

  it('slices a forward loop’s take-all output into a reverse loop over the same axis', () => {
    const doc = fixture('stacked-bidir');
    const a = analyzeGraph(doc);
    expectValid(a);
    expect(a.edgeTypes[edgeIndex(doc, 'f.h', 'b.x')]).toEqual(vec(4));
    expect(a.order.slice(1, 6)).toEqual(['fd', 'f', 'bd', 'b', 'out']);
  });

  it('accepts a fixed steps loop with no sequence anywhere', () => {
    const a = analyzeGraph(fixture('hops'));
    expectValid(a);
    expect(a.axes).toEqual([]);
    expect(a.loops.get('hops')).toEqual({ id: 'hops', axis: 'hops', steps: 3, direction: 'forward', nodes: ['hd', 'h'], implicit: false });
    expect(a.edgeTypes[edgeIndex(fixture('hops'), 'q.out', 'h.x')]).toEqual(vec(5)); // the same value at every step
    expect(a.outputTypes.get('hd.out')).toEqual(vec(6));
  });

  it('gives the same analysis twice (deterministic)', () => {
    const doc = fixture('seq2seq');
    expect(analyzeGraph(doc)).toEqual(analyzeGraph(doc));
  });

  it('breaks ties by document order', () => {
    const doc = edit(fixture('elman'), (d) => {
      // A second, independent read-out: both dec and dec2 are ready after g.
      d.nodes.splice(4, 0, { id: 'dec2', type: 'linear', params: { size: 2 } });
      d.nodes.push({ id: 'loss2', type: 'loss', params: { kind: 'mse' } });
      d.edges.push({ from: 'g.h', to: 'dec2.in' }, { from: 'dec2.out', to: 'loss2.pred' }, { from: 'y.out', to: 'loss2.target' });
    });
    const a = analyzeGraph(doc);
    expectValid(a);
    expect(a.loops.get(IMPLICIT_LOOP_ID)!.nodes).toEqual(['enc', 'z', 'g', 'dec2', 'dec']);
  });
});
