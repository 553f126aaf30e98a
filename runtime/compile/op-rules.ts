/**
 * The one table of every primitive op: how its forward becomes kernel calls, what it saves for
 * backward, and its gradient rule. Adding an op to `blocks/ops.ts` means adding its row here
 * (the `Record<OpName, …>` type refuses to compile otherwise) and its kernels in every backend.
 */
import type { OpName, OpNode } from '../../blocks/ops.ts';
import { prepareStrided } from '../cpu/kernels/strided.ts';
import type { BinaryOp } from '../cpu/kernels/binary.ts';
import type { UnaryGradOp, UnaryOp } from '../cpu/kernels/unary.ts';
import type { Instr, Ref } from './instr.ts';
import { planMatmul, type MatOperand } from './matmul-plan.ts';
import { broadcastStrides, contiguous, fullShape, ownStrides, sameExtent, sizeOf, type Shaped } from './strides.ts';

/** What a rule sees while the planner lowers one op. */
export interface RuleCtx {
  /** Examples per batch. */
  readonly B: number;
  readonly node: OpNode;
  input(i: number): OpNode;
  /** The forward value of a symbol. */
  value(id: number): Ref;
  /** This op's forward value. */
  readonly out: Ref;
  /** A scratch or saved buffer of `size` elements (alive until its last use). */
  temp(size: number): Ref;
  emit(instr: Instr): void;
}

/** What a rule sees while the planner writes one op's backward. */
export interface GradCtx extends RuleCtx {
  /** ∂L/∂(this op's output), complete. */
  readonly dOut: Ref;
  /** Buffers the forward saved (in the order it saved them). */
  readonly saved: readonly Ref[];
  /**
   * Where input i's gradient goes, or undefined when it needs none. `full`: the write about to
   * be emitted covers every element; on the first contribution the planner then lets it overwrite
   * (`acc: false`), otherwise it zeroes the buffer first and asks to accumulate.
   */
  grad(i: number, full: boolean): { readonly ref: Ref; readonly acc: boolean } | undefined;
}

export interface OpRule {
  /** Emits the forward; returns buffers to keep for backward. */
  forward(c: RuleCtx): readonly Ref[];
  /** Emits the gradient of every input that needs one. Absent: the op has no inputs to differentiate. */
  backward?(c: GradCtx): void;
}

const at = (r: Ref, off: number): Ref => ({ buf: r.buf, off: r.off + off });
const rows = (x: Shaped, B: number): number => (x.batched ? B : 1);
const elems = (x: Shaped, B: number): number => rows(x, B) * sizeOf(x.shape);
const scratch = (c: GradCtx, i: number, size: number): { ref: Ref; acc: boolean } => c.grad(i, true) ?? { ref: c.temp(size), acc: false };

function copy(c: RuleCtx, shape: readonly number[], outStrides: readonly number[], srcStrides: readonly number[], src: Ref, out: Ref, acc: boolean, alpha = 1): void {
  c.emit({ k: 'copy', spec: prepareStrided(shape, outStrides, srcStrides), src, out, acc, alpha });
}

const nothing: OpRule = { forward: () => [] };

function unaryRule(op: UnaryOp, grad: UnaryGradOp | 'neg' | 'scale', savedIsOutput: boolean): OpRule {
  return {
    forward(c) {
      c.emit({ k: 'unary', op, n: elems(c.node, c.B), x: c.value(c.node.inputs[0]!), out: c.out, acc: false, alpha: c.node.attrs.alpha ?? 1 });
      return [];
    },
    backward(c) {
      const g = c.grad(0, true);
      if (g === undefined) return;
      const n = elems(c.node, c.B);
      if (grad === 'neg' || grad === 'scale') {
        c.emit({ k: 'unary', op: grad, n, x: c.dOut, out: g.ref, acc: g.acc, alpha: c.node.attrs.alpha ?? 1 });
      } else {
        const saved = savedIsOutput ? c.out : c.value(c.node.inputs[0]!);
        c.emit({ k: 'unaryGrad', op: grad, n, dy: c.dOut, saved, dx: g.ref, acc: g.acc });
      }
    },
  };
}

