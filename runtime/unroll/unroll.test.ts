import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeGraph } from '../validate/validate.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { fixture, loadGraph } from '../validate/test-graphs.ts';
import { graphDoc } from '../validate/test-arbitraries.ts';
import { unrollGraph } from './unroll.ts';
import { planLengths } from './lengths.ts';
import { MAX_LENGTH, MAX_UNROLLED_NODES, type UnrolledGraph, type UnrolledNode, type UnrolledSource } from './types.ts';

const analyzed = (name: string): GraphAnalysis => {
  const a = analyzeGraph(fixture(name));
  expect(a.errors).toEqual([]);
  return a;
};

function unrolled(a: GraphAnalysis, lengths: Record<string, number>): UnrolledGraph {
  const r = unrollGraph(a, lengths);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}

const byKey = (u: UnrolledGraph): Map<string, UnrolledNode> => new Map(u.nodes.map((n) => [n.key, n]));

/** Σ loop length × loop size + nodes outside loops. */
function expectedCount(a: GraphAnalysis, lengths: Record<string, number>): number {
  let count = [...a.nodeLoop.values()].filter((l) => l === undefined).length;
  for (const l of a.loops.values()) count += (l.steps ?? lengths[l.axis]!) * l.nodes.length;
  return count;
}

/** Every source an input reads names a node copy placed earlier. */
function expectEvaluationOrder(u: UnrolledGraph): void {
  const seen = new Set<string>();
  const keysOf = (s: UnrolledSource): string[] =>
    s.kind === 'stack' ? s.items.map((i) => i.key) : s.kind === 'init' ? [] : [s.key];
  for (const n of u.nodes) {
    for (const s of Object.values(n.inputs)) for (const k of keysOf(s)) expect(seen.has(k)).toBe(true);
    expect(seen.has(n.key)).toBe(false);
    seen.add(n.key);
  }
}

/** Lengths 1..6 for every axis the graph needs. */
const lengthsFor = (a: GraphAnalysis): fc.Arbitrary<Record<string, number>> =>
  fc.record(Object.fromEntries(a.axes.map((axis) => [axis, fc.integer({ min: 1, max: 6 })])));

const fixtures = ['elman', 'seq2seq', 'reverse', 'stacked-bidir', 'hops', 'design-seq2seq-attention', 'bilstm', 'memory-network'];

