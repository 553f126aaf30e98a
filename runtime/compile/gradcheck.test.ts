/**
 * Gradient checks of every primitive op through the whole compiled path (plan → op rules → CPU
 * kernels) in float64: small op graphs with batched data, weights and int ids, a per-example
 * scalar objective Σ y ⊙ P (P a fixed random projection), and the analytic gradient of every
 * weight and float data element against central differences of the batch-mean objective.
 */
import { describe, expect, it } from 'vitest';
import { OP_NAMES, OpBuilder, type OpName, type Sym } from '../../blocks/ops.ts';
import { CpuProgram } from '../cpu/program.ts';
import { Rng } from '../train/prng.ts';
import { planGraph } from './plan.ts';
import type { LoweredGraph } from './types.ts';

const B = 3;
const STEP = 1e-5;
const TOL = 1e-6;

type Gen = (r: Rng) => number;
const smooth: Gen = (r) => r.uniform(-1, 1);
/** Away from relu's kink (and from bce's |x|). */
const offZero: Gen = (r) => (r.next() < 0.5 ? -1 : 1) * r.uniform(0.2, 1);
const positive: Gen = (r) => r.uniform(0.5, 2);
const probability: Gen = (r) => r.uniform(0.1, 0.9);

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** One op graph under construction: its data inputs, weights and int ids, and how to fill them. */
class Case {
  readonly g = new OpBuilder();
  readonly gens = new Map<number, Gen>();
  /** Int inputs: the ids of every example, row-major `[B, ...shape]`. */
  readonly ids = new Map<number, readonly number[]>();
  private n = 0;

  /** Batched float data. */
  x(shape: readonly number[], gen: Gen = smooth): Sym {
    const s = this.g.input(`x${this.n++}`, shape);
    this.gens.set(s.id, gen);
    return s;
  }
  /** An unbatched weight. */
  w(shape: readonly number[], gen: Gen = smooth): Sym {
    const s = this.g.weight(`w${this.n++}`, shape);
    this.gens.set(s.id, gen);
    return s;
  }
  /** Batched int ids (`values` for all B examples, row-major). */
  int(shape: readonly number[], values: readonly number[]): Sym {
    if (values.length !== B * size(shape)) throw new Error('ids: wrong count');
    const s = this.g.input(`ids${this.n++}`, shape, 'int');
    this.ids.set(s.id, values);
    return s;
  }
  /** Batched data (`batched`) or a weight. */
  t(batched: boolean, shape: readonly number[], gen: Gen = smooth): Sym {
    return batched ? this.x(shape, gen) : this.w(shape, gen);
  }
}

interface OpCase {
  readonly name: string;
  /** The values the objective projects (unbatched ones are first multiplied by batched data). */
  readonly build: (c: Case) => Sym | readonly Sym[];
}

interface Built {
  readonly c: Case;
  readonly lowered: LoweredGraph;
}

function buildCase(k: OpCase, seed: number, detach?: OpName): Built {
  const c = new Case();
  const r = new Rng(seed).fork('projection');
  const outs = k.build(c);
  let objective: Sym | undefined;
  for (const y0 of Array.isArray(outs) ? outs : [outs as Sym]) {
    const y = y0.batched ? y0 : c.g.mul(y0, c.x(y0.shape));
    const proj = Array.from({ length: size(y.shape) }, () => r.uniform(-1, 1));
    const term = c.g.sum(c.g.mul(y, c.g.constant(proj, y.shape)));
    objective = objective === undefined ? term : c.g.add(objective, term);
  }
  const nodes = c.g.nodes;
  const lowered: LoweredGraph = {
    ops: nodes,
    feeds: nodes.filter((n) => n.op === 'input').map((n) => ({ sym: n.id, kind: 'data' as const, node: n.attrs.name! })),
    weights: new Map(nodes.filter((n) => n.op === 'weight').map((n) => [n.attrs.name!, n.id])),
    losses: [objective!.id],
    detached: new Set(nodes.filter((x) => x.op === detach).map((x) => x.id)),
    predictions: [],
    states: [],
    gates: [],
    outputs: new Map(),
  };
  return { c, lowered };
}

/** |a − n| / max(|a|, |n|, 1e-3). */
const relErr = (a: number, n: number): number => Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-3);

interface Checked {
  readonly elements: number;
  readonly worst: number;
  readonly ops: ReadonlySet<OpName>;
}