function binaryRule(op: BinaryOp): OpRule {
  return {
    forward(c) {
      const [a, b] = [c.input(0), c.input(1)];
      const spec = prepareStrided(fullShape(c.node, c.B), ownStrides(c.node), broadcastStrides(a, c.node), broadcastStrides(b, c.node));
      c.emit({ k: 'binary', op, spec, a: c.value(a.id), b: c.value(b.id), out: c.out, acc: false, alpha: 1 });
      return [];
    },
    backward(c) {
      const out = c.node;
      const shape = fullShape(out, c.B);
      const own = ownStrides(out);
      for (const i of [0, 1]) {
        const x = c.input(i);
        const other = c.input(1 - i);
        const g = c.grad(i, sameExtent(x, out));
        if (g === undefined) continue;
        const into = broadcastStrides(x, out);
        if (op === 'add' || op === 'sub') {
          copy(c, shape, into, own, c.dOut, g.ref, g.acc, op === 'sub' && i === 1 ? -1 : 1);
        } else if (op === 'mul') {
          const spec = prepareStrided(shape, into, own, broadcastStrides(other, out));
          c.emit({ k: 'binary', op: 'mul', spec, a: c.dOut, b: c.value(other.id), out: g.ref, acc: g.acc, alpha: 1 });
        } else if (i === 0) {
          const spec = prepareStrided(shape, into, own, broadcastStrides(other, out));
          c.emit({ k: 'binary', op: 'div', spec, a: c.dOut, b: c.value(other.id), out: g.ref, acc: g.acc, alpha: 1 });
        } else {
          // d(a/b)/db = −(a/b)/b = −y/b: form dOut·y, then divide by b summing into db.
          const t = c.temp(elems(out, c.B));
          c.emit({ k: 'binary', op: 'mul', spec: prepareStrided(shape, own, own, own), a: c.dOut, b: c.out, out: t, acc: false, alpha: 1 });
          const spec = prepareStrided(shape, into, own, broadcastStrides(x, out));
          c.emit({ k: 'binary', op: 'div', spec, a: t, b: c.value(x.id), out: g.ref, acc: g.acc, alpha: -1 });
        }
      }
    },
  };
}

/** Matrix view of a matmul operand: a rank-1 `a` is one row, a rank-1 `b` one column. */
function operand(x: OpNode, trans: boolean, role: 'a' | 'b'): MatOperand {
  if (x.shape.length === 2) return { batched: x.batched, rows: x.shape[0]!, cols: x.shape[1]!, trans };
  return role === 'a' ? { batched: x.batched, rows: 1, cols: x.shape[0]!, trans: false } : { batched: x.batched, rows: x.shape[0]!, cols: 1, trans: false };
}
const flip = (o: MatOperand): MatOperand => ({ ...o, trans: !o.trans });

function emitMatmul(c: RuleCtx, A: MatOperand, aRef: Ref, Bo: MatOperand, bRef: Ref, cBatched: boolean, target: { ref: Ref; acc: boolean } | undefined, full?: (f: boolean) => { ref: Ref; acc: boolean } | undefined): void {
  const plan = planMatmul(A, Bo, cBatched, c.B);
  const t = target ?? full?.(plan.full);
  if (t === undefined) return;
  c.emit({ k: 'gemm', spec: plan.spec(t.acc), a: plan.swapped ? bRef : aRef, b: plan.swapped ? aRef : bRef, c: t.ref });
}

const matmulRule: OpRule = {
  forward(c) {
    const [a, b] = [c.input(0), c.input(1)];
    const A = operand(a, c.node.attrs.transA === true, 'a');
    const Bo = operand(b, c.node.attrs.transB === true, 'b');
    emitMatmul(c, A, c.value(a.id), Bo, c.value(b.id), c.node.batched, { ref: c.out, acc: false });
    return [];
  },
  backward(c) {
    const [a, b] = [c.input(0), c.input(1)];
    const A = operand(a, c.node.attrs.transA === true, 'a');
    const Bo = operand(b, c.node.attrs.transB === true, 'b');
    const m = A.trans ? A.cols : A.rows;
    const n = Bo.trans ? Bo.rows : Bo.cols;
    const dC: MatOperand = { batched: c.node.batched, rows: m, cols: n, trans: false };
    const [aRef, bRef] = [c.value(a.id), c.value(b.id)];
    // d op(A) = dC·op(B)ᵀ; d op(B) = op(A)ᵀ·dC; a transposed operand's gradient is the transpose.
    if (!A.trans) emitMatmul(c, dC, c.dOut, flip(Bo), bRef, a.batched, undefined, (f) => c.grad(0, f));
    else emitMatmul(c, Bo, bRef, flip(dC), c.dOut, a.batched, undefined, (f) => c.grad(0, f));
    if (!Bo.trans) emitMatmul(c, flip(A), aRef, dC, c.dOut, b.batched, undefined, (f) => c.grad(1, f));
    else emitMatmul(c, flip(dC), c.dOut, A, aRef, b.batched, undefined, (f) => c.grad(1, f));
  },
};

