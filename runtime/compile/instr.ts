/**
 * The planned program: kernel calls on buffer slices, as data. A backend turns each instruction
 * into something it can run (the CPU backend: a closure over typed-array views); the planner only
 * decides what runs in which order on which buffer.
 */
import type { GemmSpec } from '../cpu/kernels/gemm.ts';
import type { StridedSpec } from '../cpu/kernels/strided.ts';
import type { BinaryOp } from '../cpu/kernels/binary.ts';
import type { UnaryGradOp, UnaryOp } from '../cpu/kernels/unary.ts';

/** Element `off` of buffer `buf`. */
export interface Ref {
  readonly buf: number;
  readonly off: number;
}

/** Where a buffer lives. Only `arena` buffers share memory (by liveness); the rest are owned. */
export type BufferKind =
  /** activations, gradients and saved temporaries, reused once dead */
  | 'arena'
  /** a weight, owned by the caller and shared by every plan of a model (`key`) */
  | 'weight'
  /** a weight's gradient, owned by the caller (`key`) */
  | 'wgrad'
  /** written by the executor before each forward pass */
  | 'feed'
  /** constant data written once (`fill`, `constant`) */
  | 'const'
  /** read by the executor after a pass (losses, predictions, input gradients) */
  | 'pinned';

export interface BufferInfo {
  readonly id: number;
  /** Elements. */
  readonly size: number;
  readonly kind: BufferKind;
  /** `weight`, `wgrad`: the safetensors key. */
  readonly key?: string;
  /** `const`: initial contents. */
  readonly data?: readonly number[];
  /** `arena`: element offset in the arena, assigned by liveness. */
  offset?: number;
}

export type Instr =
  | { readonly k: 'gemm'; readonly spec: GemmSpec; readonly a: Ref; readonly b: Ref; readonly c: Ref }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly n: number; readonly x: Ref; readonly out: Ref; readonly acc: boolean; readonly alpha: number }
  | { readonly k: 'unaryGrad'; readonly op: UnaryGradOp; readonly n: number; readonly dy: Ref; readonly saved: Ref; readonly dx: Ref; readonly acc: boolean }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly spec: StridedSpec; readonly a: Ref; readonly b: Ref; readonly out: Ref; readonly acc: boolean; readonly alpha: number }
  | { readonly k: 'copy'; readonly spec: StridedSpec; readonly src: Ref; readonly out: Ref; readonly acc: boolean; readonly alpha: number }
  | { readonly k: 'fill'; readonly out: Ref; readonly n: number; readonly value: number }
  | { readonly k: 'softmax'; readonly rows: number; readonly n: number; readonly x: Ref; readonly y: Ref }
  | { readonly k: 'softmaxGrad'; readonly rows: number; readonly n: number; readonly dy: Ref; readonly y: Ref; readonly dx: Ref; readonly acc: boolean }
  | { readonly k: 'crossEntropy'; readonly rows: number; readonly V: number; readonly logits: Ref; readonly targets: Ref; readonly loss: Ref; readonly probs: Ref }
  | { readonly k: 'crossEntropyGrad'; readonly rows: number; readonly V: number; readonly dLoss: Ref; readonly probs: Ref; readonly targets: Ref; readonly dLogits: Ref; readonly acc: boolean }
  | { readonly k: 'bce'; readonly n: number; readonly x: Ref; readonly t: Ref; readonly out: Ref }
  | { readonly k: 'bceGrad'; readonly n: number; readonly dy: Ref; readonly x: Ref; readonly t: Ref; readonly dx: Ref; readonly acc: boolean }
  | { readonly k: 'bceTargetGrad'; readonly n: number; readonly dy: Ref; readonly x: Ref; readonly dt: Ref; readonly acc: boolean }
  | { readonly k: 'gather'; readonly rows: number; readonly d: number; readonly table: Ref; readonly ids: Ref; readonly out: Ref }
  | { readonly k: 'argmax'; readonly rows: number; readonly n: number; readonly x: Ref; readonly out: Ref }
  | { readonly k: 'scatterAdd'; readonly rows: number; readonly d: number; readonly dOut: Ref; readonly ids: Ref; readonly dTable: Ref }
  | { readonly k: 'lstmFwd'; readonly B: number; readonly H: number; readonly pre: Ref; readonly cPrev: Ref; readonly hc: Ref; readonly gates: Ref; readonly tanhC: Ref }
  | {
      readonly k: 'lstmBwd';
      readonly B: number;
      readonly H: number;
      readonly dhc: Ref;
      readonly gates: Ref;
      readonly tanhC: Ref;
      readonly cPrev: Ref;
      readonly dPre?: Ref;
      readonly accPre: boolean;
      readonly dCPrev?: Ref;
      readonly accC: boolean;
    }
  | { readonly k: 'gruFwd'; readonly B: number; readonly H: number; readonly gi: Ref; readonly gh: Ref; readonly hPrev: Ref; readonly h: Ref; readonly saved: Ref }
  | {
      readonly k: 'gruBwd';
      readonly B: number;
      readonly H: number;
      readonly dh: Ref;
      readonly saved: Ref;
      readonly gh: Ref;
      readonly hPrev: Ref;
      readonly dGi?: Ref;
      readonly accGi: boolean;
      readonly dGh?: Ref;
      readonly accGh: boolean;
      readonly dHPrev?: Ref;
      readonly accH: boolean;
    }
  /** Diagnostics: the sum of squares of `n` elements into probe slot `slot` (only when probes are on). */
  | { readonly k: 'probeSumSq'; readonly n: number; readonly x: Ref; readonly slot: number }
  /**
   * Diagnostics: Σ(∂L/∂c)² of a fused LSTM's cell state, the total derivative: the gradient from
   * the next step plus the path through this step's h (which the fused op keeps inside).
   */
  | { readonly k: 'probeLstmC'; readonly rows: number; readonly H: number; readonly dhc: Ref; readonly gates: Ref; readonly tanhC: Ref; readonly slot: number }
  /** Diagnostics: saturation of a cell's sigmoid gates (`gates` are activations, `width` per row). */
  | {
      readonly k: 'probeGates';
      readonly rows: number;
      readonly width: number;
      /** [start, end) column ranges of each sigmoid gate within a row. */
      readonly ranges: readonly (readonly [number, number])[];
      readonly x: Ref;
      readonly slot: number;
    };

/** Every buffer an instruction touches (reads or writes): what liveness needs. */
export function touched(instr: Instr): number[] {
  const bufs: number[] = [];
  for (const v of Object.values(instr)) {
    if (v !== null && typeof v === 'object' && 'buf' in v && typeof (v as Ref).buf === 'number') bufs.push((v as Ref).buf);
  }
  return bufs;
}
