/**
 * The optimiser step on the GPU: weights, gradients and optimiser state stay in one GPU buffer,
 * and a step reads back 32 bytes (the gradient norm, whether it was clipped, and the first weight
 * element that went non-finite). Same semantics as the CPU trainer's
 * `clipByGlobalNorm` + `Optimizer.step` + finiteness check + `undo` (runtime/train/optimizers.ts),
 * in float32.
 *
 * Buffer layout, each region starting on 256 bytes (N = `layout.total`, k = slots of the kind:
 * 0 sgd, 1 momentum, 2 adam; slot regions have a stride of N rounded up to 64 elements):
 * `[weights N | grads N | slots k·N | backup weights N | backup slots k·N | scratch]`.
 *
 * Use per step: the program's backward copies the gradients to `gradsAt`; `encodeStep` appends
 * the step to the same encoder; `readback` is passed as an extra read-back of the same submission
 * (GpuProgram.run's `extra`); `parseStep` reads it and commits the step count; on a bad weight the
 * caller calls `undo`.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import { Optimizer, type OptimizerSpec } from '../train/optimizers.ts';
import { formatBytes } from '../train/memory-estimate.ts';
import { gpuAwait, type GpuContext } from './context.ts';
import { faultOf, GpuFault, gpuRoomError } from './faults.ts';
import {
  ENTRY_POINTS,
  HYPER_BYTES,
  HYPER_FIELDS,
  MAX_GROUPS,
  NO_BAD,
  OPT_WG,
  SCRATCH,
  SCRATCH_WORDS,
  optimizerWgsl,
  type EntryPoint,
} from './optimizer-kernels.ts';
import type { GpuParams, ParamLayout } from './program.ts';

/** Weights laid out one after another in the order given (element offsets). */
export function paramLayout(specs: readonly { readonly key: string; readonly size: number }[]): ParamLayout {
  const offsets = new Map<string, number>();
  const sizes = new Map<string, number>();
  let total = 0;
  for (const { key, size } of specs) {
    if (offsets.has(key)) throw new RangeError(`paramLayout: weight ${key} listed twice`);
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`paramLayout: weight ${key} has size ${size}`);
    offsets.set(key, total);
    sizes.set(key, size);
    total += size;
  }
  return { keys: specs.map((s) => s.key), offsets, sizes, total };
}

/** What a step's read-back says. */
export interface GpuStepResult {
  /** Global L2 norm of the gradients before clipping (NaN or ±Infinity when some gradient was; then nothing changed). */
  readonly norm: number;
  /** Whether the gradients were scaled by `clip / (norm + 1e-6)`. */
  readonly clipped: boolean;
  /** The factor the gradients were scaled by (float32, computed on the GPU); 1 when not clipped. */
  readonly scale: number;
  /** Index (into the weights, see `keyOfElement`) of the first non-finite weight element after the step. */
  readonly badElement: number | undefined;
}

/** A state for `upload` (an `OptimizerState` fits): torch's step count and per-weight slots in layout order. */
export interface GpuOptimizerState {
  readonly step: number;
  readonly slots: Readonly<Record<string, readonly ArrayLike<number>[]>>;
}

/** What `download` returns: copies, in float32. */
export interface GpuOptimizerSnapshot {
  readonly weights: Map<string, Float32Array>;
  readonly step: number;
  readonly slots: Record<string, Float32Array[]>;
}

/** Tuning of `GpuOptimizer.create`. */
export interface GpuOptimizerOptions {
  /**
   * Most workgroups (of 256 threads) per kernel, 1…1024 (default 1024: enough threads to keep a
   * large GPU's memory busy); above `maxGroups·256` elements each thread strides over several.
   */
  readonly maxGroups?: number;
}

/** Elements a region starts on: 256 bytes. */
const ALIGN = 64;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
/** Bytes of the scratch read-back. */
const READBACK_BYTES = 32;

/** Element offsets of the regions. */
interface Regions {
  readonly w: number;
  readonly g: number;
  readonly s0: number;
  readonly s1: number;
  readonly bw: number;
  readonly bs0: number;
  readonly bs1: number;
  readonly scratch: number;
  readonly total: number;
}

