/**
 * `unroll export G --to onnx`: the graph unrolled for given sequence lengths, lowered to Unroll's
 * primitive ops (`lowerGraph` with cells written in primitive ops) and each op written as ONNX
 * opset 17 nodes; weights are embedded as initializers named `<node>.<weight>`. The batch
 * dimension is symbolic (`batch`); inputs are the graph's `input` sources (`[batch, T, …]`,
 * int64 token ids or float32), outputs the exported outputs (see outputs.ts). Only the ops the
 * outputs need are written (losses and targets are left out).
 */
import type { OpNode } from '../../blocks/ops.ts';
import { lowerGraph } from '../compile/lower.ts';
import type { LoweredGraph } from '../compile/types.ts';
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { einsumEquation } from './py-ops.ts';
import { exportOutputs, type ExportOutput } from './outputs.ts';
import { encodeOnnxModel, ONNX_FLOAT, ONNX_INT64, ONNX_OPSET, type OnnxAttr, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-model.ts';

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly opset: number;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly lengths: Readonly<Record<string, number>>;
}

export interface OnnxOptions {
  /** Weight values by `<node>.<weight>` (float32). */
  readonly weights: ReadonlyMap<string, ArrayLike<number>>;
  readonly producerVersion?: string;
}

const BATCH = 'batch';

