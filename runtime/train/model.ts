/**
 * A trainable model: one set of weights (and gradients) for a validated graph, and compiled
 * passes over it for concrete lengths and batch sizes. Every pass of a model reads and writes the
 * same weight arrays, so a training pass and an evaluation pass at another length stay in step.
 */
import { lowerGraph } from '../compile/lower.ts';
import { planGraph } from '../compile/plan.ts';
import type { CellLowering } from '../compile/types.ts';
import { CpuProgram, floatArray, type DType } from '../cpu/program.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import { unrollError, type Result } from '../errors/catalogue.ts';
import type { Plan } from '../compile/plan.ts';
import type { UnrolledGraph } from '../unroll/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { Init } from '../../blocks/types.ts';
import { initTensor } from './init.ts';
import type { Rng } from './prng.ts';
import { Pass } from './pass.ts';

/** One trainable tensor of the model. */
export interface WeightSpec {
  /** `<nodeId>.<weightName>`. */
  readonly key: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

/** Default memory budget of a model's buffers (weights, gradients, every compiled pass). */
export const DEFAULT_MEMORY_BUDGET = 1024 ** 3;
/** What lowering and planning cost per node copy (op objects, instructions), beyond the buffers. */
const BYTES_PER_COPY = 4096;

export interface ModelOptions {
  /** float32 for training, float64 for gradient checks. */
  readonly dtype?: DType;
  /** Bytes the model's buffers may take; a pass over it is refused before anything is allocated. */
  readonly memoryBudget?: number;
  readonly cells?: CellLowering;
  /** Truncated BPTT window (0: full). */
  readonly truncate?: number;
}

export interface PassSpec {
  /** Length of each time axis. */
  readonly lengths: Readonly<Record<string, number>>;
  readonly batch: number;
  readonly backward: boolean;
  /** Axes whose batches may be padded. */
  readonly masked?: ReadonlySet<string>;
  /** Gradients with respect to the data too (`eval --grad`). */
  readonly inputGrads?: boolean;
  /** Keep every node's outputs readable after forward (`eval`). */
  readonly keepOutputs?: boolean;
}

export class Model {
  readonly dtype: DType;
  readonly weightSpecs: readonly WeightSpec[];
  readonly weights: Map<string, FloatArray>;
  readonly grads: Map<string, FloatArray>;
  private readonly passes = new Map<string, Pass>();
  private passBytes = 0;
  private readonly budget: number;

  constructor(
    readonly analysis: GraphAnalysis,
    readonly options: ModelOptions = {},
  ) {
    this.dtype = options.dtype ?? 'float32';
    this.budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    const specs: WeightSpec[] = [];
    for (const n of analysis.doc.nodes) {
      for (const w of analysis.weights.get(n.id) ?? []) specs.push({ key: `${n.id}.${w.name}`, shape: w.shape, init: w.init });
    }
    this.weightSpecs = specs;
    const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    this.weights = new Map(specs.map((w) => [w.key, floatArray(this.dtype, size(w.shape))]));
    this.grads = new Map(specs.map((w) => [w.key, floatArray(this.dtype, size(w.shape))]));
  }

  /** Initialise every weight from its block's initialiser, in document order (one stream per weight). */
  initialise(rng: Rng): void {
    for (const w of this.weightSpecs) this.weights.get(w.key)!.set(initTensor(w.init, w.shape, rng.fork(w.key)));
  }

  /** Copy values in (float32 or float64) by key; sizes must match (checked by the caller). */
  setWeights(values: ReadonlyMap<string, ArrayLike<number>>): void {
    for (const [key, v] of values) {
      const dst = this.weights.get(key);
      if (dst === undefined || dst.length !== v.length) throw new Error(`setWeights: ${key} is not a weight of this size`);
      dst.set(v);
    }
  }

  /** Bytes held now: weights, gradients and the buffers of every compiled pass. */
  usedBytes(): number {
    return 2 * this.parameterCount() * bytesPer(this.dtype) + this.passBytes;
  }

  /** Lower bound on a pass's memory: every node copy's outputs for the batch (×3 with backward: values, gradients, saved). */
  private estimateBytes(unrolled: UnrolledGraph, spec: PassSpec): number {
    const perNode = new Map<string, number>();
    for (const [key, t] of this.analysis.outputTypes) {
      const node = key.slice(0, key.lastIndexOf('.'));
      perNode.set(node, (perNode.get(node) ?? 0) + t.shape.reduce((a, b) => a * b, 1));
    }
    let floats = 0;
    for (const n of unrolled.nodes) floats += perNode.get(n.node) ?? 0;
    return floats * spec.batch * bytesPer(this.dtype) * (spec.backward ? 3 : 1) + unrolled.nodes.length * BYTES_PER_COPY;
  }

  private overBudget(bytes: number, spec: PassSpec, qualifier: string): Result<Pass> {
    const lengths = Object.entries(spec.lengths).map(([k, v]) => `${k} = ${v}`).join(', ');
    return {
      ok: false,
      errors: [
        unrollError(
          'E445',
          `${spec.backward ? 'training' : 'running'} with batch ${spec.batch}${lengths !== '' ? ` and length ${lengths}` : ''} needs ${qualifier} ${gib(bytes)} ` +
            `on top of ${gib(this.usedBytes())} already held; the budget is ${gib(this.budget)}: use a smaller batch, shorter sequences or a smaller model`,
        ),
      ],
    };
  }

  parameterCount(): number {
    let n = 0;
    for (const w of this.weights.values()) n += w.length;
    return n;
  }

  /** A compiled pass for these lengths and batch size (cached). */
  pass(spec: PassSpec): Result<Pass> {
    const masked = [...(spec.masked ?? [])].sort();
    const key = JSON.stringify([spec.lengths, spec.batch, spec.backward, masked, spec.inputGrads === true, spec.keepOutputs === true]);
    const hit = this.passes.get(key);
    if (hit !== undefined) return { ok: true, value: hit };
    const unrolled = unrollGraph(this.analysis, spec.lengths);
    if (!unrolled.ok) return unrolled;
    // A first estimate from the unrolled copies alone, before lowering builds anything.
    const early = this.estimateBytes(unrolled.value, spec);
    if (this.usedBytes() + early > this.budget) return this.overBudget(early, spec, 'at least');
    const lowered = lowerGraph(this.analysis, unrolled.value, {
      cells: this.options.cells ?? 'fused',
      masked: new Set(masked),
      truncate: this.options.truncate ?? 0,
    });
    const plan = planGraph(lowered, {
      batch: spec.batch,
      backward: spec.backward,
      inputGrads: spec.inputGrads === true,
      pin: spec.keepOutputs === true ? [...lowered.outputs.values()] : [],
    });
    const bytes = planBytes(plan, this.dtype);
    if (this.usedBytes() + bytes > this.budget) return this.overBudget(bytes, spec, 'about');
    const program = new CpuProgram(plan, this.dtype, { weights: this.weights, grads: this.grads });
    this.passBytes += bytes;
    const pass = new Pass(program, unrolled.value.lengths);
    this.passes.set(key, pass);
    return { ok: true, value: pass };
  }
}

const bytesPer = (dtype: DType): number => (dtype === 'float64' ? 8 : 4);
const gib = (bytes: number): string => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`);

/** Bytes a plan's own buffers take: the arena plus feeds, constants and pinned outputs (weights are the model's). */
function planBytes(plan: Plan, dtype: DType): number {
  let elements = plan.arenaSize;
  for (const b of plan.buffers) if (b.kind === 'feed' || b.kind === 'const' || b.kind === 'pinned') elements += b.size;
  return elements * bytesPer(dtype);
}
