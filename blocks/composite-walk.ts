/**
 * Running a composite (a cell drawn from primitive blocks) over any kind of value: the inner nodes
 * in dependency order, each reading its ports from the outer inputs or other inner nodes, each
 * inner weight being its row range of an outer weight. The reference evaluator walks it with
 * numbers, the runtime's lowering with op symbols.
 */
import { getBlock } from './registry.ts';
import { resolveParams } from './params.ts';
import type { AnyBlockDef, CompositeDef, ValueType, WeightDef } from './types.ts';

const split = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return [ref.slice(0, dot), ref.slice(dot + 1)];
};

/** What a walk needs to know about its values. */
export interface CompositeWalker<V> {
  /** The type of a value (a float vector of its length for the cells). */
  typeOf(v: V): ValueType;
  /** Rows [start, end) of outer weight `outer`, shaped as the inner weight `inner`. */
  rows(outer: V, start: number, end: number, inner: WeightDef): V;
  /** One inner block's outputs from its inputs and weights. */
  run(block: AnyBlockDef, params: Readonly<Record<string, unknown>>, ins: Record<string, V>, weights: Record<string, V>): Readonly<Record<string, V>>;
}

/** Outer outputs of `def` by port. Throws on a malformed composite (a bug in a block file). */
export function walkComposite<V>(def: CompositeDef, ins: Readonly<Record<string, V>>, weights: Readonly<Record<string, V>>, walker: CompositeWalker<V>): Record<string, V> {
  const source = new Map<string, string>(); // inner "node.port" → "$outerPort" or inner "node.port"
  for (const [outer, targets] of Object.entries(def.inputs)) for (const t of targets) source.set(t, `$${outer}`);
  for (const e of def.edges) source.set(e.to, e.from);
  for (const port of Object.keys(def.inputs)) if (ins[port] === undefined) throw new Error(`no value for outer input ${port}`);
  const values = new Map<string, V>();
  for (const [port, v] of Object.entries(ins)) values.set(`$${port}`, v);

  const pending = [...def.nodes];
  while (pending.length > 0) {
    const ready = pending.findIndex((n) => [...source].every(([to, from]) => split(to)[0] !== n.id || values.has(from)));
    if (ready < 0) throw new Error(`composite has a cycle among ${pending.map((n) => n.id).join(', ')}`);
    const node = pending.splice(ready, 1)[0]!;
    const block = getBlock(node.type);
    if (block === undefined) throw new Error(`inner node ${node.id} has unknown type ${node.type}`);
    const params = resolveParams(block.params, node.params);
    const types: Record<string, ValueType> = {};
    const portValues: Record<string, V> = {};
    for (const [to, from] of source) {
      const [id, port] = split(to);
      if (id !== node.id) continue;
      const v = values.get(from)!;
      types[port] = walker.typeOf(v);
      portValues[port] = v;
    }
    const inner: Record<string, V> = {};
    for (const w of block.weights(types, params)) {
      const link = def.weights.find((l) => l.inner === `${node.id}.${w.name}`);
      const outer = link !== undefined ? weights[link.outer] : undefined;
      if (link === undefined || outer === undefined) throw new Error(`inner weight ${node.id}.${w.name} maps to no outer weight`);
      const [start, end] = link.rows;
      if (end - start !== w.shape[0]) throw new Error(`rows [${start}, ${end}) of ${link.outer} cannot be ${node.id}.${w.name} [${w.shape}]`);
      inner[w.name] = walker.rows(outer, start, end, w);
    }
    const outs = walker.run(block, params, portValues, inner);
    for (const [port, v] of Object.entries(outs)) values.set(`${node.id}.${port}`, v);
  }
  const result: Record<string, V> = {};
  for (const [port, ref] of Object.entries(def.outputs)) {
    const v = values.get(ref);
    if (v === undefined) throw new Error(`outer output ${port} reads ${ref}, which no inner node produces`);
    result[port] = v;
  }
  return result;
}