describe('unrollGraph', () => {
  it('refuses an invalid graph (E303)', () => {
    const a = analyzeGraph(fixture('cycle'));
    const r = unrollGraph(a, { x: 3 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['E303']);
  });

  it.each(fixtures)('%s: node count is Σ loop length × loop size + nodes outside loops, in evaluation order', (name) => {
    const a = analyzed(name);
    fc.assert(
      fc.property(lengthsFor(a), (lengths) => {
        const u = unrolled(a, lengths);
        expect(u.nodes).toHaveLength(expectedCount(a, lengths));
        expectEvaluationOrder(u);
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  it('every delay copy d@t (t > 0) reads its source’s copy at t-1', () => {
    for (const name of fixtures) {
      const a = analyzed(name);
      const u = unrolled(a, Object.fromEntries(a.axes.map((x) => [x, 4])));
      for (const k of a.recurrentEdges) {
        const e = a.doc.edges[k]!;
        const [delay] = e.to.split('.');
        const [src, port] = e.from.split('.');
        const copies = u.nodes.filter((n) => n.node === delay);
        expect(copies.length).toBeGreaterThan(1);
        for (const c of copies) {
          if (c.step! > 0) expect(c.inputs.in).toEqual({ kind: 'node', key: `${src}@${c.step! - 1}`, port });
        }
      }
    }
  });

  it('shares one WeightRef object per weight among all copies', () => {
    for (const name of fixtures) {
      const a = analyzed(name);
      const u = unrolled(a, Object.fromEntries(a.axes.map((x) => [x, 3])));
      expect(u.weights.size).toBe(a.counts.weights);
      expect([...u.weights.keys()]).toEqual(a.doc.nodes.flatMap((n) => (a.weights.get(n.id) ?? []).map((w) => `${n.id}.${w.name}`)));
      for (const n of u.nodes) {
        const names = (a.weights.get(n.node) ?? []).map((w) => w.name);
        expect(Object.keys(n.weights)).toEqual(names);
        for (const w of names) expect(n.weights[w]).toBe(u.weights.get(`${n.node}.${w}`));
      }
    }
  });

  it('feeds a reverse loop the last element first and stacks its outputs in position order', () => {
    const a = analyzed('reverse');
    const u = unrolled(a, { x: 4 });
    const nodes = byKey(u);
    expect(nodes.get('e@0')).toMatchObject({ step: 0, position: 3, inputs: { in: { kind: 'slice', key: 'x', port: 'out', index: 3 } } });
    expect(nodes.get('e@3')!.inputs.in).toEqual({ kind: 'slice', key: 'x', port: 'out', index: 0 });
    expect(nodes.get('loss')!.inputs.pred).toEqual({
      kind: 'stack',
      items: [3, 2, 1, 0].map((t) => ({ key: `out@${t}`, port: 'out' })),
    });
    // The learned initial state refers to the delay's one shared weight.
    const init = nodes.get('bd@0')!.inputs.in;
    expect(init).toMatchObject({ kind: 'init', init: 'learned', size: 5 });
    expect(init?.kind === 'init' && init.weight).toBe(u.weights.get('bd.init'));
    expect(u.loops).toEqual([{ id: 'bw', length: 4, direction: 'reverse', nodes: ['e', 'bd', 'b', 'out'] }]);
  });

  it('slices a forward loop’s stacked output into a reverse loop by position', () => {
    const u = unrolled(analyzed('stacked-bidir'), { x: 3 });
    const nodes = byKey(u);
    for (let t = 0; t < 3; t++) expect(nodes.get(`b@${t}`)!.inputs.x).toEqual({ kind: 'node', key: `f@${2 - t}`, port: 'h' });
  });

  it('unrolls a fixed steps loop with no sequence at all', () => {
    const u = unrolled(analyzed('hops'), {});
    expect(u.lengths).toEqual({ hops: 3 });
    expect(u.nodes.map((n) => n.key)).toEqual(['q', 'hd@0', 'h@0', 'hd@1', 'h@1', 'hd@2', 'h@2', 'out', 'y', 'loss']);
    const nodes = byKey(u);
    expect(nodes.get('h@1')!.inputs.x).toEqual({ kind: 'node', key: 'q', port: 'out' });
    expect(nodes.get('hd@0')!.inputs.in).toEqual({ kind: 'init', init: 'random', size: 6 });
    expect(nodes.get('out')!.inputs.in).toEqual({ kind: 'node', key: 'h@2', port: 'h' });
  });

  it('starts a decoder from the encoder’s last copy and reads the shifted target per step', () => {
    const u = unrolled(analyzed('seq2seq'), { src: 5, y: 3 });
    const nodes = byKey(u);
    expect(u.loops.map((l) => [l.id, l.length])).toEqual([
      ['enc', 5],
      ['dec', 3],
    ]);
    expect(nodes.get('dh@0')!.inputs).toEqual({ in: { kind: 'node', key: 'enc@4', port: 'h' } });
    expect(nodes.get('dh@2')!.inputs).toEqual({ in: { kind: 'node', key: 'dec@1', port: 'h' } });
    expect(nodes.get('embT@2')!.inputs.in).toEqual({ kind: 'slice', key: 'prev', port: 'out', index: 2 });
    expect(nodes.get('eh@0')!.inputs.in).toEqual({ kind: 'init', init: 'zeros', size: 16 });
  });

  it('has no learned init weight for a delay whose init port is wired', () => {
    const doc = fixture('seq2seq');
    const a = analyzeGraph({ ...doc, nodes: doc.nodes.map((n) => (n.id === 'dh' ? { ...n, params: { init: 'learned' } } : n)) });
    expect(a.errors).toEqual([]);
    const u = unrolled(a, { src: 3, y: 2 });
    expect(u.weights.has('dh.init')).toBe(false);
    expect(byKey(u).get('dh@0')!).toMatchObject({ inputs: { in: { kind: 'node', key: 'enc@2', port: 'h' } }, weights: {} });
  });

  it('gives every attention step the encoder states as one shared stack', () => {
    const u = unrolled(analyzed('design-seq2seq-attention'), { src: 4, y: 3 });
    const nodes = byKey(u);
    const keys = nodes.get('att@0')!.inputs.keys!;
    expect(keys).toEqual({ kind: 'stack', items: [0, 1, 2, 3].map((t) => ({ key: `enc@${t}`, port: 'h' })) });
    expect(nodes.get('att@2')!.inputs.keys).toBe(keys);
    expect(nodes.get('dc@0')!.inputs.in).toEqual({ kind: 'node', key: 'enc@3', port: 'c' });
  });

  it('is deterministic', () => {
    const a = analyzed('design-seq2seq-attention');
    expect(unrollGraph(a, { src: 6, y: 4 })).toEqual(unrollGraph(a, { src: 6, y: 4 }));
  });
});

describe('unrollGraph lengths', () => {
  it('E300 names a sequence without a length', () => {
    const r = unrollGraph(analyzed('seq2seq'), { src: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['E300']);
    expect(r.errors[0]!.message).toContain('no length given for sequence y (carried by y, prev; run over by loop dec)');
  });

  it.each([1e9, 0, -1, 2.5, Number.NaN, MAX_LENGTH + 1])('E301 for the length %s', (n) => {
    const r = unrollGraph(analyzed('elman'), { x: n });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['E301']);
  });

  it('E301 prints a length that is not a number as JSON, so a string reads as one', () => {
    const r = unrollGraph(analyzed('elman'), { x: '3' as unknown as number });
    expect(!r.ok && r.errors.map((e) => [e.code, e.message])).toEqual([['E301', 'the length of x is "3"; a length is a whole number from 1 to 100,000']]);
  });

  it('E304 for a length whose key names no axis of the graph, listing the axes that take one', () => {
    const r = unrollGraph(analyzed('seq2seq'), { src: 3, y: 2, ys: 4 });
    expect(!r.ok && r.errors.map((e) => [e.code, e.message])).toEqual([
      ['E304', 'a length is given for ys, but the graph has no axis ys: the axes that take lengths are src, y'],
    ]);
  });

  it('E304 for a length given to a steps loop, whose length the file fixes', () => {
    const r = unrollGraph(analyzed('hops'), { hops: 5 });
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['E304']);
    expect(!r.ok && r.errors[0]!.message).toContain("hops is loop hops's axis, which runs the 3 steps the file gives: this graph takes no lengths");
  });

  it('accepts MAX_LENGTH itself', () => {
    expect(planLengths(analyzed('elman'), { x: MAX_LENGTH }).ok).toBe(true);
  });

  it('E301 for a steps loop outside 1..MAX_LENGTH', () => {
    const doc = fixture('hops');
    const a = analyzeGraph({ ...doc, loops: [{ id: 'hops', steps: 0 }] });
    const r = unrollGraph(a, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toMatchObject([{ code: 'E301', path: '$.loops[0].steps' }]);
  });

  it('E302 refuses just over MAX_UNROLLED_NODES before building anything', () => {
    const a = analyzeGraph(loadGraph(new URL('./fixtures/wide-loop.json', import.meta.url)));
    expect(a.errors).toEqual([]);
    // 20 looped nodes × 100,000 steps + 3 outside = 2,000,003
    const r = unrollGraph(a, { x: MAX_LENGTH });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['E302']);
    expect(r.errors[0]!.message).toContain('2,000,003');
    expect(20 * MAX_LENGTH + 3).toBe(MAX_UNROLLED_NODES + 3);
    // one step fewer is within the limit
    const plan = planLengths(a, { x: MAX_LENGTH - 1 });
    expect(plan.ok && plan.value.count).toBe(20 * (MAX_LENGTH - 1) + 3);
  });

  it('checks lengths before counting (a 10^9 request is E301, not E302)', () => {
    const a = analyzeGraph(loadGraph(new URL('./fixtures/wide-loop.json', import.meta.url)));
    const r = unrollGraph(a, { x: 1e9 });
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['E301']);
  });
});

describe('unrollGraph on random valid graphs', () => {
  it('matches the node-count formula and evaluation order', () => {
    fc.assert(
      fc.property(graphDoc, fc.integer({ min: 1, max: 5 }), (doc, length) => {
        const a = analyzeGraph(doc, { purpose: 'inference' });
        if (!a.ok) return;
        const lengths = Object.fromEntries(a.axes.map((x) => [x, length]));
        const u = unrolled(a, lengths);
        expect(u.nodes).toHaveLength(expectedCount(a, lengths));
        expectEvaluationOrder(u);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