/** Strides of `x` (per-example shape `inner`, batched like `like`) as seen from a batched container. */
const asPart = (x: Shaped, like: Shaped): Shaped => ({ shape: x.shape, batched: like.batched });

/** The strides of a sub-tensor along `axis` of the whole `whole` (concat part, slice, index). */
function partStrides(whole: Shaped, partShape: readonly number[], dropAxis: number | undefined): number[] {
  const own = contiguous(whole.shape);
  const per = dropAxis === undefined ? own : own.filter((_, i) => i !== dropAxis);
  if (per.length !== partShape.length) throw new Error('strides: rank mismatch');
  return whole.batched ? [sizeOf(whole.shape), ...per] : per;
}

/**
 * The pieces of a concat (or stack) output: each input with its iteration shape, its strides inside
 * the output and its element offset there. Forward copies each piece in, backward copies it out.
 */
function pieces(c: RuleCtx, kind: 'concat' | 'stack'): { j: number; x: OpNode; shape: number[]; inOut: number[]; own: number[]; offset: number }[] {
  const itemShape = c.node.shape.slice(1);
  const axisStride = kind === 'concat' ? contiguous(c.node.shape)[c.node.attrs.axis!]! : sizeOf(itemShape);
  let along = 0;
  return c.node.inputs.map((_, j) => {
    const x = c.input(j);
    const part = asPart(x, c.node);
    const inOut = kind === 'concat' ? partStrides(c.node, x.shape, undefined) : partStrides(c.node, itemShape, 0);
    const offset = along * axisStride;
    along += kind === 'concat' ? x.shape[c.node.attrs.axis!]! : 1;
    return { j, x, shape: fullShape(part, c.B), inOut, own: broadcastStrides(x, part), offset };
  });
}

function piecewiseRule(kind: 'concat' | 'stack'): OpRule {
  return {
    forward(c) {
      for (const p of pieces(c, kind)) copy(c, p.shape, p.inOut, p.own, c.value(p.x.id), at(c.out, p.offset), false);
      return [];
    },
    backward(c) {
      for (const p of pieces(c, kind)) {
        const g = c.grad(p.j, p.x.batched === c.node.batched);
        if (g !== undefined) copy(c, p.shape, p.own, p.inOut, at(c.dOut, p.offset), g.ref, g.acc);
      }
    },
  };
}

/** slice and index: a window along one axis (index drops the axis). */
function windowRule(kind: 'slice' | 'index'): OpRule {
  const geometry = (c: RuleCtx): { x: OpNode; strides: number[]; offset: number; covers: boolean } => {
    const x = c.input(0);
    const ax = c.node.attrs.axis!;
    const start = kind === 'slice' ? c.node.attrs.start! : c.node.attrs.index!;
    const strides = partStrides(x, c.node.shape, kind === 'index' ? ax : undefined);
    const covers = kind === 'slice' && start === 0 && c.node.attrs.end === x.shape[ax];
    return { x, strides, offset: start * contiguous(x.shape)[ax]!, covers };
  };
  return {
    forward(c) {
      const { x, strides, offset } = geometry(c);
      copy(c, fullShape(c.node, c.B), ownStrides(c.node), strides, at(c.value(x.id), offset), c.out, false);
      return [];
    },
    backward(c) {
      const { strides, offset, covers } = geometry(c);
      const g = c.grad(0, covers);
      if (g !== undefined) copy(c, fullShape(c.node, c.B), strides, ownStrides(c.node), c.dOut, at(g.ref, offset), g.acc);
    },
  };
}

const reshapeRule: OpRule = {
  forward(c) {
    c.emit({ k: 'unary', op: 'copy', n: elems(c.node, c.B), x: c.value(c.node.inputs[0]!), out: c.out, acc: false, alpha: 1 });
    return [];
  },
  backward(c) {
    const g = c.grad(0, true);
    if (g !== undefined) c.emit({ k: 'unary', op: 'copy', n: elems(c.node, c.B), x: c.dOut, out: g.ref, acc: g.acc, alpha: 1 });
  },
};

