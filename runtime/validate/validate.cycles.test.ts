import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './validate.ts';
import { edgeIndex, edit, fixture, graph, type EdgeSpec, type NodeSpec } from './test-graphs.ts';

describe('delay-free cycles (E202)', () => {
  it('lists exactly the nodes on the cycle, in order, and its edges', () => {
    const doc = fixture('cycle');
    const a = analyzeGraph(doc);
    expect(a.errors).toHaveLength(1);
    const e = a.errors[0]!;
    expect(e.code).toBe('E202');
    expect(e.nodes).toEqual(['a', 'b', 'c']);
    expect(e.message).toContain('a → b → c → a: a cycle must pass through a delay');
    expect(e.edges).toEqual([edgeIndex(doc, 'a.h', 'b.in'), edgeIndex(doc, 'b.out', 'c.in'), edgeIndex(doc, 'c.out', 'a.h_prev')]);
    expect(e.ports).toEqual(['a.h', 'b.in', 'b.out', 'c.in', 'c.out', 'a.h_prev']);
    expect(e.path).toBe(`$.edges[${edgeIndex(doc, 'a.h', 'b.in')}]`);
  });

  it('reports one actual cycle, not every node of the strongly connected part', () => {
    // a → b → c → a and a → b → c → d → a: the component is {a, b, c, d}.
    const doc = graph(
      [
        ['a', 'rnn', { hidden: 4 }],
        ['b', 'linear', { size: 4 }],
        ['c', 'linear', { size: 4 }],
        ['d', 'linear', { size: 4 }],
      ],
      [
        ['a.h', 'b.in'],
        ['b.out', 'c.in'],
        ['c.out', 'd.in'],
        ['d.out', 'a.x'],
        ['c.out', 'a.h_prev'],
      ],
    );
    const a = analyzeGraph(doc, { purpose: 'inference' });
    expect(a.errors.map((e) => [e.code, e.nodes])).toEqual([['E202', ['a', 'b', 'c']]]);
  });

  it('reports a node wired to itself', () => {
    const doc = graph(
      [
        ['x', 'input', { kind: 'vector', size: 4 }],
        ['g', 'rnn', { hidden: 4 }],
      ],
      [
        ['x.out', 'g.x'],
        ['g.h', 'g.h_prev'],
      ],
    );
    const e = analyzeGraph(doc, { purpose: 'inference' }).errors;
    expect(e.map((x) => [x.code, x.nodes, x.message.split(':')[0]])).toEqual([['E202', ['g'], 'g → g']]);
  });

  it('reports a cycle through a delay’s init port (only `in` is recurrent)', () => {
    const doc = edit(fixture('elman'), (d) => {
      d.edges.push({ from: 'z.out', to: 'z.init' });
    });
    const e = analyzeGraph(doc).errors;
    expect(e.map((x) => [x.code, x.nodes])).toEqual([['E202', ['z']]]);
  });

  it('says that a delay’s init port does not break a cycle, and to wire its in port instead', () => {
    // g.h reaches z at init rather than in: g → z → g closes within one step.
    const doc = edit(fixture('elman'), (d) => {
      d.edges[edgeIndex(d as typeof doc, 'g.h', 'z.in')]!.to = 'z.init';
      d.nodes.push({ id: 'c', type: 'linear', params: { size: 16 } });
      d.edges.push({ from: 'g.h', to: 'c.in' }, { from: 'c.out', to: 'z.in' });
    });
    const e = analyzeGraph(doc).errors;
    expect(e.map((x) => [x.code, x.nodes])).toEqual([['E202', ['g', 'z']]]);
    expect(e[0]!.message).toContain("passes through z.init, but a delay's init port does not break a cycle (only its in port does): wire g.h to z.in instead");
    expect(e[0]!.message).not.toContain('put a delay on one of its edges');
  });

  it('accepts the cycle once a delay sits on it, listing the delay edge as recurrent', () => {
    const doc = edit(fixture('cycle'), (d) => {
      d.nodes.push({ id: 'z', type: 'delay' });
      d.edges[edgeIndex(d as typeof doc, 'c.out', 'a.h_prev')] = { from: 'z.out', to: 'a.h_prev' };
      d.edges.push({ from: 'c.out', to: 'z.in' });
    });
    const a = analyzeGraph(doc);
    expect(a.errors).toEqual([]);
    expect(a.recurrentEdges).toEqual([doc.edges.length - 1]);
  });

  it('reports separate cycles separately and skips what they feed', () => {
    const nodes: NodeSpec[] = [];
    const edges: EdgeSpec[] = [];
    for (const p of ['p', 'q']) {
      nodes.push([`${p}1`, 'rnn', { hidden: 2 }], [`${p}2`, 'linear', { size: 2 }]);
      edges.push([`${p}1.h`, `${p}2.in`], [`${p}2.out`, `${p}1.h_prev`], [`${p}2.out`, `${p}1.x`]);
    }
    nodes.push(['after', 'linear', { size: 2 }]);
    edges.push(['q2.out', 'after.in']);
    const a = analyzeGraph(graph(nodes, edges), { purpose: 'inference' });
    expect(a.errors.map((e) => [e.code, e.nodes])).toEqual([
      ['E202', ['p1', 'p2']],
      ['E202', ['q1', 'q2']],
    ]);
  });

  it('handles a 10,000-node cycle without recursion', () => {
    const n = 10_000;
    const nodes: NodeSpec[] = Array.from({ length: n }, (_, i) => [`n${i}`, 'linear', { size: 2 }] as const);
    const edges: EdgeSpec[] = Array.from({ length: n }, (_, i) => [`n${i}.out`, `n${(i + 1) % n}.in`] as const);
    const a = analyzeGraph(graph(nodes, edges), { purpose: 'inference' });
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.nodes).toEqual(nodes.map((x) => x[0]));
    expect(a.order).toHaveLength(n);
  });

  it('validates a 10,000-node chain inside a loop', () => {
    const n = 10_000;
    const nodes: NodeSpec[] = [['x', 'input', { kind: 'vector', size: 2 }]];
    const edges: EdgeSpec[] = [['x.out', 'n0.in']];
    for (let i = 0; i < n; i++) nodes.push([`n${i}`, 'linear', { size: 2 }]);
    for (let i = 1; i < n; i++) edges.push([`n${i - 1}.out`, `n${i}.in`]);
    // Document order reversed: the order must still follow the wires.
    const a = analyzeGraph(graph([nodes[0]!, ...nodes.slice(1).reverse()], edges), { purpose: 'inference' });
    expect(a.errors).toEqual([]);
    expect(a.order).toEqual(['x', ...nodes.slice(1).map((x) => x[0])]);
    expect(a.edgeTypes.every((t) => t !== undefined)).toBe(true);
  });
});

