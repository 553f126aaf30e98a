/**
 * Where each input port of each unrolled copy gets its value: a copy of the same step, the
 * previous step (a delay's `in`), a delay's initial state, a slice of a sequence, a loop's last
 * copy (take "last") or the stack of all its copies (take "all").
 */
import { splitEndpoint, type Take } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { UnrolledSource, WeightRef } from './types.ts';

interface Wire {
  readonly index: number;
  readonly from: string;
  readonly fromPort: string;
  readonly toPort: string;
  readonly take: Take | undefined;
}

/** `nodeId@t`: the copy of a looped node at processing step t. */
export const copyKey = (node: string, step: number): string => `${node}@${step}`;

/** Loop geometry the resolver needs. */
export interface LoopShape {
  readonly length: number;
  readonly reverse: boolean;
}

/** Step ↔ position: a reverse loop's first step works on the last position. */
export const positionOf = (l: LoopShape, step: number): number => (l.reverse ? l.length - 1 - step : step);
export const stepOf = positionOf; // the mapping is its own inverse

/** Resolves the input sources of node copies for one unrolling (fixed lengths). */
export class SourceResolver {
  private readonly wiresInto = new Map<string, Wire[]>();
  private readonly recurrent: ReadonlySet<number>;
  /** One stack per edge, shared by every copy that reads it (it can be long). */
  private readonly stacks = new Map<number, UnrolledSource>();

  constructor(
    private readonly a: GraphAnalysis,
    private readonly loops: ReadonlyMap<string, LoopShape>,
    private readonly weights: ReadonlyMap<string, WeightRef>,
  ) {
    this.recurrent = new Set(a.recurrentEdges);
    a.doc.edges.forEach((e, index) => {
      const f = splitEndpoint(e.from);
      const t = splitEndpoint(e.to);
      if (f === undefined || t === undefined) return; // impossible in a valid graph
      const list = this.wiresInto.get(t.node) ?? [];
      list.push({ index, from: f.node, fromPort: f.port, toPort: t.port, take: e.take });
      this.wiresInto.set(t.node, list);
    });
  }

  /**
   * Inputs of `node`'s copy at `step` of `loop` (or of the node itself outside loops), by port.
   * A delay's `init` wire is not an input of its copies: its value becomes `in` at step 0.
   */
  inputs(node: string, type: string, loop: string | undefined, step: number): Record<string, UnrolledSource> {
    const entries: [string, UnrolledSource][] = [];
    for (const w of this.wiresInto.get(node) ?? []) {
      if (type === 'delay' && w.toPort === 'init') continue;
      entries.push([w.toPort, this.resolve(w, node, loop, step)]);
    }
    return Object.fromEntries(entries);
  }

  private resolve(w: Wire, node: string, loop: string | undefined, step: number): UnrolledSource {
    if (this.recurrent.has(w.index)) return this.delayIn(w, node, loop, step);
    const from = this.a.nodeLoop.get(w.from);
    if (from !== undefined && from === loop) return { kind: 'node', key: copyKey(w.from, step), port: w.fromPort };
    const delivered = this.a.edgeTypes[w.index];
    const here = loop !== undefined ? this.loops.get(loop) : undefined;
    if (from !== undefined) {
      const src = this.loops.get(from)!;
      if (w.take === 'last') return { kind: 'node', key: copyKey(w.from, src.length - 1), port: w.fromPort };
      // take "all" sliced into a loop over the same axis: the copy at this step's position.
      if (here !== undefined && delivered?.seq === undefined) {
        return { kind: 'node', key: copyKey(w.from, stepOf(src, positionOf(here, step))), port: w.fromPort };
      }
      return this.stack(w, src);
    }
    const produced = this.a.outputTypes.get(`${w.from}.${w.fromPort}`);
    if (here !== undefined && produced?.seq !== undefined && delivered?.seq === undefined) {
      return { kind: 'slice', key: w.from, port: w.fromPort, index: positionOf(here, step) };
    }
    return { kind: 'node', key: w.from, port: w.fromPort };
  }

  /** A delay's `in`: the previous processing step's value; at step 0 its initial state. */
  private delayIn(w: Wire, delay: string, loop: string | undefined, step: number): UnrolledSource {
    if (step > 0) return { kind: 'node', key: copyKey(w.from, step - 1), port: w.fromPort };
    const init = this.wiresInto.get(delay)?.find((x) => x.toPort === 'init');
    if (init !== undefined) return this.resolve(init, delay, loop, 0);
    const params = this.a.params.get(delay) ?? {};
    const kind = params.init === 'learned' || params.init === 'random' ? params.init : 'zeros';
    const size = this.a.outputTypes.get(`${delay}.out`)?.shape[0] ?? 0;
    const weight = kind === 'learned' ? this.weights.get(`${delay}.init`) : undefined;
    return weight !== undefined ? { kind: 'init', init: kind, size, weight } : { kind: 'init', init: kind, size };
  }

  /** Every copy's value along the loop's axis, in position order (a reverse loop's last step first). */
  private stack(w: Wire, src: LoopShape): UnrolledSource {
    let s = this.stacks.get(w.index);
    if (s === undefined) {
      const items = Array.from({ length: src.length }, (_, pos) => ({ key: copyKey(w.from, stepOf(src, pos)), port: w.fromPort }));
      s = { kind: 'stack', items };
      this.stacks.set(w.index, s);
    }
    return s;
  }
}