/** Analytic gradients of every weight and float data element against central differences. */
function gradCheck(k: OpCase, seed: number, detach?: OpName): Checked {
  const { c, lowered } = buildCase(k, seed, detach);
  const rng = new Rng(seed);
  const plan = planGraph(lowered, { batch: B, backward: true, inputGrads: true });
  const weights = new Map<string, Float64Array>();
  const grads = new Map<string, Float64Array>();
  for (const [key, sym] of lowered.weights) {
    const gen = c.gens.get(sym)!;
    weights.set(key, Float64Array.from({ length: size(lowered.ops[sym]!.shape) }, () => gen(rng)));
    grads.set(key, new Float64Array(size(lowered.ops[sym]!.shape)).fill(Number.NaN));
  }
  const program = new CpuProgram(plan, 'float64', { weights, grads });
  for (const { feed, ref, size: n } of plan.feeds) {
    const { array, offset } = program.view(ref);
    const ids = c.ids.get(feed.sym);
    const gen = c.gens.get(feed.sym);
    for (let i = 0; i < n; i++) array[offset + i] = ids !== undefined ? ids[i]! : gen!(rng);
  }
  const loss = program.view(plan.values.get(lowered.losses[0]!)!);
  const objective = (): number => {
    program.forward();
    let s = 0;
    for (let b = 0; b < B; b++) s += loss.array[loss.offset + b]!;
    return s / B;
  };
  objective();
  program.backward();

  // Every float tensor that carries a gradient: (what, values to perturb, analytic gradient).
  const tensors: { what: string; values: Float64Array; offset: number; grad: Float64Array }[] = [];
  for (const [key, w] of weights) tensors.push({ what: `weight ${key}`, values: w, offset: 0, grad: Float64Array.from(grads.get(key)!) });
  for (const { feed, ref, size: n } of plan.feeds) {
    if (c.ids.has(feed.sym)) {
      expect(plan.inputGrads.has(feed.sym), `int input ${feed.node} has no gradient`).toBe(false);
      continue;
    }
    const gRef = plan.inputGrads.get(feed.sym);
    if (gRef === undefined) throw new Error(`no gradient for data ${feed.node}`);
    const gv = program.view(gRef);
    const { array, offset } = program.view(ref);
    tensors.push({ what: `data ${feed.node}`, values: array as Float64Array, offset, grad: Float64Array.from(gv.array.subarray(gv.offset, gv.offset + n)) });
  }

  let elements = 0;
  let worst = 0;
  for (const t of tensors) {
    let nonzero = false;
    for (let i = 0; i < t.grad.length; i++) {
      const j = t.offset + i;
      const v = t.values[j]!;
      t.values[j] = v + STEP;
      const up = objective();
      t.values[j] = v - STEP;
      const down = objective();
      t.values[j] = v;
      const numeric = (up - down) / (2 * STEP);
      const analytic = t.grad[i]!;
      const err = relErr(analytic, numeric);
      if (!(err <= TOL)) throw new Error(`${k.name}: ${t.what}[${i}]: analytic ${analytic}, numeric ${numeric} (relative error ${err.toExponential(2)})`);
      worst = Math.max(worst, err);
      if (Math.abs(analytic) > 1e-6) nonzero = true;
      elements++;
    }
    // A check of zeros against zeros would prove nothing.
    expect(nonzero, `${k.name}: ${t.what} has an all-zero gradient`).toBe(true);
  }
  return { elements, worst, ops: new Set(lowered.ops.map((n) => n.op)) };
}

// ---------------------------------------------------------------------------------------------
// The cases.

const m = 2;
const kk = 4;
const n = 3;
const where = (batched: boolean): string => (batched ? 'data' : 'weight');

/** Every batching, rank and transpose combination of matmul (m = 2, k = 4, n = 3). */
const matmulCases: OpCase[] = [];
for (const aB of [true, false]) {
  for (const bB of [true, false]) {
    for (const aR of [1, 2]) {
      for (const bR of [1, 2]) {
        for (const tA of aR === 2 ? [false, true] : [false]) {
          for (const tB of bR === 2 ? [false, true] : [false]) {
            const aShape = aR === 1 ? [kk] : tA ? [kk, m] : [m, kk];
            const bShape = bR === 1 ? [kk] : tB ? [n, kk] : [kk, n];
            matmulCases.push({
              name: `matmul ${where(aB)}[${aShape}]${tA ? 'ᵀ' : ''} · ${where(bB)}[${bShape}]${tB ? 'ᵀ' : ''}`,
              build: (c) => c.g.matmul(c.t(aB, aShape), c.t(bB, bShape), { transA: tA, transB: tB }),
            });
          }
        }
      }
    }
  }
}
matmulCases.push(
  { name: 'matmul W · W (one weight as both operands)', build: (c) => {
    const w = c.w([3, 3]);
    return c.g.matmul(w, w, { transB: true });
  } },
  { name: 'matmul x · x (one data value as both operands)', build: (c) => {
    const x = c.x([4]);
    return c.g.matmul(x, x);
  } },
  { name: 'matmul Xᵀ · X per example', build: (c) => {
    const x = c.x([4, 2]);
    return c.g.matmul(x, x, { transA: true });
  } },
);