function regions(n: number, slots: number): Regions {
  const stride = align(n);
  const g = stride;
  const s0 = 2 * stride;
  const bw = s0 + slots * stride;
  const bs0 = bw + stride;
  const scratch = bs0 + slots * stride;
  return { w: 0, g, s0, s1: s0 + stride, bw, bs0, bs1: bs0 + stride, scratch, total: scratch + align(SCRATCH_WORDS) };
}

interface Pipelines {
  readonly bindLayout: GPUBindGroupLayout;
  readonly entries: Readonly<Record<EntryPoint, GPUComputePipeline>>;
}
/** Pipelines per device and kind (a trainer recreating its optimiser reuses them). */
const caches = new WeakMap<GPUDevice, Map<string, Pipelines>>();

function pipelines(device: GPUDevice, kind: OptimizerSpec['kind']): Pipelines {
  let byKind = caches.get(device);
  if (byKind === undefined) {
    byKind = new Map();
    caches.set(device, byKind);
  }
  let p = byKind.get(kind);
  if (p === undefined) {
    const bindLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      ],
    });
    const layout = device.createPipelineLayout({ bindGroupLayouts: [bindLayout] });
    const module = device.createShaderModule({ label: `unroll optimiser ${kind}`, code: optimizerWgsl(kind) });
    const entries = Object.fromEntries(
      ENTRY_POINTS.map((e) => [e, device.createComputePipeline({ label: `optimiser ${kind} ${e}`, layout, compute: { module, entryPoint: e } })]),
    ) as Record<EntryPoint, GPUComputePipeline>;
    p = { bindLayout, entries };
    byKind.set(kind, p);
  }
  return p;
}

/**
 * The trainer's parameter buffer with its optimiser (implements `GpuParams` for GpuProgram).
 * One step at a time: `encodeStep` writes the step's hyper-parameters to a uniform at once, so
 * its encoder must be submitted (and `parseStep` called) before the next `encodeStep`.
 */
export class GpuOptimizer implements GpuParams {
  readonly weightsAt: number;
  readonly gradsAt: number;
  /** torch's `state['step']`: steps applied so far (a skipped or undone step does not count). */
  private stepCount = 0;
  /** The step count before the last encoded step (what `undo` returns to), and whether `parseStep` is due. */
  private last: { readonly before: number; pending: boolean } | undefined;
  private staging: GPUBuffer | undefined;
  private readonly starts: readonly number[];

  private constructor(
    readonly context: GpuContext,
    readonly layout: ParamLayout,
    readonly spec: OptimizerSpec,
    /** Slot names in buffer order (optimizers.ts: momentum_buffer; exp_avg, exp_avg_sq; none). */
    readonly slotNames: readonly string[],
    readonly buffer: GPUBuffer,
    private readonly hyper: GPUBuffer,
    private readonly bindGroup: GPUBindGroup,
    private readonly pipes: Pipelines,
    private readonly at: Regions,
    private readonly groups: number,
  ) {
    this.weightsAt = at.w * 4;
    this.gradsAt = at.g * 4;
    this.starts = layout.keys.map((k) => layout.offsets.get(k)!);
  }

  /** Bytes of GPU memory the optimiser's buffer takes for `total` weight elements. */
  static bytes(total: number, kind: OptimizerSpec['kind']): number {
    return regions(total, kind === 'sgd' ? 0 : kind === 'momentum' ? 1 : 2).total * 4;
  }

