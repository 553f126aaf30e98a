/**
 * `unroll export-data G [--task NAME] [--steps N] [--seed S] [--out DIR]`: the task's training
 * batches (N, the graph's training steps by default) and evaluation splits as safetensors files
 * for the exported train.py (format in runtime/export/task-data.ts and the README).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatError, unrollError, type UnrollError } from '../../errors/catalogue.ts';
import { taskDataFiles } from '../../export/task-data.ts';
import { createTask } from '../../tasks/registry.ts';
import { EXIT, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';

export interface ExportDataArgs {
  readonly file: string;
  readonly task?: string;
  readonly steps?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly json: boolean;
}

function fail(io: CliIo, json: boolean, file: string, errors: readonly UnrollError[]): number {
  if (json) io.out(JSON.stringify({ ok: false, file, errors }) + '\n');
  else for (const e of errors) io.err(`${file}: ${formatError(e)}\n`);
  return EXIT.userError;
}

export async function exportDataCommand(io: CliIo, args: ExportDataArgs): Promise<number> {
  const r = await readGraphFile(io.cwd, args.file, { purpose: 'train' });
  if (!r.ok) return fail(io, args.json, args.file, r.errors);
  const spec = args.task !== undefined ? { name: args.task } : r.doc.task;
  if (spec === undefined) return fail(io, args.json, args.file, [unrollError('E440', 'the graph names no task: give --task NAME (brackets, copy, adding)')]);
  const task = createTask(spec, args.task !== undefined ? '$' : '$.task');
  if (!task.ok) return fail(io, args.json, args.file, task.errors);
  const t = r.doc.training ?? {};
  const files = taskDataFiles(r.analysis, task.value, { steps: args.steps ?? t.steps ?? 1000, batch: t.batch ?? 32, seed: args.seed ?? t.seed ?? 0 });
  if (!files.ok) return fail(io, args.json, args.file, files.errors);
  const dir = resolve(io.cwd, args.out ?? 'data');
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, bytes] of files.value) {
      const path = join(dir, `${name}.safetensors`);
      await writeFile(path, bytes);
      written.push(path);
    }
  } catch (e) {
    return fail(io, args.json, args.file, [unrollError('E460', `cannot write to ${dir}: ${(e as Error).message}`)]);
  }
  if (args.json) io.out(JSON.stringify({ ok: true, file: args.file, written }) + '\n');
  else for (const p of written) io.out(`wrote ${p}\n`);
  return EXIT.ok;
}
