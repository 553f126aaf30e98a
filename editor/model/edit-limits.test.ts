// Regression tests: every edit keeps the graph within LIMITS (runtime/graph/types.ts), the limits parseGraph enforces
// (10,000 nodes, 1,000 loops, 40,000 edges). The editor once built graphs its own loader refused: Save gave a file
// that could not be opened, and the autosaved draft was replaced by the example on reload. An edit past a limit is
// now refused with an EditError naming the limit (the store shows it as a notice).
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../runtime/graph/parse.ts';
import { serializeGraph } from '../../runtime/graph/serialize.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, LIMITS, type GraphDoc, type GraphNode } from '../../runtime/graph/types.ts';
import type { Fragment } from './changes.ts';
import { edit, startHistory, type History } from './history.ts';

const empty: GraphDoc = { format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION, name: 'big', nodes: [], edges: [] };
const start = (doc: GraphDoc = empty): History => startHistory(doc, { kind: 'new', name: 'untitled' });
const tanhs = (n: number, prefix = 'n'): GraphNode[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, type: 'tanh', position: { x: i, y: 0 } }));

/** The document still parses. */
function expectParses(h: History): void {
  const parsed = parseGraph(serializeGraph(h.doc));
  expect(parsed.ok ? 'parses' : parsed.errors[0]!.message).toBe('parses');
}

describe('edits respect the file limits', () => {
  it(`a paste that would take the graph past ${LIMITS.nodes} nodes is refused, naming the limit`, () => {
    const half = Math.ceil((LIMITS.nodes + 1) / 2);
    const fragment: Fragment = { nodes: tanhs(half), edges: [], loops: [] };
    const first = edit(start(), { type: 'paste', fragment, offset: { x: 0, y: 0 } });
    if (!first.ok) throw new Error(first.error);
    expectParses(first.history);
    const second = edit(first.history, { type: 'paste', fragment, offset: { x: 0, y: 0 } });
    expect(second.ok).toBe(false);
    expect(second.ok ? '' : second.error).toMatch(/at most 10,000 nodes/);
  });

  it('addNode stops at the node limit, and the graph at the limit still parses', () => {
    const full = { ...empty, nodes: tanhs(LIMITS.nodes) };
    expectParses(start(full));
    const r = edit(start(full), { type: 'addNode', node: { id: 'one_more', type: 'tanh' } });
    expect(r.ok ? '' : r.error).toMatch(/at most 10,000 nodes; this would make 10,001/);
    // One below the limit: the node is added.
    expect(edit(start({ ...empty, nodes: tanhs(LIMITS.nodes - 1) }), { type: 'addNode', node: { id: 'last', type: 'tanh' } }).ok).toBe(true);
  });

  it(`adding loops stops at ${LIMITS.loops}`, () => {
    let h = start();
    let refused: string | undefined;
    for (let i = 0; i <= LIMITS.loops; i++) {
      const r = edit(h, { type: 'addLoop', loop: { id: `t${i}`, steps: 3 } });
      if (!r.ok) {
        refused = r.error;
        break;
      }
      h = r.history;
    }
    expect(h.doc.loops?.length).toBe(LIMITS.loops);
    expect(refused).toMatch(/at most 1,000 loops/);
    expectParses(h);
  });

  it('a duplicate (a paste of the selection) and a batch are checked too', () => {
    const full = start({ ...empty, nodes: tanhs(LIMITS.nodes) });
    const dup = edit(full, { type: 'paste', fragment: { nodes: tanhs(1), edges: [], loops: [] }, offset: { x: 40, y: 40 } }, undefined, 'duplicate');
    expect(dup.ok).toBe(false);
    const batch = edit(full, { type: 'batch', label: 'add x', changes: [{ type: 'addNode', node: { id: 'x', type: 'tanh' } }] });
    expect(batch.ok ? '' : batch.error).toMatch(/nodes/);
  });

  it(`a wire past ${LIMITS.edges} edges is refused`, () => {
    // Each input takes one wire, so valid graphs stay far below the edge limit; the check is there all the same.
    const filler = Array.from({ length: LIMITS.edges }, (_, i) => ({ from: `a${i}.out`, to: `b${i}.in` }));
    const h = start({ ...empty, nodes: tanhs(2), edges: filler });
    const r = edit(h, { type: 'connect', from: 'n0.out', to: 'n1.in' });
    expect(r.ok ? '' : r.error).toMatch(/at most 40,000 edges/);
  });
});
