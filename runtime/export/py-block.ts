/**
 * One node's forward as a method of the generated PyTorch module: the block's own forward
 * (blocks/*.ts) is recorded on an OpBuilder and each primitive op is written as PyTorch, so the
 * Python computes exactly the ops Unroll runs. Cells use their primitive forward (the fused
 * kernels are a CPU detail). The forward is recorded at two sequence lengths: a block whose ops
 * differ between them (a length baked into an attribute) cannot be one loop body.
 */
import { OpBuilder, type OpNode, type Sym } from '../../blocks/ops.ts';
import { getBlock } from '../../blocks/registry.ts';
import type { ValueType } from '../../blocks/types.ts';
import { ExportOpError, torchExpr } from './py-ops.ts';
import { NameTable } from './names.ts';

/** A node's method: its signature ports, outputs and body lines (indented by the caller). */
export interface PyBlock {
  /** Connected input ports in the block's order. */
  readonly ports: readonly string[];
  /** The method's parameter name for each of `ports`. */
  readonly params: readonly string[];
  /** Output ports in the block's order (the method returns them in this order). */
  readonly outputs: readonly string[];
  readonly lines: readonly string[];
}

/** The block's length depends on the sequence length in a way one loop body cannot say. */
export class LengthDependentError extends Error {}

interface Recording {
  readonly g: OpBuilder;
  readonly ins: Record<string, Sym>;
  readonly outs: Readonly<Record<string, Sym>>;
}

function record(type: string, params: Readonly<Record<string, unknown>>, delivered: ReadonlyMap<string, ValueType>, weightShapes: ReadonlyMap<string, readonly number[]>, T: number): Recording {
  const def = getBlock(type);
  if (def === undefined) throw new ExportOpError(`unknown block type ${type}`);
  const g = new OpBuilder();
  const ins: Record<string, Sym> = {};
  for (const p of def.inputs) {
    const t = delivered.get(p.name);
    if (t !== undefined) ins[p.name] = g.input(p.name, t.seq !== undefined ? [T, ...t.shape] : t.shape, t.dtype);
  }
  const w: Record<string, Sym> = {};
  for (const [name, shape] of weightShapes) w[name] = g.weight(name, shape);
  return { g, ins, outs: def.forward(g, ins, w, params as never) };
}

/** Ops that are cheap to read inline (a view of a value). */
const VIEW_OPS = new Set(['slice', 'index', 'reshape']);

/**
 * The body of node `id`'s method. `delivered` gives each connected port's per-example type;
 * `weightsExpr` is how the body reaches the node's weights (`self.emb`), `borrowed` the expression
 * of each weight another node owns (`share`: `self.C1.weight`). Throws ExportOpError
 * for an op with no PyTorch form, LengthDependentError when the ops depend on the length.
 */
export function pyBlock(
  type: string,
  params: Readonly<Record<string, unknown>>,
  delivered: ReadonlyMap<string, ValueType>,
  weightShapes: ReadonlyMap<string, readonly number[]>,
  weightsExpr: string,
  borrowed: ReadonlyMap<string, string> = new Map(),
): PyBlock {
  const r = record(type, params, delivered, weightShapes, 2);
  const r2 = record(type, params, delivered, weightShapes, 3);
  const same = (a: OpNode, b: OpNode | undefined): boolean =>
    b !== undefined && a.op === b.op && a.batched === b.batched && a.inputs.join() === b.inputs.join() && JSON.stringify(a.attrs) === JSON.stringify(b.attrs);
  if (r.g.nodes.length !== r2.g.nodes.length || r.g.nodes.some((n, i) => !same(n, r2.g.nodes[i]))) throw new LengthDependentError();

  const names = new NameTable(['self', 'torch', 'nn', 'F', 'w']);
  const exprs = new Map<number, string>();
  /** Values written inline that are more than a name or a view of one. */
  const compound = new Set<number>();
  const ports: string[] = [];
  const pyParams: string[] = [];
  for (const [port, s] of Object.entries(r.ins)) {
    const param = names.name(`port:${port}`, port);
    ports.push(port);
    pyParams.push(param);
    exprs.set(s.id, param);
  }
  for (const n of r.g.nodes) {
    if (n.op !== 'weight') continue;
    const other = borrowed.get(n.attrs.name!);
    exprs.set(n.id, other ?? (/^[A-Za-z_]\w*$/.test(n.attrs.name!) ? `w.${n.attrs.name}` : `getattr(w, ${JSON.stringify(n.attrs.name)})`));
  }
  const lines: string[] = weightShapes.size > borrowed.size ? [`w = ${weightsExpr}`] : [];
  const uses = new Map<number, number>();
  for (const n of r.g.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const outIds = new Set(Object.values(r.outs).map((s) => s.id));
  // A dimension that differs between the two recordings is the sequence length: shown as T.
  const shapeText = (n: OpNode): string => {
    const dims = n.shape.map((d, i) => (r2.g.nodes[n.id]!.shape[i] !== d ? 'T' : String(d)));
    return `[${[...(n.batched ? ['B'] : []), ...dims].join(', ')}]`;
  };
  for (const n of r.g.nodes) {
    if (exprs.has(n.id)) continue;
    const operands = n.inputs.map((i) => ({ expr: exprs.get(i)!, node: r.g.nodes[i]! }));
    const expr = torchExpr(n, operands);
    const simpleOperands = n.inputs.every((i) => !compound.has(i));
    // A view, or a value read once whose operands are plain names, is written where it is read.
    if (!outIds.has(n.id) && n.op !== 'constant' && simpleOperands && (VIEW_OPS.has(n.op) || (uses.get(n.id) ?? 0) === 1)) {
      exprs.set(n.id, expr);
      if (!VIEW_OPS.has(n.op)) compound.add(n.id);
      continue;
    }
    const v = names.name(`op:${n.id}`, `t${n.id}`);
    lines.push(`${v} = ${expr}  # ${shapeText(n)}`);
    exprs.set(n.id, v);
  }
  const def = getBlock(type)!;
  const outputs = def.outputs.map((o) => o.name).filter((o) => r.outs[o] !== undefined);
  lines.push(`return ${outputs.map((o) => exprs.get(r.outs[o]!.id)!).join(', ')}`);
  return { ports, params: pyParams, outputs, lines };
}