/** Builds the node list; one instance per export. */
class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly consts = new Map<string, string>();
  private n = 0;

  fresh(hint: string): string {
    return `${hint}_${this.n++}`;
  }

  node(op: string, inputs: readonly string[], attrs: readonly OnnxAttr[] = [], hint = op.toLowerCase()): string {
    const out = this.fresh(hint);
    this.nodes.push({ op, inputs, outputs: [out], ...(attrs.length > 0 ? { attrs } : {}) });
    return out;
  }

  /** An int64 constant (shared by value). */
  ints(values: readonly number[], scalar = false): string {
    const key = `i:${scalar ? 's' : ''}${values.join(',')}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.fresh('const');
      this.initializers.push({ name, dims: scalar ? [] : [values.length], type: ONNX_INT64, data: BigInt64Array.from(values.map(BigInt)) });
      this.consts.set(key, name);
    }
    return name;
  }

  floats(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    this.initializers.push({ name, dims, type: ONNX_FLOAT, data: Float32Array.from(data) });
    return name;
  }
}

/** ONNX for `a` unrolled at `lengths` (every axis given, as `unroll` takes them). */
export function exportOnnx(a: GraphAnalysis, lengths: Readonly<Record<string, number>>, options: OnnxOptions): Result<OnnxExport> {
  const unrolled = unrollGraph(a, lengths);
  if (!unrolled.ok) return unrolled;
  const lowered = lowerGraph(a, unrolled.value, { cells: 'primitive' });
  const outputs = exportOutputs(a);
  const errors: UnrollError[] = [];
  const outSyms = outputs.map((o) => outputSyms(a, lowered, unrolled.value.lengths, o));
  const needed = reachable(lowered, outSyms.flat());

  const b = new OnnxBuilder();
  const names = new Map<number, string>();
  const feedOf = new Map(lowered.feeds.map((f) => [f.sym, f]));
  const inputs: OnnxValueInfo[] = [];
  const inputNames = new Map<string, string>();
  const sourceInput = (id: string): string => {
    let name = inputNames.get(id);
    if (name !== undefined) return name;
    const t = a.outputTypes.get(`${id}.out`)!;
    name = id;
    inputs.push({ name, type: t.dtype === 'int' ? ONNX_INT64 : ONNX_FLOAT, dims: [BATCH, ...(t.seq !== undefined ? [unrolled.value.lengths[t.seq]!] : []), ...t.shape] });
    inputNames.set(id, name);
    return name;
  };
  // The batch size as a 1-element shape, read off the first data input (for zero states).
  let batchShape: string | undefined;
  const batchOf = (): string => {
    if (batchShape === undefined) {
      const first = lowered.feeds.find((f) => f.kind === 'data' && needed.has(f.sym));
      if (first === undefined) throw new Error('onnx: no data input to take the batch size from');
      batchShape = b.node('Shape', [sourceInput(first.node!)], [{ name: 'start', kind: 'int', value: 0 }, { name: 'end', kind: 'int', value: 1 }], 'batch_shape');
    }
    return batchShape;
  };
  for (const f of lowered.feeds) if (f.kind === 'data' && needed.has(f.sym)) sourceInput(f.node!);

  for (const n of lowered.ops) {
    if (!needed.has(n.id)) continue;
    const ins = n.inputs.map((i) => ({ name: names.get(i)!, node: lowered.ops[i]! }));
    try {
      names.set(n.id, opNodes(b, n, ins, feedOf.get(n.id), sourceInput, batchOf, options));
    } catch (e) {
      if (!(e instanceof OnnxUnsupported)) throw e;
      errors.push(unrollError('E460', `cannot export to ONNX: ${e.message}`, nodesOf(lowered, n.id)));
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const outInfos: OnnxValueInfo[] = [];
  outputs.forEach((o, k) => {
    const syms = outSyms[k]!;
    let v = names.get(syms[0]!)!;
    if (o.take === 'all') {
      const parts = syms.map((s) => b.node('Unsqueeze', [names.get(s)!, b.ints([1])]));
      v = b.node('Concat', parts, [{ name: 'axis', kind: 'int', value: 1 }]);
    }
    b.nodes.push({ op: 'Identity', inputs: [v], outputs: [o.name] });
    outInfos.push({ name: o.name, type: ONNX_FLOAT, dims: [BATCH, ...(o.take === 'all' ? [syms.length] : []), ...o.shape] });
  });

  const lengthText = Object.entries(unrolled.value.lengths).map(([k, v]) => `${k} = ${v}`).join(', ');
  const bytes = encodeOnnxModel({
    graphName: a.doc.name,
    doc: `${a.doc.name}: the forward pass unrolled for ${lengthText || 'its fixed loops'}, exported from Unroll (opset ${ONNX_OPSET}).`,
    producerVersion: options.producerVersion ?? '',
    nodes: b.nodes,
    initializers: b.initializers,
    inputs,
    outputs: outInfos,
  });
  return { ok: true, value: { bytes, opset: ONNX_OPSET, inputs, outputs: outInfos, lengths: unrolled.value.lengths } };
}

/** The symbols of output `o`: one, or one per position for `take: all`. */
function outputSyms(a: GraphAnalysis, low: LoweredGraph, lengths: Readonly<Record<string, number>>, o: ExportOutput): number[] {
  const loopId = a.nodeLoop.get(o.node);
  const loop = loopId !== undefined ? a.loops.get(loopId) : undefined;
  const get = (key: string): number => {
    const s = low.outputs.get(key);
    if (s === undefined) throw new Error(`onnx: no value for ${key}`);
    return s;
  };
  if (loop === undefined) return [get(o.name)];
  const T = loop.steps ?? lengths[loop.axis]!;
  if (o.take === 'last') return [get(`${o.node}@${T - 1}.${o.port}`)];
  return Array.from({ length: T }, (_, p) => get(`${o.node}@${loop.direction === 'reverse' ? T - 1 - p : p}.${o.port}`));
}

function reachable(low: LoweredGraph, roots: readonly number[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...low.ops[id]!.inputs);
  }
  return seen;
}

/** The unrolled node copies whose output is op `id` (for an error's `nodes`). */
function nodesOf(low: LoweredGraph, id: number): { nodes?: string[] } {
  const nodes = [...low.outputs].filter(([, s]) => s === id).map(([k]) => k.split('@')[0]!.split('.')[0]!);
  return nodes.length > 0 ? { nodes: [...new Set(nodes)] } : {};
}

class OnnxUnsupported extends Error {}

const rank = (n: OpNode): number => n.shape.length;
const ax = (n: OpNode, axis: number): number => axis + (n.batched ? 1 : 0);
const intAttr = (name: string, value: number): OnnxAttr => ({ name, kind: 'int', value });

/** ONNX nodes computing op `n`; returns the name of its value. */
function opNodes(
  b: OnnxBuilder,
  n: OpNode,
  ins: readonly { name: string; node: OpNode }[],
  feed: LoweredGraph['feeds'][number] | undefined,
  sourceInput: (id: string) => string,
  batchOf: () => string,
  options: OnnxOptions,
): string {
  const [x, y] = ins;
  switch (n.op) {
    case 'input': {
      if (feed === undefined) throw new OnnxUnsupported(`input ${n.attrs.name} is not fed`);
      if (feed.kind === 'data') {
        const src = sourceInput(feed.node!);
        return feed.position === undefined ? src : b.node('Gather', [src, b.ints([feed.position], true)], [intAttr('axis', 1)], `${feed.node}_at`);
      }
      if (feed.kind === 'zeros' || feed.kind === 'random') {
        const shape = b.node('Concat', [batchOf(), b.ints(n.shape)], [intAttr('axis', 0)]);
        const zeros = b.node('ConstantOfShape', [shape], [{ name: 'value', kind: 'tensor', value: { name: 'zero', dims: [1], type: ONNX_FLOAT, data: new Float32Array(1) } }], 'zeros');
        if (feed.kind === 'zeros') return zeros;
        // Unroll draws 0.1·N(0, 1) per batch from its own generator; ONNX draws its own numbers.
        return b.node('RandomNormalLike', [zeros], [{ name: 'scale', kind: 'float', value: 0.1 }], 'random_state');
      }
      throw new OnnxUnsupported(`a ${feed.kind} feed (padding masks are not exported)`);
    }
    case 'weight': {
      const data = options.weights.get(n.attrs.name!);
      if (data === undefined) throw new OnnxUnsupported(`no value for weight ${n.attrs.name}`);
      return b.floats(n.attrs.name!, n.shape, data);
    }
    case 'fill':
      return b.floats(b.fresh('fill'), n.shape, new Float32Array(n.shape.reduce((p, q) => p * q, 1)).fill(n.attrs.value!));
    case 'constant':
      return b.floats(b.fresh('constant'), n.shape, n.attrs.data!);
    case 'matmul':
      return b.node('Einsum', [x!.name, y!.name], [{ name: 'equation', kind: 'string', value: einsumEquation(n, x!.node, y!.node) }], 'matmul');
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      // A batched operand of lower rank gets singleton axes after its batch axis (ONNX aligns from the right).
      const lift = (o: { name: string; node: OpNode }): string => {
        const missing = rank(n) - rank(o.node);
        if (!o.node.batched || missing <= 0) return o.name;
        return b.node('Unsqueeze', [o.name, b.ints(Array.from({ length: missing }, (_, i) => i + 1))]);
      };
      const op = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[n.op];
      return b.node(op, [lift(x!), lift(y!)]);
    }
    case 'neg':
    case 'tanh':
    case 'sigmoid':
    case 'relu':
    case 'exp':
    case 'log': {
      const op = { neg: 'Neg', tanh: 'Tanh', sigmoid: 'Sigmoid', relu: 'Relu', exp: 'Exp', log: 'Log' }[n.op];
      return b.node(op, [x!.name]);
    }
    case 'scale':
      return b.node('Mul', [x!.name, b.floats(b.fresh('alpha'), [], [n.attrs.alpha!])]);
    case 'softmax':
      return b.node('Softmax', [x!.name], [intAttr('axis', -1)]);
    case 'concat':
      if (n.batched && ins.some((o) => !o.node.batched)) throw new OnnxUnsupported('concat of data with a constant');
      return b.node('Concat', ins.map((o) => o.name), [intAttr('axis', ax(n, n.attrs.axis!))]);
    case 'stack': {
      if (n.batched && ins.some((o) => !o.node.batched)) throw new OnnxUnsupported('stack of data with a constant');
      const axis = n.batched ? 1 : 0;
      return b.node('Concat', ins.map((o) => b.node('Unsqueeze', [o.name, b.ints([axis])])), [intAttr('axis', axis)], 'stack');
    }
    case 'slice':
      return b.node('Slice', [x!.name, b.ints([n.attrs.start!]), b.ints([n.attrs.end!]), b.ints([ax(x!.node, n.attrs.axis!)])]);
    case 'index':
      return b.node('Gather', [x!.name, b.ints([n.attrs.index!], true)], [intAttr('axis', ax(x!.node, n.attrs.axis!))], 'index');
    case 'reshape':
      return b.node('Reshape', [x!.name, b.ints(n.batched ? [0, ...n.attrs.shape!] : [...n.attrs.shape!])]);
    case 'sum': {
      if (n.attrs.axis !== undefined) return b.node('ReduceSum', [x!.name, b.ints([ax(x!.node, n.attrs.axis)])], [intAttr('keepdims', 0)]);
      if (!x!.node.batched) return b.node('ReduceSum', [x!.name], [intAttr('keepdims', 0)]);
      if (rank(x!.node) === 0) return x!.name;
      return b.node('ReduceSum', [x!.name, b.ints(Array.from({ length: rank(x!.node) }, (_, i) => i + 1))], [intAttr('keepdims', 0)]);
    }
    case 'gather':
      return b.node('Gather', [x!.name, y!.name], [intAttr('axis', 0)]);
    default:
      throw new OnnxUnsupported(`op ${n.op} has no ONNX mapping`);
  }
}
