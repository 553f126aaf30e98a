/**
 * A trainable model: one set of weights (and gradients) for a validated graph, and compiled
 * passes over it for concrete lengths and batch sizes. Every pass of a model reads and writes the
 * same weight arrays, so a training pass and an evaluation pass at another length stay in step.
 */
import { lowerGraph } from '../compile/lower.ts';
import { planGraph } from '../compile/plan.ts';
import type { CellLowering } from '../compile/types.ts';
import { CpuProgram, floatArray, type DType } from '../cpu/program.ts';
import { cpuKernels } from '../cpu/kernel-mode.ts';
import { progress } from '../progress.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import { unrollError, type Result } from '../errors/catalogue.ts';
import type { Plan } from '../compile/plan.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { Init } from '../../blocks/types.ts';
import { initTensor } from './init.ts';
import { DEFAULT_MEMORY_BUDGET, estimatePassBytes, formatBytes } from './memory-estimate.ts';
import type { Rng } from './prng.ts';
import { Pass } from './pass.ts';

/** One trainable tensor of the model. */
export interface WeightSpec {
  /** `<nodeId>.<weightName>`. */
  readonly key: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

export { DEFAULT_MEMORY_BUDGET } from './memory-estimate.ts';

export interface ModelOptions {
  /** float32 for training, float64 for gradient checks. */
  readonly dtype?: DType;
  /** Bytes the model's buffers may take; a pass over it is refused before anything is allocated. */
  readonly memoryBudget?: number;
  /** Bytes the owner holds beside the model (optimiser state) that count against the budget. */
  readonly reservedBytes?: number;
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
  /** With `keepOutputs` and `backward`: keep every node output's gradient readable too (locating a divergence). */
  readonly keepGrads?: boolean;
  /** Decoder inputs carry the previous step's prediction instead of data (see `LowerOptions.generate`). */
  readonly generate?: boolean;
}

export class Model {
  readonly dtype: DType;
  readonly weightSpecs: readonly WeightSpec[];
  readonly weights: Map<string, FloatArray>;
  readonly grads: Map<string, FloatArray>;
  private readonly passes = new Map<string, Pass>();
  private passBytes = 0;
  private readonly budget: number;

  /**
   * With `shareWith`, the model reads and writes that model's very weight and gradient arrays
   * (see `variant`); its weights must be the same keys and shapes.
   */
  constructor(
    readonly analysis: GraphAnalysis,
    readonly options: ModelOptions = {},
    shareWith?: Model,
  ) {
    this.dtype = options.dtype ?? 'float32';
    this.budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    const specs: WeightSpec[] = [];
    for (const n of analysis.doc.nodes) {
      for (const w of analysis.weights.get(n.id) ?? []) specs.push({ key: `${n.id}.${w.name}`, shape: w.shape, init: w.init });
    }
    this.weightSpecs = specs;
    const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    if (shareWith !== undefined) {
      const sig = (ws: readonly WeightSpec[]): string => JSON.stringify(ws.map((w) => [w.key, w.shape]));
      if (sig(specs) !== sig(shareWith.weightSpecs) || shareWith.dtype !== this.dtype) throw new Error('Model: a variant must have the same weights as the model it shares them with');
    }
    this.weights = shareWith?.weights ?? new Map(specs.map((w) => [w.key, floatArray(this.dtype, size(w.shape))]));
    this.grads = shareWith?.grads ?? new Map(specs.map((w) => [w.key, floatArray(this.dtype, size(w.shape))]));
  }

  /**
   * The same graph with params changed that change no weight (a memory's `linear`, for linear
   * start), as a model with passes of its own that trains these very weights and gradients.
   */
  variant(analysis: GraphAnalysis): Model {
    return new Model(analysis, this.options, this);
  }

