/**
 * Optimisers with torch.optim 1.13 semantics (single-tensor code path, `maximize = false`), updating
 * flat parameter arrays in place. Weight decay is L2 added to the gradient, `g + wd·w`, as in
 * torch.optim.SGD and torch.optim.Adam (not AdamW's decoupled decay); the gradient array itself is
 * never modified.
 *
 * Arithmetic follows torch's operation order, so Float64Array parameters get torch's float64
 * step up to the last bit (torch's vectorised CPU kernels fuse `a + α·b` into one FMA, JavaScript
 * has none; `Math.pow` and C `pow` may differ by an ulp in Adam's bias corrections). For
 * Float32Array parameters every expression is evaluated in float64 and rounded once when stored,
 * whereas torch rounds each intermediate tensor to float32, so results agree to float32 rounding
 * (torch's own CPU and CUDA kernels differ at that level too).
 */
import { progress } from '../progress.ts';

/** A flat parameter, gradient or state tensor (row-major, any shape). */
export type FloatArray = Float32Array | Float64Array;

/** Which update rule. `momentum` is torch SGD with momentum > 0, dampening 0, nesterov false. */
export type OptimizerKind = 'sgd' | 'momentum' | 'adam';

/** Hyper-parameters; fields a kind does not use are ignored (sgd: only lr and weightDecay). */
export interface OptimizerSpec {
  readonly kind: OptimizerKind;
  /** Learning rate, ≥ 0. */
  readonly lr: number;
  /** Momentum coefficient μ for `momentum`, ≥ 0. */
  readonly momentum: number;
  /** Adam's decay rates for the first and second moment estimates, each in [0, 1). */
  readonly beta1: number;
  readonly beta2: number;
  /** Adam's denominator term, ≥ 0. */
  readonly eps: number;
  /** L2 coefficient added to the gradient as `wd·w`, ≥ 0. */
  readonly weightDecay: number;
}

/**
 * PyTorch's defaults: Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; no weight decay. torch's SGD has
 * no default learning rate (it is required), so sgd and momentum use lr 0.01, the value most
 * examples pass; momentum uses μ = 0.9.
 */
export function defaultOptimizerSpec(kind: OptimizerKind): OptimizerSpec {
  return {
    kind,
    lr: kind === 'adam' ? 1e-3 : 0.01,
    momentum: kind === 'momentum' ? 0.9 : 0,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
  };
}

function sameLength(name: string, ...arrays: FloatArray[]): void {
  const n = arrays[0]!.length;
  if (arrays.some((a) => a.length !== n)) throw new RangeError(`${name}: arrays differ in length`);
}

/** Plain SGD: `d = g + wd·w` (only when wd ≠ 0, like torch), `w ← w + (−lr)·d`. */
export function sgdStep(w: FloatArray, g: FloatArray, lr: number, weightDecay: number): void {
  sameLength('sgdStep', w, g);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const d = weightDecay !== 0 ? g[i]! + weightDecay * wi : g[i]!;
    w[i] = wi + -lr * d;
  }
}

/**
 * SGD with momentum (dampening 0, no Nesterov): `d = g + wd·w`; on the first step `buf = d`
 * (torch clones the gradient into a fresh buffer), afterwards `buf = μ·buf + d`; `w ← w + (−lr)·buf`.
 * @param buf momentum buffer, same length as `w`, updated in place.
 * @param first whether this is the buffer's first step (its old contents are then ignored).
 */
export function momentumStep(w: FloatArray, g: FloatArray, buf: FloatArray, lr: number, momentum: number, weightDecay: number, first: boolean): void {
  sameLength('momentumStep', w, g, buf);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const d = weightDecay !== 0 ? g[i]! + weightDecay * wi : g[i]!;
    buf[i] = first ? d : buf[i]! * momentum + d;
    w[i] = wi + -lr * buf[i]!;
  }
}

/**
 * Adam in torch 1.13's order: `d = g + wd·w`; `m = m·β1 + (1−β1)·d`; `v = v·β2 + ((1−β2)·d)·d`;
 * `bc1 = 1 − β1^t`, `bc2 = 1 − β2^t`; `denom = √v / √bc2 + eps`; `w ← w + ((−lr/bc1)·m) / denom`.
 * @param m first-moment buffer (exp_avg), updated in place; zeros before step 1.
 * @param v second-moment buffer (exp_avg_sq), updated in place; zeros before step 1.
 * @param step 1-based count of steps including this one.
 */