/** Broadcasting between batched and unbatched operands of every shape, both orders. */
const BROADCASTS: readonly [string, boolean, number[], boolean, number[]][] = [
  ['same shape', true, [2, 3], true, [2, 3]],
  ['row', true, [2, 3], false, [3]],
  ['row', false, [3], true, [2, 3]],
  ['column', true, [2, 3], false, [2, 1]],
  ['column', false, [2, 1], true, [2, 3]],
  ['scalar', true, [2, 3], false, []],
  ['scalar', false, [], true, [2, 3]],
  ['batched row', true, [2, 3], true, [3]],
  ['batched scalar (a mask)', true, [], true, [2, 3]],
  ['outer', true, [2, 1], true, [1, 3]],
  ['weight on weight', false, [2, 3], false, [3]],
  ['weight on data', false, [2, 3], true, [3]],
];
const binaryCases: OpCase[] = [];
for (const op of ['add', 'sub', 'mul', 'div'] as const) {
  for (const [label, aB, aShape, bB, bShape] of BROADCASTS) {
    binaryCases.push({
      name: `${op} ${where(aB)}[${aShape}] ∘ ${where(bB)}[${bShape}] (${label})`,
      build: (c) => c.g[op](c.t(aB, aShape), c.t(bB, bShape, op === 'div' ? positive : smooth)),
    });
  }
}
binaryCases.push(
  { name: 'mul x ⊙ x (one value as both operands)', build: (c) => {
    const x = c.x([2, 3]);
    return c.g.mul(x, x);
  } },
  { name: 'add w + w (one weight as both operands)', build: (c) => {
    const w = c.w([3]);
    return c.g.add(w, w);
  } },
  { name: 'div x / x² (one value both operands)', build: (c) => {
    const x = c.x([3], positive);
    return c.g.div(x, c.g.mul(x, x));
  } },
);

const unaryCases: OpCase[] = [];
const UNARY: readonly ['neg' | 'tanh' | 'sigmoid' | 'relu' | 'exp' | 'log', Gen][] = [
  ['neg', smooth],
  ['tanh', smooth],
  ['sigmoid', smooth],
  ['relu', offZero],
  ['exp', smooth],
  ['log', positive],
];
for (const [op, gen] of UNARY) {
  for (const batched of [true, false]) {
    unaryCases.push({ name: `${op} of ${where(batched)}`, build: (c) => c.g[op](c.t(batched, [2, 3], gen)) });
  }
}
for (const batched of [true, false]) {
  unaryCases.push({ name: `scale of ${where(batched)}`, build: (c) => c.g.scale(c.t(batched, [2, 3]), -1.7) });
}

