/**
 * Reference evaluator of an op graph for ONE example: naive loops in float64, numpy semantics as
 * documented in blocks/ops.ts. Slow on purpose; it is the ground truth every backend is tested
 * against, so it favours obviousness over speed. Int ids arrive as Float64Array of integers.
 */
import type { OpNode } from '../../blocks/ops.ts';

/** Values entering the op graph: `input` ops by port name, `weight` ops by weight name (row-major). */
export interface Feeds {
  readonly inputs: Readonly<Record<string, Float64Array>>;
  readonly weights: Readonly<Record<string, Float64Array>>;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of `shape`. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Sizes before, along and after `axis`: a tensor seen as [outer, n, inner]. */
function around(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis]!, inner: sizeOf(shape.slice(axis + 1)) };
}

function fed(kind: string, name: string, value: Float64Array | undefined, shape: readonly number[]): Float64Array {
  if (value === undefined) throw new Error(`no value fed for ${kind} ${name}`);
  if (value.length !== sizeOf(shape)) throw new Error(`${kind} ${name} has ${value.length} values, shape [${shape}] needs ${sizeOf(shape)}`);
  return value;
}

/** numpy broadcasting of `f` over `a` (shape sa) and `b` (shape sb) into shape `out`. */
function broadcast(a: Float64Array, sa: readonly number[], b: Float64Array, sb: readonly number[], out: readonly number[], f: (x: number, y: number) => number): Float64Array {
  const rank = out.length;
  // Strides of each operand aligned to the output's rank, 0 along broadcast axes.
  const aligned = (shape: readonly number[]): number[] => {
    const st = strides(shape);
    return out.map((_, i) => {
      const j = i - (rank - shape.length);
      return j < 0 || shape[j] === 1 ? 0 : st[j]!;
    });
  };
  const as = aligned(sa);
  const bs = aligned(sb);
  const os = strides(out);
  const r = new Float64Array(sizeOf(out));
  for (let flat = 0; flat < r.length; flat++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const k = Math.floor(flat / os[d]!) % out[d]!;
      ia += k * as[d]!;
      ib += k * bs[d]!;
    }
    r[flat] = f(a[ia]!, b[ib]!);
  }
  return r;
}

/** numpy matmul of rank-1/2 operands after optional transposes of rank-2 ones. */
function matmul(a: Float64Array, sa: readonly number[], b: Float64Array, sb: readonly number[], transA: boolean, transB: boolean): Float64Array {
  // A as [M, K] and B as [K, N]; a vector is a single row (a) or a single column (b).
  const M = sa.length === 2 ? (transA ? sa[1]! : sa[0]!) : 1;
  const K = sa.length === 2 ? (transA ? sa[0]! : sa[1]!) : sa[0]!;
  const N = sb.length === 2 ? (transB ? sb[0]! : sb[1]!) : 1;
  const A = (i: number, k: number): number => (sa.length === 1 ? a[k]! : transA ? a[k * sa[1]! + i]! : a[i * sa[1]! + k]!);
  const B = (k: number, j: number): number => (sb.length === 1 ? b[k]! : transB ? b[j * sb[1]! + k]! : b[k * sb[1]! + j]!);
  const r = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A(i, k) * B(k, j);
      r[i * N + j] = s;
    }
  }
  return r;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** log Σ exp over `n` values from `x[start]`, shifted by the max so it never overflows. */
function logSumExp(x: Float64Array, start: number, n: number): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, x[start + k]!);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(x[start + k]! - m);
  return m + Math.log(s);
}

function checkId(v: number, bound: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= bound) throw new Error(`${what} id ${v} is not an integer in [0, ${bound})`);
  return v;
}

/**
 * The value of every node of `nodes` (all of an OpBuilder's nodes, in creation order, so that
 * `nodes[i].id === i`) for one example; result[i] is nodes[i]'s value, row-major in its
 * per-example shape.
 */
