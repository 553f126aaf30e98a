/**
 * The WebGPU backend's program: a plan's instructions as compute dispatches over one storage
 * buffer that holds every plan buffer, recorded into one command buffer per run. Pipelines are
 * compiled once per device and kernel specialisation (shared by every time step and every pass),
 * records of offsets sit in one uniform buffer read at a dynamic offset, and there is one bind
 * group for the whole program.
 *
 * Memory layout (elements): `[weights | gradients | in | out | probes | constants | arena]`.
 * `in` (feeds and loss seeds) is written by the host before a run; `out` (losses, predictions,
 * pinned values and gradients) and the probes are copied back after it, into `host`. Weights and
 * gradients are copied from and to the trainer's parameter buffer on the GPU, never to the host.
 */
import type { BufferInfo, Instr, Ref } from '../compile/instr.ts';
import type { Plan } from '../compile/plan.ts';
import { unrollError, type Result } from '../errors/catalogue.ts';
import { formatBytes } from '../train/memory-estimate.ts';
import { gpuAwait, type GpuContext } from './context.ts';
import { GPU_KERNELS } from './kernels/index.ts';
import { PRELUDE, RECORD_BYTES, RECORD_WORDS, type GpuKernel, type KernelCtx } from './kernels/kernel.ts';
import { faultOf, GpuFault, gpuRoomError } from './faults.ts';
import { progress } from '../progress.ts';

/** Where each weight sits in the trainer's parameter buffer (elements, in weight order). */
export interface ParamLayout {
  readonly keys: readonly string[];
  readonly offsets: ReadonlyMap<string, number>;
  readonly sizes: ReadonlyMap<string, number>;
  /** Elements of all weights together. */
  readonly total: number;
}

/** The trainer's parameter buffer: weights at `weightsAt`, gradients at `gradsAt` (bytes). */
export interface GpuParams {
  readonly buffer: GPUBuffer;
  readonly layout: ParamLayout;
  readonly weightsAt: number;
  readonly gradsAt: number;
}

/** Elements a region starts on: 256 bytes, the strictest copy and binding alignment. */
const ALIGN = 64;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** Element offset of every plan buffer, and the regions. */
interface Layout {
  readonly base: readonly number[];
  readonly inAt: number;
  readonly inSize: number;
  readonly outAt: number;
  readonly outSize: number;
  readonly probesAt: number;
  readonly probeCount: number;
  readonly constAt: number;
  readonly total: number;
}

function planLayout(plan: Plan, params: ParamLayout | undefined): Layout {
  const seeds = new Set(plan.seeds.map((r) => r.buf));
  const weights = params?.total ?? 0;
  const gradsAt = align(weights);
  let top = align(gradsAt + weights);
  const base = new Array<number>(plan.buffers.length).fill(-1);
  const place = (pick: (b: BufferInfo) => boolean): [number, number] => {
    const start = top;
    for (const b of plan.buffers) {
      if (!pick(b)) continue;
      base[b.id] = top;
      top += b.size;
    }
    const size = top - start;
    top = align(top);
    return [start, size];
  };
  for (const b of plan.buffers) {
    if (b.kind !== 'weight' && b.kind !== 'wgrad') continue;
    const off = params?.offsets.get(b.key!);
    if (off === undefined || params!.sizes.get(b.key!) !== b.size) throw new Error(`gpu program: ${b.kind} ${b.key} is not in the parameter layout`);
    base[b.id] = (b.kind === 'weight' ? 0 : gradsAt) + off;
  }
  const [inAt, inSize] = place((b) => b.kind === 'feed' || seeds.has(b.id));
  const [outAt, outSize] = place((b) => b.kind === 'pinned' && !seeds.has(b.id));
  const probesAt = top;
  top = align(top + 2 * plan.probes.count);
  const [constAt] = place((b) => b.kind === 'const');
  const arenaAt = top;
  for (const b of plan.buffers) if (b.kind === 'arena') base[b.id] = arenaAt + b.offset!;
  top = align(arenaAt + plan.arenaSize);
  return { base, inAt, inSize, outAt, outSize, probesAt, probeCount: plan.probes.count, constAt, total: Math.max(top, ALIGN) };
}

/** The label a kernel's pipeline (and any error about it) carries: its kind and specialisation. */
export function opLabel(instr: Instr): string {
  const kernel = GPU_KERNELS[instr.k] as GpuKernel<Instr>;
  return `${instr.k} ${kernel.key(instr)}`;
}

interface DeviceCache {
  readonly layout: GPUPipelineLayout;
  readonly bindLayout: GPUBindGroupLayout;
  readonly pipelines: Map<string, GPUComputePipeline>;
}
const caches = new WeakMap<GPUDevice, DeviceCache>();

