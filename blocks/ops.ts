/**
 * The closed set of primitive ops that every block's forward is written in, with their shape
 * rules. Shapes are per example: activations carry an implicit leading batch dimension
 * (`batched: true`), weights and constants do not. Kernels and gradient rules live in the
 * runtime; this file only says what each op computes and what shape it makes.
 */
import type { DType } from './types.ts';

/** Every primitive op. Adding one means adding its kernel for every backend and its gradient rule. */
export const OP_NAMES = [
  'input', // a value entering the op graph (a block's input port)
  'weight', // a trainable tensor (unbatched)
  'fill', // constant tensor, every element = value (unbatched)
  'constant', // constant tensor from data (unbatched)
  'matmul', // rank 1 or 2 operands, optional transposes; numpy matmul semantics
  'add', // elementwise, numpy broadcasting
  'sub',
  'mul',
  'div',
  'neg',
  'scale', // x · alpha (a number)
  'tanh',
  'sigmoid',
  'relu',
  'exp',
  'log',
  'softmax', // over the last axis
  'concat', // along an axis
  'slice', // [start, end) along an axis
  'reshape', // same number of elements
  'sum', // over one axis, or all axes when axis is undefined
  'gather', // rows of a table by int ids: table [V, d], ids S → S ++ [d]
  'index', // element i along an axis (drops the axis)
  'stack', // new leading axis
  'cross_entropy', // logits [..., V], int target [...] → [...]: -log softmax(logits)[target]
  'bce_logits', // logits x, target t (same shape) → max(x,0) - x·t + log(1 + e^-|x|)
  'argmax', // index of the largest element along the last axis, as an int id (no gradient; generation)
  // Fused cells: one op where a cell's gate arithmetic would be ~15 small ops (runtime lowering only).
  'lstm_cell', // pre [4H] (gates i, f, g, o before activation), c_prev [H] → [2H]: h then c
  'gru_cell', // gi [3H], gh [3H] (gates r, z, n; biases included), h_prev [H] → h [H] (PyTorch, reset after)
] as const;

export type OpName = (typeof OP_NAMES)[number];

/** A symbolic tensor: the handle a forward definition passes around. */
export interface Sym {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Carries the batch dimension (activations) or not (weights, constants). */
  readonly batched: boolean;
}

/** Attributes of an op; which keys are set depends on the op. */
export interface OpAttrs {
  readonly name?: string;
  readonly value?: number;
  readonly data?: readonly number[];
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly axis?: number;
  readonly start?: number;
  readonly end?: number;
  readonly index?: number;
  readonly alpha?: number;
  readonly shape?: readonly number[];
}

/** One recorded op: the node of the op graph a forward definition builds. */
export interface OpNode extends Sym {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly attrs: OpAttrs;
}

