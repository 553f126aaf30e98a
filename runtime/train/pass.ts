/**
 * One compiled pass of a model for fixed lengths and batch size: writes a batch of data into the
 * plan's feed buffers (padding, masks, per-example lengths), runs forward and backward, and reads
 * back losses, predictions and diagnostics.
 */
import type { Ref } from '../compile/instr.ts';
import { CpuProgram } from '../cpu/program.ts';
import type { GpuProgram, RunOptions } from '../webgpu/program.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import type { Rng } from './prng.ts';

/** The data of one batch by source node. `values` are row-major `[size, length, ...element]` (length 1 for a non-sequence). */
export interface SourceData {
  readonly values: ArrayLike<number>;
  /** Steps per example in `values` (the padded length); 0 for a non-sequence source. */
  readonly length: number;
}

export interface FeedData {
  /** Real examples (≤ the pass's batch size; missing rows are padding and excluded from the loss). */
  readonly size: number;
  readonly sources: ReadonlyMap<string, SourceData>;
  /** Real length of each example, by time axis; absent axes are full length. */
  readonly lengths: ReadonlyMap<string, ArrayLike<number>>;
}

export interface StateNorms {
  readonly delay: string;
  readonly source: string;
  readonly loop: string;
  /** ‖∂L/∂z_t‖ for t = 0 … T−1 (the batch-mean objective's gradient). */
  readonly norms: number[];
}

export interface GateSaturation {
  readonly node: string;
  /** Per gate: mean fraction of activations below 0.1 (`low`) and above 0.9 (`high`) over steps. */
  readonly gates: readonly { readonly name: string; readonly low: number; readonly high: number }[];
}

/**
 * A compiled pass on either backend. Feeding, reading losses, predictions and probes is the same
 * for both (the GPU program keeps host copies of its feeds and outputs); running differs: the CPU
 * runs synchronously (`forward`, `backward`), WebGPU in one asynchronous submission (`run`).
 */
export class Pass {
  readonly batch: number;
  private readonly view: (r: Ref) => { array: FloatArray; offset: number };

  constructor(
    readonly program: CpuProgram | GpuProgram,
    /** Length of every axis of the unrolled graph. */
    readonly lengths: Readonly<Record<string, number>>,
    /** Bytes of the pass's own buffers (counted against the model's budget). */
    readonly bytes = 0,
  ) {
    this.batch = program.plan.batch;
    this.view = (r) => program.view(r);
  }

  get plan() {
    return this.program.plan;
  }

  /** Write one batch. `rng` draws random first states (delays with `init: random`). */
  feed(d: FeedData, rng?: Rng): void {
    const B = this.batch;
    if (d.size > B) throw new Error(`feed: ${d.size} examples for a pass of ${B}`);
    for (const seed of this.plan.seeds) {
      const { array, offset } = this.view(seed);
      for (let b = 0; b < B; b++) array[offset + b] = b < d.size ? 1 / d.size : 0;
    }
    for (const { feed, ref, size } of this.plan.feeds) {
      const { array, offset } = this.view(ref);
      const E = size / B;
      switch (feed.kind) {
        case 'zeros':
          break;
        case 'random':
          for (let i = 0; i < size; i++) array[offset + i] = rng !== undefined ? 0.1 * rng.normal() : 0;
          break;
        case 'data': {
          const src = d.sources.get(feed.node!);
          if (src === undefined) throw new Error(`feed: no data for source ${feed.node}`);
          const steps = feed.whole === true ? this.plan.lowered.ops[feed.sym]!.shape[0]! : 1;
          writeData(array, offset, E, B, d.size, src, feed.position, steps);
          break;
        }
        default: {
          const lens = d.lengths.get(feed.axis!);
          const full = this.lengths[feed.axis!] ?? 0;
          for (let b = 0; b < B; b++) {
            const len = b < d.size ? (lens?.[b] ?? full) : 1;
            const p = feed.position ?? 0;
            array[offset + b] = feed.kind === 'mask' ? (p < len ? 1 : 0) : feed.kind === 'last' ? (p === len - 1 ? 1 : 0) : 1 / Math.max(1, len);
          }
        }
      }
    }
  }

  /** The CPU program (passes of the WebGPU backend run with `run`). */
  private get cpu(): CpuProgram {
    if (!(this.program instanceof CpuProgram)) throw new Error('pass: a WebGPU pass runs with run(), not forward()/backward()');
    return this.program;
  }

  /** Forward; returns the objective (sum of the losses, mean over the `size` real examples). */
  forward(size = this.batch): number {
    this.cpu.forward();
    return this.objective(size);
  }

  /**
   * WebGPU: forward (and backward, and what `options.after` appends) in one submission; returns the
   * objective and the extra read-backs. Throws a GpuFault when the device fails or is lost.
   */
  async run(size: number, options: RunOptions): Promise<{ objective: number; extras: ArrayBuffer[] }> {
    if (this.program instanceof CpuProgram) throw new Error('pass: a CPU pass runs with forward()/backward()');
    const extras = await this.program.run(options);
    return { objective: this.objective(size), extras };
  }

