/**
 * The compiled runtime against PyTorch: a graph built from blocks (input → cell ⇄ delays → MSE
 * against zeros, summed) with the golden file's weights loaded must reproduce nn.RNN/GRU/LSTM's
 * outputs, final states and every gradient (weights, input, initial states), in float32 within
 * 1e-5 and float64 within 1e-9 — for the fused cell, the block's primitive forward and the
 * composite drawn from primitive blocks. float32 runs on both the fast (WebAssembly SIMD) and the
 * reference kernels; float64 always runs on the reference.
 */
import { loadGolden, type Golden } from '../reference/golden-fixture.ts';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { CellLowering } from '../compile/types.ts';
import { Model } from './model.ts';
import type { Pass, SourceData } from './pass.ts';
import { cpuKernels, setCpuKernels, type CpuKernels } from '../cpu/kernel-mode.ts';

const load = loadGolden;

/** input x → cell ⇄ delays (from zeros or from inputs h0, c0) → MSE(h, 0) summed over steps and units. */
function cellGraph(gold: Golden, withState: boolean): GraphDoc {
  const H = gold.hidden_size;
  const lstm = gold.cell === 'lstm';
  const states = lstm ? ['h', 'c'] : ['h'];
  const nodes: GraphDoc['nodes'][number][] = [
    { id: 'x', type: 'input', params: { kind: 'vector', size: gold.input_size } },
    { id: 'zero', type: 'target', params: { kind: 'vector', size: H, align_with: 'x' } },
    { id: 'cell', type: gold.cell, params: { hidden: H }, loop: 't' },
    ...states.map((s) => ({ id: `d_${s}`, type: 'delay', params: {}, loop: 't' })),
    { id: 'loss', type: 'loss', params: { kind: 'mse', reduction: 'sum', at: 'every' } },
  ];
  const edges: GraphDoc['edges'][number][] = [
    { from: 'x.out', to: 'cell.x' },
    { from: 'cell.h', to: 'loss.pred', take: 'all' },
    { from: 'zero.out', to: 'loss.target' },
  ];
  for (const s of states) {
    edges.push({ from: `cell.${s}`, to: `d_${s}.in` }, { from: `d_${s}.out`, to: `cell.${s}_prev` });
    if (withState) {
      nodes.push({ id: `${s}0`, type: 'input', params: { kind: 'vector', size: H, sequence: false } });
      edges.push({ from: `${s}0.out`, to: `d_${s}.init` });
    }
  }
  return { format: 'unroll-graph', version: 1, name: `${gold.cell} golden`, loops: [{ id: 't', over: 'x' }], nodes, edges };
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function expectClose(got: ArrayLike<number>, want: readonly number[], tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol * Math.max(1, Math.abs(want[i]!)))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, PyTorch ${want[i]} (error ${err.toExponential(2)} > ${tol})`);
    }
  }
}

/** The feed symbol of source `node` at `position` (or its single value). */
function feedSym(pass: Pass, node: string, position?: number): number {
  const f = pass.plan.lowered.feeds.find((x) => x.kind === 'data' && x.node === node && x.position === position);
  if (f === undefined) throw new Error(`no feed for ${node}@${position}`);
  return f.sym;
}

const CASES: readonly ['zero_initial_state' | 'with_initial_state', boolean][] = [
  ['zero_initial_state', false],
  ['with_initial_state', true],
];

describe.each(['rnn', 'gru', 'lstm'] as const)('%s against PyTorch', (cellName) => {
  const gold = load(cellName);
  const lowerings: CellLowering[] = cellName === 'rnn' ? ['fused'] : ['fused', 'primitive', 'composite'];
  for (const [caseName, withState] of CASES) {
    for (const [dtype, kernels] of [['float32', 'fast'], ['float32', 'reference'], ['float64', 'reference']] as const) {
      for (const cells of lowerings) {
        it(`${caseName}, ${dtype}, ${cells}, ${kernels} kernels: outputs, final states and every gradient`, () => {
          const analysis = analyzeGraph(cellGraph(gold, withState));
          expect(analysis.errors).toEqual([]);
          const model = new Model(analysis, { dtype, cells });
          const before: CpuKernels = cpuKernels();
          setCpuKernels(kernels);
          try {
            check(model);
          } finally {
            setCpuKernels(before);
          }
        });
        const check = (model: Model): void => {
          model.setWeights(new Map(Object.entries(gold.weights).map(([k, v]) => [`cell.${k.replace(/_l0$/, '')}`, flat(v)])));
          const B = gold.batch;
          const T = gold.seq_len;
          const H = gold.hidden_size;
          const r = model.pass({ lengths: { x: T }, batch: B, backward: true, inputGrads: true, keepOutputs: true });
          if (!r.ok) throw new Error(r.errors[0]!.message);
          const pass = r.value;
          expect(pass.program.kernels).toBe(kernels);
          const sources = new Map<string, SourceData>([
            ['x', { values: flat(gold.input), length: T }],
            ['zero', { values: new Array<number>(B * T * H).fill(0), length: T }],
          ]);
          if (withState) {
            sources.set('h0', { values: flat(gold.initial_state.h0), length: 0 });
            if (gold.initial_state.c0 !== undefined) sources.set('c0', { values: flat(gold.initial_state.c0), length: 0 });
          }
          pass.feed({ size: B, sources, lengths: new Map() });
          const want = gold[caseName][dtype];
          const tol = dtype === 'float32' ? 1e-5 : 1e-9;
          // The objective is the batch mean; PyTorch's loss is the batch sum.
          expectClose([pass.forward() * B], [want.loss], tol, 'loss');
          pass.backward();

          const out = pass.plan.lowered.outputs;
          const hAt = (t: number, port = 'h'): Float64Array => Float64Array.from(pass.valueOf(out.get(`cell@${t}.${port}`)!));
          const outputs: number[] = [];
          for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) outputs.push(...hAt(t).subarray(b * H, (b + 1) * H));
          expectClose(outputs, flat(want.output), tol, 'output');
          expectClose(hAt(T - 1), flat(want.h_n), tol, 'h_n');
          if (want.c_n !== undefined) expectClose(hAt(T - 1, 'c'), flat(want.c_n), tol, 'c_n');

          for (const name of ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']) {
            const g = model.grads.get(`cell.${name.replace(/_l0$/, '')}`)!;
            expectClose(Array.from(g, (v) => v * B), flat(want.grads[name]), tol, `grad ${name}`);
          }
          const dx: number[] = [];
          const perStep = Array.from({ length: T }, (_, t) => pass.inputGrad(feedSym(pass, 'x', t))!);
          for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) dx.push(...Array.from(perStep[t]!.subarray(b * 3, (b + 1) * 3), (v) => v * B));
          expectClose(dx, flat(want.grads.input), tol, 'grad input');
          if (withState) {
            for (const s of cellName === 'lstm' ? ['h0', 'c0'] : ['h0']) {
              expectClose(Array.from(pass.inputGrad(feedSym(pass, s))!, (v) => v * B), flat(want.grads[s]), tol, `grad ${s}`);
            }
          }
        };
      }
    }
  }
});
