/**
 * The memory of a float32 program on the fast kernels: every buffer of the plan (arena, feeds,
 * constants, outputs) lives in one WebAssembly memory, so the SIMD kernels work in place with no
 * copies per call. Weights and their gradients belong to the model (plain typed arrays shared by
 * all its programs), so the program keeps mirrors of them here: weights are copied in at the start
 * of each pass (a few hundred kilobytes, microseconds), gradients copied out at the end of
 * backward. Weights used transposed by a matmul are also kept transposed, refreshed with the
 * copy, so the hot forward products read B row-major.
 */
import type { BufferInfo, Instr, Ref } from '../compile/instr.ts';
import type { Plan } from '../compile/plan.ts';
import type { GemmSpec } from './kernels/gemm.ts';
import type { FloatArray } from './kernels/types.ts';
import { instantiateKernels, kernelModule, type KernelExports } from './wasm/module.ts';
import { WasmGemm } from './wasm/wasm-gemm.ts';
import { WasmPointwise } from './wasm/wasm-pointwise.ts';

/** Largest memory asked for: 4 GiB less a page (wasm32's limit). */
const MAX_PAGES = 65535;
/** Regions start on 64-byte boundaries (cache lines; aligned SIMD loads). */
const align = (n: number): number => (n + 15) & ~15;

interface Mirror {
  readonly base: number;
  readonly size: number;
  readonly array: FloatArray;
}

interface Transposed {
  /** Element offset of the weight's `[N, K]` block in the mirror, its row stride, and the `[K, N]` copy. */
  readonly src: number;
  readonly ldb: number;
  readonly N: number;
  readonly K: number;
  readonly dst: number;
}

/** Weights a program reads and gradients it writes, by key. */
export interface ParamArrays {
  readonly weights: ReadonlyMap<string, FloatArray>;
  readonly grads: ReadonlyMap<string, FloatArray>;
}

export class FastMemory {
  /** The whole memory as floats; every buffer is a range of it. */
  readonly f32: Float32Array;
  /** Element offset of each buffer of the plan. */
  readonly bases: readonly number[];
  readonly x: KernelExports;
  readonly gemm: WasmGemm;
  /** Pointwise instructions the SIMD kernels cover. */
  readonly pointwise: WasmPointwise;
  private readonly weightsIn: Mirror[] = [];
  private readonly gradsOut: Mirror[] = [];
  private readonly transposed: Transposed[] = [];
  private readonly transposedAt = new Map<string, number>();

  private constructor(module: WebAssembly.Module, plan: Plan, params: ParamArrays) {
    const bases: number[] = [];
    let top = align(plan.arenaSize);
    for (const b of plan.buffers) {
      if (b.kind === 'arena') bases.push(b.offset!);
      else {
        bases.push(top);
        top = align(top + b.size);
      }
    }
    // Transposed copies of weights read as B with transB, and scratch for any other transposed B.
    let scratch = 0;
    const weightT: { key: string; src: number; ldb: number; N: number; K: number }[] = [];
    for (const instr of [...plan.forward, ...plan.backward]) {
      if (instr.k !== 'gemm' || !instr.spec.transB) continue;
      const { N, K } = instr.spec;
      if (cacheable(instr, plan.buffers)) {
        const ldb = instr.spec.ldb ?? K;
        const key = `${instr.b.buf}:${instr.b.off}:${N}:${K}:${ldb}`;
        if (!this.transposedAt.has(key)) {
          this.transposedAt.set(key, top);
          weightT.push({ key, src: bases[instr.b.buf]! + instr.b.off, ldb, N, K });
          top = align(top + N * K);
        }
      } else scratch = Math.max(scratch, N * K);
    }
    const scratchAt = top;
    top = align(top + scratch);
    const pages = Math.ceil((top * 4) / 65536) + 1;
    if (pages > MAX_PAGES) throw new RangeError('fast memory: plan too large for one WebAssembly memory');
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.f32 = new Float32Array(memory.buffer);
    this.bases = bases;
    this.x = instantiateKernels(module, memory);
    this.gemm = new WasmGemm(this.x, this.f32, scratchAt);
    this.pointwise = new WasmPointwise(this.x, this.f32);
    for (const t of weightT) this.transposed.push({ src: t.src, ldb: t.ldb, N: t.N, K: t.K, dst: this.transposedAt.get(t.key)! });
    for (const b of plan.buffers) {
      const base = bases[b.id]!;
      if (b.kind === 'const') this.f32.set(b.data!, base);
      if (b.kind === 'weight' || b.kind === 'wgrad') {
        const array = (b.kind === 'weight' ? params.weights : params.grads).get(b.key!);
        if (array === undefined || array.length !== b.size) throw new Error(`program: ${b.kind} ${b.key} missing or of the wrong size`);
        (b.kind === 'weight' ? this.weightsIn : this.gradsOut).push({ base, size: b.size, array });
      }
    }
  }

