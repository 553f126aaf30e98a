/**
 * `npm run bench` / `unroll bench [--json]`: the reference workload (one recurrent layer of 128
 * units, input 64, batch 32, 64 steps, a dense 128→64 layer at every step, MSE, Adam) for LSTM,
 * GRU and Elman RNN on Unroll's CPU and WebGPU backends and on TF.js's cpu and wasm backends,
 * measured live in the same run (each in its own process, one after another); then Unroll's LSTM
 * (CPU) against hidden size, sequence length and batch. Prints a table and the WebGPU adapter
 * that ran, and writes `bench/results.json`, from which `npm run readme` generates the README's
 * performance section. Without a WebGPU adapter its rows are left out, with the reason.
 *
 * Options: `--json` (print the results as JSON instead of the table), `--quick` (3 shorter runs:
 * a smoke test, not for publishing), `--no-webgpu`, `--no-tfjs`, `--no-scaling`, `--no-write`.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { swiftShaderEnv } from '../runtime/webgpu/testing/node-env.ts';
import type { Framework, GpuMeasured, Job, Measurement, Skipped } from './measure.ts';
import type { TimingOptions } from './timing.ts';
import { REFERENCE, inferFlops, trainFlops, type CellKind, type WorkloadShape } from './workloads.ts';

/** One row of the main table. */
export interface BenchRow {
  readonly cell: CellKind;
  readonly framework: Framework;
  readonly trainStepsPerSec: number;
  readonly trainRuns: readonly number[];
  /** Matmul GFLOP/s of training (forward + backward). */
  readonly trainGflops: number;
  readonly inferStepsPerSec: number;
  readonly inferGflops: number;
  readonly peakRssMiB: number;
  readonly kernels?: string;
}

/** One point of a scaling sweep (Unroll, LSTM, training). */
export interface ScalingPoint {
  readonly value: number;
  readonly stepsPerSec: number;
  /** GFLOP of one training step. */
  readonly gflopPerStep: number;
  readonly gflops: number;
}

/**
 * The WebGPU adapter of the `unroll-webgpu` rows (the same for every cell), or why there are none.
 * `lossDiff`: the largest first-step loss difference against the CPU over the cells; `failed`:
 * why a cell has no row (its measurement failed while others ran).
 */
export type BenchGpu = (GpuMeasured & { readonly note?: string; readonly failed?: Readonly<Record<string, string>> }) | Skipped;

/** Said wherever software-adapter numbers are shown. */
export const FALLBACK_NOTE =
  'a software adapter (no GPU here): these WebGPU numbers show the backend runs and agrees with the CPU, not GPU speed; GPU numbers are to be recorded on a machine with a GPU';

/** `bench/results.json`. */
export interface BenchResults {
  readonly measured: string;
  readonly command: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly workload: Omit<WorkloadShape, 'cell'>;
  readonly timing: TimingOptions;
  readonly rows: readonly BenchRow[];
  /** Unroll's (CPU) training steps/s ÷ each other framework's (TF.js, Unroll on WebGPU), per cell. */
  readonly ratios: Readonly<Record<string, Ratios>>;
  /** The WebGPU adapter, or why its rows are missing (absent when not asked for: `--no-webgpu`). */
  readonly gpu?: BenchGpu;
  readonly scaling: Readonly<Record<'hidden' | 'steps' | 'batch', readonly ScalingPoint[]>>;
}

type Ratios = { -readonly [F in Exclude<Framework, 'unroll'>]?: number };

export interface BenchOptions {
  readonly json?: boolean;
  readonly quick?: boolean;
  readonly webgpu?: boolean;
  readonly tfjs?: boolean;
  readonly scaling?: boolean;
  readonly write?: boolean;
}

export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
}

const CELLS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];
const SWEEPS = { hidden: [64, 128, 256, 512], steps: [16, 64, 256, 512], batch: [1, 8, 32, 128] } as const;
const root = new URL('../', import.meta.url);
const RESULTS = new URL('bench/results.json', root);

/**
 * Run one job in a fresh Node process (tsx loads the TypeScript). The WebGPU job's starts with a
 * Vulkan driver in its environment where the system has none (SwiftShader): the loader reads it
 * only at process start.
 */