/** Strides that write (or read) the sum's output while iterating over its input. */
function sumStrides(c: RuleCtx): number[] {
  const x = c.input(0);
  const ax = c.node.attrs.axis;
  const outOwn = contiguous(c.node.shape);
  const per = x.shape.map((_, i) => (ax === undefined || i === ax ? 0 : outOwn[i < ax ? i : i - 1]!));
  return x.batched ? [sizeOf(c.node.shape), ...per] : per;
}

const sumRule: OpRule = {
  forward(c) {
    const x = c.input(0);
    c.emit({ k: 'fill', out: c.out, n: elems(c.node, c.B), value: 0 });
    copy(c, fullShape(x, c.B), sumStrides(c), ownStrides(x), c.value(x.id), c.out, true);
    return [];
  },
  backward(c) {
    const x = c.input(0);
    const g = c.grad(0, true);
    if (g !== undefined) copy(c, fullShape(x, c.B), ownStrides(x), sumStrides(c), c.dOut, g.ref, g.acc);
  },
};

const gatherRule: OpRule = {
  forward(c) {
    const [table, ids] = [c.input(0), c.input(1)];
    if (table.batched) throw new Error('gather: the table must be a weight (unbatched)');
    c.emit({ k: 'gather', rows: elems(ids, c.B), d: table.shape[1]!, table: c.value(table.id), ids: c.value(ids.id), out: c.out });
    return [];
  },
  backward(c) {
    const [table, ids] = [c.input(0), c.input(1)];
    const g = c.grad(0, false);
    if (g !== undefined) c.emit({ k: 'scatterAdd', rows: elems(ids, c.B), d: table.shape[1]!, dOut: c.dOut, ids: c.value(ids.id), dTable: g.ref });
  },
};

/** Forward only: an int result, so nothing asks for its gradient. */
const argmaxRule: OpRule = {
  forward(c) {
    const x = c.input(0);
    c.emit({ k: 'argmax', rows: elems(c.node, c.B), n: x.shape[x.shape.length - 1]!, x: c.value(x.id), out: c.out });
    return [];
  },
};

const crossEntropyRule: OpRule = {
  forward(c) {
    const [logits, target] = [c.input(0), c.input(1)];
    const V = logits.shape[logits.shape.length - 1]!;
    const n = elems(target, c.B);
    if (!sameExtent({ shape: logits.shape.slice(0, -1), batched: logits.batched }, target)) throw new Error('cross_entropy: logits and targets are batched differently');
    const probs = c.temp(n * V);
    c.emit({ k: 'crossEntropy', rows: n, V, logits: c.value(logits.id), targets: c.value(target.id), loss: c.out, probs });
    return [probs];
  },
  backward(c) {
    const [logits, target] = [c.input(0), c.input(1)];
    const g = c.grad(0, true);
    if (g === undefined) return;
    const V = logits.shape[logits.shape.length - 1]!;
    c.emit({ k: 'crossEntropyGrad', rows: elems(target, c.B), V, dLoss: c.dOut, probs: c.saved[0]!, targets: c.value(target.id), dLogits: g.ref, acc: g.acc });
  },
};

const bceRule: OpRule = {
  forward(c) {
    const [x, t] = [c.input(0), c.input(1)];
    if (!sameExtent(x, t)) throw new Error('bce_logits: logits and targets are batched differently');
    c.emit({ k: 'bce', n: elems(x, c.B), x: c.value(x.id), t: c.value(t.id), out: c.out });
    return [];
  },
  backward(c) {
    const [x, t] = [c.input(0), c.input(1)];
    const n = elems(x, c.B);
    const gx = c.grad(0, true);
    if (gx !== undefined) c.emit({ k: 'bceGrad', n, dy: c.dOut, x: c.value(x.id), t: c.value(t.id), dx: gx.ref, acc: gx.acc });
    const gt = c.grad(1, true);
    if (gt !== undefined) c.emit({ k: 'bceTargetGrad', n, dy: c.dOut, x: c.value(x.id), dt: gt.ref, acc: gt.acc });
  },
};

