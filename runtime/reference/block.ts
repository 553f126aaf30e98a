/** Runs one block's forward for one example on the reference evaluator. */
import type { AnyBlockDef, PortTypes } from '../../blocks/types.ts';
import { OpBuilder } from '../../blocks/ops.ts';
import type { Sym } from '../../blocks/ops.ts';
import { resolveParams } from '../../blocks/params.ts';
import { evaluateOps } from './evaluate.ts';

/** A typed port: its per-step type (sequences arrive as concrete `[T, ...element]` values). */
export interface BlockInputs {
  readonly types: PortTypes;
  readonly values: Readonly<Record<string, Float64Array>>;
}

/**
 * Output values by port of `block` with `params` (defaults filled in here) for one example.
 * A sequence type `{seq, shape}` is fed as `[values.length / size(shape), ...shape]`.
 * Weights are looked up by the block's weight names and must match `block.weights` shapes.
 */
export function evaluateBlock(
  block: AnyBlockDef,
  params: Readonly<Record<string, unknown>>,
  ins: BlockInputs,
  weights: Readonly<Record<string, Float64Array>>,
): Record<string, Float64Array> {
  const p = resolveParams(block.params, params);
  const g = new OpBuilder();
  const syms: Record<string, Sym> = {};
  for (const [port, t] of Object.entries(ins.types)) {
    const value = ins.values[port];
    if (value === undefined) throw new Error(`no value for port ${port}`);
    const elem = t.shape.reduce((a, b) => a * b, 1);
    syms[port] = g.input(port, t.seq !== undefined ? [value.length / elem, ...t.shape] : t.shape, t.dtype);
  }
  const w: Record<string, Sym> = {};
  for (const def of block.weights(ins.types, p)) w[def.name] = g.weight(def.name, def.shape);
  const outs = block.forward(g, syms, w, p);
  const values = evaluateOps(g.nodes, { inputs: ins.values, weights });
  const result: Record<string, Float64Array> = {};
  for (const [port, sym] of Object.entries(outs)) result[port] = values[sym.id]!;
  return result;
}