  /**
   * Compile (or reuse) the kernels and allocate the buffer (weights, slots and backups zero).
   * Throws a RangeError for a spec `Optimizer` refuses. E449 when the buffer is over the adapter's
   * limits (checked before allocating), E450 when the device is lost, the driver refuses a kernel
   * or the allocation runs out of memory.
   */
  static async create(context: GpuContext, layout: ParamLayout, spec: OptimizerSpec, options: GpuOptimizerOptions = {}): Promise<Result<GpuOptimizer>> {
    const { device } = context;
    const slotNames = new Optimizer(spec, []).slotNames;
    const at = regions(layout.total, slotNames.length);
    const bytes = at.total * 4;
    const room = gpuRoomError(
      context,
      bytes,
      `the ${spec.kind} optimiser for ${layout.total} weights (weights, gradients, ${slotNames.length} state slots and their backup)`,
      'use a smaller model or train on the CPU',
    );
    if (room !== undefined) return { ok: false, errors: [room] };
    device.pushErrorScope('validation');
    const pipes = pipelines(device, spec.kind);
    const refused = await gpuAwait(device.popErrorScope());
    if (refused !== null) {
      // A refused kernel is not kept: the next optimiser asks again.
      caches.get(device)?.delete(spec.kind);
      return { ok: false, errors: [unrollError('E450', `the GPU driver refused the optimiser's kernels: ${refused.message}`)] };
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const buffer = device.createBuffer({ label: `unroll parameters (${spec.kind})`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const hyper = device.createBuffer({ label: 'unroll optimiser hyper-parameters', size: HYPER_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const validation = await gpuAwait(device.popErrorScope());
    const oom = await gpuAwait(device.popErrorScope());
    if (oom !== null || validation !== null) {
      buffer.destroy();
      hyper.destroy();
      return { ok: false, errors: [unrollError('E450', `the GPU could not allocate ${formatBytes(bytes)} for the weights and optimiser state: ${(oom ?? validation)!.message}`)] };
    }
    const bindGroup = device.createBindGroup({
      layout: pipes.bindLayout,
      entries: [
        { binding: 0, resource: { buffer } },
        { binding: 1, resource: { buffer: hyper } },
      ],
    });
    const most = Math.max(1, Math.min(MAX_GROUPS, Math.floor(options.maxGroups ?? MAX_GROUPS)));
    const groups = Math.max(1, Math.min(most, Math.ceil(layout.total / OPT_WG)));
    const opt = new GpuOptimizer(context, layout, spec, slotNames, buffer, hyper, bindGroup, pipes, at, groups);
    opt.writeHyper(0, 0, false);
    return { ok: true, value: opt };
  }

  /** Steps applied so far (torch's `state['step']`; the Adam `t` of the last step). */
  get steps(): number {
    return this.stepCount;
  }

  /** `[buffer, byte offset, bytes]` of the step's results, for GpuProgram.run's `extra` (read by `parseStep`). */
  get readback(): readonly [GPUBuffer, number, number] {
    return [this.buffer, this.at.scratch * 4, READBACK_BYTES];
  }

  /**
   * Write the weights (every key of the layout, with its size) and the optimiser state; without
   * `state` the slots are zero and the step count 0 (a fresh optimiser). Throws a RangeError for
   * a missing key, a wrong length, or slots that do not fit the kind (values are rounded to float32).
   */
  upload(weights: ReadonlyMap<string, ArrayLike<number>>, state?: GpuOptimizerState): void {
    const { keys, sizes, offsets, total } = this.layout;
    if (state !== undefined) {
      if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`GpuOptimizer.upload: bad step ${state.step}`);
      const given = Object.keys(state.slots);
      if (given.length !== this.slotNames.length || !this.slotNames.every((n) => given.includes(n))) {
        throw new RangeError(`GpuOptimizer.upload: expected slots [${this.slotNames.join(', ')}], got [${given.join(', ')}]`);
      }
      for (const name of this.slotNames) {
        const arrays = state.slots[name]!;
        if (arrays.length !== keys.length || arrays.some((a, i) => a.length !== sizes.get(keys[i]!))) {
          throw new RangeError(`GpuOptimizer.upload: slot ${name} does not match the weights' sizes`);
        }
      }
    }
    const w = new Float32Array(total);
    for (const key of keys) {
      const data = weights.get(key);
      if (data === undefined || data.length !== sizes.get(key)) throw new RangeError(`GpuOptimizer.upload: weight ${key} is missing or not ${sizes.get(key)} long`);
      w.set(data, offsets.get(key));
    }
    const { queue } = this.context.device;
    queue.writeBuffer(this.buffer, this.at.w * 4, w);
    const stride = align(total);
    if (this.slotNames.length > 0) {
      const slots = new Float32Array(stride * this.slotNames.length);
      if (state !== undefined) {
        this.slotNames.forEach((name, s) => state.slots[name]!.forEach((a, i) => slots.set(a, s * stride + offsets.get(keys[i]!)!)));
      }
      queue.writeBuffer(this.buffer, this.at.s0 * 4, slots);
    }
    this.stepCount = state?.step ?? 0;
    this.last = undefined;
  }

  /** Copies of the weights, step count and slots (reads the GPU: not for every step). */
  async download(): Promise<GpuOptimizerSnapshot> {
    const { device } = this.context;
    if (this.context.lost !== undefined) throw GpuFault.lost(this.context.lost);
    const { keys, offsets, sizes, total } = this.layout;
    const stride = align(total);
    const k = this.slotNames.length;
    const bytes = Math.max(4, stride * (1 + k) * 4);
    const staging = device.createBuffer({ label: 'unroll optimiser download', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const enc = device.createCommandEncoder();
      if (total > 0) {
        enc.copyBufferToBuffer(this.buffer, this.at.w * 4, staging, 0, stride * 4);
        if (k > 0) enc.copyBufferToBuffer(this.buffer, this.at.s0 * 4, staging, stride * 4, k * stride * 4);
      }
      device.queue.submit([enc.finish()]);
      try {
        await gpuAwait(staging.mapAsync(GPUMapMode.READ));
      } catch (e) {
        throw await faultOf(this.context, `reading the weights back from the GPU failed: ${(e as Error).message}`);
      }
      const all = new Float32Array(staging.getMappedRange());
      const part = (base: number, key: string): Float32Array => all.slice(base + offsets.get(key)!, base + offsets.get(key)! + sizes.get(key)!);
      const weights = new Map(keys.map((key) => [key, part(0, key)]));
      const slots: Record<string, Float32Array[]> = {};
      this.slotNames.forEach((name, s) => (slots[name] = keys.map((key) => part((1 + s) * stride, key))));
      staging.unmap();
      return { weights, step: this.stepCount, slots };
    } finally {
      staging.destroy();
    }
  }

  /**
   * Append one step to `encoder`, after the gradients are in place: the global norm (two-stage
   * reduction), the clip factor, the backup of weights and slots, the update (nothing when some
   * gradient is non-finite), and the check for non-finite weights; results go to the scratch
   * region (`readback`). Writes this step's hyper-parameters to the uniform now (queue.writeBuffer,
   * ordered before the encoder's submission). Call `parseStep` on the read-back afterwards; a step
   * whose results are never parsed (its submission failed, so it did not run) counts as not taken.
   * @param lr this step's learning rate.
   * @param clip max gradient norm; ≤ 0 (or not finite) clips nothing.
   */
  encodeStep(encoder: GPUCommandEncoder, lr: number, clip: number): void {
    this.writeHyper(lr, clip, true);
    this.last = { before: this.stepCount, pending: true };
    const pass = encoder.beginComputePass({ label: 'unroll optimiser step' });
    pass.setBindGroup(0, this.bindGroup);
    const run = (e: EntryPoint, groups: number): void => {
      pass.setPipeline(this.pipes.entries[e]);
      pass.dispatchWorkgroups(groups);
    };
    run('norm_partial', this.groups);
    run('norm_final', 1);
    run('update', this.groups);
    run('check_final', 1);
    pass.end();
  }

  /**
   * Read a step's results (the `readback` bytes) and commit it: the step count advances unless the
   * norm was non-finite (nothing was applied then). Call once per `encodeStep`.
   */
  parseStep(bytes: ArrayBuffer): GpuStepResult {
    if (this.last?.pending !== true) throw new Error('GpuOptimizer.parseStep: no step is waiting to be parsed');
    if (bytes.byteLength < READBACK_BYTES) throw new RangeError(`GpuOptimizer.parseStep: ${bytes.byteLength} bytes, expected ${READBACK_BYTES}`);
    const f = new Float32Array(bytes, 0, READBACK_BYTES / 4);
    const u = new Uint32Array(bytes, 0, READBACK_BYTES / 4);
    const flag = u[SCRATCH.nonFinite]!;
    // scale·√sumsq in float64: finite for any finite float32 gradients, as on the CPU.
    const norm = flag === 2 ? NaN : flag === 1 ? Infinity : f[SCRATCH.scale]! * Math.sqrt(f[SCRATCH.sumsq]!);
    const bad = u[SCRATCH.bad]!;
    this.last.pending = false;
    if (flag === 0) this.stepCount = this.last.before + 1;
    return { norm, clipped: u[SCRATCH.clipped] === 1, scale: f[SCRATCH.clipScale]!, badElement: bad === NO_BAD ? undefined : bad };
  }

  /**
   * Convenience without a program: submit one step on its own and read its results back
   * (tests, and a trainer that computed the gradients elsewhere).
   */
  async step(lr: number, clip: number): Promise<GpuStepResult> {
    const { device } = this.context;
    if (this.context.lost !== undefined) throw GpuFault.lost(this.context.lost);
    this.staging ??= device.createBuffer({ label: 'unroll optimiser read-back', size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder({ label: 'unroll optimiser' });
    this.encodeStep(encoder, lr, clip);
    const [buf, at, bytes] = this.readback;
    encoder.copyBufferToBuffer(buf, at, this.staging, 0, bytes);
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    const e = await gpuAwait(device.popErrorScope());
    if (e !== null) {
      this.last = undefined;
      throw new GpuFault('error', `the GPU refused the optimiser step: ${e.message}`);
    }
    try {
      await gpuAwait(this.staging.mapAsync(GPUMapMode.READ, 0, bytes));
    } catch (e) {
      throw await faultOf(this.context, `reading the optimiser step back from the GPU failed: ${(e as Error).message}`);
    }
    const out = this.staging.getMappedRange(0, bytes).slice(0);
    this.staging.unmap();
    return this.parseStep(out);
  }

  /**
   * Return weights, slots and step count to what they were before the last encoded step (a
   * restore kernel in a submission of its own). Throws when no step was encoded since the last
   * upload, or its results were not parsed.
   */
  undo(): void {
    if (this.last === undefined || this.last.pending) throw new Error('GpuOptimizer.undo: no parsed step to undo');
    const { device } = this.context;
    const encoder = device.createCommandEncoder({ label: 'unroll optimiser undo' });
    const pass = encoder.beginComputePass();
    pass.setBindGroup(0, this.bindGroup);
    pass.setPipeline(this.pipes.entries.restore);
    pass.dispatchWorkgroups(this.groups);
    pass.end();
    device.queue.submit([encoder.finish()]);
    this.stepCount = this.last.before;
  }

  /** The weight an element index (`badElement`) belongs to. */
  keyOfElement(i: number): string | undefined {
    const { keys, sizes } = this.layout;
    for (let k = 0; k < keys.length; k++) {
      const start = this.starts[k]!;
      if (i >= start && i < start + sizes.get(keys[k]!)!) return keys[k];
    }
    return undefined;
  }

  /** Free the GPU memory. */
  destroy(): void {
    this.buffer.destroy();
    this.hyper.destroy();
    this.staging?.destroy();
  }

  /** The uniform for a step with count `stepCount + 1` (bias corrections in float64, then rounded). */
  private writeHyper(lr: number, clip: number, stepping: boolean): void {
    const { momentum, beta1, beta2, eps, weightDecay } = this.spec;
    const t = this.stepCount + 1;
    const a = this.at;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const values: Record<(typeof HYPER_FIELDS)[number], number> = {
      n: this.layout.total,
      groups: this.groups,
      w: a.w,
      g: a.g,
      s0: a.s0,
      s1: a.s1,
      bw: a.bw,
      bs0: a.bs0,
      bs1: a.bs1,
      scratch: a.scratch,
      first: stepping && t === 1 ? 1 : 0,
      wdOn: weightDecay !== 0 ? 1 : 0,
      lr,
      wd: weightDecay,
      mu: momentum,
      b1: beta1,
      b2: beta2,
      a1: 1 - beta1,
      a2: 1 - beta2,
      nss: -(lr / bc1),
      bc2s: Math.sqrt(bc2),
      eps,
      clip: Number.isFinite(clip) ? clip : 0,
    };
    const words = new Uint32Array(HYPER_BYTES / 4);
    const floats = new Float32Array(words.buffer);
    HYPER_FIELDS.forEach((name, i) => {
      if (i < 12) words[i] = values[name];
      else floats[i] = values[name];
    });
    this.context.device.queue.writeBuffer(this.hyper, 0, words);
  }
}
