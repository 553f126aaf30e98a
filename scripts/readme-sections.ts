/**
 * The README's generated tables: the examples with their sizes, and the error catalogue. Each lives
 * between `<!-- name:start -->` and `<!-- name:end -->` markers; `npm run readme` rewrites them and a
 * test fails when the README is stale.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { CATALOGUE, type ErrorCode } from '../runtime/errors/catalogue.ts';
import { parseGraph } from '../runtime/graph/parse.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';
import type { BenchResults } from '../bench/run.ts';
import type { ResultRow, ResultsFile } from './results-file.ts';

const root = new URL('../', import.meta.url);
const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function examplesTable(): string {
  const dir = new URL('examples/', root);
  const rows = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = parseGraph(readFileSync(new URL(f, dir)));
      if (!parsed.ok) throw new Error(`examples/${f} does not parse`);
      const a = analyzeGraph(parsed.value);
      const loops = [...a.loops.values()]
        .map((l) => (l.implicit ? `implicit over ${l.axis}` : `${l.id}: ${l.steps !== undefined ? `${l.steps} steps` : `over ${l.axis}`}${l.direction === 'reverse' ? ', reverse' : ''}`))
        .join('; ');
      const c = a.counts;
      return `| [\`${f}\`](examples/${f}) | ${parsed.value.name} | ${loops} | ${c.nodes} | ${c.edges} | ${c.weights} | ${group(c.parameters)} |`;
    });
  return ['| file | graph | loops | nodes | edges | weights | parameters |', '| --- | --- | --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

function errorsTable(): string {
  const rows = (Object.keys(CATALOGUE) as ErrorCode[]).map((code) => `| ${code} | \`${CATALOGUE[code].name}\` | ${CATALOGUE[code].title} |`);
  return ['| code | name | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

const readResult = <T>(name: string): T => JSON.parse(readFileSync(new URL(`results/${name}`, root), 'utf8')) as T;
const SUPERSCRIPT: Readonly<Record<string, string>> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
/** 5.3 × 10⁻²³ */
const sci = (x: number): string =>
  x.toExponential(1).replace(/e\+?(-?\d+)$/, (_m, e: string) => ` × 10${[...e].map((c) => SUPERSCRIPT[c] ?? c).join('')}`);

interface GradientsFile {
  readonly measured: string;
  readonly curves: readonly { example: string; state: string; source: string; ratio: number; samples: readonly { t: number; norm: number }[] }[];
}

/** results/gradients.json: ‖∂L/∂z_t‖ along time at initialisation, adding task, T = 100. */
function gradientsTable(): string {
  const g = readResult<GradientsFile>('gradients.json');
  const ts = g.curves[0]?.samples.map((s) => s.t) ?? [];
  const head = `| example | state z | ‖∂L/∂z_1‖ / ‖∂L/∂z_T‖ | ${ts.map((t) => `t = ${t}`).join(' | ')} |`;
  const rows = g.curves.map((c) => `| [\`${c.example}\`](examples/${c.example}) | \`${c.source}\` (delay \`${c.state}\`) | **${sci(c.ratio)}** | ${c.samples.map((s) => s.norm.toExponential(2)).join(' | ')} |`);
  return [head, `| --- | --- | ---: | ${ts.map(() => '---:').join(' | ')} |`, ...rows].join('\n');
}

interface BracketsFile {
  readonly command: string;
  readonly machine: { cpus: number; model: string; node: string };
  readonly parameters: number;
  readonly config: { steps: number; batch: number; lr: number; optimizer: string };
  readonly runs: readonly { seconds: number; final: Record<string, { metric: number; loss: number; count: number }> }[];
  readonly identicalLossLines: boolean;
}

