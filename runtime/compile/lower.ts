/**
 * Lowering: an unrolled DAG becomes one op graph. Every node copy runs its block's forward on one
 * shared OpBuilder; every copy refers to the same weight symbol, so the planner's gradients from
 * every step add into one weight. Padding (variable-length batches), truncated BPTT and the loss's
 * `at: last` are written out here in primitive ops, so the planner and kernels never see them.
 */
import { OpBuilder, type Sym } from '../../blocks/ops.ts';
import { getBlock } from '../../blocks/registry.ts';
import type { AnyBlockDef, ValueType } from '../../blocks/types.ts';
import { splitEndpoint, type GraphEdge } from '../graph/types.ts';
import type { UnrolledGraph, UnrolledNode, UnrolledSource } from '../unroll/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { dedupeOps } from './dedupe.ts';
import { lowerComposite } from './lower-composite.ts';
import { fusedCell } from './lower-cells.ts';
import { lowerLoss } from './lower-loss.ts';
import type { CellLowering, Feed, GateTrace, LoweredGraph, PredictionTrace, StateTrace } from './types.ts';
import { progress } from '../progress.ts';

export interface LowerOptions {
  /** How lstm and gru cells are written (default `fused`). */
  readonly cells?: CellLowering;
  /** Time axes whose batches may be padded: delays in reverse loops hold their state over padding,
   *  `take: last` and the loss's `last` pick each example's last real step, means count real steps. */
  readonly masked?: ReadonlySet<string>;
  /** Truncated BPTT: no gradient flows through a delay into steps before a multiple of this (0: full). */
  readonly truncate?: number;
  /**
   * Generate: a decoder input (an input with `feedback`) reads its data only at step 0 (the start
   * token); at step t > 0 it carries the argmax of its feedback node's prediction at step t − 1
   * (for a vector input, the prediction itself). Without it, the input is fed (teacher forcing).
   */
  readonly generate?: boolean;
}

const SOURCE_TYPES = new Set(['input', 'target']);

/** Shared state of one lowering; the helpers in this folder use it to emit ops and feeds. */
export class Lowering {
  readonly g = new OpBuilder();
  readonly feeds: Feed[] = [];
  readonly outputs = new Map<string, number>();
  readonly weightSyms = new Map<string, Sym>();
  readonly losses: number[] = [];
  readonly detached = new Set<number>();
  readonly predictions: PredictionTrace[] = [];
  readonly gates = new Map<string, { node: string; cell: GateTrace['cell']; name?: string; syms: number[] }>();
  private readonly feedCache = new Map<string, Sym>();
  /** Values built once and read at many steps: stacks, masks, last-step selections. */
  private readonly stacks = new Map<UnrolledSource, Sym>();
  private readonly shared = new Map<string, Sym>();
  private readonly edgeInto = new Map<string, GraphEdge>();
  /** Index of the edge into each `"node.port"`, for its validated type. */
  private readonly edgeIndexInto = new Map<string, number>();
  private readonly unrolledByKey = new Map<string, UnrolledNode>();

  constructor(
    readonly analysis: GraphAnalysis,
    readonly unrolled: UnrolledGraph,
    readonly options: Required<LowerOptions>,
  ) {
    analysis.doc.edges.forEach((e, i) => {
      this.edgeInto.set(e.to, e);
      this.edgeIndexInto.set(e.to, i);
    });
    for (const n of unrolled.nodes) this.unrolledByKey.set(n.key, n);
  }

  /** The symbol of an output port of a node copy lowered earlier. */
  sym(key: string, port: string): Sym {
    const id = this.outputs.get(`${key}.${port}`);
    if (id === undefined) throw new Error(`lowering: ${key}.${port} used before it was computed`);
    return this.g.nodes[id]!;
  }

  /** Data of source `node`: at `position`, its whole sequence (`'whole'`), or its one value (`'single'`). */
  data(node: string, at: number | 'whole' | 'single'): Sym {
    const cacheKey = `data:${node}@${at}`;
    const hit = this.feedCache.get(cacheKey);
    if (hit !== undefined) return hit;
    const generated = this.generated(node, at);
    if (generated !== undefined) {
      this.feedCache.set(cacheKey, generated);
      return generated;
    }
    const t = this.analysis.outputTypes.get(`${node}.out`);
    if (t === undefined) throw new Error(`lowering: source ${node} has no type`);
    const length = t.seq !== undefined ? this.unrolled.lengths[t.seq] : undefined;
    const shape = at === 'whole' ? [length ?? 0, ...t.shape] : t.shape;
    const s = this.g.input(at === 'single' ? `data:${node}` : `data:${node}@${at}`, shape, t.dtype);
    this.feeds.push({ sym: s.id, kind: 'data', node, ...(typeof at === 'number' ? { position: at } : at === 'whole' ? { whole: true } : {}) });
    this.feedCache.set(cacheKey, s);
    return s;
  }