function deviceCache(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (c === undefined) {
    const bindLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: RECORD_BYTES } },
      ],
    });
    c = { bindLayout, layout: device.createPipelineLayout({ bindGroupLayouts: [bindLayout] }), pipelines: new Map() };
    caches.set(device, c);
  }
  return c;
}

/**
 * The compiled pipeline of an instruction's specialisation (compiled once per device). Created
 * synchronously: Dawn's asynchronous creation crashes Node now and then; errors reach the
 * caller's error scope, labelled with the op.
 */
function pipelineFor(device: GPUDevice, instr: Instr, made: string[]): GPUComputePipeline {
  const cache = deviceCache(device);
  const label = opLabel(instr);
  let p = cache.pipelines.get(label);
  if (p === undefined) {
    const kernel = GPU_KERNELS[instr.k] as GpuKernel<Instr>;
    const module = device.createShaderModule({ label, code: PRELUDE + kernel.wgsl(instr) });
    p = device.createComputePipeline({ label, layout: cache.layout, compute: { module, entryPoint: 'main' } });
    cache.pipelines.set(label, p);
    made.push(label);
  }
  return p;
}

interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly offset: number;
  readonly groups: readonly [number, number, number];
  readonly probe: boolean;
  readonly label: string;
}

export interface RunOptions {
  readonly backward: boolean;
  /** Record the diagnostic probes (state-gradient norms, gate saturation). */
  readonly probes?: boolean;
  /** More commands after the pass, before the read-back copy (the optimiser's). */
  readonly after?: (encoder: GPUCommandEncoder) => void;
  /** More read-backs of the same submission: `[buffer, byte offset, bytes]`, returned in order. */
  readonly extra?: readonly (readonly [GPUBuffer, number, number])[];
}

export class GpuProgram {
  /** Host copy of the `in` and `out` regions (feeds, seeds, losses, predictions, pinned values). */
  readonly host: Float32Array;
  /** Diagnostic probe values of the last run with probes (the CPU program's meaning and units). */
  readonly probes: Float64Array;
  readonly kernels = 'webgpu' as const;
  private readonly layoutInfo: Layout;
  private staging: GPUBuffer | undefined;
  private stagingSize = 0;
  private sumSqSlots: ReadonlySet<number>;

  private constructor(
    readonly context: GpuContext,
    readonly plan: Plan,
    private readonly params: GpuParams | undefined,
    layout: Layout,
    readonly memory: GPUBuffer,
    private readonly records: GPUBuffer,
    private readonly bindGroup: GPUBindGroup,
    private readonly fwd: readonly Dispatch[],
    private readonly bwd: readonly Dispatch[],
  ) {
    this.layoutInfo = layout;
    this.host = new Float32Array(layout.outAt + layout.outSize - layout.inAt);
    this.probes = new Float64Array(plan.probes.count);
    this.sumSqSlots = new Set(plan.probes.states.flat().filter((s) => s >= 0));
    for (const seed of plan.seeds) {
      const { array, offset } = this.view(seed);
      array.fill(1 / plan.batch, offset, offset + plan.buffers[seed.buf]!.size);
    }
  }

  /** Bytes of GPU memory a plan needs (checked against the adapter's limits before allocating). */
  static bytes(plan: Plan, params: ParamLayout | undefined): number {
    return planLayout(plan, params).total * 4;
  }

