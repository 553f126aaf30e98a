import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../runtime/graph/types.ts';
import { buildFlow, frameNodeId, NODE_WIDTH } from './flow-model.ts';

/** An Elman RNN with one declared loop; positions optional so both layouts are exercised. */
function rnnDoc(withPositions: boolean): GraphDoc {
  const at = (x: number, y: number) => (withPositions ? { position: { x, y } } : {});
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'rnn',
    loops: [{ id: 't', over: 'x', direction: 'reverse' }],
    nodes: [
      { id: 'x', type: 'input', params: { kind: 'vector', size: 3 }, ...at(0, 100) },
      { id: 'g', type: 'rnn', params: { hidden: 4 }, loop: 't', ...at(300, 100) },
      { id: 'z', type: 'delay', loop: 't', ...at(300, 0) },
      { id: 'y', type: 'target', params: { kind: 'vector', size: 4 }, ...at(600, 200) },
      { id: 'loss', type: 'loss', params: { kind: 'mse' }, ...at(600, 100) },
    ],
    edges: [
      { from: 'x.out', to: 'g.x' },
      { from: 'g.h', to: 'z.in' },
      { from: 'z.out', to: 'g.h_prev' },
      { from: 'g.h', to: 'loss.pred', take: 'last' },
      { from: 'y.out', to: 'loss.target' },
    ],
  };
}

describe('buildFlow', () => {
  it('draws a declared loop as a parent frame around its nodes, listed before them', () => {
    const flow = buildFlow(rnnDoc(true), undefined, []);
    expect(flow.frames).toEqual(['t']);
    expect(flow.nodes.map((n) => n.id)).toEqual([frameNodeId('t'), 'x', 'g', 'z', 'y', 'loss']);
    const frame = flow.nodes[0]!;
    expect(frame.type === 'loop' && frame.data.label).toBe('loop t · over x · reverse');
    const g = flow.nodes.find((n) => n.id === 'g')!;
    expect(g.parentId).toBe(frameNodeId('t'));
    // Child positions are relative to the frame and inside it.
    expect(frame.position.x + g.position.x).toBe(300);
    expect(g.position.x).toBeGreaterThan(0);
    expect(g.position.x + NODE_WIDTH).toBeLessThan(frame.width!);
    expect(flow.nodes.find((n) => n.id === 'x')!.parentId).toBeUndefined();
  });

  it('gives every port a handle and marks the wire into a delay as recurrent', () => {
    const flow = buildFlow(rnnDoc(true), undefined, []);
    const g = flow.nodes.find((n) => n.id === 'g')!;
    expect(g.type === 'block' && g.data.inputs.map((p) => p.name)).toEqual(['x', 'h_prev']);
    const recurrent = flow.edges.filter((e) => e.data?.recurrent);
    expect(recurrent.map((e) => e.id)).toEqual(['g.h->z.in']);
    // The wire leaving the loop says what it takes; wires within the loop say nothing of it.
    expect(flow.edges[3]!.data?.take).toBe('last');
    expect(flow.edges[0]!.data?.take).toBeUndefined();
    expect(flow.edges[0]).toMatchObject({ source: 'x', sourceHandle: 'out:out', target: 'g', targetHandle: 'in:x' });
    // Input handles carry the kinds the registry lets the port take.
    expect(g.type === 'block' && g.data.inputs[0]!.kinds).toEqual(['vector']);
  });

  it('highlights nodes an error names directly or through a port', () => {
    const flow = buildFlow(rnnDoc(true), undefined, [
      { code: 'E200', message: 'm', nodes: ['z'] },
      { code: 'E203', message: 'm', ports: ['loss.target'], edges: [4] },
    ]);
    const flagged = flow.nodes.filter((n) => n.type === 'block' && n.data.error).map((n) => n.id);
    expect(flagged).toEqual(['z', 'loss']);
    expect(flow.edges[4]!.data?.error).toBe(true);
  });

  it('draws a declared loop without nodes as an empty frame, selected loops and nodes as selected', () => {
    const doc = { ...rnnDoc(true), loops: [...rnnDoc(true).loops!, { id: 'spare', steps: 3 }] };
    const flow = buildFlow(doc, undefined, [], { nodes: ['g'], edges: [], loops: ['spare'] });
    const spare = flow.nodes.find((n) => n.id === frameNodeId('spare'))!;
    expect(spare.type === 'loop' && spare.data.empty).toBe(true);
    expect(spare.selected).toBe(true);
    expect(flow.nodes.find((n) => n.id === 'g')!.selected).toBe(true);
    expect(flow.nodes.find((n) => n.id === 'z')!.selected).toBe(false);
  });

  it('lays out a graph without positions in non-overlapping columns and bands', () => {
    const flow = buildFlow(rnnDoc(false), undefined, []);
    const abs = new Map<string, { x: number; y: number }>();
    const frame = flow.nodes[0]!;
    for (const n of flow.nodes.slice(1)) {
      const o = n.parentId ? frame.position : { x: 0, y: 0 };
      abs.set(n.id, { x: n.position.x + o.x, y: n.position.y + o.y });
    }
    const boxes = [...abs.entries()];
    for (const [a, pa] of boxes) {
      for (const [b, pb] of boxes) {
        if (a < b) expect(Math.abs(pa.x - pb.x) >= NODE_WIDTH || Math.abs(pa.y - pb.y) >= 60, `${a} overlaps ${b}`).toBe(true);
      }
    }
    // Data flows left to right: the cell sits right of the input, the loss right of the cell.
    expect(abs.get('g')!.x).toBeGreaterThan(abs.get('x')!.x);
    expect(abs.get('loss')!.x).toBeGreaterThan(abs.get('g')!.x);
    // Nodes outside the loop stay outside its frame.
    const x = abs.get('x')!;
    const inside = x.x >= frame.position.x && x.x <= frame.position.x + frame.width! && x.y >= frame.position.y && x.y <= frame.position.y + frame.height!;
    expect(inside).toBe(false);
  });
});
