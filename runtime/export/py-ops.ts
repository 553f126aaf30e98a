/**
 * Primitive ops (blocks/ops.ts) written as PyTorch expressions. Shapes in the op graph are per
 * example; an activation (`batched`) carries a leading batch axis in PyTorch, weights and
 * constants do not, so axes shift by one and a batched operand of lower rank is given singleton
 * axes after its batch axis before broadcasting (numpy aligns shapes from the right).
 *
 * Only a small set of torch functions is used (`torch.tanh`, `sigmoid`, `relu`, `exp`, `log`,
 * `softmax`, `cat`, `stack`, `sum`, `einsum`, `tensor`, `ones`), plus `@`, `.T`, indexing and
 * `.reshape`: the tests run the generated code on a numpy stand-in for exactly these.
 */
import type { OpNode } from '../../blocks/ops.ts';
import { pyFloat } from './names.ts';

/** Why an op cannot be written (the caller turns it into a catalogue error naming the node). */
export class ExportOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportOpError';
  }
}

/** An operand: its Python expression and what the op graph says about it. */
interface Operand {
  readonly expr: string;
  readonly node: OpNode;
}

const rank = (n: OpNode): number => n.shape.length;
const ax = (n: OpNode, axis: number): number => axis + (n.batched ? 1 : 0);

/** `x[:, None, None]`: a batched operand raised to per-example rank `r` (new axes after the batch). */
function raise(o: Operand, r: number): string {
  const missing = r - rank(o.node);
  if (!o.node.batched || missing <= 0) return o.expr;
  return `${wrap(o.expr)}[:${', None'.repeat(missing)}]`;
}

/** Parenthesised unless it is a name, a call, an attribute or an index already. */
function wrap(expr: string): string {
  return /^[A-Za-z_][\w.]*(\[[^\]]*\]|\([^()]*\))?$/.test(expr) ? expr : `(${expr})`;
}

/** Indexing `x[..., index]` on axis `a` of the actual tensor. */
function at(expr: string, a: number, index: string): string {
  return `${wrap(expr)}[${':, '.repeat(a)}${index}]`;
}

/** The einsum equation of op `m` (a matmul) over operands `a`, `b`. */
export function einsumEquation(m: OpNode, a: OpNode, b: OpNode): string {
  const ta = m.attrs.transA === true;
  const tb = m.attrs.transB === true;
  const sa = rank(a) === 1 ? 'k' : ta ? 'ki' : 'ik';
  const sb = rank(b) === 1 ? 'k' : tb ? 'jk' : 'kj';
  const out = (m.batched ? 'z' : '') + (rank(a) === 2 ? 'i' : '') + (rank(b) === 2 ? 'j' : '');
  return `${a.batched ? 'z' : ''}${sa},${b.batched ? 'z' : ''}${sb}->${out}`;
}

/** The PyTorch expression computing op `n` from its operands' expressions. */
export function torchExpr(n: OpNode, ins: readonly Operand[]): string {
  const [a, b] = ins;
  switch (n.op) {
    case 'matmul': {
      // The common case, a linear layer x·Wᵀ, stays readable; everything else is one einsum.
      if (a!.node.batched && !b!.node.batched && rank(a!.node) === 1 && rank(b!.node) === 2 && n.attrs.transA !== true) {
        return `${wrap(a!.expr)} @ ${wrap(b!.expr)}${n.attrs.transB === true ? '.T' : ''}`;
      }
      return `torch.einsum(${JSON.stringify(einsumEquation(n, a!.node, b!.node))}, ${a!.expr}, ${b!.expr})`;
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      const r = rank(n);
      const sign = { add: '+', sub: '-', mul: '*', div: '/' }[n.op];
      return `${wrap(raise(a!, r))} ${sign} ${wrap(raise(b!, r))}`;
    }
    case 'neg':
      return `-${wrap(a!.expr)}`;
    case 'scale':
      return `${wrap(a!.expr)} * ${pyFloat(n.attrs.alpha!)}`;
    case 'tanh':
    case 'sigmoid':
    case 'relu':
    case 'exp':
    case 'log':
      return `torch.${n.op}(${a!.expr})`;
    case 'softmax':
      return `torch.softmax(${a!.expr}, dim=-1)`;
    case 'concat': {
      mixedBatch(n, ins);
      return `torch.cat([${ins.map((o) => o.expr).join(', ')}], dim=${ax(n, n.attrs.axis!)})`;
    }
    case 'stack':
      mixedBatch(n, ins);
      return `torch.stack([${ins.map((o) => o.expr).join(', ')}], dim=${n.batched ? 1 : 0})`;
    case 'slice':
      return at(a!.expr, ax(a!.node, n.attrs.axis!), `${n.attrs.start}:${n.attrs.end}`);
    case 'index':
      return at(a!.expr, ax(a!.node, n.attrs.axis!), String(n.attrs.index));
    case 'reshape':
      return n.batched ? `${wrap(a!.expr)}.reshape(-1, ${n.attrs.shape!.join(', ')})` : `${wrap(a!.expr)}.reshape(${n.attrs.shape!.join(', ')})`;
    case 'sum': {
      if (n.attrs.axis !== undefined) return `torch.sum(${a!.expr}, dim=${ax(a!.node, n.attrs.axis)})`;
      if (!a!.node.batched) return `torch.sum(${a!.expr})`;
      if (rank(a!.node) === 0) return a!.expr;
      return `torch.sum(${wrap(a!.expr)}.reshape(${wrap(a!.expr)}.shape[0], -1), dim=1)`;
    }
    case 'gather':
      if (!b!.node.batched) throw new ExportOpError('a gather with ids that are not data');
      return `${wrap(a!.expr)}[${b!.expr}]`;
    case 'fill':
      return `torch.full((${n.attrs.shape!.map(String).join(', ')}${n.attrs.shape!.length === 1 ? ',' : ''}), ${pyFloat(n.attrs.value!)})`;
    case 'constant':
      return `torch.tensor(${nestedLiteral(n.attrs.data!, n.attrs.shape!)})`;
    default:
      throw new ExportOpError(`op ${n.op} has no PyTorch form in an exported block`);
  }
}

/** Concatenating or stacking a batched value with an unbatched one would need an expand; no block does it. */
function mixedBatch(n: OpNode, ins: readonly Operand[]): void {
  if (n.batched && ins.some((o) => !o.node.batched)) throw new ExportOpError(`${n.op} of data with a constant`);
}

/** `[[1.0, 2.0], [3.0, 4.0]]` for data of `shape`. */
function nestedLiteral(data: readonly number[], shape: readonly number[], offset = 0): string {
  if (shape.length === 0) return pyFloat(data[offset]!);
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((x, y) => x * y, 1);
  return `[${Array.from({ length: n }, (_, i) => nestedLiteral(data, rest, offset + i * stride)).join(', ')}]`;
}