function cellRows(c: RuleCtx): number {
  for (let i = 0; i < c.node.inputs.length; i++) {
    if (c.input(i).batched !== c.node.batched) throw new Error(`${c.node.op}: every operand must carry the batch (got a per-model state)`);
  }
  return rows(c.node, c.B);
}

const lstmRule: OpRule = {
  forward(c) {
    const B = cellRows(c);
    const H = c.node.shape[0]! / 2;
    const gates = c.temp(B * 4 * H);
    const tanhC = c.temp(B * H);
    const [pre, cPrev] = [c.value(c.node.inputs[0]!), c.value(c.node.inputs[1]!)];
    c.emit({ k: 'lstmFwd', B, H, pre, cPrev, hc: c.out, gates, tanhC });
    return [gates, tanhC];
  },
  backward(c) {
    const B = cellRows(c);
    const H = c.node.shape[0]! / 2;
    const dPre = scratch(c, 0, B * 4 * H);
    const dC = scratch(c, 1, B * H);
    c.emit({
      k: 'lstmBwd', B, H, dhc: c.dOut, gates: c.saved[0]!, tanhC: c.saved[1]!, cPrev: c.value(c.node.inputs[1]!),
      dPre: dPre.ref, accPre: dPre.acc, dCPrev: dC.ref, accC: dC.acc,
    });
  },
};

const gruRule: OpRule = {
  forward(c) {
    const B = cellRows(c);
    const H = c.node.shape[0]!;
    const saved = c.temp(B * 3 * H);
    const [gi, gh, hPrev] = [0, 1, 2].map((i) => c.value(c.node.inputs[i]!)) as [Ref, Ref, Ref];
    c.emit({ k: 'gruFwd', B, H, gi, gh, hPrev, h: c.out, saved });
    return [saved];
  },
  backward(c) {
    const B = cellRows(c);
    const H = c.node.shape[0]!;
    const [dGi, dGh, dH] = [scratch(c, 0, B * 3 * H), scratch(c, 1, B * 3 * H), scratch(c, 2, B * H)];
    c.emit({
      k: 'gruBwd', B, H, dh: c.dOut, saved: c.saved[0]!, gh: c.value(c.node.inputs[1]!), hPrev: c.value(c.node.inputs[2]!),
      dGi: dGi.ref, accGi: dGi.acc, dGh: dGh.ref, accGh: dGh.acc, dHPrev: dH.ref, accH: dH.acc,
    });
  },
};

const softmaxRule: OpRule = {
  forward(c) {
    const n = c.node.shape[c.node.shape.length - 1]!;
    c.emit({ k: 'softmax', rows: elems(c.node, c.B) / n, n, x: c.value(c.node.inputs[0]!), y: c.out });
    return [];
  },
  backward(c) {
    const g = c.grad(0, true);
    const n = c.node.shape[c.node.shape.length - 1]!;
    if (g !== undefined) c.emit({ k: 'softmaxGrad', rows: elems(c.node, c.B) / n, n, dy: c.dOut, y: c.out, dx: g.ref, acc: g.acc });
  },
};

/** Every op's forward and gradient. Sources (`input`, `weight`, `fill`, `constant`) are buffers the planner fills. */
export const OP_RULES: Readonly<Record<OpName, OpRule>> = {
  input: nothing,
  weight: nothing,
  fill: nothing,
  constant: nothing,
  matmul: matmulRule,
  add: binaryRule('add'),
  sub: binaryRule('sub'),
  mul: binaryRule('mul'),
  div: binaryRule('div'),
  neg: unaryRule('neg', 'neg', false),
  scale: unaryRule('scale', 'scale', false),
  tanh: unaryRule('tanh', 'tanh', true),
  sigmoid: unaryRule('sigmoid', 'sigmoid', true),
  relu: unaryRule('relu', 'relu', false),
  exp: unaryRule('exp', 'exp', true),
  log: unaryRule('log', 'log', false),
  softmax: softmaxRule,
  concat: piecewiseRule('concat'),
  slice: windowRule('slice'),
  reshape: reshapeRule,
  sum: sumRule,
  gather: gatherRule,
  argmax: argmaxRule,
  index: windowRule('index'),
  stack: piecewiseRule('stack'),
  cross_entropy: crossEntropyRule,
  bce_logits: bceRule,
  lstm_cell: lstmRule,
  gru_cell: gruRule,
};