/** results/brackets.json: the LSTM brackets acceptance run, twice. */
function trainingTable(): string {
  const b = readResult<BracketsFile>('brackets.json');
  const rows = b.runs.map(
    (r, i) =>
      `| ${i + 1} | ${r.seconds.toFixed(1)} s | ${(100 * r.final.test!.metric).toFixed(1)}% | ${(100 * r.final.long!.metric).toFixed(1)}% | ${r.final.test!.loss.toFixed(4)} |`,
  );
  return [
    `\`${b.command}\` — ${b.parameters.toLocaleString('en-US')} parameters, ${b.config.optimizer} lr ${b.config.lr}, batch ${b.config.batch}, ${b.config.steps} steps; ` +
      `${b.machine.cpus} × ${b.machine.model}, Node ${b.machine.node}. Both runs printed ${b.identicalLossLines ? 'identical' : 'DIFFERENT'} loss lines.`,
    '',
    '| run | wall time (whole command) | test accuracy, lengths 2–50 | long accuracy, lengths 52–100 | test loss |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** A reported number as the results table prints it. */
function formatValue(v: number, format: ResultRow['format']): string {
  if (format === 'percent') return `${(100 * v).toFixed(1)}%`;
  if (format === 'bits') return v.toFixed(2);
  return Math.abs(v) < 0.001 ? v.toExponential(1) : v.toFixed(4);
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** results/results.json (`npm run reproduce`): every recipe's number beside its reference, and its wall time. */
function reproduceTable(): string {
  const r = readResult<ResultsFile>('results.json');
  const rows = r.recipes.map((row) => {
    const params = Object.entries(row.task.params).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    const task = `\`${row.task.name}\`${params !== '' ? ` (${params})` : ''}`;
    const value =
      row.error !== undefined
        ? `failed: ${cell(row.error.length > 160 ? `${row.error.slice(0, 160)}…` : row.error)}`
        : `**${formatValue(row.value!, row.format)}**${(row.also ?? []).map((a) => `; ${a.label}: ${formatValue(a.value, a.format)}`).join('')}`;
    const baseline = row.baseline !== undefined ? `baseline ${formatValue(row.baseline, row.format)}: ` : row.reference.value !== undefined ? `${formatValue(row.reference.value, row.format)}: ` : '';
    const time = `${row.seconds.toFixed(0)} s${row.overTime ? ` (over ${r.limitSeconds} s)` : ''}`;
    const verdict = row.met === true ? 'yes' : 'no';
    return `| ${row.name} | [\`${row.example}\`](examples/${row.example}) | ${task} | ${row.metric} | ${value} | ${cell(baseline + row.reference.text)} | ${row.target ?? '—'} | ${verdict} | ${time} |`;
  });
  const total = r.recipes.reduce((a, row) => a + row.seconds, 0);
  return [
    `\`${r.command}\` on ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node.replace(/^v/, '')}; one fixed seed per recipe (the graph's \`training.seed\`); ` +
      `wall time is the whole recipe (data, compiling, training, evaluation), limit ${r.limitSeconds} s each; ${(total / 60).toFixed(1)} min for all rows. ` +
      '"met" means the target was reached within the limit (for rows without a target: trained and evaluated within it).',
    '',
    '| recipe | example | task | reported | value reached | published / baseline | target | met | wall time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | ---: |',
    ...rows,
    ...byLengthTable(r.recipes),
  ].join('\n');
}

/** Seq2seq's accuracy by source length, side by side: where the one-vector bottleneck shows. */
function byLengthTable(rows: ResultsFile['recipes']): string[] {
  const withRows = rows.filter((row) => row.task.name === 'reverse' && row.byLength !== undefined && row.byLength.length > 0);
  if (withRows.length === 0) return [];
  const lengths = [...new Set(withRows.flatMap((row) => row.byLength!.map((x) => x.length)))].sort((a, b) => a - b).filter((n) => n % 5 === 0);
  return [
    '',
    'Exact match on `reverse` by source length (greedy decoding; 100 test strings per length):',
    '',
    `| recipe | ${lengths.map(String).join(' | ')} |`,
    `| --- | ${lengths.map(() => '---:').join(' | ')} |`,
    ...withRows.map((row) => `| ${row.name} | ${lengths.map((n) => {
      const x = row.byLength!.find((l) => l.length === n);
      return x !== undefined ? `${(100 * x.metric).toFixed(0)}%` : '—';
    }).join(' | ')} |`),
  ];
}

/**
 * The line under the performance table about Unroll on WebGPU: the adapter that ran, or why
 * there are no WebGPU rows; a software adapter's numbers are flagged as correctness only.
 */
function gpuLine(r: BenchResults): string {
  const g = r.gpu;
  const later = 'GPU numbers are to be recorded on a machine with a GPU.';
  if (g === undefined) return `Unroll on WebGPU was not measured in this run. ${later}`;
  if ('skipped' in g) return `Unroll on WebGPU: no rows, ${g.skipped.replace(/\.$/, '')}. ${later}`;
  const check = `its first training step's loss is within ${sci(g.lossDiff)} of the CPU's`;
  const steps = g.timing.runs === 1 && g.timing.minRunMs === 0 ? 'one timed step' : `medians of ${g.timing.runs} timed runs`;
  const failed = Object.entries(g.failed ?? {}).map(([cell, why]) => ` No WebGPU row for ${cell.toUpperCase()}: ${why.split('\n')[0]!.replace(/\.$/, '')}.`);
  if (g.fallback) {
    return `Unroll (WebGPU) ran on ${g.adapter}, a software adapter: its rows (${steps}) show that the backend runs and that ${check}, not GPU speed.${failed.join('')} ${later}`;
  }
  return `Unroll (WebGPU) ran on ${g.adapter}, ${steps}; a training step is one submission with its read-back awaited, as the trainer runs it; ${check}.${failed.join('')}`;
}

/** The performance section of a benchmark run: Unroll's CPU and WebGPU backends against TF.js, and scaling. */
export function performanceTable(r: BenchResults): string {
  const w = r.workload;
  // Two significant digits below 0.1 (a software adapter's steps/s).
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
  const name: Readonly<Record<string, string>> = {
    unroll: 'Unroll (CPU, WebAssembly SIMD)',
    'unroll-webgpu': 'Unroll (WebGPU)',
    'tfjs-cpu': 'TF.js 4.22 cpu',
    'tfjs-wasm': 'TF.js 4.22 wasm',
  };
  // This row's training steps/s ÷ a TF.js backend's on the same cell.
  const over = (row: BenchResults['rows'][number], tf: string): string => {
    const t = r.rows.find((x) => x.cell === row.cell && x.framework === tf);
    return t !== undefined ? `${f(row.trainStepsPerSec / t.trainStepsPerSec)}×` : '—';
  };
  const rows = r.rows.map((row) => {
    const ratio = r.ratios[row.cell];
    const vs =
      row.framework === 'unroll'
        ? `**${f(ratio?.['tfjs-wasm'] ?? NaN)}×** / ${f(ratio?.['tfjs-cpu'] ?? NaN)}×`
        : row.framework === 'unroll-webgpu'
          ? `${over(row, 'tfjs-wasm')} / ${over(row, 'tfjs-cpu')}`
          : '';
    return `| ${row.cell.toUpperCase()} | ${name[row.framework]} | ${f(row.trainStepsPerSec)} | ${f(row.trainGflops)} | ${f(row.inferStepsPerSec)} | ${row.peakRssMiB.toFixed(0)} MiB | ${vs} |`;
  });
  const sweep = (key: 'hidden' | 'steps' | 'batch', label: string): string[] => {
    const pts = r.scaling[key];
    if (pts.length === 0) return [];
    return [
      '',
      `| ${label} | ${pts.map((p) => String(p.value)).join(' | ')} |`,
      `| --- | ${pts.map(() => '---:').join(' | ')} |`,
      `| GFLOP per step | ${pts.map((p) => p.gflopPerStep.toFixed(3)).join(' | ')} |`,
      `| steps/s | ${pts.map((p) => f(p.stepsPerSec)).join(' | ')} |`,
      `| GFLOP/s | ${pts.map((p) => f(p.gflops)).join(' | ')} |`,
    ];
  };
  return [
    `\`${r.command}\` on ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node}, measured ${r.measured.slice(0, 10)}: ` +
      `one recurrent layer of ${w.hidden} units, input ${w.input}, batch ${w.batch}, ${w.steps} steps, a dense ${w.hidden}→${w.output} layer at every step, ` +
      `MSE, Adam; medians of ${r.timing.runs} timed runs after warm-up, every framework measured in the same run. GFLOP/s counts matmul work only.`,
    '',
    '| cell | framework | training steps/s | GFLOP/s | inference steps/s | peak RSS growth | Unroll ÷ TF.js wasm / cpu |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    gpuLine(r),
    '',
    'Unroll LSTM training as one size grows (the others as above): steps/s against the FLOPs of a step; the GFLOP/s row shows where the cost grows faster than the FLOPs (tiny products at batch 1, weights that outgrow the caches at large hidden sizes).',
    ...sweep('hidden', 'hidden units'),
    ...sweep('steps', 'sequence length'),
    ...sweep('batch', 'batch'),
  ].join('\n');
}

export const SECTIONS: Readonly<Record<string, () => string>> = {
  examples: examplesTable,
  errors: errorsTable,
  gradients: gradientsTable,
  training: trainingTable,
  reproduce: reproduceTable,
  // bench/results.json, written by `npm run bench`.
  performance: () => performanceTable(JSON.parse(readFileSync(new URL('bench/results.json', root), 'utf8')) as BenchResults),
};

/** `text` with every generated section rewritten; throws if a section's markers are missing. */
export function updateReadme(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> section`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${make()}\n${b}`);
  }
  return out;
}
