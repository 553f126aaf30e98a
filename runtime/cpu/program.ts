/**
 * The CPU backend: a plan's instructions become closures over typed arrays, built once. Running a
 * pass is calling them in order; nothing is allocated per step (every view, spec and offset is
 * resolved here).
 */
import type { BufferInfo, Instr, Ref } from '../compile/instr.ts';
import type { Plan } from '../compile/plan.ts';
import * as K from './kernels/index.ts';
import type { FloatArray } from './kernels/index.ts';
import { progress } from '../progress.ts';
import { cpuKernels } from './kernel-mode.ts';
import { FastMemory } from './fast-memory.ts';

export type DType = 'float32' | 'float64';

/** Time and calls of one kind of instruction (see {@link setKernelProfile}). */
export interface KernelTiming {
  calls: number;
  ms: number;
}

let profiling = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.UNROLL_PROFILE === '1';
const timings = new Map<string, KernelTiming>();

/**
 * Opt-in per-kernel timing (also on with the environment variable `UNROLL_PROFILE=1`): programs
 * built while it is on time every instruction, summed by a label of its kind, operation, the
 * kernels that run it (`fast` or `ref`) and its layout. Slows every pass down; for profiling only.
 */
export function setKernelProfile(on: boolean): void {
  profiling = on;
}

/** The timings so far, slowest first; `reset` zeroes them. */
export function kernelProfile(reset = false): [string, KernelTiming][] {
  const out = [...timings.entries()].filter(([, t]) => t.calls > 0).sort((a, b) => b[1].ms - a[1].ms).map(([k, t]): [string, KernelTiming] => [k, { ...t }]);
  if (reset)
    for (const t of timings.values()) {
      t.calls = 0;
      t.ms = 0;
    }
  return out;
}

/** The profile label of an instruction. */
function profileLabel(instr: Instr, fast: boolean): string {
  const op = 'op' in instr ? `:${instr.op}` : '';
  const spec = 'spec' in instr ? instr.spec : undefined;
  const layout =
    spec === undefined ? '' : 'shape' in spec ? ` [${spec.shape.join(',')}] ${spec.strides.map((s) => `(${s.join(',')})`).join(' ')}${instr.k !== 'gemm' && 'acc' in instr && instr.acc ? ' acc' : ''}` : ` ${spec.M}x${spec.N}x${spec.K}${spec.transA ? ' tA' : ''}${spec.transB ? ' tB' : ''}${spec.batch > 1 ? ` b${spec.batch}` : ''}`;
  return `${instr.k}${op} ${fast ? 'fast' : 'ref'}${layout}`;
}

/** A typed array of `dtype`. */
export const floatArray = (dtype: DType, n: number): FloatArray => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

/** Weights and their gradients, owned by the model and shared by all its plans. */
export interface ParamStore {
  readonly weights: ReadonlyMap<string, FloatArray>;
  readonly grads: ReadonlyMap<string, FloatArray>;
}

export class CpuProgram {
  readonly arena: FloatArray;
  /** Backing array of each buffer (the arena for arena buffers; the one memory on the fast kernels). */
  private readonly arrays: FloatArray[];
  /** Element offset of each buffer in its backing array. */
  private readonly bases: number[];
  /** Float32 on the fast kernels: the WebAssembly memory every buffer lives in; else undefined. */
  private readonly fast: FastMemory | undefined;
  private readonly fwd: (() => void)[];
  private readonly bwd: (() => void)[];
  /** Diagnostic probe values of the last backward pass with probes on. */
  readonly probes: Float64Array;
  private probesOn = false;

