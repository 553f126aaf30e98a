/**
 * Test support (not a test file): random graph documents for property tests. They use the
 * blocks input, target, linear, rnn, delay and loss, and cover valid graphs as well as most errors.
 */
import fc from 'fast-check';
import { getBlock } from '../../blocks/registry.ts';
import type { GraphDoc, GraphEdge, GraphLoop, GraphNode } from '../graph/types.ts';

const kinds = ['linear', 'rnn', 'delay', 'loss'] as const;

const nodeArb = fc.record({
  kind: fc.constantFrom(...kinds),
  size: fc.constantFrom(2, 3),
  sized: fc.boolean(),
  loop: fc.integer({ min: 0, max: 3 }),
});

/** Raw material of a random graph; `toDoc` turns it into a document the parser would accept. */
export const rawGraph = fc.record({
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 8 }),
  wires: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 40 }),
  declareLoops: fc.boolean(),
});

export type RawGraph = typeof rawGraph extends fc.Arbitrary<infer T> ? T : never;

/** Wires mostly come from the previous node (so that many graphs are valid), sometimes from anywhere. */
export function toDoc(raw: RawGraph): GraphDoc {
  const loopIds = [undefined, 'A', 'B', 'C'];
  const nodes: GraphNode[] = [
    { id: 'x', type: 'input', params: { kind: 'vector', size: 2 } },
    { id: 'y', type: 'target', params: { kind: 'vector', size: 2, align_with: 'x' } },
  ];
  raw.nodes.forEach((n, i) => {
    const params: Record<string, number | string> =
      n.kind === 'linear' ? { size: n.size } : n.kind === 'rnn' ? { hidden: n.size } : n.kind === 'delay' ? (n.sized ? { size: n.size } : {}) : { kind: 'mse' };
    // Losses and delays mostly where they belong (outside loops, inside one), so that many graphs are valid.
    const k = n.kind === 'loss' ? (n.sized ? 0 : n.loop) : n.kind === 'delay' && !n.sized ? Math.max(1, n.loop) : n.loop;
    const loop = raw.declareLoops ? loopIds[k] : undefined;
    nodes.push({ id: `n${i}`, type: n.kind, params, ...(loop !== undefined ? { loop } : {}) });
  });
  const edges: GraphEdge[] = [];
  let w = 0;
  nodes.forEach((n, i) => {
    for (const port of getBlock(n.type)!.inputs) {
      const [present, pick, take] = raw.wires[w++ % raw.wires.length]!;
      if (present % 16 === 0) continue;
      const src = pick % 4 === 0 ? nodes[pick % nodes.length]! : port.name === 'target' ? nodes[1]! : nodes[Math.max(0, i - 1 - (pick % 2))]!;
      const out = getBlock(src.type)!.outputs[0]!.name;
      // take mostly only where the edge leaves a loop; now and then a stray one.
      const leaves = src.loop !== undefined && src.loop !== n.loop;
      const t = leaves || take % 20 === 0 ? ([undefined, 'last', 'all'] as const)[take % 3] : undefined;
      edges.push({ from: `${src.id}.${out}`, to: `${n.id}.${port.name}`, ...(t !== undefined ? { take: t } : {}) });
    }
  });
  const loops: GraphLoop[] = raw.declareLoops
    ? [
        { id: 'A', over: 'x' },
        { id: 'B', over: 'x', direction: 'reverse' },
        { id: 'C', steps: 2 },
      ]
    : [];
  return { format: 'unroll-graph', version: 1, name: 'random', nodes, edges, ...(raw.declareLoops ? { loops } : {}) };
}

/** Random graph documents. */
export const graphDoc: fc.Arbitrary<GraphDoc> = rawGraph.map(toDoc);
