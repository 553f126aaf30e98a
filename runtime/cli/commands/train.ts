/**
 * `unroll train G`: train a graph on its task in a worker thread, through the same Trainer API the
 * editor's Web Worker uses. On a terminal a progress line (step, loss, metric, steps/s, ETA);
 * otherwise one plain line per report; with --json one object per line. Loss lines carry no
 * timings, so two runs with one seed print identical lines. Ctrl+C stops the run at the current
 * step; the weights (--out) and the final evaluation still follow.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatError, unrollError, type UnrollError } from '../../errors/catalogue.ts';
import { TRAINING_DEFAULTS, type EvalReport, type TrainConfig } from '../../train/trainer.ts';
import { lrSchedule } from '../../train/lr-schedule.ts';
import { TrainerClient, TrainingFault } from '../../worker/client.ts';
import type { BackendChoice, BackendInfo, LoadInfo, MetricsBatch } from '../../worker/protocol.ts';
import { spawnNodeWorker } from '../../worker/spawn-node.ts';
import { EXIT, printable, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';
import { readDataFile } from '../data-file.ts';
import { describeDataStreams, type DataSource } from '../../data/dataset.ts';
import { formatMapping } from '../../data/mapping.ts';

export interface TrainArgs {
  readonly file: string;
  readonly task?: string;
  readonly steps?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly json: boolean;
  /** Steps between reports (default: about 20 reports per run, at least every 10 steps … 100). */
  readonly every?: number;
  /** Bytes the run may hold (default 1 GiB). */
  readonly memoryBudget?: number;
  /** A data file to train on (task `dataset`): a .csv of sequences or a .txt. */
  readonly data?: string;
  /** The CSV column mapping, `id=seq,time=t,features=a+b@x,target=label@y` (see `runtime/data/mapping.ts`). */
  readonly map?: string;
  /** `auto` (default): a hardware GPU when there is one; `webgpu`: any adapter; `cpu`. */
  readonly backend?: BackendChoice;
}

/** The learning-rate decay on the start line: `, lr decay ×0.1 over steps 1500–3000`; empty when the lr is constant. */
function decayText(config: TrainConfig): string {
  const d = lrSchedule(config);
  return d === undefined ? '' : `, lr decay ×${d.factor} over steps ${d.start}–${d.end}`;
}

/** `backend webgpu: nvidia ampere (…)`, or `backend cpu: <why not the GPU>`. */
const backendLine = (b: BackendInfo): string => `backend ${b.name}${b.adapter !== undefined ? `: ${b.adapter}` : ''}${b.notice !== undefined ? `: ${b.notice}` : ''}`;

/** About 20 reports per run: every 10th step at least, every 100th at most. */
const defaultEvery = (steps: number): number => Math.min(100, Math.max(10, Math.round(steps / 20)));

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
  let data: DataSource | undefined;
  if (args.data !== undefined) {
    const bytes = await readDataFile(io.cwd, args.data);
    if (!bytes.ok) return fail(io, args.json, args.file, bytes.errors);
    data = { name: args.data, bytes: bytes.value, ...(args.map !== undefined ? { map: args.map } : {}) };
  }
  const client = new TrainerClient({ spawn: () => spawnNodeWorker() });
  // Ctrl+C: stop at the current step and still write the weights; a second Ctrl+C quits at once.
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    void client.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    return await train(io, args, r.doc.name, client, r.doc, data);
  } catch (e) {
    if (e instanceof TrainingFault) return fail(io, args.json, args.file, e.errors);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    client.close();
  }
}