  /** When generating, a decoder input after step 0: its feedback node's prediction of the step before. */
  private generated(node: string, at: number | 'whole' | 'single'): Sym | undefined {
    if (!this.options.generate) return undefined;
    const feedback = this.analysis.params.get(node)?.feedback;
    if (typeof feedback !== 'string') return undefined;
    if (typeof at !== 'number') throw new Error(`lowering: decoder input ${node} is read as a whole sequence, which generation cannot give`);
    // Steps are processing order: a loop running in reverse reads the last position first.
    const loop = this.unrolled.loops.find((l) => l.id === this.loopOf(feedback));
    const step = loop?.direction === 'reverse' ? loop.length - 1 - at : at;
    if (step === 0) return undefined;
    const type = this.unrolledByKey.get(`${feedback}@${step - 1}`)?.type;
    const port = type !== undefined ? getBlock(type)?.outputs[0]?.name : undefined;
    if (port === undefined) throw new Error(`lowering: feedback node ${feedback} of ${node} has no copy at step ${step - 1}`);
    const prediction = this.sym(`${feedback}@${step - 1}`, port);
    return this.analysis.outputTypes.get(`${node}.out`)?.dtype === 'int' ? this.g.argmax(prediction) : prediction;
  }

  /** A per-example scalar feed along `axis` (`mask`, `last` at a position, or `invlen`). */
  axisFeed(kind: 'mask' | 'last' | 'invlen', axis: string, position?: number): Sym {
    const cacheKey = `${kind}:${axis}@${position ?? ''}`;
    const hit = this.feedCache.get(cacheKey);
    if (hit !== undefined) return hit;
    const s = this.g.input(cacheKey, []);
    this.feeds.push({ sym: s.id, kind, axis, ...(position !== undefined ? { position } : {}) });
    this.feedCache.set(cacheKey, s);
    return s;
  }

  /** A batched state of `size` zeros, or random values drawn per batch. */
  stateFeed(kind: 'zeros' | 'random', size: number, owner: string): Sym {
    const cacheKey = `${kind}:${size}:${kind === 'random' ? owner : ''}`;
    const hit = this.feedCache.get(cacheKey);
    if (hit !== undefined) return hit;
    const s = this.g.input(cacheKey, [size]);
    this.feeds.push({ sym: s.id, kind, node: owner });
    this.feedCache.set(cacheKey, s);
    return s;
  }

  weight(key: string, shape: readonly number[]): Sym {
    let w = this.weightSyms.get(key);
    if (w === undefined) {
      w = this.g.weight(key, shape);
      this.weightSyms.set(key, w);
    }
    return w;
  }

  /** An identity whose gradient is cut (truncated BPTT). */
  detach(x: Sym): Sym {
    const d = this.g.scale(x, 1);
    this.detached.add(d.id);
    return d;
  }

  /** Σ_t last_t ⊙ x_t: each example's value at its last real position along `axis`. */
  selectLast(axis: string, byPosition: readonly Sym[]): Sym {
    let acc: Sym | undefined;
    byPosition.forEach((x, p) => {
      const term = this.g.mul(this.axisFeed('last', axis, p), x);
      acc = acc === undefined ? term : this.g.add(acc, term);
    });
    if (acc === undefined) throw new Error('lowering: selectLast of an empty sequence');
    return acc;
  }

  /** The source node (input or target) a wire comes straight from, if it does. */
  sourceNode(src: UnrolledSource): string | undefined {
    if (src.kind !== 'node' && src.kind !== 'slice') return undefined;
    const from = this.unrolledByKey.get(src.key);
    return from !== undefined && SOURCE_TYPES.has(from.type) ? from.node : undefined;
  }

  /** The type the wire into `node.port` delivers. */
  delivered(node: string, port: string): ValueType | undefined {
    const i = this.edgeIndexInto.get(`${node}.${port}`);
    return i !== undefined ? this.analysis.edgeTypes[i] : undefined;
  }

  loopOf(node: string): string | undefined {
    return this.analysis.nodeLoop.get(node);
  }