const shapeCases: OpCase[] = [
  { name: 'fill: 1 − x', build: (c) => c.g.sub(c.g.fill(1, [3]), c.x([3])) },
  { name: 'constant: x ⊙ C', build: (c) => c.g.mul(c.x([2, 3]), c.g.constant([0.5, -1, 2, 1.5, -0.3, 0.7], [2, 3])) },
  { name: 'softmax of data [2, 4] (last axis)', build: (c) => c.g.softmax(c.x([2, 4], (r) => r.uniform(-2, 2))) },
  { name: 'softmax of data [5]', build: (c) => c.g.softmax(c.x([5], (r) => r.uniform(-2, 2))) },
  { name: 'softmax of a weight', build: (c) => c.g.softmax(c.w([4])) },
  { name: 'concat data with a weight on the last axis', build: (c) => c.g.concat([c.x([2, 3]), c.w([2, 2])], -1) },
  { name: 'concat on axis 0', build: (c) => c.g.concat([c.x([2, 3]), c.x([1, 3])], 0) },
  { name: 'concat of three, weight first', build: (c) => c.g.concat([c.w([3]), c.x([2]), c.x([4])]) },
  { name: 'concat of one value twice', build: (c) => {
    const x = c.x([3]);
    return c.g.concat([x, x]);
  } },
  { name: 'slice on axis 0', build: (c) => c.g.slice(c.x([3, 4]), 1, 3, 0) },
  { name: 'slice on axis 1', build: (c) => c.g.slice(c.x([3, 4]), 1, 4, 1) },
  { name: 'slice covering the whole axis', build: (c) => c.g.slice(c.x([3, 4]), 0, 3, 0) },
  { name: 'slice of a weight (gate rows)', build: (c) => c.g.slice(c.w([6, 2]), 2, 4, 0) },
  { name: 'slice on the middle axis of rank 3', build: (c) => c.g.slice(c.x([2, 3, 4]), 1, 2, 1) },
  { name: 'two slices of one value', build: (c) => {
    const x = c.x([6]);
    return c.g.add(c.g.slice(x, 0, 3), c.g.slice(x, 2, 5));
  } },
  { name: 'index on axis 0', build: (c) => c.g.index(c.x([3, 4]), 2, 0) },
  { name: 'index on axis 1', build: (c) => c.g.index(c.x([3, 4]), 1, 1) },
  { name: 'index on the last axis of rank 3', build: (c) => c.g.index(c.x([2, 3, 4]), 3, 2) },
  { name: 'index of a weight', build: (c) => c.g.index(c.w([3, 4]), 0, 1) },
  { name: 'every index of one value', build: (c) => {
    const x = c.x([3, 2]);
    return [0, 1, 2].map((i) => c.g.scale(c.g.index(x, i, 0), i + 1));
  } },
  { name: 'reshape data [2, 6] → [3, 4]', build: (c) => c.g.reshape(c.x([2, 6]), [3, 4]) },
  { name: 'reshape data [2, 3] → [6]', build: (c) => c.g.reshape(c.x([2, 3]), [6]) },
  { name: 'reshape a weight [12] → [3, 4]', build: (c) => c.g.reshape(c.w([12]), [3, 4]) },
  ...[0, 1, 2].map((axis) => ({ name: `sum over axis ${axis} of [2, 3, 4]`, build: (c: Case) => c.g.sum(c.x([2, 3, 4]), axis) })),
  { name: 'sum over all axes', build: (c) => c.g.sum(c.x([2, 3, 4])) },
  { name: 'sum over axis −1', build: (c) => c.g.sum(c.x([2, 3]), -1) },
  { name: 'sum of a weight over axis 0', build: (c) => c.g.sum(c.w([3, 4]), 0) },
  { name: 'sum of a weight over all axes', build: (c) => c.g.sum(c.w([3, 4])) },
  { name: 'gather rows with repeated ids', build: (c) => c.g.gather(c.w([5, 3]), c.int([4], [1, 3, 1, 1, 0, 4, 4, 1, 2, 2, 2, 3])) },
  { name: 'gather one id per example', build: (c) => c.g.gather(c.w([5, 3]), c.int([], [4, 0, 4])) },
  // argmax has no gradient: the gather's table does, through the rows argmax picks.
  // (x also goes through a tanh, so that it has a gradient to check at all.)
  { name: 'gather the rows an argmax picks', build: (c) => {
    const x = c.x([4]);
    return [c.g.gather(c.w([4, 3]), c.g.argmax(x)), c.g.tanh(x)];
  } },
  { name: 'gather a [2, 2] of ids (a bag)', build: (c) => c.g.gather(c.w([4, 2]), c.int([2, 2], [0, 1, 1, 0, 3, 3, 3, 3, 2, 0, 1, 2])) },
  { name: 'stack of data', build: (c) => c.g.stack([c.x([3]), c.x([3]), c.x([3])]) },
  { name: 'stack of data and a weight', build: (c) => c.g.stack([c.w([2, 2]), c.x([2, 2])]) },
  { name: 'stack of one value twice', build: (c) => {
    const x = c.x([3]);
    return c.g.stack([x, c.g.tanh(x), x]);
  } },
];

