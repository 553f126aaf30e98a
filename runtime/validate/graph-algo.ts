/**
 * Plain graph algorithms over integer-numbered vertices. All iterative: graphs reach 10,000 nodes
 * and 40,000 edges, deeper than the call stack allows for recursion.
 */

/** One arc of a digraph: to vertex `to`, drawn from document edge `edge`. */
export interface Arc {
  readonly to: number;
  readonly edge: number;
}

/** A digraph: `succ[v]` lists v's outgoing arcs (document order gives deterministic results). */
export type Succ = readonly (readonly Arc[])[];

/**
 * Strongly connected components (Tarjan, with an explicit stack).
 * `comp[v]` is v's component number; components are numbered in reverse topological order.
 */
export function stronglyConnected(succ: Succ): { readonly comp: Int32Array; readonly count: number } {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const next = new Int32Array(n); // next arc to look at, per vertex on the call stack
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const calls: number[] = [];
  let counter = 0;
  let count = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    calls.push(v);
  };
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    visit(root);
    while (calls.length > 0) {
      const v = calls[calls.length - 1]!;
      const arcs = succ[v]!;
      if (next[v]! < arcs.length) {
        const w = arcs[next[v]!++]!.to;
        if (index[w] === -1) visit(w);
        else if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      calls.pop();
      const parent = calls[calls.length - 1];
      if (parent !== undefined && low[v]! < low[parent]!) low[parent] = low[v]!;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = count;
        } while (w !== v);
        count++;
      }
    }
  }
  return { comp, count };
}

/** Whether vertex v sits on a cycle: its component has another vertex, or v has an arc to itself. */
export function onCycle(succ: Succ, comp: Int32Array, sizes: Int32Array, v: number): boolean {
  return sizes[comp[v]!]! > 1 || succ[v]!.some((a) => a.to === v);
}

/** Size of every component. */
export function componentSizes(comp: Int32Array, count: number): Int32Array {
  const sizes = new Int32Array(count);
  for (const c of comp) sizes[c]!++;
  return sizes;
}

/**
 * A shortest cycle through `start` that stays inside start's component (breadth-first search).
 * Returns the vertices in cycle order beginning with `start` (the closing return to `start` is not
 * repeated) and the arc's edge for each hop, or undefined when start lies on no cycle.
 */
export function shortestCycleThrough(
  succ: Succ,
  comp: Int32Array,
  start: number,
): { readonly vertices: readonly number[]; readonly edges: readonly number[] } | undefined {
  const c = comp[start];
  const parent = new Map<number, { from: number; edge: number }>();
  const queue: number[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const arc of succ[v]!) {
      if (comp[arc.to] !== c) continue;
      if (arc.to === start) {
        // Walk parents back from v to start, then close the cycle with this arc.
        const vertices: number[] = [];
        const edges: number[] = [arc.edge];
        let u = v;
        while (u !== start) {
          vertices.push(u);
          const p = parent.get(u)!;
          edges.push(p.edge);
          u = p.from;
        }
        vertices.push(start);
        return { vertices: vertices.reverse(), edges: edges.reverse() };
      }
      if (!parent.has(arc.to) && arc.to !== start) {
        parent.set(arc.to, { from: v, edge: arc.edge });
        queue.push(arc.to);
      }
    }
  }
  return undefined;
}

/** A binary min-heap of integers. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * A topological order (Kahn) that always takes the smallest ready vertex, so that vertex numbers
 * (chosen to follow document order) break ties. Vertices on cycles cannot be ordered; they are
 * appended in increasing order so that every vertex appears exactly once.
 */
export function smallestFirstTopoOrder(succ: Succ): { readonly order: readonly number[]; readonly complete: boolean } {
  const n = succ.length;
  const indegree = new Int32Array(n);
  for (const arcs of succ) for (const a of arcs) indegree[a.to]!++;
  const heap = new MinHeap();
  for (let v = 0; v < n; v++) if (indegree[v] === 0) heap.push(v);
  const order: number[] = [];
  const placed = new Uint8Array(n);
  while (heap.size > 0) {
    const v = heap.pop()!;
    order.push(v);
    placed[v] = 1;
    for (const a of succ[v]!) if (--indegree[a.to]! === 0) heap.push(a.to);
  }
  const complete = order.length === n;
  for (let v = 0; v < n && !complete; v++) if (placed[v] === 0) order.push(v);
  return { order, complete };
}