  /** The symbol an input port of copy `u` reads. */
  resolve(u: UnrolledNode, port: string, src: UnrolledSource): Sym {
    switch (src.kind) {
      case 'node': {
        const from = this.unrolledByKey.get(src.key);
        if (from !== undefined && SOURCE_TYPES.has(from.type)) {
          const t = this.analysis.outputTypes.get(`${from.node}.${src.port}`);
          return this.data(from.node, t?.seq !== undefined ? 'whole' : 'single');
        }
        const last = this.maskedLast(u, port, from);
        if (last !== undefined) return last;
        return this.sym(src.key, src.port);
      }
      case 'slice': {
        const from = this.unrolledByKey.get(src.key);
        if (from !== undefined && SOURCE_TYPES.has(from.type)) return this.data(from.node, src.index);
        return this.g.index(this.sym(src.key, src.port), src.index, 0);
      }
      case 'stack': {
        // One stack per edge, however many step copies read it (attention reads it at every step).
        const hit = this.stacks.get(src);
        if (hit !== undefined) return hit;
        const s = this.g.stack(src.items.map((it) => this.resolve(u, port, { kind: 'node', key: it.key, port: it.port })));
        this.stacks.set(src, s);
        return s;
      }
      case 'init': {
        if (src.init === 'learned' && src.weight !== undefined) {
          // A learned first state is one vector for every example: broadcast it onto the batch.
          return this.g.add(this.stateFeed('zeros', src.size, u.node), this.weight(src.weight.key, src.weight.shape));
        }
        return this.stateFeed(src.init === 'random' ? 'random' : 'zeros', src.size, u.node);
      }
    }
  }

  /** `take: last` from a forward loop over a padded axis reads each example's last real step. */
  private maskedLast(u: UnrolledNode, port: string, from: UnrolledNode | undefined): Sym | undefined {
    if (from?.loop === undefined || from.loop === u.loop) return undefined;
    // A delay's value from another loop arrives through its init port (the unroller calls it `in`).
    const edge = this.edgeInto.get(u.type === 'delay' ? `${u.node}.init` : `${u.node}.${port}`);
    if (edge?.take !== 'last') return undefined;
    const loop = this.analysis.loops.get(from.loop);
    if (loop === undefined || loop.direction !== 'forward' || !this.options.masked.has(loop.axis)) return undefined;
    const endpoint = splitEndpoint(edge.from);
    if (endpoint === undefined) return undefined;
    return this.once(`last:${edge.from}`, () => {
      const length = this.unrolled.loops.find((l) => l.id === from.loop)?.length ?? 0;
      const steps = Array.from({ length }, (_, t) => this.sym(`${endpoint.node}@${t}`, endpoint.port));
      return this.selectLast(loop.axis, steps);
    });
  }

  /** `make()` the first time `key` is asked for, the same symbol after. */
  once(key: string, make: () => Sym): Sym {
    let s = this.shared.get(key);
    if (s === undefined) {
      s = make();
      this.shared.set(key, s);
    }
    return s;
  }
}

/**
 * Lower `unrolled` (an unrolling of `analysis`) to one op graph. Sources become feeds, delays
 * pass their previous step's value (held over padding in reverse loops, detached at truncation
 * boundaries), losses become per-example scalars, and gated cells are fused unless told otherwise.
 */
export function lowerGraph(analysis: GraphAnalysis, unrolled: UnrolledGraph, options: LowerOptions = {}): LoweredGraph {
  const L = new Lowering(analysis, unrolled, {
    cells: options.cells ?? 'fused',
    masked: options.masked ?? new Set(),
    truncate: options.truncate ?? 0,
    generate: options.generate ?? false,
  });
  for (const u of unrolled.nodes) {
    progress();
    if (SOURCE_TYPES.has(u.type)) continue; // fed on demand by their consumers
    const def = getBlock(u.type);
    if (def === undefined) throw new Error(`lowering: unknown block type ${u.type}`);
    const params = analysis.params.get(u.node) ?? {};
    if (u.type === 'delay') lowerDelay(L, u);
    else if (u.type === 'loss') lowerLoss(L, u, params);
    else lowerBlock(L, u, def, params);
  }
  return dedupeOps({
    ops: L.g.nodes,
    feeds: L.feeds,
    weights: new Map([...L.weightSyms].map(([k, s]) => [k, s.id])),
    losses: L.losses,
    detached: L.detached,
    predictions: L.predictions,
    states: stateTraces(L),
    gates: [...L.gates.values()].map((t) => ({ node: t.node, cell: t.cell, ...(t.name !== undefined ? { name: t.name } : {}), syms: t.syms })),
    outputs: L.outputs,
  });
}