function inChild(job: Job): Promise<Measurement | Skipped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('bench/measure.ts', root)), JSON.stringify(job)], {
      cwd: fileURLToPath(root),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: job.framework === 'unroll-webgpu' ? { ...process.env, ...swiftShaderEnv() } : process.env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Measurement | Skipped);
      else reject(new Error(`bench: ${job.framework} ${job.shape.cell} failed (exit ${code}): ${err.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}

/** Two significant digits below 0.1 (a software adapter's steps/s). */
const fmt = (x: number, d = 2): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(d) : x.toPrecision(2));

/** One line naming the WebGPU adapter of the table's rows (or why there are none); '' without WebGPU. */
export function formatGpu(r: BenchResults): string {
  const g = r.gpu;
  if (g === undefined) return '';
  if ('skipped' in g) return `WebGPU rows skipped: ${g.skipped}\n`;
  const check = `first training step's loss within ${g.lossDiff.toExponential(1)} of the CPU's`;
  const failed = Object.entries(g.failed ?? {}).map(([cell, why]) => `\nNo WebGPU row for ${cell}: ${why}`);
  return `WebGPU adapter: ${g.adapter}; ${check}${failed.join('')}${g.note !== undefined ? `\nNote: ${g.note}` : ''}\n`;
}

/** The main table as text. */
export function formatTable(r: BenchResults): string {
  const head = ['cell', 'framework', 'train steps/s', 'GFLOP/s', 'infer steps/s', 'peak RSS', 'Unroll CPU ÷ this'];
  const rows = r.rows.map((row) => {
    const unroll = r.rows.find((x) => x.cell === row.cell && x.framework === 'unroll');
    const ratio = row.framework === 'unroll' || unroll === undefined ? '' : `${fmt(unroll.trainStepsPerSec / row.trainStepsPerSec, 1)}×`;
    return [row.cell, row.framework, fmt(row.trainStepsPerSec), fmt(row.trainGflops), fmt(row.inferStepsPerSec), `${row.peakRssMiB.toFixed(0)} MiB`, ratio];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  const gpu = formatGpu(r);
  if (gpu !== '') out.push('', gpu.trimEnd());
  for (const [name, points] of Object.entries(r.scaling)) {
    if (points.length === 0) continue;
    out.push('', `Unroll LSTM training against ${name}: ` + points.map((p) => `${p.value} → ${fmt(p.stepsPerSec)} steps/s (${fmt(p.gflops)} GFLOP/s)`).join(', '));
  }
  return out.join('\n') + '\n';
}

/** Measure everything, print, and write `bench/results.json` (unless `write: false`). */
export async function runBench(o: BenchOptions, io: BenchIo): Promise<BenchResults> {
  const timing: TimingOptions = o.quick === true ? { warmup: 1, runs: 3, minRunMs: 50 } : { warmup: 2, runs: 5, minRunMs: 250 };
  const frameworks: Framework[] = ['unroll', ...(o.webgpu === false ? [] : ['unroll-webgpu' as const]), ...(o.tfjs === false ? [] : ['tfjs-cpu' as const, 'tfjs-wasm' as const])];
  const rows: BenchRow[] = [];
  let gpu: BenchGpu | undefined;
  // Why a cell's WebGPU measurement failed (the others still run).
  const failed: Record<string, string> = {};
  let noAdapter = false;
  for (const cell of CELLS) {
    const shape: WorkloadShape = { ...REFERENCE, cell };
    for (const framework of frameworks) {
      const webgpu = framework === 'unroll-webgpu';
      // No adapter for the first cell: none for the others either.
      if (webgpu && noAdapter) continue;
      io.err(`bench: ${cell} on ${framework}…\n`);
      // TF.js steps take seconds: one warm-up step is enough there.
      const t = framework.startsWith('unroll') ? timing : { ...timing, warmup: 1, minRunMs: 0 };
      const job: Job = { framework, shape, infer: true, timing: t };
      let m: Measurement;
      if (webgpu) {
        // The WebGPU row is left out, with the reason, rather than losing the whole run to it.
        const got = await inChild(job).catch((e: unknown): Error => e as Error);
        if (got instanceof Error || 'skipped' in got) {
          const why = got instanceof Error ? got.message : got.skipped;
          io.err(`bench: ${cell} on WebGPU skipped: ${why}\n`);
          if (got instanceof Error) failed[cell] = why;
          else noAdapter = true;
          gpu ??= { skipped: why };
          continue;
        }
        m = got;
        const g = m.gpu!;
        if (g.fallback && (gpu === undefined || 'skipped' in gpu)) io.err(`bench: WebGPU on ${g.adapter}: ${FALLBACK_NOTE}\n`);
        gpu = {
          ...g,
          lossDiff: Math.max(g.lossDiff, gpu !== undefined && !('skipped' in gpu) ? gpu.lossDiff : 0),
          ...(g.fallback ? { note: FALLBACK_NOTE } : {}),
        };
      } else m = (await inChild(job)) as Measurement;
      rows.push({
        cell,
        framework,
        trainStepsPerSec: m.train.stepsPerSec,
        trainRuns: m.train.runs,
        trainGflops: (trainFlops(shape) * m.train.stepsPerSec) / 1e9,
        inferStepsPerSec: m.infer!.stepsPerSec,
        inferGflops: (inferFlops(shape) * m.infer!.stepsPerSec) / 1e9,
        peakRssMiB: m.peakRssMiB,
        ...(m.kernels !== undefined ? { kernels: m.kernels } : {}),
      });
    }
  }
  const ratios: Record<string, Ratios> = {};
  for (const cell of CELLS) {
    const u = rows.find((r) => r.cell === cell && r.framework === 'unroll')!;
    const entry: Ratios = {};
    for (const f of ['unroll-webgpu', 'tfjs-cpu', 'tfjs-wasm'] as const) {
      const t = rows.find((r) => r.cell === cell && r.framework === f);
      if (t !== undefined) entry[f] = u.trainStepsPerSec / t.trainStepsPerSec;
    }
    ratios[cell] = entry;
  }
  const scaling: Record<'hidden' | 'steps' | 'batch', ScalingPoint[]> = { hidden: [], steps: [], batch: [] };
  if (o.scaling !== false) {
    for (const key of ['hidden', 'steps', 'batch'] as const) {
      for (const value of SWEEPS[key]) {
        const shape: WorkloadShape = { ...REFERENCE, cell: 'lstm', [key]: value };
        io.err(`bench: lstm with ${key} ${value}…\n`);
        const m = (await inChild({ framework: 'unroll', shape, infer: false, timing: { ...timing, warmup: 1 } })) as Measurement;
        const flops = trainFlops(shape);
        scaling[key].push({ value, stepsPerSec: m.train.stepsPerSec, gflopPerStep: flops / 1e9, gflops: (flops * m.train.stepsPerSec) / 1e9 });
      }
    }
  }
  const results: BenchResults = {
    measured: new Date().toISOString(),
    command: o.quick === true ? 'npm run bench -- --quick' : 'npm run bench',
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? 'unknown', node: process.versions.node },
    workload: REFERENCE,
    timing,
    rows,
    ratios,
    scaling,
    ...(gpu !== undefined ? { gpu: 'skipped' in gpu || Object.keys(failed).length === 0 ? gpu : { ...gpu, failed } } : {}),
  };
  if (o.json === true) io.out(JSON.stringify(results, null, 2) + '\n');
  else {
    io.out(formatTable(results));
    for (const cell of CELLS) {
      const w = ratios[cell]?.['tfjs-wasm'];
      if (w !== undefined) io.out(`${cell}: Unroll trains at ${fmt(w, 1)}× TF.js wasm (goal ≥ 10×: ${w >= 10 ? 'met' : 'NOT met'})\n`);
    }
  }
  if (o.write !== false) {
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
    io.err(`bench: wrote ${fileURLToPath(RESULTS)}; \`npm run readme\` puts it in the README\n`);
  }
  return results;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  runBench(
    { json: args.has('--json'), quick: args.has('--quick'), webgpu: !args.has('--no-webgpu'), tfjs: !args.has('--no-tfjs'), scaling: !args.has('--no-scaling'), write: !args.has('--no-write') },
    { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
  ).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