export function adamStep(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  step: number,
): void {
  sameLength('adamStep', w, g, m, v);
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`adamStep: step must be an integer ≥ 1, got ${step}`);
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const negStepSize = -(lr / bc1);
  const bc2Sqrt = Math.sqrt(bc2);
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const d = weightDecay !== 0 ? g[i]! + weightDecay * wi : g[i]!;
    m[i] = m[i]! * beta1 + a1 * d;
    v[i] = v[i]! * beta2 + a2 * d * d;
    // Read back m and v: for Float32Array torch also uses the rounded stored moments.
    const denom = Math.sqrt(v[i]!) / bc2Sqrt + eps;
    w[i] = wi + (negStepSize * m[i]!) / denom;
  }
}

/** √(Σ g²) over every element of every gradient, accumulated in float64. */
export function globalNorm(grads: readonly FloatArray[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

/**
 * torch.nn.utils.clip_grad_norm_ (L2): when `maxNorm > 0` and the global norm exceeds it, multiplies
 * every gradient in place by `maxNorm / (norm + 1e-6)`. A non-finite norm scales nothing; the
 * caller is expected to stop.
 * @returns the norm before clipping and the factor applied (1 when nothing was scaled).
 */
export function clipByGlobalNorm(grads: readonly FloatArray[], maxNorm: number): { norm: number; scale: number } {
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm) || !(maxNorm > 0) || !(norm > maxNorm)) return { norm, scale: 1 };
  const scale = maxNorm / (norm + 1e-6);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
  return { norm, scale };
}

/**
 * A checkpointable optimiser state: the step count and per-slot copies of the buffers, one per
 * parameter in parameter order. Slot names are torch's state_dict keys: `momentum_buffer` for
 * momentum, `exp_avg` and `exp_avg_sq` for Adam, none for sgd.
 */
export interface OptimizerState {
  readonly step: number;
  readonly slots: Readonly<Record<string, readonly FloatArray[]>>;
}

const SLOT_NAMES: Record<OptimizerKind, readonly string[]> = {
  sgd: [],
  momentum: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
};

function checkSpec(spec: OptimizerSpec): void {
  const bad = (what: string): never => {
    throw new RangeError(`Optimizer: invalid ${what} in ${JSON.stringify(spec)}`);
  };
  // Same checks as torch's constructors, written so NaN fails them.
  if (!(spec.lr >= 0)) bad('lr');
  if (!(spec.weightDecay >= 0)) bad('weightDecay');
  if (spec.kind === 'momentum' && !(spec.momentum >= 0)) bad('momentum');
  if (spec.kind === 'adam') {
    if (!(spec.eps >= 0)) bad('eps');
    if (!(spec.beta1 >= 0 && spec.beta1 < 1)) bad('beta1');
    if (!(spec.beta2 >= 0 && spec.beta2 < 1)) bad('beta2');
  }
}

/** Elements stepped between two progress reports. */
const CHUNK = 1 << 20;

/** A zeroed array of the same type and length as `a`. */
function like(a: FloatArray): FloatArray {
  return a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length);
}

function copy(a: FloatArray): FloatArray {
  return a instanceof Float32Array ? Float32Array.from(a) : Float64Array.from(a);
}

/**
 * One optimiser over a fixed list of parameters. Its buffers are allocated once, in the
 * constructor, with each parameter's length and array type; `step` then allocates nothing.
 */
export class Optimizer {
  /** Number of `step` calls so far (torch's `state['step']`, shared by all parameters). */
  private steps = 0;
  private readonly slots: Record<string, FloatArray[]> = {};
  private backup: { steps: number; slots: Record<string, FloatArray[]> } | undefined;
  /** Length of each parameter, to refuse a mismatched list in `step` and `setState`. */
  private readonly sizes: readonly number[];

  /**
   * @param spec hyper-parameters; throws a RangeError for values torch would refuse.
   * @param params the parameters this optimiser will step, in the order `step` receives them.
   */
  constructor(
    readonly spec: OptimizerSpec,
    params: readonly FloatArray[],
  ) {
    checkSpec(spec);
    this.sizes = params.map((p) => p.length);
    for (const name of SLOT_NAMES[spec.kind]) this.slots[name] = params.map(like);
  }

  /** Names of the per-parameter buffers (`exp_avg`, `exp_avg_sq`; `momentum_buffer`; none for sgd). */
  get slotNames(): readonly string[] {
    return Object.keys(this.slots);
  }