  constructor(
    readonly plan: Plan,
    readonly dtype: DType,
    params: ParamStore,
  ) {
    this.probes = new Float64Array(plan.probes.count);
    this.fast = dtype === 'float32' && cpuKernels() === 'fast' ? FastMemory.create(plan, params) : undefined;
    if (this.fast !== undefined) {
      const f32 = this.fast.f32;
      this.arena = f32.subarray(0, plan.arenaSize);
      this.arrays = plan.buffers.map(() => f32);
      this.bases = [...this.fast.bases];
    } else {
      this.arena = floatArray(dtype, plan.arenaSize);
      this.arrays = plan.buffers.map((b) => this.backing(b, params));
      this.bases = plan.buffers.map((b) => (b.kind === 'arena' ? b.offset! : 0));
    }
    // Loss seeds start as a full batch's 1/B; a pass over fewer real examples rewrites them.
    for (const seed of plan.seeds) {
      const { array, offset } = this.view(seed);
      array.fill(1 / plan.batch, offset, offset + plan.buffers[seed.buf]!.size);
    }
    // Compiling a long plan takes a while: report progress (the worker's heartbeat) as it goes.
    const compile = (i: Instr): (() => void) => {
      progress();
      return this.compile(i);
    };
    this.fwd = plan.forward.map(compile);
    this.bwd = plan.backward.map(compile);
  }

  private backing(b: BufferInfo, params: ParamStore): FloatArray {
    switch (b.kind) {
      case 'arena':
        return this.arena;
      case 'weight':
      case 'wgrad': {
        const arr = (b.kind === 'weight' ? params.weights : params.grads).get(b.key!);
        if (arr === undefined || arr.length !== b.size) throw new Error(`program: ${b.kind} ${b.key} missing or of the wrong size`);
        return arr;
      }
      case 'const': {
        const arr = floatArray(this.dtype, b.size);
        arr.set(b.data!);
        return arr;
      }
      default:
        return floatArray(this.dtype, b.size);
    }
  }

  /** The array and element offset of a reference. */
  view(r: Ref): { array: FloatArray; offset: number } {
    return { array: this.arrays[r.buf]!, offset: this.bases[r.buf]! + r.off };
  }

  /** Which kernels this program runs (float64 and engines without WebAssembly SIMD: reference). */
  get kernels(): 'fast' | 'reference' {
    return this.fast !== undefined ? 'fast' : 'reference';
  }

  forward(): void {
    this.fast?.weightsToMemory();
    for (const f of this.fwd) {
      f();
      progress();
    }
  }

  /** Backward; with `probes` the diagnostic probes (state gradient norms, gate saturation) are recorded. */
  backward(probes = false): void {
    this.probesOn = probes;
    if (probes) this.probes.fill(0);
    // The weights are copied in again: a caller may have changed them since forward.
    this.fast?.weightsToMemory();
    for (const f of this.bwd) {
      f();
      progress();
    }
    this.fast?.gradsFromMemory();
  }

  private compile(instr: Instr): () => void {
    const fast = this.fast?.closure(instr, (r) => this.view(r).offset);
    const run = fast ?? this.reference(instr);
    if (!profiling) return run;
    const label = profileLabel(instr, fast !== undefined);
    const t = timings.get(label) ?? { calls: 0, ms: 0 };
    timings.set(label, t);
    return () => {
      const t0 = performance.now();
      run();
      t.ms += performance.now() - t0;
      t.calls++;
    };
  }

