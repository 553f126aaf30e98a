/**
 * `npm run results:brackets`: the acceptance run, measured. Trains the default example
 * (LSTM on brackets) twice with `unroll train examples/lstm.json --seed 1 --json` as a user would,
 * records wall time, the final test metrics and whether the two runs printed identical loss lines,
 * and writes results/brackets.json (then `npm run readme`).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const command = ['bin/unroll.mjs', 'train', 'examples/lstm.json', '--seed', '1', '--json'];

interface Line {
  type: string;
  [k: string]: unknown;
}

function run(): { seconds: number; lines: Line[] } {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, command, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, lines: out.trim().split('\n').map((l) => JSON.parse(l) as Line) };
}

const runs = [run(), run()];
const lossLines = (lines: Line[]): string[] => lines.filter((l) => l.type === 'step' || l.type === 'eval').map((l) => JSON.stringify([l.type, l.step, l.split, l.loss, l.metric, l.gradNorm]));
const identical = JSON.stringify(lossLines(runs[0]!.lines)) === JSON.stringify(lossLines(runs[1]!.lines));
const finals = (lines: Line[]): Record<string, { loss: number; metric: number; count: number }> =>
  Object.fromEntries(lines.filter((l) => l.type === 'eval' && l.final === true).map((l) => [l.split as string, { loss: l.loss as number, metric: l.metric as number, count: l.count as number }]));
const start = runs[0]!.lines[0]!;
const result = {
  command: `npx unroll ${command.slice(1).join(' ')}`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  task: start.task,
  parameters: start.params,
  config: start.config,
  runs: runs.map((r) => ({ seconds: Math.round(r.seconds * 10) / 10, final: finals(r.lines) })),
  identicalLossLines: identical,
  reportedLines: lossLines(runs[0]!.lines).length,
};
writeFileSync(new URL('../results/brackets.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