function lowerBlock(L: Lowering, u: UnrolledNode, def: AnyBlockDef, params: Readonly<Record<string, unknown>>): void {
  const ins: Record<string, Sym> = {};
  for (const [port, src] of Object.entries(u.inputs)) ins[port] = L.resolve(u, port, src);
  const w: Record<string, Sym> = {};
  for (const [name, ref] of Object.entries(u.weights)) w[name] = L.weight(ref.key, ref.shape);
  let outs: Readonly<Record<string, Sym>>;
  const fused = L.options.cells === 'fused' ? fusedCell(L.g, u.type, ins, w, params) : undefined;
  if (fused !== undefined) {
    outs = fused.outputs;
    traceGate(L, u.node, u.type === 'lstm' ? 'lstm' : 'gru', fused.cellOp);
  } else if (L.options.cells === 'composite' && def.composite !== undefined) {
    const types = Object.fromEntries(Object.entries(ins).map(([p, s]) => [p, { dtype: s.dtype, shape: s.shape }]));
    outs = lowerComposite(L.g, def.composite(types, params), ins, w);
  } else {
    const before = L.g.nodes.length;
    outs = def.forward(L.g, ins, w, params, sequenceMasks(L, u));
    // A cell written in primitive ops still reports its gates: its sigmoids, in gate order.
    const names = GATE_NAMES[u.type];
    const sigmoids = L.g.nodes.slice(before).filter((n) => n.op === 'sigmoid');
    if (names !== undefined && sigmoids.length === names.length) sigmoids.forEach((s, k) => traceGate(L, u.node, 'gate', s.id, names[k]));
  }
  if (u.type === 'gate' && outs.out !== undefined) traceGate(L, u.node, 'gate', outs.out.id);
  for (const [port, s] of Object.entries(outs)) L.outputs.set(`${u.key}.${port}`, s.id);
}

/** Masks of the whole-sequence inputs of `u` whose time axis is padded (attention keys, a memory's story). */
function sequenceMasks(L: Lowering, u: UnrolledNode): Record<string, Sym> | undefined {
  let masks: Record<string, Sym> | undefined;
  for (const port of Object.keys(u.inputs)) {
    const axis = L.delivered(u.node, port)?.seq;
    if (axis === undefined || !L.options.masked.has(axis)) continue;
    const length = L.unrolled.lengths[axis] ?? 0;
    masks ??= {};
    masks[port] = L.once(`masks:${axis}`, () => L.g.stack(Array.from({ length }, (_, p) => L.axisFeed('mask', axis, p))));
  }
  return masks;
}

/** The sigmoid gates of the cells, in the order their forward creates them. */
const GATE_NAMES: Readonly<Record<string, readonly string[]>> = { lstm: ['input', 'forget', 'output'], gru: ['reset', 'update'] };

function traceGate(L: Lowering, node: string, cell: GateTrace['cell'], sym: number, name?: string): void {
  const key = `${node}|${name ?? ''}`;
  const t = L.gates.get(key) ?? { node, cell, ...(name !== undefined ? { name } : {}), syms: [] };
  t.syms.push(sym);
  L.gates.set(key, t);
}

/**
 * A delay at step t passes its input's value from step t − 1 (or its first state at t = 0).
 * Over padding in a reverse loop (processed before the real steps) it keeps its state, so each
 * example starts from the first state at its own last position.
 */
function lowerDelay(L: Lowering, u: UnrolledNode): void {
  const src = u.inputs.in;
  if (src === undefined) throw new Error(`lowering: delay ${u.key} has no input`);
  let value = L.resolve(u, 'in', src);
  const step = u.step ?? 0;
  const loop = u.loop !== undefined ? L.analysis.loops.get(u.loop) : undefined;
  if (step > 0 && loop !== undefined && loop.direction === 'reverse' && L.options.masked.has(loop.axis)) {
    const length = L.unrolled.loops.find((l) => l.id === loop.id)?.length ?? 0;
    const prev = L.sym(`${u.node}@${step - 1}`, 'out');
    const m = L.axisFeed('mask', loop.axis, length - step); // position of step − 1 in a reverse loop
    value = L.g.add(prev, L.g.mul(m, L.g.sub(value, prev)));
  }
  if (step > 0 && L.options.truncate > 0 && step % L.options.truncate === 0) value = L.detach(value);
  L.outputs.set(`${u.key}.out`, value.id);
}

/** z_t of every delay: the value its `in` wire carries out of step t. */
function stateTraces(L: Lowering): StateTrace[] {
  const traces: StateTrace[] = [];
  for (const i of L.analysis.recurrentEdges) {
    const e = L.analysis.doc.edges[i]!;
    const from = splitEndpoint(e.from);
    const to = splitEndpoint(e.to);
    const loopId = to !== undefined ? L.loopOf(to.node) : undefined;
    if (from === undefined || to === undefined || loopId === undefined) continue;
    const length = L.unrolled.loops.find((l) => l.id === loopId)?.length ?? 0;
    const syms: number[] = [];
    for (let t = 0; t < length; t++) {
      const id = L.outputs.get(`${from.node}@${t}.${from.port}`);
      if (id !== undefined) syms.push(id);
    }
    traces.push({ delay: to.node, source: e.from, loop: loopId, syms });
  }
  return traces;
}
