/**
 * WebGPU against the CPU reference through whole graphs: for every graph that covers the block
 * types (block-cases.ts) under every cell lowering, and a full-size LSTM and GRU, one batch's
 * objective, the value of every node copy's every output, their gradients, every weight's
 * gradient and every float input's gradient agree within 1e-4 (norm-wise relative, per tensor)
 * between the GPU (float32) and the CPU (float64, the same float32-rounded weights and data).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import type { CellLowering } from '../compile/types.ts';
import { requestGpu } from '../webgpu/context.ts';
import { GpuProgram } from '../webgpu/program.ts';
import { GpuOptimizer, paramLayout } from '../webgpu/optimizer.ts';
import { describeMismatch, mismatch } from '../webgpu/testing/compare.ts';
import { Model } from './model.ts';
import { Pass, type SourceData } from './pass.ts';
import { Rng } from './prng.ts';
import { randomSources } from './gradcheck-support.ts';
import { EXAMPLES, PADDED, VARIANTS, blockModel, cellsFor, type GraphCase } from './block-cases.ts';
import { defaultOptimizerSpec } from './optimizers.ts';
import { parseGraph } from '../graph/parse.ts';
import { readFileSync } from 'node:fs';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`WebGPU parity tests skipped: ${gpu.reason}`);
afterAll(() => {
  if (gpu.ok) gpu.context.device.destroy();
});

const B = 2;
const REL = 1e-4;

/** An example at its real size (hidden 64 …), shortened in time by the case's lengths. */
function fullSize(name: string): GraphDoc {
  const r = parseGraph(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.value;
}

const FULL: readonly GraphCase[] = [
  { name: 'lstm at full size', doc: fullSize('lstm'), lengths: { x: 7 } },
  { name: 'gru at full size', doc: fullSize('gru'), lengths: { x: 7 } },
  { name: 'seq2seq-attention at full size', doc: fullSize('seq2seq-attention'), lengths: { src: 6, y: 4 } },
];

/** Everything float32-exact, so both backends start from the same numbers. */
const model = (doc: GraphDoc, cells: CellLowering, seed: number): Model => blockModel(doc, cells, seed, true);

const rounded = (sources: Map<string, SourceData>): Map<string, SourceData> =>
  new Map([...sources].map(([k, s]) => [k, { values: Array.from(s.values, (v) => Math.fround(v)), length: s.length }]));

async function compare(c: GraphCase, cells: CellLowering, real?: Readonly<Record<string, readonly number[]>>): Promise<void> {
  if (!gpu.ok) return;
  const m = model(c.doc, cells, 7);
  const made = m.pass({ lengths: c.lengths, batch: B, backward: true, inputGrads: true, keepOutputs: true, keepGrads: true, ...(real !== undefined ? { masked: new Set(Object.keys(real)) } : {}) });
  if (!made.ok) throw new Error(made.errors[0]!.message);
  const cpu = made.value;
  const rng = new Rng(11);
  const feed = { size: B, sources: rounded(randomSources(m.analysis, c.lengths, B, rng)), lengths: new Map(Object.entries(real ?? {})) };

  const layout = paramLayout(m.weightSpecs.map((w) => ({ key: w.key, size: m.weights.get(w.key)!.length })));
  const params = await GpuOptimizer.create(gpu.context, layout, defaultOptimizerSpec('sgd'));
  if (!params.ok) throw new Error(params.errors[0]!.message);
  params.value.upload(m.weights);
  const program = await GpuProgram.create(gpu.context, cpu.plan, params.value);
  if (!program.ok) throw new Error(program.errors[0]!.message);
  try {
    const gp = new Pass(program.value, cpu.lengths);
    cpu.feed(feed, new Rng(5));
    gp.feed(feed, new Rng(5));
    const want = cpu.forward(B);
    cpu.backward(true);
    const { objective } = await gp.run(B, { backward: true, probes: true });
    const problems: string[] = [];
    const check = (what: string, got: ArrayLike<number> | undefined, ref: ArrayLike<number> | undefined): void => {
      if (got === undefined || ref === undefined) {
        if (got !== ref) problems.push(`${what}: present on one backend only`);
        return;
      }
      const d = describeMismatch(what, mismatch(got, ref, REL));
      if (d !== '') problems.push(d);
    };
    check('objective', [objective], [want]);
    for (const [key, sym] of cpu.plan.lowered.outputs) {
      check(`value of ${key}`, gp.valueOf(sym), cpu.valueOf(sym));
      check(`gradient of ${key}`, gp.valueGrad(sym), cpu.valueGrad(sym));
    }
    for (const f of cpu.plan.feeds) check(`gradient of input ${f.feed.node}@${f.feed.position ?? '-'}`, gp.inputGrad(f.feed.sym), cpu.inputGrad(f.feed.sym));
    for (const b of cpu.plan.buffers) {
      if (b.kind !== 'wgrad') continue;
      check(`gradient of weight ${b.key}`, await program.value.read({ buf: b.id, off: 0 }, b.size), m.grads.get(b.key!)!);
    }
    // The diagnostics too: ‖∂L/∂z_t‖ and gate saturation read the same on both.
    const norms = (p: Pass): number[] => p.stateNorms().flatMap((s) => s.norms);
    check('state-gradient norms', norms(gp), norms(cpu));
    check('gate saturation', gp.gateSaturation().flatMap((g) => g.gates.flatMap((x) => [x.low, x.high])), cpu.gateSaturation().flatMap((g) => g.gates.flatMap((x) => [x.low, x.high])));
    expect(problems).toEqual([]);
    expect(cpu.plan.lowered.outputs.size).toBeGreaterThan(0);
  } finally {
    program.value.destroy();
    params.value.destroy();
  }
}

describe.skipIf(!gpu.ok)('WebGPU equals the CPU through whole graphs', () => {
  describe.each([...EXAMPLES, ...VARIANTS, ...FULL].map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it.each(cellsFor(c.doc))('%s cells: values and gradients of every node, weight and input', async (cells) => {
      await compare(c, cells);
    });
  });
  describe.each(PADDED.map((c) => [c.name, c] as const))('padded batch: %s', (_name, c) => {
    it.each(cellsFor(c.doc))('%s cells', async (cells) => {
      await compare(c, cells, c.real);
    });
  });
});