export function evaluateOps(nodes: readonly OpNode[], feeds: Feeds): Float64Array[] {
  const values: Float64Array[] = [];
  const operand = (n: OpNode, i: number): { v: Float64Array; shape: readonly number[] } => {
    const id = n.inputs[i]!;
    return { v: values[id]!, shape: nodes[id]!.shape };
  };
  const map = (x: Float64Array, f: (v: number) => number): Float64Array => x.map(f);

  for (const n of nodes) {
    if (n.id !== values.length) throw new Error(`op node ${n.id} found at position ${values.length}: pass every node of the builder, in order`);
    const at = n.attrs;
    const a = n.inputs.length > 0 ? operand(n, 0) : undefined;
    const b = n.inputs.length > 1 ? operand(n, 1) : undefined;
    let r: Float64Array;
    switch (n.op) {
      case 'input':
        r = fed('input', at.name!, feeds.inputs[at.name!], n.shape);
        break;
      case 'weight':
        r = fed('weight', at.name!, feeds.weights[at.name!], n.shape);
        break;
      case 'fill':
        r = new Float64Array(sizeOf(n.shape)).fill(at.value!);
        break;
      case 'constant':
        r = Float64Array.from(at.data!);
        break;
      case 'matmul':
        r = matmul(a!.v, a!.shape, b!.v, b!.shape, at.transA === true, at.transB === true);
        break;
      case 'add':
        r = broadcast(a!.v, a!.shape, b!.v, b!.shape, n.shape, (x, y) => x + y);
        break;
      case 'sub':
        r = broadcast(a!.v, a!.shape, b!.v, b!.shape, n.shape, (x, y) => x - y);
        break;
      case 'mul':
        r = broadcast(a!.v, a!.shape, b!.v, b!.shape, n.shape, (x, y) => x * y);
        break;
      case 'div':
        r = broadcast(a!.v, a!.shape, b!.v, b!.shape, n.shape, (x, y) => x / y);
        break;
      case 'neg':
        r = map(a!.v, (x) => -x);
        break;
      case 'scale':
        r = map(a!.v, (x) => x * at.alpha!);
        break;
      case 'tanh':
        r = map(a!.v, Math.tanh);
        break;
      case 'sigmoid':
        r = map(a!.v, sigmoid);
        break;
      case 'relu':
        r = map(a!.v, (x) => (x > 0 ? x : 0));
        break;
      case 'exp':
        r = map(a!.v, Math.exp);
        break;
      case 'log':
        r = map(a!.v, Math.log);
        break;
      case 'softmax': {
        const V = n.shape[n.shape.length - 1]!;
        r = new Float64Array(a!.v.length);
        for (let row = 0; row < r.length; row += V) {
          const lse = logSumExp(a!.v, row, V);
          for (let k = 0; k < V; k++) r[row + k] = Math.exp(a!.v[row + k]! - lse);
        }
        break;
      }
      case 'concat': {
        const { outer, inner } = around(n.shape, at.axis!);
        r = new Float64Array(sizeOf(n.shape));
        let o = 0;
        for (let i = 0; i < outer; i++) {
          for (let j = 0; j < n.inputs.length; j++) {
            const x = operand(n, j);
            const chunk = x.shape[at.axis!]! * inner;
            r.set(x.v.subarray(i * chunk, (i + 1) * chunk), o);
            o += chunk;
          }
        }
        break;
      }
      case 'slice': {
        const { outer, n: len, inner } = around(a!.shape, at.axis!);
        const width = (at.end! - at.start!) * inner;
        r = new Float64Array(outer * width);
        for (let i = 0; i < outer; i++) r.set(a!.v.subarray(i * len * inner + at.start! * inner, i * len * inner + at.end! * inner), i * width);
        break;
      }
      case 'reshape':
        r = a!.v.slice();
        break;
      case 'sum': {
        if (at.axis === undefined) {
          r = Float64Array.of(a!.v.reduce((s, x) => s + x, 0));
          break;
        }
        const { outer, n: len, inner } = around(a!.shape, at.axis);
        r = new Float64Array(outer * inner);
        for (let i = 0; i < outer; i++) {
          for (let k = 0; k < len; k++) for (let j = 0; j < inner; j++) r[i * inner + j]! += a!.v[(i * len + k) * inner + j]!;
        }
        break;
      }
      case 'gather': {
        const [V, d] = a!.shape as [number, number];
        r = new Float64Array(b!.v.length * d);
        b!.v.forEach((id, i) => r.set(a!.v.subarray(checkId(id, V, 'gather') * d, (id + 1) * d), i * d));
        break;
      }
      case 'argmax': {
        const n = a!.shape[a!.shape.length - 1]!;
        r = new Float64Array(a!.v.length / n);
        for (let i = 0; i < r.length; i++) {
          let best = 0;
          for (let j = 1; j < n; j++) if (a!.v[i * n + j]! > a!.v[i * n + best]!) best = j;
          r[i] = best;
        }
        break;
      }
      case 'index': {
        const { outer, n: len, inner } = around(a!.shape, at.axis!);
        r = new Float64Array(outer * inner);
        for (let i = 0; i < outer; i++) r.set(a!.v.subarray((i * len + at.index!) * inner, (i * len + at.index! + 1) * inner), i * inner);
        break;
      }
      case 'stack': {
        const each = sizeOf(nodes[n.inputs[0]!]!.shape);
        r = new Float64Array(each * n.inputs.length);
        n.inputs.forEach((id, i) => r.set(values[id]!, i * each));
        break;
      }
      case 'cross_entropy': {
        const V = a!.shape[a!.shape.length - 1]!;
        r = new Float64Array(b!.v.length);
        for (let i = 0; i < r.length; i++) r[i] = logSumExp(a!.v, i * V, V) - a!.v[i * V + checkId(b!.v[i]!, V, 'cross_entropy target')]!;
        break;
      }
      case 'bce_logits':
        r = a!.v.map((x, i) => Math.max(x, 0) - x * b!.v[i]! + Math.log1p(Math.exp(-Math.abs(x))));
        break;
      case 'lstm_cell': {
        const H = b!.v.length;
        r = new Float64Array(2 * H);
        for (let j = 0; j < H; j++) {
          const c = sigmoid(a!.v[H + j]!) * b!.v[j]! + sigmoid(a!.v[j]!) * Math.tanh(a!.v[2 * H + j]!);
          r[j] = sigmoid(a!.v[3 * H + j]!) * Math.tanh(c);
          r[H + j] = c;
        }
        break;
      }
      case 'gru_cell': {
        const h = operand(n, 2).v;
        const H = h.length;
        r = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const rr = sigmoid(a!.v[j]! + b!.v[j]!);
          const z = sigmoid(a!.v[H + j]! + b!.v[H + j]!);
          const nn = Math.tanh(a!.v[2 * H + j]! + rr * b!.v[2 * H + j]!);
          r[j] = (1 - z) * nn + z * h[j]!;
        }
        break;
      }
    }
    values.push(r);
  }
  return values;
}
