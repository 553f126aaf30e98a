/**
 * `unroll export G --to pytorch [--out model.py]`: model.py and train.py (README "Export").
 * `unroll export G --to onnx --steps T [--weights W] [--out model.onnx]`: the forward pass
 * unrolled for lengths T, weights embedded (W, or the graph's initialisers with --seed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { formatError, unrollError, type UnrollError } from '../../errors/catalogue.ts';
import { onnxFile, pytorchFiles } from '../../export/files.ts';
import { Model } from '../../train/model.ts';
import { Rng } from '../../train/prng.ts';
import { EXIT, UsageError, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';
import { loadWeightsFile } from '../weights-io.ts';
import { parseSteps } from './unroll.ts';
import packageJson from '../../../package.json' with { type: 'json' };

export interface ExportArgs {
  readonly file: string;
  readonly to: string;
  readonly out?: string;
  readonly steps?: string;
  readonly weights?: string;
  readonly seed?: number;
  readonly json: boolean;
}

function fail(io: CliIo, json: boolean, file: string, errors: readonly UnrollError[]): number {
  if (json) io.out(JSON.stringify({ ok: false, file, errors }) + '\n');
  else for (const e of errors) io.err(`${file}: ${formatError(e)}\n`);
  return EXIT.userError;
}

async function write(io: CliIo, path: string, data: string | Uint8Array): Promise<UnrollError | undefined> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    return undefined;
  } catch (e) {
    return unrollError('E460', `cannot write ${path}: ${(e as Error).message}`);
  }
}

export async function exportCommand(io: CliIo, args: ExportArgs): Promise<number> {
  if (args.to !== 'pytorch' && args.to !== 'onnx') throw new UsageError(`--to must be pytorch or onnx, got "${args.to}"`);
  if (args.to === 'pytorch' && (args.steps !== undefined || args.weights !== undefined || args.seed !== undefined)) {
    throw new UsageError('export --to pytorch takes no --steps, --weights or --seed: the module runs any length and loads weights itself');
  }
  const r = await readGraphFile(io.cwd, args.file, { purpose: 'inference' });
  if (!r.ok) return fail(io, args.json, args.file, r.errors);
  const written: string[] = [];
  if (args.to === 'pytorch') {
    const files = pytorchFiles(r.analysis);
    if (!files.ok) return fail(io, args.json, args.file, files.errors);
    const model = resolve(io.cwd, args.out ?? 'model.py');
    for (const f of files.value) {
      const path = f.name === 'model.py' ? model : join(dirname(model), f.name);
      const err = await write(io, path, f.data);
      if (err !== undefined) return fail(io, args.json, args.file, [err]);
      written.push(path);
    }
  } else {
    const lengths = parseSteps(args.steps, r.analysis.axes);
    const model = new Model(r.analysis, { dtype: 'float32' });
    if (args.weights !== undefined) {
      const loaded = await loadWeightsFile(io.cwd, args.weights, model);
      if (!loaded.ok) return fail(io, args.json, args.weights, loaded.errors);
    } else model.initialise(new Rng(args.seed ?? r.doc.training?.seed ?? 0));
    const f = onnxFile(r.analysis, lengths, model.weights, packageJson.version);
    if (!f.ok) return fail(io, args.json, args.file, f.errors);
    const path = resolve(io.cwd, args.out ?? 'model.onnx');
    const err = await write(io, path, f.value.data);
    if (err !== undefined) return fail(io, args.json, args.file, [err]);
    written.push(path);
  }
  if (args.json) io.out(JSON.stringify({ ok: true, file: args.file, to: args.to, written }) + '\n');
  else for (const p of written) io.out(`wrote ${p}\n`);
  return EXIT.ok;
}
