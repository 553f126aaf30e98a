/**
 * Lowering a gated cell through its composite: the inner primitive blocks run their own forward,
 * each inner weight being its row range of the outer (PyTorch-layout) weight, so gradients land
 * in the same tensors as the fused cell's.
 */
import type { OpBuilder, Sym } from '../../blocks/ops.ts';
import { getBlock } from '../../blocks/registry.ts';
import { resolveParams } from '../../blocks/params.ts';
import type { CompositeDef, ValueType } from '../../blocks/types.ts';

const split = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return [ref.slice(0, dot), ref.slice(dot + 1)];
};

/** Outer output symbols of composite `def` given its outer inputs and outer weights (by name). */
export function lowerComposite(
  g: OpBuilder,
  def: CompositeDef,
  ins: Readonly<Record<string, Sym>>,
  weights: Readonly<Record<string, Sym>>,
): Record<string, Sym> {
  const source = new Map<string, string>(); // inner "node.port" → outer port name or inner "node.port"
  for (const [outer, targets] of Object.entries(def.inputs)) for (const t of targets) source.set(t, `$${outer}`);
  for (const e of def.edges) source.set(e.to, e.from);
  const values = new Map<string, Sym>();
  for (const [port, s] of Object.entries(ins)) values.set(`$${port}`, s);

  const pending = [...def.nodes];
  while (pending.length > 0) {
    const ready = pending.findIndex((n) => [...source].every(([to, from]) => split(to)[0] !== n.id || values.has(from)));
    if (ready < 0) throw new Error(`composite has a cycle among ${pending.map((n) => n.id).join(', ')}`);
    const node = pending.splice(ready, 1)[0]!;
    const block = getBlock(node.type);
    if (block === undefined) throw new Error(`inner node ${node.id} has unknown type ${node.type}`);
    const params = resolveParams(block.params, node.params);
    const types: Record<string, ValueType> = {};
    const portSyms: Record<string, Sym> = {};
    for (const [to, from] of source) {
      const [id, port] = split(to);
      if (id !== node.id) continue;
      const s = values.get(from)!;
      types[port] = { dtype: s.dtype, shape: s.shape };
      portSyms[port] = s;
    }
    const inner: Record<string, Sym> = {};
    for (const w of block.weights(types, params)) {
      const link = def.weights.find((l) => l.inner === `${node.id}.${w.name}`);
      const outer = link !== undefined ? weights[link.outer] : undefined;
      if (link === undefined || outer === undefined) throw new Error(`inner weight ${node.id}.${w.name} maps to no outer weight`);
      const [start, end] = link.rows;
      inner[w.name] = start === 0 && end === outer.shape[0] ? outer : g.slice(outer, start, end, 0);
    }
    const outs = block.forward(g, portSyms, inner, params);
    for (const [port, s] of Object.entries(outs)) values.set(`${node.id}.${port}`, s);
  }
  const result: Record<string, Sym> = {};
  for (const [port, ref] of Object.entries(def.outputs)) {
    const s = values.get(ref);
    if (s === undefined) throw new Error(`outer output ${port} reads ${ref}, which no inner node produces`);
    result[port] = s;
  }
  return result;
}
