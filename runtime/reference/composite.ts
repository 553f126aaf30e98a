/** Evaluates a composite (a cell drawn from primitive blocks) for one example, for testing it against the fused block. */
import type { CompositeDef, ValueType } from '../../blocks/types.ts';
import { getBlock } from '../../blocks/registry.ts';
import { resolveParams } from '../../blocks/params.ts';
import { evaluateBlock } from './block.ts';

const split = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return [ref.slice(0, dot), ref.slice(dot + 1)];
};

/**
 * Outer output values of `def` by port. `ins` are the outer inputs (float vectors, one example);
 * `weights` the outer block's weights by name (row-major); each inner weight is its row range of
 * the outer one, its shape taken from the inner block's own weight definitions. Inner nodes run
 * in topological order, each through its block's shape rule and forward.
 */
export function evaluateComposite(
  def: CompositeDef,
  ins: Readonly<Record<string, Float64Array>>,
  weights: Readonly<Record<string, Float64Array>>,
): Record<string, Float64Array> {
  // Where each inner input port reads from: an outer input port, or another inner node's output.
  const source = new Map<string, { outer: string } | { node: string; port: string }>();
  for (const [outer, targets] of Object.entries(def.inputs)) for (const t of targets) source.set(t, { outer });
  for (const e of def.edges) {
    const [node, port] = split(e.from);
    source.set(e.to, { node, port });
  }
  for (const port of Object.keys(def.inputs)) if (ins[port] === undefined) throw new Error(`no value for outer input ${port}`);
  const values = new Map<string, { type: ValueType; value: Float64Array }>();
  for (const [port, value] of Object.entries(ins)) values.set(port, { type: { dtype: 'float', shape: [value.length] }, value });

  const pending = [...def.nodes];
  while (pending.length > 0) {
    const ready = pending.findIndex((n) =>
      [...source].every(([to, from]) => split(to)[0] !== n.id || values.has('outer' in from ? from.outer : `${from.node}.${from.port}`)),
    );
    if (ready < 0) throw new Error(`composite has a cycle among ${pending.map((n) => n.id).join(', ')}`);
    const node = pending.splice(ready, 1)[0]!;
    const block = getBlock(node.type);
    if (block === undefined) throw new Error(`inner node ${node.id} has unknown type ${node.type}`);
    const params = resolveParams(block.params, node.params);
    const types: Record<string, ValueType> = {};
    const portValues: Record<string, Float64Array> = {};
    for (const [to, from] of source) {
      const [id, port] = split(to);
      if (id !== node.id) continue;
      const v = values.get('outer' in from ? from.outer : `${from.node}.${from.port}`)!;
      types[port] = v.type;
      portValues[port] = v.value;
    }
    const outTypes = block.shape(types, params);
    const innerWeights: Record<string, Float64Array> = {};
    for (const w of block.weights(types, params)) {
      const link = def.weights.find((l) => l.inner === `${node.id}.${w.name}`);
      if (link === undefined) throw new Error(`inner weight ${node.id}.${w.name} maps to no outer weight`);
      const outer = weights[link.outer];
      if (outer === undefined) throw new Error(`no value for outer weight ${link.outer}`);
      const rowSize = w.shape.slice(1).reduce((a, b) => a * b, 1);
      const [start, end] = link.rows;
      if (end - start !== w.shape[0]) throw new Error(`rows [${start}, ${end}) of ${link.outer} cannot be ${node.id}.${w.name} [${w.shape}]`);
      innerWeights[w.name] = outer.subarray(start * rowSize, end * rowSize);
    }
    const outs = evaluateBlock(block, params, { types, values: portValues }, innerWeights);
    for (const [port, value] of Object.entries(outs)) values.set(`${node.id}.${port}`, { type: outTypes[port]!, value });
  }
  const result: Record<string, Float64Array> = {};
  for (const [port, ref] of Object.entries(def.outputs)) {
    const v = values.get(ref);
    if (v === undefined) throw new Error(`outer output ${port} reads ${ref}, which no inner node produces`);
    result[port] = v.value;
  }
  return result;
}