  /** The closure of an instruction on the reference kernels (over the program's arrays, wherever they live). */
  private reference(instr: Instr): () => void {
    const v = (r: Ref): [FloatArray, number] => {
      const { array, offset } = this.view(r);
      return [array, offset];
    };
    switch (instr.k) {
      case 'gemm': {
        const [a, ao] = v(instr.a);
        const [b, bo] = v(instr.b);
        const [c, co] = v(instr.c);
        const spec = instr.spec;
        return () => K.gemm(spec, a, ao, b, bo, c, co);
      }
      case 'unary': {
        const [x, xo] = v(instr.x);
        const [o, oo] = v(instr.out);
        const { op, n, acc, alpha } = instr;
        return () => K.unary(op, n, x, xo, o, oo, acc, alpha);
      }
      case 'unaryGrad': {
        const [dy, dyo] = v(instr.dy);
        const [s, so] = v(instr.saved);
        const [dx, dxo] = v(instr.dx);
        const { op, n, acc } = instr;
        return () => K.unaryGrad(op, n, dy, dyo, s, so, dx, dxo, acc);
      }
      case 'binary': {
        const [a, ao] = v(instr.a);
        const [b, bo] = v(instr.b);
        const [o, oo] = v(instr.out);
        const { op, spec, acc, alpha } = instr;
        return () => K.binary(op, spec, a, ao, b, bo, o, oo, acc, alpha);
      }
      case 'copy': {
        const [s, so] = v(instr.src);
        const [o, oo] = v(instr.out);
        const { spec, acc, alpha } = instr;
        return () => K.stridedCopy(spec, s, so, o, oo, acc, alpha);
      }
      case 'fill': {
        const [o, oo] = v(instr.out);
        const { n, value } = instr;
        return () => K.fill(o, oo, n, value);
      }
      case 'softmax': {
        const [x, xo] = v(instr.x);
        const [y, yo] = v(instr.y);
        const { rows, n } = instr;
        return () => K.softmax(rows, n, x, xo, y, yo);
      }
      case 'softmaxGrad': {
        const [dy, dyo] = v(instr.dy);
        const [y, yo] = v(instr.y);
        const [dx, dxo] = v(instr.dx);
        const { rows, n, acc } = instr;
        return () => K.softmaxGrad(rows, n, dy, dyo, y, yo, dx, dxo, acc);
      }
      case 'crossEntropy': {
        const [l, lo] = v(instr.logits);
        const [t, to] = v(instr.targets);
        const [o, oo] = v(instr.loss);
        const [p, po] = v(instr.probs);
        const { rows, V } = instr;
        return () => K.crossEntropy(rows, V, l, lo, t, to, o, oo, p, po);
      }
      case 'crossEntropyGrad': {
        const [d, dO] = v(instr.dLoss);
        const [p, po] = v(instr.probs);
        const [t, to] = v(instr.targets);
        const [dl, dlo] = v(instr.dLogits);
        const { rows, V, acc } = instr;
        return () => K.crossEntropyGrad(rows, V, d, dO, p, po, t, to, dl, dlo, acc);
      }
      case 'bce': {
        const [x, xo] = v(instr.x);
        const [t, to] = v(instr.t);
        const [o, oo] = v(instr.out);
        const { n } = instr;
        return () => K.bceLogits(n, x, xo, t, to, o, oo);
      }
      case 'bceGrad': {
        const [dy, dyo] = v(instr.dy);
        const [x, xo] = v(instr.x);
        const [t, to] = v(instr.t);
        const [dx, dxo] = v(instr.dx);
        const { n, acc } = instr;
        return () => K.bceLogitsGrad(n, dy, dyo, x, xo, t, to, dx, dxo, acc);
      }
      case 'bceTargetGrad': {
        const [dy, dyo] = v(instr.dy);
        const [x, xo] = v(instr.x);
        const [dt, dto] = v(instr.dt);
        const { n, acc } = instr;
        return () => K.bceLogitsTargetGrad(n, dy, dyo, x, xo, dt, dto, acc);
      }
      case 'gather': {
        const [tb, tbo] = v(instr.table);
        const [ids, io] = v(instr.ids);
        const [o, oo] = v(instr.out);
        const { rows, d } = instr;
        return () => K.gather(rows, d, tb, tbo, ids, io, o, oo);
      }
      case 'argmax': {
        const [x, xo] = v(instr.x);
        const [o, oo] = v(instr.out);
        const { rows, n } = instr;
        return () => K.argmax(rows, n, x, xo, o, oo);
      }
      case 'scatterAdd': {
        const [d0, d0o] = v(instr.dOut);
        const [ids, io] = v(instr.ids);
        const [dt, dto] = v(instr.dTable);
        const { rows, d } = instr;
        return () => K.scatterAdd(rows, d, d0, d0o, ids, io, dt, dto);
      }
      case 'lstmFwd': {
        const [p, po] = v(instr.pre);
        const [c, co] = v(instr.cPrev);
        const [hc, hco] = v(instr.hc);
        const [g, go] = v(instr.gates);
        const [tc, tco] = v(instr.tanhC);
        const { B, H } = instr;
        return () => K.lstmCellForward(B, H, p, po, c, co, hc, hco, g, go, tc, tco);
      }
      case 'lstmBwd': {
        const [d, dO] = v(instr.dhc);
        const [g, go] = v(instr.gates);
        const [tc, tco] = v(instr.tanhC);
        const [c, co] = v(instr.cPrev);
        const [dp, dpo] = v(instr.dPre!);
        const [dc, dco] = v(instr.dCPrev!);
        const { B, H, accPre, accC } = instr;
        return () => K.lstmCellBackward(B, H, d, dO, g, go, tc, tco, c, co, dp, dpo, accPre, dc, dco, accC);
      }
      case 'gruFwd': {
        const [gi, gio] = v(instr.gi);
        const [gh, gho] = v(instr.gh);
        const [hp, hpo] = v(instr.hPrev);
        const [h, ho] = v(instr.h);
        const [s, so] = v(instr.saved);
        const { B, H } = instr;
        return () => K.gruCellForward(B, H, gi, gio, gh, gho, hp, hpo, h, ho, s, so);
      }
      case 'gruBwd': {
        const [dh, dho] = v(instr.dh);
        const [s, so] = v(instr.saved);
        const [gh, gho] = v(instr.gh);
        const [hp, hpo] = v(instr.hPrev);
        const [dgi, dgio] = v(instr.dGi!);
        const [dgh, dgho] = v(instr.dGh!);
        const [dhp, dhpo] = v(instr.dHPrev!);
        const { B, H, accGi, accGh, accH } = instr;
        return () => K.gruCellBackward(B, H, dh, dho, s, so, gh, gho, hp, hpo, dgi, dgio, accGi, dgh, dgho, accGh, dhp, dhpo, accH);
      }
      case 'probeSumSq': {
        const [x, xo] = v(instr.x);
        const { n, slot } = instr;
        return () => {
          if (this.probesOn) this.probes[slot] = K.sumSquares(n, x, xo);
        };
      }
      case 'probeLstmC': {
        const [d, dO] = v(instr.dhc);
        const [g, go] = v(instr.gates);
        const [tc, tco] = v(instr.tanhC);
        const { rows, H, slot } = instr;
        return () => {
          if (!this.probesOn) return;
          let sum = 0;
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const o = g[go + r * 4 * H + 3 * H + j]!;
              const t = tc[tco + r * H + j]!;
              const total = d[dO + r * 2 * H + H + j]! + d[dO + r * 2 * H + j]! * o * (1 - t * t);
              sum += total * total;
            }
          }
          this.probes[slot] = sum;
        };
      }
      case 'probeGates': {
        const [x, xo] = v(instr.x);
        const { rows, width, ranges, slot } = instr;
        return () => {
          if (!this.probesOn) return;
          for (let g = 0; g < ranges.length; g++) {
            const [start, end] = ranges[g]!;
            let low = 0;
            let high = 0;
            for (let r = 0; r < rows; r++) {
              const base = xo + r * width;
              for (let j = base + start; j < base + end; j++) {
                const val = x[j]!;
                if (val < 0.1) low++;
                else if (val > 0.9) high++;
              }
            }
            const count = rows * (end - start);
            this.probes[slot + 2 * g] = count > 0 ? low / count : 0;
            this.probes[slot + 2 * g + 1] = count > 0 ? high / count : 0;
          }
        };
      }
    }
  }
}
