/**
 * `unroll eval G --weights W --input X.json [--grad]`: run a graph with trained weights on given
 * data; print every block's outputs, the loss and, with --grad, the gradient of the loss (the mean
 * over the examples) with respect to every weight and every float input, as nested arrays.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatError, unrollError, type UnrollError } from '../../errors/catalogue.ts';
import { Model } from '../../train/model.ts';
import type { Pass } from '../../train/pass.ts';
import { Rng } from '../../train/prng.ts';
import { EXIT, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';
import { readEvalInput, type EvalInput } from '../eval-input.ts';
import { scanJson } from '../../graph/json-scan.ts';
import { jsonPath } from '../../graph/types.ts';
import { loadWeightsFile } from '../weights-io.ts';

export interface EvalArgs {
  readonly file: string;
  readonly weights: string;
  readonly input: string;
  readonly grad: boolean;
  readonly json: boolean;
}

const MAX_INPUT_BYTES = 256 * 1024 * 1024;
/** Sources nest at most 4 deep (examples, steps, a matrix element); anything far deeper is refused before parsing. */
const MAX_INPUT_DEPTH = 16;

type Nested = number | Nested[];
/** Row-major `values` as nested arrays of `dims`. */
function nest(values: ArrayLike<number>, dims: readonly number[], offset = 0): Nested {
  if (dims.length === 0) return values[offset]!;
  const [n, ...rest] = dims as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => nest(values, rest, offset + i * stride));
}

function fail(io: CliIo, json: boolean, file: string, errors: readonly UnrollError[]): number {
  if (json) io.out(JSON.stringify({ ok: false, file, errors }) + '\n');
  else for (const e of errors) io.err(`${file}: ${formatError(e)}\n`);
  return EXIT.userError;
}

async function readInput(io: CliIo, file: string): Promise<{ ok: true; value: unknown } | { ok: false; errors: UnrollError[] }> {
  const path = resolve(io.cwd, file);
  try {
    const info = await stat(path);
    if (info.size > MAX_INPUT_BYTES) return { ok: false, errors: [unrollError('E443', `${file} is ${info.size} bytes; an eval input may be at most ${MAX_INPUT_BYTES}`)] };
    const text = await readFile(path, 'utf8');
    // Before JSON.parse: syntax errors with line and column, keys written twice, absurd nesting.
    const scan = scanJson(text, MAX_INPUT_DEPTH, true);
    if (scan !== undefined) {
      const where = scan.kind === 'depth' ? {} : { line: scan.line, column: scan.column };
      const message =
        scan.kind === 'syntax'
          ? `not valid JSON: ${scan.message} (line ${where.line}, column ${where.column})`
          : scan.kind === 'duplicate'
            ? `a key written twice in one object (line ${where.line}, column ${where.column}); which one counts would be a guess`
            : `nested deeper than an eval input goes (${MAX_INPUT_DEPTH} levels)`;
      return { ok: false, errors: [unrollError('E443', `${file}: ${message}`, { path: jsonPath(scan.kind === 'syntax' ? [] : scan.path) })] };
    }
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, errors: [unrollError('E443', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { path: '$' })] };
  }
}

/** Per node and port: the value of every example, `[B][T][…]` for nodes in loops (by sequence position). */
function outputsOf(pass: Pass, model: Model, input: EvalInput, size: number): Record<string, Nested> {
  const a = model.analysis;
  const out: Record<string, Nested> = {};
  const lowered = pass.plan.lowered;
  for (const n of a.doc.nodes) {
    if (n.type === 'input' || n.type === 'target') continue;
    const loopId = a.nodeLoop.get(n.id);
    const loop = loopId !== undefined ? a.loops.get(loopId) : undefined;
    const T = loop === undefined ? 0 : (loop.steps ?? pass.lengths[loop.axis] ?? 0);
    for (const [key, sym] of lowered.outputs) {
      const dot = key.lastIndexOf('.');
      const base = key.slice(0, dot);
      const port = key.slice(dot + 1);
      if (loop === undefined ? base !== n.id : base !== `${n.id}@0`) continue;
      const op = lowered.ops[sym]!;
      if (loop === undefined) {
        out[`${n.id}.${port}`] = nest(pass.valueOf(sym), [size, ...op.shape]);
        continue;
      }
      const lens = input.feed.lengths.get(loop.axis);
      out[`${n.id}.${port}`] = Array.from({ length: size }, (_, b) => {
        const len = lens?.[b] ?? T;
        return Array.from({ length: Math.min(T, len) }, (_, p) => {
          const step = loop.direction === 'reverse' ? T - 1 - p : p; // a reverse loop's first step works on the last position
          const s = lowered.outputs.get(`${n.id}@${step}.${port}`)!;
          const per = op.shape.reduce((x, y) => x * y, 1);
          return nest(pass.valueOf(s), op.shape, b * per);
        });
      });
    }
  }
  return out;
}

