import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { componentSizes, shortestCycleThrough, smallestFirstTopoOrder, stronglyConnected, type Arc } from './graph-algo.ts';

/** A digraph from `[from, to]` pairs over n vertices; the arc's edge is its pair index. */
function digraph(n: number, pairs: readonly (readonly [number, number])[]): Arc[][] {
  const succ: Arc[][] = Array.from({ length: n }, () => []);
  pairs.forEach(([a, b], edge) => succ[a]!.push({ to: b, edge }));
  return succ;
}

/** Whether `to` can be reached from `from` (reference implementation for the property). */
function reaches(succ: Arc[][], from: number, to: number): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    for (const a of succ[stack.pop()!]!) {
      if (a.to === to) return true;
      if (!seen.has(a.to)) {
        seen.add(a.to);
        stack.push(a.to);
      }
    }
  }
  return false;
}

const graphs = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 30 })),
);

describe('graph algorithms', () => {
  it('strongly connected components agree with mutual reachability', () => {
    fc.assert(
      fc.property(graphs, ([n, pairs]) => {
        const succ = digraph(n, pairs);
        const { comp } = stronglyConnected(succ);
        for (let u = 0; u < n; u++) {
          for (let v = 0; v < n; v++) {
            if (u === v) continue;
            expect(comp[u] === comp[v]).toBe(reaches(succ, u, v) && reaches(succ, v, u));
          }
        }
      }),
    );
  });

  it('finds a real, shortest-length cycle through a vertex that lies on one', () => {
    fc.assert(
      fc.property(graphs, ([n, pairs]) => {
        const succ = digraph(n, pairs);
        const { comp } = stronglyConnected(succ);
        for (let s = 0; s < n; s++) {
          const cycle = shortestCycleThrough(succ, comp, s);
          expect(cycle !== undefined).toBe(reaches(succ, s, s));
          if (cycle === undefined) continue;
          expect(cycle.vertices[0]).toBe(s);
          expect(new Set(cycle.vertices).size).toBe(cycle.vertices.length);
          cycle.edges.forEach((edge, i) => {
            expect(pairs[edge]).toEqual([cycle.vertices[i], cycle.vertices[(i + 1) % cycle.vertices.length]]);
          });
        }
      }),
    );
  });

  it('orders an acyclic graph topologically, smallest ready vertex first', () => {
    const succ = digraph(5, [
      [3, 1],
      [4, 0],
      [2, 1],
    ]);
    expect(smallestFirstTopoOrder(succ)).toEqual({ order: [2, 3, 1, 4, 0], complete: true });
  });

  it('appends vertices on cycles so every vertex appears once', () => {
    const succ = digraph(4, [
      [1, 2],
      [2, 1],
      [0, 3],
    ]);
    expect(smallestFirstTopoOrder(succ)).toEqual({ order: [0, 3, 1, 2], complete: false });
    const { comp, count } = stronglyConnected(succ);
    expect([...componentSizes(comp, count)].sort()).toEqual([1, 1, 2]);
  });

  it('handles a 100,000-vertex path without recursion', () => {
    const n = 100_000;
    const succ = digraph(
      n,
      Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as const),
    );
    const { count } = stronglyConnected(succ);
    expect(count).toBe(1);
    expect(shortestCycleThrough(succ, stronglyConnected(succ).comp, 0)!.vertices).toHaveLength(n);
  });
});