  /** Initialise every weight from its block's initialiser, in document order (one stream per weight). */
  initialise(rng: Rng): void {
    for (const w of this.weightSpecs) {
      progress();
      this.weights.get(w.key)!.set(initTensor(w.init, w.shape, rng.fork(w.key)));
    }
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
    return 2 * this.parameterCount() * bytesPer(this.dtype) + (this.options.reservedBytes ?? 0) + this.passBytes;
  }

  private overBudget(bytes: number, spec: PassSpec, qualifier: string): Result<Pass> {
    const lengths = Object.entries(spec.lengths).map(([k, v]) => `${k} = ${v}`).join(', ');
    return {
      ok: false,
      errors: [
        unrollError(
          'E445',
          `${spec.backward ? 'training' : 'running'} with batch ${spec.batch}${lengths !== '' ? ` and length ${lengths}` : ''} needs ${qualifier} ${formatBytes(bytes)} ` +
            `on top of ${formatBytes(this.usedBytes())} already held; the budget is ${formatBytes(this.budget)}: use a smaller batch, shorter sequences or a smaller model`,
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
    const key = passKey(spec);
    const hit = this.passes.get(key);
    if (hit !== undefined) return { ok: true, value: hit };
    // A first estimate from the lengths alone, before unrolling or lowering builds anything.
    const early = estimatePassBytes(this.analysis, spec.lengths, spec.batch, spec.backward, bytesPer(this.dtype));
    if (!early.ok) return early;
    if (this.usedBytes() + early.value > this.budget) return this.overBudget(early.value, spec, 'an estimated');
    const unrolled = unrollGraph(this.analysis, spec.lengths);
    if (!unrolled.ok) return unrolled;
    const lowered = lowerGraph(this.analysis, unrolled.value, {
      cells: this.options.cells ?? 'fused',
      masked: new Set(masked),
      truncate: this.options.truncate ?? 0,
      generate: spec.generate === true,
    });
    const plan = planGraph(lowered, {
      batch: spec.batch,
      backward: spec.backward,
      inputGrads: spec.inputGrads === true,
      pin: spec.keepOutputs === true ? [...lowered.outputs.values()] : [],
      pinGrads: spec.keepGrads === true,
    });
    const bytes = planBytes(plan, this.dtype);
    if (this.usedBytes() + bytes > this.budget) return this.overBudget(bytes, spec, 'about');
    const program = new CpuProgram(plan, this.dtype, { weights: this.weights, grads: this.grads });
    this.passBytes += bytes;
    const pass = new Pass(program, unrolled.value.lengths, bytes);
    this.passes.set(key, pass);
    return { ok: true, value: pass };
  }

  /** Forget a compiled pass (one compiled for a one-off use), returning its memory to the budget. */
  release(spec: PassSpec): void {
    const key = passKey(spec);
    const pass = this.passes.get(key);
    if (pass === undefined) return;
    this.passes.delete(key);
    this.passBytes -= pass.bytes;
  }
}

function passKey(spec: PassSpec): string {
  const masked = [...(spec.masked ?? [])].sort();
  return JSON.stringify([spec.lengths, spec.batch, spec.backward, masked, spec.inputGrads === true, spec.keepOutputs === true, spec.keepGrads === true, spec.generate === true]);
}

const bytesPer = (dtype: DType): number => (dtype === 'float64' ? 8 : 4);

/** Bytes a plan's own buffers take: the arena plus feeds, constants and pinned outputs (weights are the model's). */
function planBytes(plan: Plan, dtype: DType): number {
  // The fast kernels keep every buffer in one WebAssembly memory: weights and gradients are
  // mirrored there, and weights read transposed get a transposed copy too.
  const fast = dtype === 'float32' && cpuKernels() === 'fast';
  let elements = plan.arenaSize;
  for (const b of plan.buffers) {
    if (b.kind === 'feed' || b.kind === 'const' || b.kind === 'pinned') elements += b.size;
    else if (fast && b.kind === 'weight') elements += 2 * b.size;
    else if (fast && b.kind === 'wgrad') elements += b.size;
  }
  return elements * bytesPer(dtype);
}