  /**
   * A fast memory for `plan`, or undefined where the fast kernels cannot run (no WebAssembly SIMD,
   * compilation refused, or a plan too large for one memory): the caller then uses the reference.
   */
  static create(plan: Plan, params: ParamArrays): FastMemory | undefined {
    const module = kernelModule();
    if (module === null) return undefined;
    try {
      return new FastMemory(module, plan, params);
    } catch (e) {
      if (e instanceof RangeError) return undefined;
      throw e;
    }
  }

  /** Copy the model's weights in (and refresh their transposed copies): call before each pass. */
  weightsToMemory(): void {
    for (const m of this.weightsIn) this.f32.set(m.array, m.base);
    for (const t of this.transposed) this.gemm.pack(t.N, t.K, t.src, t.ldb, t.dst);
  }

  /** Copy the gradients out to the model: call after backward. */
  gradsFromMemory(): void {
    for (const m of this.gradsOut) m.array.set(this.f32.subarray(m.base, m.base + m.size));
  }

  /** The closure of an instruction on the SIMD kernels, or undefined where it has none (the reference runs it). */
  closure(instr: Instr, at: (r: Ref) => number): (() => void) | undefined {
    switch (instr.k) {
      case 'gemm':
        return this.gemmClosure(instr, at);
      case 'binary':
        return this.pointwise.binary(instr, at);
      case 'copy':
        return this.pointwise.copy(instr, at);
      case 'unary':
        return this.pointwise.unary(instr, at);
      case 'unaryGrad':
        return this.pointwise.unaryGrad(instr, at);
      case 'lstmFwd':
        return this.pointwise.lstmForward(instr, at);
      case 'gruFwd':
        return this.pointwise.gruForward(instr, at);
      case 'lstmBwd':
        return this.pointwise.lstmBackward(instr, at);
      case 'gruBwd':
        return this.pointwise.gruBackward(instr, at);
      default:
        return undefined;
    }
  }

  /** The closure of a gemm instruction. */
  gemmClosure(instr: Extract<Instr, { k: 'gemm' }>, at: (r: Ref) => number): () => void {
    const key = instr.spec.transB ? `${instr.b.buf}:${instr.b.off}:${instr.spec.N}:${instr.spec.K}:${instr.spec.ldb ?? instr.spec.K}` : undefined;
    const t = key !== undefined ? this.transposedAt.get(key) : undefined;
    const a = at(instr.a);
    const c = at(instr.c);
    if (t !== undefined) {
      // Read the transposed copy row-major instead of packing B on every call.
      const spec: GemmSpec = { ...instr.spec, transB: false, ldb: instr.spec.N };
      return () => this.gemm.run(spec, a, t, c);
    }
    const b = at(instr.b);
    const spec = instr.spec;
    return () => this.gemm.run(spec, a, b, c);
  }
}

/** A transposed B the program can keep transposed: a weight, the same block for every batch item. */
function cacheable(instr: Extract<Instr, { k: 'gemm' }>, buffers: readonly BufferInfo[]): boolean {
  return buffers[instr.b.buf]!.kind === 'weight' && (instr.spec.batch === 1 || instr.spec.bStride === 0);
}
