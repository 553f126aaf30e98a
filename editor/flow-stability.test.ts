/**
 * The canvas of a large graph redraws only what changed: a selection change marks the selected
 * elements without rebuilding the others, and a rebuilt flow hands back the node, edge and data
 * objects that did not change (React Flow and the memoised BlockNode compare them by identity).
 */
import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, type GraphDoc } from '../runtime/graph/types.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import { applySelection, buildUnselectedFlow, frameNodeId, NO_SELECTION, stabilizeFlow, type FlowModel } from './flow-model.ts';
import { edit, startHistory } from './model/history.ts';

/** A chain of `n` tanh blocks in a loop over x. */
function chain(n: number): GraphDoc {
  const nodes = [
    { id: 'x', type: 'input', params: { kind: 'vector', size: 3 }, position: { x: 0, y: 0 } },
    ...Array.from({ length: n }, (_, i) => ({ id: `a${i}`, type: 'tanh', loop: 't', position: { x: 200 + (i % 50) * 200, y: Math.floor(i / 50) * 120 } })),
  ];
  const edges = [{ from: 'x.out', to: 'a0.in' }, ...Array.from({ length: n - 1 }, (_, i) => ({ from: `a${i}.out`, to: `a${i + 1}.in` }))];
  return { format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name: 'chain', loops: [{ id: 't', over: 'x' }], nodes, edges };
}

const flowOf = (doc: GraphDoc): FlowModel => {
  const a = analyzeGraph(doc);
  return buildUnselectedFlow(doc, a, a.errors);
};

const sameObjects = (a: FlowModel, b: FlowModel): number => b.nodes.filter((n, i) => n === a.nodes[i]).length;

describe('applying a selection', () => {
  it('makes new objects for the selected elements only', () => {
    const base = flowOf(chain(200));
    const sel = applySelection(base, { nodes: ['a5'], edges: ['a1.out->a2.in'], loops: ['t'] });
    const changed = sel.nodes.filter((n, i) => n !== base.nodes[i]).map((n) => n.id);
    expect(changed.sort()).toEqual(['a5', frameNodeId('t')].sort());
    expect(sel.nodes.find((n) => n.id === 'a5')?.selected).toBe(true);
    expect(sel.nodes.find((n) => n.id === 'a5')?.data).toBe(base.nodes.find((n) => n.id === 'a5')?.data);
    expect(sel.edges.filter((e, i) => e !== base.edges[i]).map((e) => e.id)).toEqual(['a1.out->a2.in']);
    expect(applySelection(base, NO_SELECTION).nodes.every((n, i) => n === base.nodes[i])).toBe(true);
  });
});

describe('stabilizeFlow', () => {
  it('a rebuild of the same document hands back every old object, and the arrays', () => {
    const doc = chain(200);
    const a = flowOf(doc);
    const b = stabilizeFlow(a, flowOf(doc));
    expect(b.nodes).toBe(a.nodes);
    expect(b.edges).toBe(a.edges);
  });

  it('after an edit of one block only that block is a new object', () => {
    const doc = chain(200);
    const a = flowOf(doc);
    const r = edit(startHistory(doc, { kind: 'new', name: 'x' }), { type: 'moveNodes', positions: { a7: { x: 5000, y: 5000 } } });
    if (!r.ok) throw new Error(r.error);
    const b = stabilizeFlow(a, flowOf(r.history.doc));
    // The frame grew to take in the moved block; every other block is the object it was.
    const fresh = b.nodes.filter((n, i) => n !== a.nodes[i]).map((n) => n.id);
    expect(fresh.sort()).toEqual(['a7', frameNodeId('t')].sort());
    expect(sameObjects(a, b)).toBe(a.nodes.length - 2);
    // Moved but drawn the same: its data object is kept.
    expect(b.nodes.find((n) => n.id === 'a7')?.data).toBe(a.nodes.find((n) => n.id === 'a7')?.data);
    expect(b.absolute.get('a7')).toMatchObject({ x: 5000, y: 5000 });
  });

  it('a change of what a block shows (an error) gives it new data; selection changes keep the rest', () => {
    const doc = chain(50);
    const a = flowOf(doc);
    // Cut the chain: a10 loses its input, an error that names it.
    const r = edit(startHistory(doc, { kind: 'new', name: 'x' }), { type: 'deleteElements', edges: [{ from: 'a9.out', to: 'a10.in' }] });
    if (!r.ok) throw new Error(r.error);
    const b = stabilizeFlow(a, flowOf(r.history.doc));
    const a10 = b.nodes.find((n) => n.id === 'a10')!;
    expect(a10.type === 'block' && a10.data.error).toBe(true);
    expect(a10.data).not.toBe(a.nodes.find((n) => n.id === 'a10')?.data);
    expect(b.nodes.find((n) => n.id === 'a3')).toBe(a.nodes.find((n) => n.id === 'a3'));
    const s1 = stabilizeFlow(b, applySelection(flowOf(r.history.doc), { nodes: ['a3'], edges: [], loops: [] }));
    expect(s1.nodes.filter((n, i) => n !== b.nodes[i]).map((n) => n.id)).toEqual(['a3']);
    // Selecting another block: the two whose state changed are new, nothing else.
    const s2 = stabilizeFlow(s1, applySelection(flowOf(r.history.doc), { nodes: ['a4'], edges: [], loops: [] }));
    expect(s2.nodes.filter((n, i) => n !== s1.nodes[i]).map((n) => n.id).sort()).toEqual(['a3', 'a4']);
  });
});