  /**
   * Compile (or reuse) every pipeline, allocate the memory and records. E449 when the memory is
   * over the adapter's limits (checked before allocating), E450 when the driver refuses a kernel
   * or runs out of memory; both name the pass's size or the op.
   */
  static async create(context: GpuContext, plan: Plan, params?: GpuParams): Promise<Result<GpuProgram>> {
    const { device } = context;
    const layout = planLayout(plan, params?.layout);
    const bytes = layout.total * 4;
    const room = gpuRoomError(context, bytes, `this pass (batch ${plan.batch})`, 'use a smaller batch, shorter sequences or a smaller model, or train on the CPU');
    if (room !== undefined) return { ok: false, errors: [room] };
    const instrs = [...plan.forward, ...plan.backward];
    const made: string[] = [];
    device.pushErrorScope('validation');
    // Compiling is synchronous and slow on a software adapter (0.2 s a pipeline): report progress
    // between pipelines so a worker's heartbeat keeps going.
    const pipelines = instrs.map((i) => {
      progress();
      return pipelineFor(device, i, made);
    });
    const refused = await gpuAwait(device.popErrorScope());
    if (refused !== null) {
      // A refused pipeline is not kept: the next program asks again.
      for (const label of made) deviceCache(device).pipelines.delete(label);
      return { ok: false, errors: [unrollError('E450', `the GPU driver refused a kernel: ${refused.message}`)] };
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const memory = device.createBuffer({ label: `unroll memory (batch ${plan.batch})`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const records = device.createBuffer({ label: 'unroll records', size: Math.max(1, instrs.length) * RECORD_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const validation = await gpuAwait(device.popErrorScope());
    const oom = await gpuAwait(device.popErrorScope());
    if (oom !== null || validation !== null) {
      memory.destroy();
      records.destroy();
      return { ok: false, errors: [unrollError('E450', `the GPU could not allocate ${formatBytes(bytes)} for a pass of batch ${plan.batch}: ${(oom ?? validation)!.message}`)] };
    }
    const ctx: KernelCtx = {
      at: (r: Ref) => layout.base[r.buf]! + r.off,
      probe: (slot) => layout.probesAt + 2 * slot,
    };
    const words = new Uint32Array(Math.max(1, instrs.length) * RECORD_WORDS);
    const dispatches = instrs.map((instr, i): Dispatch => {
      const kernel = GPU_KERNELS[instr.k] as GpuKernel<Instr>;
      const rec = kernel.record(instr, ctx);
      if (rec.length > RECORD_WORDS) throw new Error(`gpu program: ${instr.k} record has ${rec.length} words`);
      words.set(rec, i * RECORD_WORDS);
      return { pipeline: pipelines[i]!, offset: i * RECORD_BYTES, groups: kernel.workgroups(instr), probe: instr.k.startsWith('probe'), label: opLabel(instr) };
    });
    device.queue.writeBuffer(records, 0, words);
    // Constants once; everything else starts at zero (WebGPU zeroes new buffers).
    const consts = plan.buffers.filter((b) => b.kind === 'const');
    if (consts.length > 0) {
      const data = new Float32Array(consts.reduce((a, b) => a + b.size, 0));
      let at = 0;
      for (const b of consts) {
        data.set(b.data!, at);
        at += b.size;
      }
      device.queue.writeBuffer(memory, layout.constAt * 4, data);
    }
    const cache = deviceCache(device);
    const bindGroup = device.createBindGroup({
      layout: cache.bindLayout,
      entries: [
        { binding: 0, resource: { buffer: memory } },
        { binding: 1, resource: { buffer: records, size: RECORD_BYTES } },
      ],
    });
    const nf = plan.forward.length;
    return { ok: true, value: new GpuProgram(context, plan, params, layout, memory, records, bindGroup, dispatches.slice(0, nf), dispatches.slice(nf)) };
  }

  /** The host array and element offset of a buffer in the `in` or `out` region (feeds, seeds, pinned values). */
  view(r: Ref): { array: Float32Array; offset: number } {
    const at = this.layoutInfo.base[r.buf]!;
    const local = at - this.layoutInfo.inAt;
    const b = this.plan.buffers[r.buf]!;
    if (b.kind !== 'feed' && b.kind !== 'pinned') throw new Error(`gpu program: buffer ${r.buf} (${b.kind}) stays on the GPU`);
    return { array: this.host, offset: local + r.off };
  }

  /** Element offset of a reference in the GPU memory. */
  offsetOf(r: Ref): number {
    return this.layoutInfo.base[r.buf]! + r.off;
  }

  /**
   * Upload the `in` region, run forward (and backward), append `after`'s commands, and read back the
   * `out` region, the probes and `extra` in one submission. Throws a `GpuFault` naming the op when
   * the device reports an error, or when the device is lost.
   */
  async run(options: RunOptions): Promise<ArrayBuffer[]> {
    const { device } = this.context;
    if (this.context.lost !== undefined) throw GpuFault.lost(this.context.lost);
    const L = this.layoutInfo;
    const probes = options.probes === true && options.backward;
    device.queue.writeBuffer(this.memory, L.inAt * 4, this.host, 0, L.inSize);
    const encoder = device.createCommandEncoder({ label: 'unroll run' });
    const p = this.params;
    if (p !== undefined && p.layout.total > 0) encoder.copyBufferToBuffer(p.buffer, p.weightsAt, this.memory, 0, p.layout.total * 4);
    const pass = encoder.beginComputePass();
    const record = (list: readonly Dispatch[]): void => {
      for (const d of list) {
        if ((d.probe && !probes) || d.groups[0] === 0 || d.groups[1] === 0 || d.groups[2] === 0) continue;
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, this.bindGroup, [d.offset]);
        pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
      }
    };
    record(this.fwd);
    if (options.backward) record(this.bwd);
    pass.end();
    if (options.backward && p !== undefined && p.layout.total > 0) encoder.copyBufferToBuffer(this.memory, align(p.layout.total) * 4, p.buffer, p.gradsAt, p.layout.total * 4);
    options.after?.(encoder);
    // Read back: out + probes, then the extras, each at a 256-byte boundary of one staging buffer.
    const outBytes = (L.outSize + (probes ? 2 * L.probeCount + (L.probesAt - L.outAt - L.outSize) : 0)) * 4;
    const pieces: [GPUBuffer, number, number][] = [[this.memory, L.outAt * 4, outBytes], ...(options.extra ?? []).map((e): [GPUBuffer, number, number] => [e[0], e[1], e[2]])];
    const starts: number[] = [];
    let size = 0;
    for (const [, , bytes] of pieces) {
      starts.push(size);
      size += Math.ceil(bytes / 256) * 256;
    }
    const staging = this.stagingBuffer(Math.max(size, 256));
    pieces.forEach(([buf, at, bytes], i) => {
      if (bytes > 0) encoder.copyBufferToBuffer(buf, at, staging, starts[i]!, Math.ceil(bytes / 4) * 4);
    });
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    const validation = await gpuAwait(device.popErrorScope());
    const oom = await gpuAwait(device.popErrorScope());
    if (validation !== null) throw await this.diagnose(validation.message, options.backward);
    if (oom !== null) throw new GpuFault('oom', `the GPU ran out of memory running a pass of batch ${this.plan.batch}: ${oom.message}`);
    try {
      await gpuAwait(staging.mapAsync(GPUMapMode.READ, 0, size));
    } catch (e) {
      throw await faultOf(this.context, `reading results back from the GPU failed: ${(e as Error).message}`);
    }
    const mapped = staging.getMappedRange(0, size);
    const out = new Float32Array(mapped, 0, L.outSize);
    this.host.set(out, L.outAt - L.inAt);
    if (probes) this.readProbes(new Float32Array(mapped, (L.probesAt - L.outAt) * 4, 2 * L.probeCount));
    const extras = pieces.slice(1).map(([, , bytes], i) => mapped.slice(starts[i + 1]!, starts[i + 1]! + bytes));
    staging.unmap();
    return extras;
  }

  /** Probe slots hold two floats: state norms as (scale, Σ(x/scale)²) so tiny gradients survive float32; gates as (fraction, 0). */
  private readProbes(raw: Float32Array): void {
    for (let s = 0; s < this.probes.length; s++) {
      const a = raw[2 * s]!;
      const b = raw[2 * s + 1]!;
      this.probes[s] = this.sumSqSlots.has(s) ? a * a * b : a;
    }
  }

  private stagingBuffer(size: number): GPUBuffer {
    if (this.staging === undefined || this.stagingSize < size) {
      this.staging?.destroy();
      this.staging = this.context.device.createBuffer({ label: 'unroll read-back', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.stagingSize = size;
    }
    return this.staging;
  }

  /** After a validation error: replay each dispatch alone to name the op at fault. */
  private async diagnose(message: string, backward: boolean): Promise<GpuFault> {
    const { device } = this.context;
    for (const d of [...this.fwd, ...(backward ? this.bwd : [])]) {
      if (d.groups.some((g) => g === 0)) continue;
      device.pushErrorScope('validation');
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, this.bindGroup, [d.offset]);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
      pass.end();
      device.queue.submit([enc.finish()]);
      const e = await gpuAwait(device.popErrorScope());
      if (e !== null) return new GpuFault('error', `the GPU refused op ${d.label}: ${e.message}`);
    }
    return new GpuFault('error', `the GPU refused a command of a pass of batch ${this.plan.batch}: ${message}`);
  }

  /** Write `data` at a reference, whatever region it is in (weights for a test, a restored state). */
  write(r: Ref, data: Float32Array): void {
    this.context.device.queue.writeBuffer(this.memory, this.offsetOf(r) * 4, data);
  }

  /** Read `n` elements at a reference, whatever region it is in (tests and diagnostics; not the hot path). */
  async read(r: Ref, n: number): Promise<Float32Array> {
    const { device } = this.context;
    if (this.context.lost !== undefined) throw GpuFault.lost(this.context.lost);
    const bytes = Math.max(4, n * 4);
    const staging = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    if (n > 0) enc.copyBufferToBuffer(this.memory, this.offsetOf(r) * 4, staging, 0, n * 4);
    device.queue.submit([enc.finish()]);
    try {
      await gpuAwait(staging.mapAsync(GPUMapMode.READ));
    } catch (e) {
      staging.destroy();
      throw await faultOf(this.context, `reading a buffer back from the GPU failed: ${(e as Error).message}`);
    }
    const out = new Float32Array(staging.getMappedRange().slice(0, n * 4));
    staging.destroy();
    return out;
  }

  /** Free the GPU memory (the program cannot run afterwards). */
  destroy(): void {
    this.memory.destroy();
    this.records.destroy();
    this.staging?.destroy();
  }
}