async function train(io: CliIo, args: TrainArgs, name: string, client: TrainerClient, doc: Parameters<TrainerClient['load']>[0]['doc'], data: DataSource | undefined): Promise<number> {
  const info: LoadInfo = await client.load({
    doc,
    ...(args.task !== undefined ? { task: args.task } : {}),
    ...(data !== undefined ? { data } : {}),
    overrides: { steps: args.steps, seed: args.seed },
    reportEvery: args.every ?? defaultEvery(args.steps ?? doc.training?.steps ?? TRAINING_DEFAULTS.steps),
    ...(args.memoryBudget !== undefined ? { memoryBudget: args.memoryBudget } : {}),
    backend: args.backend ?? 'auto',
  });
  const { config, task } = info;
  const every = args.every ?? defaultEvery(config.steps);
  const metric = task.metric;
  const tty = io.isTTY === true && !args.json;
  // Report lines go to stdout unless the progress bar already shows them on the same terminal.
  const lines = !args.json && !(tty && io.stdoutIsTTY === true);
  const emit = (obj: Record<string, unknown>): void => io.out(JSON.stringify(obj) + '\n');

  if (args.json) {
    emit({ type: 'start', file: args.file, name, task: task.name, params: info.parameters, config, splits: task.splits.map((s) => s.name), backend: info.backend, ...(info.data !== undefined ? { data: info.data } : {}) });
  } else {
    io.out(
      `training ${printable(name)} on ${task.name} (${info.parameters.toLocaleString('en-US')} parameters): ` +
        `${config.optimizer} lr ${config.lr}, batch ${config.batch}, ${config.steps} steps, seed ${config.seed}` +
        `${config.clip > 0 ? `, clip ${config.clip}` : ''}${config.truncate > 0 ? `, truncate ${config.truncate}` : ''}${decayText(config)}\n`,
    );
    if (info.data !== undefined) io.out(dataLine(args.data!, info) + '\n');
    // Only a run off the default CPU says so: CPU runs print exactly what they always did.
    if (info.backend.name !== 'cpu' || info.backend.notice !== undefined) io.out(backendLine(info.backend) + '\n');
  }
  // A lost GPU moves the run to the CPU mid-way: said once, when it happens.
  let backend = info.backend;
  const backendChanged = (now: BackendInfo): void => {
    if (now.name === backend.name && now.notice === backend.notice) return;
    backend = now;
    if (args.json) emit({ type: 'backend', ...now });
    else io.out(`${tty ? '\n' : ''}${backendLine(now)}\n`);
  };

  const line = (step: number, loss: number, m: number, norm: number, clipped: boolean): string =>
    `step ${step} loss ${fmt(loss)} ${metric} ${fmt(m, 3)} grad-norm ${fmt(norm, 3)}${clipped ? ' (clipped)' : ''}`;
  let last = '';
  const evalLine = (ev: EvalReport & { step: number }): void => {
    if (args.json) emit({ type: 'eval', ...ev });
    else io.out(`${tty ? '\n' : ''}eval step ${ev.step} ${ev.split} loss ${fmt(ev.loss)} ${metric} ${fmt(ev.metric, 3)} (${ev.count} examples)\n`);
  };
  const onBatch = (b: MetricsBatch): void => {
    backendChanged(b.status.backend);
    // Steps and the evaluations run after them, in step order (an evaluation follows its step's line).
    let e = 0;
    for (let i = 0; i < b.steps.length; i++) {
      const s = b.steps[i]!;
      while (e < b.evals.length && b.evals[e]!.step < s) evalLine(b.evals[e++]!);
      last = line(s, b.loss[i]!, b.metric[i]!, b.gradNorm[i]!, b.clipped[i] === 1);
      if (s === 1 || s % every === 0 || s === config.steps) {
        if (args.json) {
          const d = b.diagnostics.find((x) => x.step === s);
          const diagnostics = d !== undefined ? { states: d.states.map((c) => ({ ...c, norms: [...c.norms] })), gates: d.gates } : {};
          emit({ type: 'step', step: s, loss: b.loss[i], metric: b.metric[i], gradNorm: b.gradNorm[i], clipped: b.clipped[i] === 1, ...diagnostics, stepsPerSecond: b.stepsPerSecond, elapsedSeconds: b.elapsedSeconds });
        }
        else if (lines) io.out(last + '\n');
      }
    }
    while (e < b.evals.length) evalLine(b.evals[e++]!);
    if (tty && b.steps.length > 0) {
      const width = 24;
      const s = b.status.step;
      const done = Math.round((width * s) / config.steps);
      const eta = b.stepsPerSecond > 0 ? (config.steps - s) / b.stepsPerSecond : 0;
      io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${last} ${b.stepsPerSecond.toFixed(1)} steps/s ETA ${duration(eta)}   `);
    }
  };

  const started = performance.now();
  let end;
  try {
    end = await client.start(onBatch);
  } catch (e) {
    if (tty) io.err('\n');
    // A diverged run keeps its last good weights: write them when asked, then report the error.
    if (e instanceof TrainingFault && e.code === 'E442' && args.out !== undefined) {
      const written = await writeWeights(io, args, client);
      if (written !== undefined) return fail(io, args.json, args.file, [...e.errors, written]);
      io.err(`${args.file}: the last good weights were written to ${args.out}\n`);
    }
    throw e;
  }
  if (tty) io.err('\n');
  const seconds = (performance.now() - started) / 1000;
  const steps = end.step;
  if (end.reason === 'stopped' && !args.json) io.out(`stopped at step ${steps} of ${config.steps}\n`);
  // The weights first: whatever happens in the final evaluation, the training is not lost.
  if (args.out !== undefined) {
    const failed = await writeWeights(io, args, client);
    if (failed !== undefined) return fail(io, args.json, args.file, [failed]);
  }
  const results: EvalReport[] = [];
  for (const s of task.splits) results.push(await client.evaluate(s.name));
  if (args.json) {
    for (const ev of results) emit({ type: 'eval', step: steps, final: true, ...ev });
  } else {
    for (const ev of results) {
      const split = task.splits.find((s) => s.name === ev.split)!;
      io.out(`final ${ev.split} (lengths ${split.lengths[0]}–${split.lengths[1]}): loss ${fmt(ev.loss)} ${metric} ${fmt(ev.metric, 4)} on ${ev.count} examples\n`);
      if (ev.byLength !== undefined) io.out(`  ${metric} by length: ${ev.byLength.map((r) => `${r.length} ${fmt(r.metric, 3)}`).join(', ')}\n`);
    }
    if (task.baseline !== undefined) io.out(`baseline loss ${fmt(task.baseline.value)} (${task.baseline.doc})\n`);
  }
  if (args.json) emit({ type: 'done', steps, stopped: end.reason === 'stopped', seconds, stepsPerSecond: steps / seconds, weights: args.out ?? null });
  else io.out(`trained ${steps} steps in ${duration(seconds)} (${(steps / seconds).toFixed(1)} steps/s)${args.out !== undefined ? `; weights written to ${args.out}` : ''}\n`);
  return EXIT.ok;
}

/** What a data file gave, in one line: counts, the mapping, and the streams' shapes. */
function dataLine(file: string, info: LoadInfo): string {
  const d = info.data!;
  const streams = describeDataStreams(d);
  if (d.reader === 'text') {
    return `data ${printable(file)}: ${d.tokens.toLocaleString('en-US')} ${d.unit === 'char' ? 'characters' : 'words'} (${d.trainTokens.toLocaleString('en-US')} train, ${d.validationTokens.toLocaleString('en-US')} validation), vocab ${d.vocab}; ${streams}`;
  }
  return (
    `data ${printable(file)}: ${d.rows.toLocaleString('en-US')} rows, ${d.sequences} sequences (${d.trainSequences} train, ${d.testSequences} test), lengths ${d.lengths[0]}–${d.lengths[1]}; ` +
    `map ${printable(formatMapping(d.mapping))}; ${streams}`
  );
}

/** Write the worker's current weights to --out; an E444 error when that fails. */
async function writeWeights(io: CliIo, args: TrainArgs, client: TrainerClient): Promise<UnrollError | undefined> {
  try {
    await writeFile(resolve(io.cwd, args.out!), await client.getWeights());
    return undefined;
  } catch (e) {
    if (e instanceof TrainingFault) throw e;
    return unrollError('E444', `cannot write ${args.out}: ${(e as Error).message}`);
  }
}