const lossCases: OpCase[] = [
  { name: 'cross_entropy: logits [4], one target', build: (c) => c.g.crossEntropy(c.x([4], (r) => r.uniform(-2, 2)), c.int([], [0, 3, 2])) },
  { name: 'cross_entropy: logits [2, 4], targets [2]', build: (c) => c.g.crossEntropy(c.x([2, 4], (r) => r.uniform(-2, 2)), c.int([2], [0, 3, 3, 1, 2, 2])) },
  { name: 'cross_entropy of a linear layer', build: (c) => c.g.crossEntropy(c.g.matmul(c.x([3]), c.w([4, 3]), { transB: true }), c.int([], [1, 1, 3])) },
  { name: 'bce_logits: grads of logits and target', build: (c) => c.g.bceLogits(c.x([4], (r) => 2 * offZero(r)), c.x([4], probability)) },
  { name: 'bce_logits: [2, 3] logits of a weight', build: (c) => c.g.bceLogits(c.g.add(c.x([2, 3], offZero), c.w([3], offZero)), c.x([2, 3], probability)) },
];

const H = 3;
const cellCases: OpCase[] = [
  { name: 'lstm_cell', build: (c) => c.g.lstmCell(c.x([4 * H], (r) => r.uniform(-2, 2)), c.x([H])) },
  { name: 'lstm_cell after a matmul', build: (c) => c.g.lstmCell(c.g.matmul(c.x([2]), c.w([4 * H, 2]), { transB: true }), c.x([H])) },
  { name: 'gru_cell', build: (c) => c.g.gruCell(c.x([3 * H], (r) => r.uniform(-2, 2)), c.x([3 * H], (r) => r.uniform(-2, 2)), c.x([H])) },
  { name: 'gru_cell with h_prev also in gh', build: (c) => {
    const h = c.x([H]);
    return c.g.gruCell(c.x([3 * H]), c.g.matmul(h, c.w([3 * H, H]), { transB: true }), h);
  } },
];

/** One weight read by several ops; the gradient's first write is a full one or an accumulation. */
const sharedCases: OpCase[] = [
  { name: 'one weight in matmul, gather, slice and tanh', build: (c) => {
    const w = c.w([4, 3]);
    return [c.g.matmul(c.x([4]), w), c.g.gather(w, c.int([2], [0, 0, 3, 1, 2, 3])), c.g.slice(w, 1, 3, 0), c.g.tanh(w)];
  } },
  { name: 'one weight in tanh, slice, gather and matmul (reverse order)', build: (c) => {
    const w = c.w([4, 3]);
    return [c.g.tanh(w), c.g.slice(w, 1, 3, 0), c.g.gather(w, c.int([2], [0, 0, 3, 1, 2, 3])), c.g.matmul(c.x([4]), w)];
  } },
  { name: 'one weight as a and b of two matmuls and a broadcast add', build: (c) => {
    const w = c.w([3, 3]);
    const x = c.x([3]);
    return [c.g.matmul(x, w), c.g.matmul(w, x), c.g.add(c.x([2, 3]), c.g.index(w, 0, 0))];
  } },
];

const ALL: readonly (readonly [string, readonly OpCase[]])[] = [
  ['matmul', matmulCases],
  ['binary (broadcasting)', binaryCases],
  ['unary', unaryCases],
  ['shape, reduction and lookup', shapeCases],
  ['losses', lossCases],
  ['fused cells', cellCases],
  ['shared weights', sharedCases],
];

describe.each(ALL)('gradient check: %s', (_group, cases) => {
  it.each(cases.map((k, i) => [k.name, k, i] as const))('%s', (_name, k, i) => {
    const r = gradCheck(k, 1000 + i);
    expect(r.elements).toBeGreaterThan(0);
    expect(r.worst).toBeLessThanOrEqual(TOL);
  });
});

describe('gradient check coverage', () => {
  it('covers every primitive op', () => {
    const seen = new Set<OpName>();
    for (const [, cases] of ALL) for (const k of cases) for (const n of buildCase(k, 0).lowered.ops) seen.add(n.op);
    expect([...seen].sort()).toEqual([...OP_NAMES].sort());
  });

  it('fails on a wrong gradient (the harness is not vacuous)', () => {
    // Cutting the gradient through the tanh (as truncated BPTT does) leaves only the scale's part.
    const k: OpCase = { name: 'tanh with its gradient cut', build: (c) => {
      const x = c.x([3]);
      return c.g.add(c.g.tanh(x), c.g.scale(x, 0.5));
    } };
    expect(() => gradCheck(k, 1, 'tanh')).toThrow(/relative error/);
    expect(gradCheck(k, 1).worst).toBeLessThanOrEqual(TOL);
  });
});