/**
 * ∂loss/∂(source `id`) per example (and step): the sum over every feed of the source — one per
 * step it is sliced at, and the whole sequence where a port takes all of it (attention keys).
 */
function inputGradient(pass: Pass, id: string, elem: readonly number[], steps: number, size: number, lens: ArrayLike<number> | undefined): Nested {
  const E = elem.reduce((a, b) => a * b, 1);
  const T = Math.max(1, steps);
  const total = new Float64Array(size * T * E);
  for (const f of pass.plan.lowered.feeds) {
    if (f.kind !== 'data' || f.node !== id) continue;
    const g = pass.inputGrad(f.sym);
    if (g === undefined) continue;
    if (f.whole === true) {
      const Tp = pass.plan.lowered.ops[f.sym]!.shape[0]!;
      for (let b = 0; b < size; b++) for (let t = 0; t < Math.min(T, Tp); t++) for (let j = 0; j < E; j++) total[(b * T + t) * E + j]! += g[(b * Tp + t) * E + j]!;
    } else {
      const t = f.position ?? 0;
      for (let b = 0; b < size; b++) for (let j = 0; j < E; j++) total[(b * T + t) * E + j]! += g[b * E + j]!;
    }
  }
  if (steps === 0) return nest(total, [size, ...elem]);
  return Array.from({ length: size }, (_, b) => Array.from({ length: lens?.[b] ?? T }, (_, t) => nest(total, elem, (b * T + t) * E)));
}

export async function evalCommand(io: CliIo, args: EvalArgs): Promise<number> {
  const r = await readGraphFile(io.cwd, args.file, { purpose: 'inference' });
  if (!r.ok) return fail(io, args.json, args.file, r.errors);
  const model = new Model(r.analysis, { dtype: 'float32' });
  const loaded = await loadWeightsFile(io.cwd, args.weights, model);
  if (!loaded.ok) return fail(io, args.json, args.weights, loaded.errors);
  const raw = await readInput(io, args.input);
  if (!raw.ok) return fail(io, args.json, args.input, raw.errors);
  const input = readEvalInput(raw.value, r.analysis);
  if (!input.ok) return fail(io, args.json, args.input, input.errors);
  const size = input.value.feed.size;
  const hasLoss = r.doc.nodes.some((n) => n.type === 'loss');
  if (args.grad && !hasLoss) return fail(io, args.json, args.file, [unrollError('E443', '--grad needs a loss node in the graph')]);
  const made = model.pass({ lengths: input.value.lengths, batch: size, backward: args.grad, inputGrads: args.grad, keepOutputs: true, masked: input.value.masked });
  if (!made.ok) return fail(io, args.json, args.file, made.errors);
  const pass = made.value;
  // Delays with `init: random` draw their first state from a fixed seed, so eval is repeatable.
  pass.feed(input.value.feed, new Rng(0));
  const loss = pass.forward(size);
  if (args.grad) pass.backward();

  const result: Record<string, unknown> = { ok: true, examples: size };
  if (hasLoss) {
    result.loss = loss;
    result.losses = Object.fromEntries(
      r.doc.nodes.filter((n) => n.type === 'loss').map((n) => [n.id, Array.from(pass.valueOf(pass.plan.lowered.outputs.get(`${n.id}.value`)!).subarray(0, size))]),
    );
  }
  result.outputs = outputsOf(pass, model, input.value, size);
  if (args.grad) {
    const weights: Record<string, Nested> = {};
    for (const w of model.weightSpecs) weights[w.key] = nest(model.grads.get(w.key)!, w.shape);
    const inputs: Record<string, Nested> = {};
    for (const [id, src] of input.value.feed.sources) {
      const type = r.analysis.outputTypes.get(`${id}.out`);
      if (type === undefined || type.dtype !== 'float') continue;
      inputs[id] = inputGradient(pass, id, type.shape, src.length, size, type.seq !== undefined ? input.value.feed.lengths.get(type.seq) : undefined);
    }
    result.grads = { weights, inputs };
  }
  if (args.json) io.out(JSON.stringify(result) + '\n');
  else {
    if (hasLoss) io.out(`loss ${loss}\n`);
    for (const [k, v] of Object.entries(result.outputs as Record<string, Nested>)) io.out(`output ${k} ${JSON.stringify(v)}\n`);
    if (args.grad) {
      const g = result.grads as { weights: Record<string, Nested>; inputs: Record<string, Nested> };
      for (const [k, v] of Object.entries(g.weights)) io.out(`grad ${k} ${JSON.stringify(v)}\n`);
      for (const [k, v] of Object.entries(g.inputs)) io.out(`grad ${k} ${JSON.stringify(v)}\n`);
    }
  }
  return EXIT.ok;
}