  /** The objective of the last forward: the sum of the losses, mean over the `size` real examples. */
  private objective(size: number): number {
    let total = 0;
    for (const l of this.plan.lowered.losses) {
      const { array, offset } = this.view(this.plan.values.get(l)!);
      for (let b = 0; b < size; b++) total += array[offset + b]!;
    }
    return total / size;
  }

  backward(probes = false): void {
    this.cpu.backward(probes);
  }

  /** The values of symbol `sym` (a view into the plan's buffers; copy before the next pass). */
  valueOf(sym: number): FloatArray {
    const { array, offset } = this.view(this.plan.values.get(sym)!);
    const n = this.plan.lowered.ops[sym]!;
    const size = (n.batched ? this.batch : 1) * n.shape.reduce((a, b) => a * b, 1);
    return array.subarray(offset, offset + size);
  }

  /** The gradient of a pinned value (passes planned with `keepGrads`); undefined when it gets none. */
  valueGrad(sym: number): FloatArray | undefined {
    const ref = this.plan.valueGrads.get(sym);
    if (ref === undefined) return undefined;
    const { array, offset } = this.view(ref);
    return array.subarray(offset, offset + this.plan.buffers[ref.buf]!.size);
  }

  /** The gradient with respect to a data feed (passes planned with input gradients). */
  inputGrad(sym: number): FloatArray | undefined {
    const ref = this.plan.inputGrads.get(sym);
    if (ref === undefined) return undefined;
    const { array, offset } = this.view(ref);
    return array.subarray(offset, offset + this.plan.buffers[ref.buf]!.size);
  }

  /**
   * Prediction `i` (see `LoweredGraph.predictions`) for the first `size` examples, laid out like a
   * task's target stream: `[size, length, width]` for sequences (positions beyond the plan are 0),
   * `[size, width]` otherwise.
   */
  prediction(i: number, size: number, length: number): Float32Array {
    const p = this.plan.lowered.predictions[i]!;
    const W = p.width;
    if (!p.seq) return Float32Array.from(this.valueOf(p.syms[0]!).subarray(0, size * W));
    const out = new Float32Array(size * length * W);
    p.syms.forEach((sym, t) => {
      if (t >= length) return;
      const v = this.valueOf(sym);
      for (let b = 0; b < size; b++) out.set(v.subarray(b * W, (b + 1) * W), (b * length + t) * W);
    });
    return out;
  }

  /** ‖∂L/∂z_t‖ of every recurrent state (after a backward pass with probes). */
  stateNorms(): StateNorms[] {
    const probes = this.program.probes;
    return this.plan.lowered.states.map((s, i) => ({
      delay: s.delay,
      source: s.source,
      loop: s.loop,
      norms: this.plan.probes.states[i]!.map((slot) => (slot >= 0 ? Math.sqrt(probes[slot] ?? 0) : 0)),
    }));
  }

  /** Gate saturation of every gated cell, averaged over steps (after a backward pass with probes). */
  gateSaturation(): GateSaturation[] {
    const probes = this.program.probes;
    const byNode = new Map<string, { name: string; low: number; high: number }[]>();
    this.plan.lowered.gates.forEach((g, i) => {
      const layout = this.plan.probes.gates[i];
      if (layout === undefined || layout.names.length === 0) return;
      const steps = layout.slots.length;
      const gates = byNode.get(g.node) ?? [];
      layout.names.forEach((name, k) => {
        let low = 0;
        let high = 0;
        for (const slot of layout.slots) {
          low += probes[slot + 2 * k]!;
          high += probes[slot + 2 * k + 1]!;
        }
        gates.push({ name, low: low / steps, high: high / steps });
      });
      byNode.set(g.node, gates);
    });
    return [...byNode].map(([node, gates]) => ({ node, gates }));
  }
}

function writeData(dst: FloatArray, off: number, E: number, B: number, size: number, src: SourceData, position: number | undefined, steps: number): void {
  const T = Math.max(1, src.length);
  if (position === undefined && src.length > 0) {
    const Tp = steps;
    const e = E / Tp;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < Tp; t++) {
        const o = off + (b * Tp + t) * e;
        if (b < size && t < T) for (let j = 0; j < e; j++) dst[o + j] = src.values[(b * T + t) * e + j]!;
        else for (let j = 0; j < e; j++) dst[o + j] = 0;
      }
    }
    return;
  }
  const p = position ?? 0;
  for (let b = 0; b < B; b++) {
    const o = off + b * E;
    if (b < size && p < T) for (let j = 0; j < E; j++) dst[o + j] = src.values[(b * T + p) * E + j]!;
    else for (let j = 0; j < E; j++) dst[o + j] = 0;
  }
}