  /** Steps taken so far (the `t` of the last Adam step). */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Updates every parameter in place from its gradient (same order and lengths as the constructor's
   * parameters).
   * @param lr overrides `spec.lr` for this step (learning-rate schedules); defaults to `spec.lr`.
   */
  step(params: readonly FloatArray[], grads: readonly FloatArray[], lr: number = this.spec.lr): void {
    if (params.length !== this.sizes.length || grads.length !== this.sizes.length) {
      throw new RangeError(`Optimizer.step: expected ${this.sizes.length} parameters and gradients, got ${params.length} and ${grads.length}`);
    }
    // Check every length before touching anything, so a bad call leaves no half-applied step.
    params.forEach((p, i) => {
      if (p.length !== this.sizes[i] || grads[i]!.length !== this.sizes[i]) {
        throw new RangeError(`Optimizer.step: parameter or gradient ${i} does not have ${this.sizes[i]} elements`);
      }
    });
    this.steps++;
    const { kind, momentum, beta1, beta2, eps, weightDecay } = this.spec;
    // Elementwise updates, so a big parameter is stepped in chunks with progress reports between
    // them (the training worker's heartbeat): the same numbers as one pass over the whole array.
    for (let i = 0; i < params.length; i++) {
      const n = params[i]!.length;
      for (let from = 0; from === 0 || from < n; from += CHUNK) {
        progress();
        const to = Math.min(n, from + CHUNK);
        const part = (a: FloatArray): FloatArray => (from === 0 && to === n ? a : a.subarray(from, to));
        const w = part(params[i]!);
        const g = part(grads[i]!);
        if (kind === 'sgd') sgdStep(w, g, lr, weightDecay);
        else if (kind === 'momentum') momentumStep(w, g, part(this.slots.momentum_buffer![i]!), lr, momentum, weightDecay, this.steps === 1);
        else adamStep(w, g, part(this.slots.exp_avg![i]!), part(this.slots.exp_avg_sq![i]!), lr, beta1, beta2, eps, weightDecay, this.steps);
      }
    }
  }

  /**
   * Remember the current state, so that `undo` can return to it after a step that went wrong (a
   * non-finite update). The backup buffers are allocated on the first call and reused.
   */
  keep(): void {
    progress();
    this.backup ??= { steps: 0, slots: Object.fromEntries(Object.entries(this.slots).map(([name, arrays]) => [name, arrays.map(like)])) };
    this.backup.steps = this.steps;
    for (const [name, arrays] of Object.entries(this.slots)) {
      arrays.forEach((a, i) => {
        progress();
        this.backup!.slots[name]![i]!.set(a);
      });
    }
  }

  /** Return to the state of the last `keep`. */
  undo(): void {
    if (this.backup === undefined) throw new Error('Optimizer.undo: nothing kept');
    this.steps = this.backup.steps;
    for (const [name, arrays] of Object.entries(this.slots)) arrays.forEach((a, i) => a.set(this.backup!.slots[name]![i]!));
  }

  /** A deep copy of the step count and buffers (later steps do not change it). */
  getState(): OptimizerState {
    const slots: Record<string, FloatArray[]> = {};
    for (const [name, arrays] of Object.entries(this.slots)) slots[name] = arrays.map(copy);
    return { step: this.steps, slots };
  }

  /**
   * Restores a state from `getState` (copied in; the argument is not kept). Throws a RangeError when
   * its slots, counts or lengths do not fit this optimiser's kind and parameters. Values are copied
   * into this optimiser's own arrays, so a float64 state can be loaded into float32 buffers.
   */
  setState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`Optimizer.setState: bad step ${state.step}`);
    const names = SLOT_NAMES[this.spec.kind];
    const given = Object.keys(state.slots);
    if (given.length !== names.length || !names.every((n) => given.includes(n))) {
      throw new RangeError(`Optimizer.setState: expected slots [${names.join(', ')}], got [${given.join(', ')}]`);
    }
    for (const name of names) {
      const arrays = state.slots[name]!;
      if (arrays.length !== this.sizes.length || arrays.some((a, i) => a.length !== this.sizes[i])) {
        throw new RangeError(`Optimizer.setState: slot ${name} does not match the parameters' sizes`);
      }
    }
    for (const name of names) state.slots[name]!.forEach((a, i) => this.slots[name]![i]!.set(a));
    this.steps = state.step;
  }
}
