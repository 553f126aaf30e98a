/**
 * `npm run bench` / `unroll bench [--json]`: the reference workload (one recurrent layer of 128
 * units, input 64, batch 32, 64 steps, a dense 128→64 layer at every step, MSE, Adam) for LSTM,
 * GRU and Elman RNN on Unroll's CPU backend and on TF.js's cpu and wasm backends, measured live in
 * the same run (each in its own process, one after another); then Unroll's LSTM against hidden
 * size, sequence length and batch. Prints a table and writes `bench/results.json`, from which
 * `npm run readme` generates the README's performance section.
 *
 * Options: `--json` (print the results as JSON instead of the table), `--quick` (3 shorter runs:
 * a smoke test, not for publishing), `--no-tfjs`, `--no-scaling`, `--no-write`.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Framework, Job, Measurement } from './measure.ts';
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

/** `bench/results.json`. */
export interface BenchResults {
  readonly measured: string;
  readonly command: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly workload: Omit<WorkloadShape, 'cell'>;
  readonly timing: TimingOptions;
  readonly rows: readonly BenchRow[];
  /** Unroll's training steps/s ÷ each TF.js backend's, per cell. */
  readonly ratios: Readonly<Record<string, { readonly 'tfjs-cpu'?: number; readonly 'tfjs-wasm'?: number }>>;
  readonly scaling: Readonly<Record<'hidden' | 'steps' | 'batch', readonly ScalingPoint[]>>;
}

export interface BenchOptions {
  readonly json?: boolean;
  readonly quick?: boolean;
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

/** Run one job in a fresh Node process (tsx loads the TypeScript). */
function inChild(job: Job): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('bench/measure.ts', root)), JSON.stringify(job)], {
      cwd: fileURLToPath(root),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Measurement);
      else reject(new Error(`bench: ${job.framework} ${job.shape.cell} failed (exit ${code}): ${err.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}

const fmt = (x: number, d = 2): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));

/** The main table as text. */
export function formatTable(r: BenchResults): string {
  const head = ['cell', 'framework', 'train steps/s', 'GFLOP/s', 'infer steps/s', 'peak RSS', 'Unroll ÷ this'];
  const rows = r.rows.map((row) => {
    const unroll = r.rows.find((x) => x.cell === row.cell && x.framework === 'unroll');
    const ratio = row.framework === 'unroll' || unroll === undefined ? '' : `${fmt(unroll.trainStepsPerSec / row.trainStepsPerSec, 1)}×`;
    return [row.cell, row.framework, fmt(row.trainStepsPerSec), fmt(row.trainGflops), fmt(row.inferStepsPerSec), `${row.peakRssMiB.toFixed(0)} MiB`, ratio];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  for (const [name, points] of Object.entries(r.scaling)) {
    if (points.length === 0) continue;
    out.push('', `Unroll LSTM training against ${name}: ` + points.map((p) => `${p.value} → ${fmt(p.stepsPerSec)} steps/s (${fmt(p.gflops)} GFLOP/s)`).join(', '));
  }
  return out.join('\n') + '\n';
}

/** Measure everything, print, and write `bench/results.json` (unless `write: false`). */
export async function runBench(o: BenchOptions, io: BenchIo): Promise<BenchResults> {
  const timing: TimingOptions = o.quick === true ? { warmup: 1, runs: 3, minRunMs: 50 } : { warmup: 2, runs: 5, minRunMs: 250 };
  const frameworks: Framework[] = o.tfjs === false ? ['unroll'] : ['unroll', 'tfjs-cpu', 'tfjs-wasm'];
  const rows: BenchRow[] = [];
  for (const cell of CELLS) {
    const shape: WorkloadShape = { ...REFERENCE, cell };
    for (const framework of frameworks) {
      io.err(`bench: ${cell} on ${framework}…\n`);
      // TF.js steps take seconds: one warm-up step is enough there.
      const t = framework === 'unroll' ? timing : { ...timing, warmup: 1, minRunMs: 0 };
      const m = await inChild({ framework, shape, infer: true, timing: t });
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
  const ratios: Record<string, { 'tfjs-cpu'?: number; 'tfjs-wasm'?: number }> = {};
  for (const cell of CELLS) {
    const u = rows.find((r) => r.cell === cell && r.framework === 'unroll')!;
    const entry: { 'tfjs-cpu'?: number; 'tfjs-wasm'?: number } = {};
    for (const f of ['tfjs-cpu', 'tfjs-wasm'] as const) {
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
        const m = await inChild({ framework: 'unroll', shape, infer: false, timing: { ...timing, warmup: 1 } });
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
    { json: args.has('--json'), quick: args.has('--quick'), tfjs: !args.has('--no-tfjs'), scaling: !args.has('--no-scaling'), write: !args.has('--no-write') },
    { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
  ).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