describe('cycles that leave a loop (E212, not E202)', () => {
  it('reports a loop reading, from outside, its own last value once, as E212', () => {
    const doc = graph(
      [
        ['x', 'input', { kind: 'vector', size: 4 }],
        ['a', 'add', {}, 'A'],
        ['o', 'linear', { size: 4 }],
      ],
      [
        ['x.out', 'a.a'],
        ['a.out', 'o.in', 'last'],
        ['o.out', 'a.b'],
      ],
      [{ id: 'A', over: 'x' }],
    );
    const a = analyzeGraph(doc, { purpose: 'inference' });
    expect(a.errors.map((e) => e.code)).toEqual(['E212']);
    const e = a.errors[0]!;
    expect(e.message).toContain('loop A depends on its own result: loop A → o → loop A (through a.out → o.in, o.out → a.b)');
    expect(e.message).not.toContain('put a delay');
    expect(e).toMatchObject({ path: '$.loops[0]', nodes: ['a', 'o'], edges: [1, 2] });
  });

  it('reports a delay started from a later loop once, as E212, saying when init is read', () => {
    const doc = graph(
      [
        ['x', 'input', { kind: 'vector', size: 3 }],
        ['g', 'rnn', { hidden: 4 }, 'A'],
        ['d', 'delay', {}, 'A'],
        ['b', 'linear', { size: 4 }, 'B'],
      ],
      [
        ['x.out', 'g.x'],
        ['d.out', 'g.h_prev'],
        ['g.h', 'd.in'],
        ['g.h', 'b.in'],
        ['b.out', 'd.init', 'last'],
      ],
      [
        { id: 'A', over: 'x' },
        { id: 'B', over: 'x' },
      ],
    );
    const a = analyzeGraph(doc, { purpose: 'inference' });
    expect(a.errors.map((e) => e.code)).toEqual(['E212']);
    const e = a.errors[0]!;
    expect(e.message).toContain('loops A, B depend on each other: loop A → loop B → loop A (through g.h → b.in, b.out → d.init)');
    expect(e.message).toContain('d.init is read before the first step of its loop');
  });
});