/** Why an op refuses its operands (a bug in a block's forward, or shapes validation let through). */
export class OpShapeError extends Error {
  constructor(op: OpName, message: string) {
    super(`${op}: ${message}`);
    this.name = 'OpShapeError';
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const normAxis = (op: OpName, axis: number, rank: number): number => {
  const a = axis < 0 ? rank + axis : axis;
  if (a < 0 || a >= rank) throw new OpShapeError(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
};

function broadcast(op: OpName, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new OpShapeError(op, `cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

/**
 * Records primitive ops. Each method checks shapes and returns the new symbol; `nodes` is the
 * op graph in creation order (a valid topological order).
 */
export class OpBuilder {
  readonly nodes: OpNode[] = [];

  private push(op: OpName, inputs: readonly Sym[], attrs: OpAttrs, shape: readonly number[], dtype: DType, batched?: boolean): Sym {
    const node: OpNode = {
      id: this.nodes.length,
      op,
      inputs: inputs.map((s) => s.id),
      attrs,
      shape: [...shape],
      dtype,
      batched: batched ?? inputs.some((s) => s.batched),
    };
    this.nodes.push(node);
    return node;
  }

  private float(op: OpName, ...xs: Sym[]): void {
    for (const x of xs) if (x.dtype !== 'float') throw new OpShapeError(op, 'operand must be float');
  }

  input(name: string, shape: readonly number[], dtype: DType = 'float'): Sym {
    return this.push('input', [], { name }, shape, dtype, true);
  }
  weight(name: string, shape: readonly number[]): Sym {
    return this.push('weight', [], { name }, shape, 'float', false);
  }
  fill(value: number, shape: readonly number[]): Sym {
    return this.push('fill', [], { value, shape }, shape, 'float', false);
  }
  constant(data: readonly number[], shape: readonly number[]): Sym {
    if (data.length !== size(shape)) throw new OpShapeError('constant', `${data.length} values for shape [${shape}]`);
    return this.push('constant', [], { data, shape }, shape, 'float', false);
  }

  /** numpy matmul for rank-1/2 operands after optional transposes of rank-2 operands. */
  matmul(a: Sym, b: Sym, opts: { transA?: boolean; transB?: boolean } = {}): Sym {
    this.float('matmul', a, b);
    const ta = opts.transA === true;
    const tb = opts.transB === true;
    if (a.shape.length < 1 || a.shape.length > 2 || b.shape.length < 1 || b.shape.length > 2) {
      throw new OpShapeError('matmul', `operands must be rank 1 or 2, got [${a.shape}] and [${b.shape}]`);
    }
    if ((ta && a.shape.length !== 2) || (tb && b.shape.length !== 2)) throw new OpShapeError('matmul', 'only rank-2 operands transpose');
    const as = a.shape.length === 2 ? (ta ? [a.shape[1]!, a.shape[0]!] : [...a.shape]) : [...a.shape];
    const bs = b.shape.length === 2 ? (tb ? [b.shape[1]!, b.shape[0]!] : [...b.shape]) : [...b.shape];
    const k1 = as[as.length - 1]!;
    const k2 = bs.length === 2 ? bs[0]! : bs[0]!;
    if (k1 !== k2) throw new OpShapeError('matmul', `inner sizes differ: [${as}] · [${bs}]`);
    const out = [...(as.length === 2 ? [as[0]!] : []), ...(bs.length === 2 ? [bs[1]!] : [])];
    return this.push('matmul', [a, b], { transA: ta, transB: tb }, out, 'float');
  }

  private binary(op: 'add' | 'sub' | 'mul' | 'div', a: Sym, b: Sym): Sym {
    this.float(op, a, b);
    return this.push(op, [a, b], {}, broadcast(op, a.shape, b.shape), 'float');
  }
  add(a: Sym, b: Sym): Sym {
    return this.binary('add', a, b);
  }
  sub(a: Sym, b: Sym): Sym {
    return this.binary('sub', a, b);
  }
  mul(a: Sym, b: Sym): Sym {
    return this.binary('mul', a, b);
  }
  div(a: Sym, b: Sym): Sym {
    return this.binary('div', a, b);
  }

  private unary(op: 'neg' | 'tanh' | 'sigmoid' | 'relu' | 'exp' | 'log' | 'softmax', x: Sym): Sym {
    this.float(op, x);
    if (op === 'softmax' && x.shape.length === 0) throw new OpShapeError(op, 'needs at least one axis');
    return this.push(op, [x], {}, x.shape, 'float');
  }
  neg(x: Sym): Sym {
    return this.unary('neg', x);
  }
  tanh(x: Sym): Sym {
    return this.unary('tanh', x);
  }
  sigmoid(x: Sym): Sym {
    return this.unary('sigmoid', x);
  }
  relu(x: Sym): Sym {
    return this.unary('relu', x);
  }
  exp(x: Sym): Sym {
    return this.unary('exp', x);
  }
  log(x: Sym): Sym {
    return this.unary('log', x);
  }
  /** Softmax over the last axis. */
  softmax(x: Sym): Sym {
    return this.unary('softmax', x);
  }
  scale(x: Sym, alpha: number): Sym {
    this.float('scale', x);
    return this.push('scale', [x], { alpha }, x.shape, 'float');
  }

  concat(xs: readonly Sym[], axis = -1): Sym {
    const first = xs[0];
    if (first === undefined) throw new OpShapeError('concat', 'needs at least one operand');
    this.float('concat', ...xs);
    const rank = first.shape.length;
    const ax = normAxis('concat', axis, rank);
    let total = 0;
    for (const x of xs) {
      if (x.shape.length !== rank || x.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
        throw new OpShapeError('concat', `shapes [${first.shape}] and [${x.shape}] differ off axis ${ax}`);
      }
      total += x.shape[ax]!;
    }
    const out = [...first.shape];
    out[ax] = total;
    return this.push('concat', xs, { axis: ax }, out, 'float');
  }

  /** Elements [start, end) along `axis`. */
  slice(x: Sym, start: number, end: number, axis = -1): Sym {
    const ax = normAxis('slice', axis, x.shape.length);
    const n = x.shape[ax]!;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n)) {
      throw new OpShapeError('slice', `[${start}, ${end}) out of range for size ${n}`);
    }
    const out = [...x.shape];
    out[ax] = end - start;
    return this.push('slice', [x], { axis: ax, start, end }, out, x.dtype);
  }

  reshape(x: Sym, shape: readonly number[]): Sym {
    if (size(shape) !== size(x.shape)) throw new OpShapeError('reshape', `[${x.shape}] has ${size(x.shape)} elements, [${shape}] ${size(shape)}`);
    return this.push('reshape', [x], { shape }, shape, x.dtype);
  }

  /** Sum over `axis`, or over every axis (giving a scalar) when `axis` is undefined. */
  sum(x: Sym, axis?: number): Sym {
    this.float('sum', x);
    if (axis === undefined) return this.push('sum', [x], {}, [], 'float');
    const ax = normAxis('sum', axis, x.shape.length);
    return this.push('sum', [x], { axis: ax }, x.shape.filter((_, i) => i !== ax), 'float');
  }

  /** Rows of `table` [V, d] picked by int `ids` of any shape S; result S ++ [d]. */
  gather(table: Sym, ids: Sym): Sym {
    if (table.dtype !== 'float' || table.shape.length !== 2) throw new OpShapeError('gather', `table must be float [V, d], got [${table.shape}]`);
    if (ids.dtype !== 'int') throw new OpShapeError('gather', 'ids must be int');
    return this.push('gather', [table, ids], {}, [...ids.shape, table.shape[1]!], 'float');
  }

  /**
   * Index of the largest element along the last axis (the first of equals) as an int id: a
   * decoder's prediction fed back as its next input when generating. It carries no gradient.
   */
  argmax(x: Sym): Sym {
    if (x.dtype !== 'float' || x.shape.length < 1) throw new OpShapeError('argmax', `needs a float tensor of rank ≥ 1, got ${x.dtype} [${x.shape}]`);
    return this.push('argmax', [x], {}, x.shape.slice(0, -1), 'int');
  }

  /** Element `index` along `axis` (the axis is dropped). */
  index(x: Sym, index: number, axis = 0): Sym {
    const ax = normAxis('index', axis, x.shape.length);
    if (!(Number.isInteger(index) && index >= 0 && index < x.shape[ax]!)) throw new OpShapeError('index', `${index} out of range for size ${x.shape[ax]}`);
    return this.push('index', [x], { axis: ax, index }, x.shape.filter((_, i) => i !== ax), x.dtype);
  }

  /** Stack equal-shaped values along a new leading axis. */
  stack(xs: readonly Sym[]): Sym {
    const first = xs[0];
    if (first === undefined) throw new OpShapeError('stack', 'needs at least one operand');
    for (const x of xs) {
      if (x.dtype !== first.dtype || x.shape.length !== first.shape.length || x.shape.some((d, i) => d !== first.shape[i])) {
        throw new OpShapeError('stack', `shapes [${first.shape}] and [${x.shape}] differ`);
      }
    }
    return this.push('stack', xs, {}, [xs.length, ...first.shape], first.dtype);
  }

  /** -log softmax(logits)[target] over the last axis of `logits`; one value per target id. */
  crossEntropy(logits: Sym, target: Sym): Sym {
    this.float('cross_entropy', logits);
    if (target.dtype !== 'int') throw new OpShapeError('cross_entropy', 'target must be int ids');
    const lead = logits.shape.slice(0, -1);
    if (logits.shape.length < 1 || lead.length !== target.shape.length || lead.some((d, i) => d !== target.shape[i])) {
      throw new OpShapeError('cross_entropy', `logits [${logits.shape}] do not fit target [${target.shape}]`);
    }
    return this.push('cross_entropy', [logits, target], {}, lead, 'float');
  }

  /**
   * One LSTM step from its gate pre-activations `pre` [4H] (order i, f, g, o, both matmuls and
   * biases already added) and `cPrev` [H]: c = σ(f)⊙c_prev + σ(i)⊙tanh(g), h = σ(o)⊙tanh(c).
   * Returns h and c packed as [2H] (h first) so the op has one output.
   */
  lstmCell(pre: Sym, cPrev: Sym): Sym {
    this.float('lstm_cell', pre, cPrev);
    const H = cPrev.shape[0];
    if (cPrev.shape.length !== 1 || H === undefined || pre.shape.length !== 1 || pre.shape[0] !== 4 * H) {
      throw new OpShapeError('lstm_cell', `needs pre [4H] and c_prev [H], got [${pre.shape}] and [${cPrev.shape}]`);
    }
    return this.push('lstm_cell', [pre, cPrev], {}, [2 * H], 'float');
  }

  /**
   * One GRU step, PyTorch's formula (reset after the matmul): r = σ(gi_r + gh_r),
   * z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n), h = (1 − z)⊙n + z⊙h_prev.
   */
  gruCell(gi: Sym, gh: Sym, hPrev: Sym): Sym {
    this.float('gru_cell', gi, gh, hPrev);
    const H = hPrev.shape[0];
    const ok = (s: Sym): boolean => s.shape.length === 1 && H !== undefined && s.shape[0] === 3 * H;
    if (hPrev.shape.length !== 1 || !ok(gi) || !ok(gh)) {
      throw new OpShapeError('gru_cell', `needs gi [3H], gh [3H] and h_prev [H], got [${gi.shape}], [${gh.shape}] and [${hPrev.shape}]`);
    }
    return this.push('gru_cell', [gi, gh, hPrev], {}, [H!], 'float');
  }

  /** Binary cross-entropy on logits, elementwise, numerically stable. */
  bceLogits(logits: Sym, target: Sym): Sym {
    this.float('bce_logits', logits, target);
    if (logits.shape.length !== target.shape.length || logits.shape.some((d, i) => d !== target.shape[i])) {
      throw new OpShapeError('bce_logits', `logits [${logits.shape}] and target [${target.shape}] differ`);
    }
    return this.push('bce_logits', [logits, target], {}, logits.shape, 'float');
  }
}
