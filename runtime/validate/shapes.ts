/**
 * The shape pass: every node in evaluation order (delay inputs cut) gets the types its wires
 * deliver, runs its block's shape and weights rules, and records its output types. A node with an
 * error of its own, or fed by one, is skipped without further errors.
 */
import { formatType, sameType } from '../../blocks/shape.ts';
import type { ValueType, WeightDef } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, type Ctx, type EdgeRec, type NodeRec } from './context.ts';
import { resolveDelayType, type DelayType } from './delay-type.ts';
import type { LoopAssignment } from './loops.ts';
import { deliver, type LoopView } from './port-forms.ts';
import { callRule } from './rule-call.ts';
import { ruleError, type WireMap } from './rule-errors.ts';
import { isSequenceSource, type SourceAxes } from './sources.ts';

export interface Typing {
  /** By `"node.port"`: per step inside loops; a sequence source's output is the whole sequence. */
  readonly outputTypes: ReadonlyMap<string, ValueType>;
  /** By edge index; undefined where the edge could not be typed. */
  readonly edgeTypes: readonly (ValueType | undefined)[];
  readonly weights: ReadonlyMap<string, readonly WeightDef[]>;
}

/** Per-node progress of the pass (0: not reached yet). */
const State = { Typed: 1, Skipped: 2 } as const;

/** Type the graph in `order` (a topological order with delay inputs cut); see the module comment. */
export function inferTypes(ctx: Ctx, la: LoopAssignment, sources: SourceAxes, order: readonly number[]): Typing {
  const outputTypes = new Map<string, ValueType>();
  const edgeTypes: (ValueType | undefined)[] = ctx.doc.edges.map(() => undefined);
  const weights = new Map<string, readonly WeightDef[]>();
  const delays = new Map<number, DelayType>();
  const state = new Uint8Array(ctx.nodes.length);
  const view = (i: number): LoopView | undefined => {
    const l = la.loops[la.loopOf[i]!];
    return l?.axis !== undefined ? { id: l.id, axis: l.axis } : undefined;
  };
  const deliverWire = (e: EdgeRec): ValueType | undefined => {
    const produced = outputTypes.get(`${ctx.nodes[e.from]!.id}.${e.fromPort}`);
    if (produced === undefined) return undefined; // the source's own error was reported
    const accepts = ctx.nodes[e.to]!.block!.inputs.find((p) => p.name === e.toPort)!.accepts;
    const d = deliver(ctx, e, produced, view(e.from), view(e.to), accepts);
    if (!d.ok) {
      ctx.errors.push(d.error);
      return undefined;
    }
    edgeTypes[e.index] = d.type;
    return d.type;
  };

  const typeNode = (node: NodeRec): boolean => {
    const wires = ctx.incoming[node.index]!.filter((e) => !e.recurrent);
    if (wires.some((e) => state[e.from] !== State.Typed)) return false;
    const ins: Record<string, ValueType> = {};
    const wireOf: Record<string, EdgeRec> = {};
    let failed = false;
    for (const e of wires) {
      const t = deliverWire(e);
      if (t === undefined) failed = true;
      else {
        ins[e.toPort] = t;
        wireOf[e.toPort] = e;
      }
    }
    if (failed) return false;
    if (node.type === 'delay') {
      const dt = resolveDelayType(ctx, node, ins.init, wireOf);
      if (dt === undefined) return false;
      delays.set(node.index, dt);
      ins.in = dt.type;
    }
    const out = runRules(ctx, node, ins, wireOf, weights);
    if (out === undefined) return false;
    const axis = isSequenceSource(node) ? sources.axisOf[node.index] : undefined;
    for (const [port, t] of Object.entries(out)) outputTypes.set(`${node.id}.${port}`, axis !== undefined ? { ...t, seq: axis } : t);
    return true;
  };

  for (const i of order) {
    const node = ctx.nodes[i]!;
    state[i] = ctx.broken[i] === 0 && node.block !== undefined && typeNode(node) ? State.Typed : State.Skipped;
  }
  checkDelayInputs(ctx, state, delays, deliverWire);
  return { outputTypes, edgeTypes, weights };
}

/** Shape and weights rules of one node; the output types by port, or undefined after reporting. */
function runRules(
  ctx: Ctx,
  node: NodeRec,
  ins: Readonly<Record<string, ValueType>>,
  wires: WireMap,
  weights: Map<string, readonly WeightDef[]>,
): Readonly<Record<string, ValueType>> | undefined {
  const block = node.block!;
  const shaped = callRule(() => block.shape(ins, node.params));
  if (!shaped.ok) {
    ctx.errors.push(ruleError(ctx, node, shaped, ins, wires, 'shape'));
    return undefined;
  }
  const missing = block.outputs.find((p) => shaped.value[p.name] === undefined);
  if (missing !== undefined) {
    ctx.errors.push(ruleError(ctx, node, { ok: false, bug: `it gave no type for output ${missing.name}` }, ins, wires, 'shape'));
    return undefined;
  }
  const w = callRule(() => block.weights(ins, node.params));
  if (!w.ok) {
    ctx.errors.push(ruleError(ctx, node, w, ins, wires, 'weights'));
    return undefined;
  }
  weights.set(node.id, w.value);
  // Only declared outputs count; a sequence source's element becomes a sequence in the caller.
  const out: Record<string, ValueType> = {};
  for (const p of block.outputs) out[p.name] = shaped.value[p.name]!;
  return out;
}

/** Every value arriving at a delay's `in` must be of the type the delay was given (E200). */
function checkDelayInputs(ctx: Ctx, state: Uint8Array, delays: ReadonlyMap<number, DelayType>, deliverWire: (e: EdgeRec) => ValueType | undefined): void {
  for (const e of ctx.edges) {
    const dt = delays.get(e.to);
    if (!e.recurrent || dt === undefined || state[e.to] !== State.Typed || state[e.from] !== State.Typed) continue;
    const got = deliverWire(e);
    if (got === undefined || sameType(got, dt.type)) continue;
    const d = ctx.nodes[e.to]!;
    const src = fromEndpoint(ctx, e);
    ctx.errors.push(
      unrollError(
        'E200',
        `${src} delivers ${formatType(got)} to ${d.id}.in, but delay ${d.id} holds ${formatType(dt.type)}, set by ${dt.because}: the value a delay hands to the next step must have the shape it starts with`,
        { path: edgePath(e.index), nodes: [d.id, ctx.nodes[e.from]!.id], ports: [`${d.id}.in`, src], edges: [e.index] },
      ),
    );
  }
}
