/** `share` (weight tying across nodes): what a valid tie resolves to, and each way one is refused. */
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from './validate.ts';

/** ids → e1 (embedding 4) → e2 (embedding, `share` given) → … → decoder `out` [vocab 6] → loss. */
function graph(e2: Record<string, unknown>, out: Record<string, unknown> = {}, extra: GraphDoc['nodes'][number][] = []): GraphDoc {
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'ties',
    nodes: [
      { id: 'x', type: 'input', params: { kind: 'tokens', vocab: 6 } },
      { id: 'y', type: 'target', params: { kind: 'tokens', vocab: 6, align_with: 'x' } },
      { id: 'e1', type: 'encoder', params: { kind: 'embedding', size: 4 } },
      { id: 'e2', type: 'encoder', params: { kind: 'embedding', size: 4, ...e2 } },
      { id: 'sum', type: 'add', params: {} },
      { id: 'out', type: 'decoder', params: { size: 6, ...out } },
      { id: 'loss', type: 'loss', params: { kind: 'cross_entropy' } },
      ...extra,
    ],
    edges: [
      { from: 'x.out', to: 'e1.in' },
      { from: 'x.out', to: 'e2.in' },
      { from: 'e1.out', to: 'sum.a' },
      { from: 'e2.out', to: 'sum.b' },
      { from: 'sum.out', to: 'out.in' },
      { from: 'out.out', to: 'loss.pred' },
      { from: 'y.out', to: 'loss.target' },
    ],
  };
}

const codes = (doc: GraphDoc): string[] => analyzeGraph(doc).errors.map((e) => e.code);

describe('share', () => {
  it('borrows the named node’s weight: stored once, counted once, read by both', () => {
    const a = analyzeGraph(graph({ share: 'e1' }, { share: 'e1', bias: true }));
    expect(a.errors).toEqual([]);
    expect(a.weights.get('e2')).toEqual([]);
    expect(a.weights.get('out')!.map((w) => w.name)).toEqual(['bias']);
    expect(a.shares.get('e2')).toEqual({ weight: 'e1.weight' });
    expect(a.shares.get('out')).toEqual({ weight: 'e1.weight' });
    expect(a.counts.parameters).toBe(6 * 4 + 6);
    expect(analyzeGraph(graph({})).counts.parameters).toBe(3 * 6 * 4 + 6);
  });

  it('E230: naming itself, or a node without that weight', () => {
    const self = analyzeGraph(graph({ share: 'e2' }));
    expect(self.errors.map((e) => e.code)).toEqual(['E230']);
    expect(self.errors[0]!.path).toBe('$.nodes[3].params.share');
    const noWeight = analyzeGraph(graph({ share: 'sum' }));
    expect(noWeight.errors.map((e) => e.code)).toEqual(['E230']);
    expect(noWeight.errors[0]!.message).toContain('sum (add) has no weight weight');
    expect(noWeight.errors[0]!.nodes).toEqual(['e2', 'sum']);
  });

  it('E231: a weight of another shape', () => {
    const wide = graph({ share: 'wide' }, {}, [{ id: 'wide', type: 'encoder', params: { kind: 'embedding', size: 5 } }]);
    const doc = { ...wide, edges: [...wide.edges, { from: 'x.out', to: 'wide.in' }] };
    const r = analyzeGraph(doc);
    expect(r.errors.map((e) => e.code)).toEqual(['E231']);
    expect(r.errors[0]!.message).toContain('wide.weight [6, 5], but its own weight would be [6, 4]');
  });

  it('E232: naming a node that itself borrows (one level deep, so no cycles)', () => {
    expect(codes(graph({ share: 'e1' }, { share: 'e2' }))).toEqual(['E232']);
    const cycle = graph({ share: 'e1' });
    const both = { ...cycle, nodes: cycle.nodes.map((n) => (n.id === 'e1' ? { ...n, params: { ...n.params, share: 'e2' } } : n)) };
    expect(codes(both)).toEqual(['E232', 'E232']);
  });

  it('a share naming no node is the parser’s E117, not a crash here', () => {
    expect(codes(graph({ share: 'nobody' }))).toEqual([]);
  });
});
