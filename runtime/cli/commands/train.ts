/**
 * `unroll train G`: train a graph on its task. On a terminal a progress line (step, loss, metric,
 * steps/s, ETA); otherwise one plain line per report; with --json one object per line. Loss lines
 * carry no timings, so two runs with one seed print identical lines.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatError, unrollError, type UnrollError } from '../../errors/catalogue.ts';
import { writeSafetensors } from '../../weights/safetensors.ts';
import { Trainer, TrainerError, type StepReport } from '../../train/trainer.ts';
import { EXIT, printable, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';
import { weightTensors } from '../weights-io.ts';

export interface TrainArgs {
  readonly file: string;
  readonly task?: string;
  readonly steps?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly json: boolean;
  /** Steps between reports (default: about 20 reports per run, at least every 10 steps … 100). */
  readonly every?: number;
}

const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const duration = (s: number): string => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

function fail(io: CliIo, json: boolean, file: string, errors: readonly UnrollError[]): number {
  if (json) io.out(JSON.stringify({ type: 'error', ok: false, file, errors }) + '\n');
  else for (const e of errors) io.err(`${file}: ${formatError(e)}\n`);
  return EXIT.userError;
}

export async function trainCommand(io: CliIo, args: TrainArgs): Promise<number> {
  const r = await readGraphFile(io.cwd, args.file, { purpose: 'train' });
  if (!r.ok) return fail(io, args.json, args.file, r.errors);
  const created = Trainer.create({ doc: r.doc, task: args.task, overrides: { steps: args.steps, seed: args.seed } });
  if (!created.ok) return fail(io, args.json, args.file, created.errors);
  const trainer = created.value;
  const { config, task } = trainer;
  const every = args.every ?? Math.min(100, Math.max(10, Math.round(config.steps / 20)));
  const metric = task.metric.name;
  const tty = io.isTTY === true && !args.json;
  // Report lines go to stdout unless the progress bar already shows them on the same terminal.
  const lines = !args.json && !(tty && io.stdoutIsTTY === true);
  const started = performance.now();
  const emit = (obj: Record<string, unknown>): void => io.out(JSON.stringify(obj) + '\n');

  if (args.json) {
    emit({ type: 'start', file: args.file, name: r.doc.name, task: task.name, params: trainer.model.parameterCount(), config, splits: task.evalSplits.map((s) => s.name) });
  } else {
    io.out(
      `training ${printable(r.doc.name)} on ${task.name} (${trainer.model.parameterCount().toLocaleString('en-US')} parameters): ` +
        `${config.optimizer} lr ${config.lr}, batch ${config.batch}, ${config.steps} steps, seed ${config.seed}` +
        `${config.clip > 0 ? `, clip ${config.clip}` : ''}${config.truncate > 0 ? `, truncate ${config.truncate}` : ''}\n`,
    );
  }

  const line = (rep: StepReport): string =>
    `step ${rep.step} loss ${fmt(rep.loss)} ${metric} ${fmt(rep.metric, 3)} grad-norm ${fmt(rep.gradNorm, 3)}${rep.clipped ? ' (clipped)' : ''}`;
  try {
    for (let s = 1; s <= config.steps; s++) {
      const report = s === 1 || s % every === 0 || s === config.steps;
      const rep = trainer.step(report);
      const elapsed = (performance.now() - started) / 1000;
      const rate = s / elapsed;
      if (report) {
        if (args.json) emit({ type: 'step', ...rep, stepsPerSecond: rate, elapsedSeconds: elapsed });
        else if (lines) io.out(line(rep) + '\n');
      }
      if (tty && (report || s % 5 === 0)) {
        const width = 24;
        const done = Math.round((width * s) / config.steps);
        const eta = (config.steps - s) / rate;
        io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line(rep)} ${rate.toFixed(1)} steps/s ETA ${duration(eta)}   `);
      }
      if (s % config.evalEvery === 0 && s !== config.steps) {
        const ev = trainer.evaluate(task.evalSplits[0]!.name);
        if (args.json) emit({ type: 'eval', step: s, ...ev });
        else io.out(`${tty ? '\n' : ''}eval step ${s} ${ev.split} loss ${fmt(ev.loss)} ${metric} ${fmt(ev.metric, 3)} (${ev.count} examples)\n`);
      }
    }
  } catch (e) {
    if (tty) io.err('\n');
    if (e instanceof TrainerError) return fail(io, args.json, args.file, e.errors);
    throw e;
  }
  if (tty) io.err('\n');
  const seconds = (performance.now() - started) / 1000;
  // The weights first: whatever happens in the final evaluation, the training is not lost.
  if (args.out !== undefined) {
    try {
      await writeFile(resolve(io.cwd, args.out), writeSafetensors(weightTensors(trainer.model), { format: 'unroll', graph: r.doc.name, task: task.name, steps: String(config.steps) }));
    } catch (e) {
      return fail(io, args.json, args.file, [unrollError('E444', `cannot write ${args.out}: ${(e as Error).message}`)]);
    }
  }
  let results;
  try {
    results = task.evalSplits.map((s) => trainer.evaluate(s.name));
  } catch (e) {
    if (e instanceof TrainerError) return fail(io, args.json, args.file, e.errors);
    throw e;
  }
  if (args.json) {
    for (const ev of results) emit({ type: 'eval', step: config.steps, final: true, ...ev });
  } else {
    for (const ev of results) {
      const info = task.evalSplits.find((s) => s.name === ev.split)!;
      io.out(`final ${ev.split} (lengths ${info.lengths[0]}–${info.lengths[1]}): loss ${fmt(ev.loss)} ${metric} ${fmt(ev.metric, 4)} on ${ev.count} examples\n`);
    }
    if (task.baseline !== undefined) io.out(`baseline loss ${fmt(task.baseline.value)} (${task.baseline.doc})\n`);
  }
  if (args.json) emit({ type: 'done', steps: config.steps, seconds, stepsPerSecond: config.steps / seconds, weights: args.out ?? null });
  else io.out(`trained ${config.steps} steps in ${duration(seconds)} (${(config.steps / seconds).toFixed(1)} steps/s)${args.out !== undefined ? `; weights written to ${args.out}` : ''}\n`);
  return EXIT.ok;
}
