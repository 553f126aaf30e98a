/** Entry of the `unroll` command line: parse arguments, dispatch, map every failure to an exit status. */
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliIo } from './io.ts';
import { validateCommand } from './commands/validate.ts';
import { unrollCommand } from './commands/unroll.ts';
import { trainCommand } from './commands/train.ts';
import { evalCommand } from './commands/eval.ts';
import { exportCommand } from './commands/export.ts';
import { exportDataCommand } from './commands/export-data.ts';
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION } from '../graph/types.ts';
import packageJson from '../../package.json' with { type: 'json' };

const VERSION: string = packageJson.version;

export const USAGE = `usage: unroll <command> [options]

commands
  validate G... [--json]           check graph files; print node, edge, weight and parameter counts or every error
  unroll G --steps T [--json]      print the DAG G becomes for sequence length T (or --steps src=5,y=6 per sequence)
  train G [--task NAME] [--steps N] [--seed S] [--out W.safetensors] [--backend auto|cpu|webgpu] [--memory-budget SIZE] [--json]
                                   train G on its task (or NAME: brackets, copy, adding, reverse, dyck, charlm, babi) in a worker thread;
                                   progress on a terminal, one line per report otherwise; test metrics at the end;
                                   weights to W; Ctrl+C stops early and still writes W; SIZE like 2GiB (default 1GiB)
  train G --data FILE.csv|FILE.txt [--map SPEC] [other train options]
                                   train G on a file of yours (task "dataset"; at most 64 MiB): a .txt predicts the next
                                   character; a .csv holds sequences, one per id, read with the column mapping SPEC:
                                     id=COL           the column naming each row's sequence
                                     time=COL|none    the column ordering the steps (none: the rows' order)
                                     features=A+B@x   the feature columns, and the input node they feed (default x)
                                     target=COL@y     the column to predict, and the target node it feeds (default y)
                                     per=sequence|step  one target per sequence or one per row
                                     kind=class|number  labels (cross-entropy, accuracy) or numbers (mse)
                                   e.g. --map id=seq,time=t,features=f1+f2,target=label; every key left out is inferred;
                                   quote a name holding , = + @ like "a,b". Reader params (length, unit, vocab_size,
                                   test_fraction, seed, delimiter, normalize) come from G's "task": {"name": "dataset", "params": {…}}
  eval G --weights W --input X.json [--grad] [--json]
                                   run G with weights W on the examples in X.json: outputs, loss and with --grad
                                   the gradient of the loss for every weight and input (README: "eval input")
  bench [--json]                   training and inference speed of LSTM, GRU and RNN on Unroll's CPU and WebGPU
                                   backends and on TF.js (cpu, wasm) side by side; writes bench/results.json
                                   (README: "Performance"; --no-webgpu, --no-tfjs, --no-scaling, --quick)
  export G --to pytorch [--out model.py]
                                   a PyTorch module (state_dict keys = Unroll's weight names) and train.py beside it
  export G --to onnx --steps T [--weights W] [--seed S] [--out model.onnx]
                                   the forward pass unrolled for lengths T as ONNX (opset 17), weights embedded
  export-data G [--task NAME] [--steps N] [--seed S] [--out DIR]
                                   the task's training batches and test splits as safetensors files for train.py

options
  --json       machine-readable output (one JSON object per line)
  -h, --help   this help
  --version    the version of Unroll and of the graph format it reads

exit status: 0 ok, 1 a problem with the graph or file (the message says what), 2 bad usage
`;

type Options = {
  json?: boolean;
  steps?: string[];
  help?: boolean;
  version?: boolean;
  task?: string;
  seed?: string;
  out?: string;
  weights?: string;
  input?: string;
  grad?: boolean;
  backend?: string;
  'memory-budget'?: string;
  to?: string;
  data?: string;
  map?: string;
};

function parse(argv: readonly string[]): { command: string | undefined; files: string[]; options: Options } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        steps: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        task: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        weights: { type: 'string' },
        input: { type: 'string' },
        grad: { type: 'boolean' },
        backend: { type: 'string' },
        'memory-budget': { type: 'string' },
        to: { type: 'string' },
        data: { type: 'string' },
        map: { type: 'string' },
      },
    });
    const [command, ...files] = positionals;
    return { command, files, options: values };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

/** A whole number option within [min, max]. */
function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** `2GiB`, `512MiB`, `1.5GB`, `1048576`: a byte count for --memory-budget. */
function sizeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?\s*$/i.exec(value);
  const units: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
  const bytes = m !== null ? Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]! : NaN;
  if (!(bytes >= 2 ** 20) || !Number.isFinite(bytes)) throw new UsageError(`--${name} must be a size of at least 1MiB such as 512MiB or 4GiB, got "${value}"`);
  return Math.floor(bytes);
}

/** Options a command does not take are refused rather than ignored. */
function only(command: string, options: Options, allowed: readonly (keyof Options)[]): void {
  for (const k of Object.keys(options) as (keyof Options)[]) {
    if (options[k] !== undefined && k !== 'json' && k !== 'help' && k !== 'version' && !allowed.includes(k)) throw new UsageError(`${command} takes no --${k}`);
  }
}

function oneFile(command: string, files: readonly string[]): string {
  if (files.length !== 1) throw new UsageError(`${command} takes one graph file, got ${files.length}`);
  return files[0]!;
}

/** Run the command line; returns the exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { command, files, options } = parse(argv);
    if (options.help === true || command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (options.version === true) {
      io.out(`unroll ${VERSION} (graph format ${GRAPH_FORMAT} version ${GRAPH_FORMAT_VERSION})\n`);
      return EXIT.ok;
    }
    switch (command) {
      case 'validate': {
        only('validate', options, []);
        if (files.length === 0) throw new UsageError('validate takes one or more graph files');
        let status: number = EXIT.ok;
        for (const file of files) status = Math.max(status, await validateCommand(io, file, options.json === true));
        return status;
      }
      case 'unroll':
        only('unroll', options, ['steps']);
        if ((options.steps?.length ?? 0) > 1) throw new UsageError('--steps is given more than once; give every length in one, e.g. --steps src=5,y=6');
        return await unrollCommand(io, oneFile(command, files), options.steps?.[0], options.json === true);
      case 'train': {
        only('train', options, ['task', 'steps', 'seed', 'out', 'backend', 'memory-budget', 'data', 'map']);
        if (options.map !== undefined && options.data === undefined) throw new UsageError('--map maps the columns of a --data file: give --data FILE.csv too');
        if (options.data !== undefined && options.task !== undefined) throw new UsageError('--data and --task both say what to train on: give one of them');
        const backend = options.backend ?? 'auto';
        if (backend !== 'auto' && backend !== 'cpu' && backend !== 'webgpu') throw new UsageError(`--backend must be auto, cpu or webgpu, not ${JSON.stringify(backend)}`);
        if ((options.steps?.length ?? 0) > 1) throw new UsageError('--steps is given more than once');
        return await trainCommand(io, {
          file: oneFile(command, files),
          json: options.json === true,
          ...(options.task !== undefined ? { task: options.task } : {}),
          ...(options.out !== undefined ? { out: options.out } : {}),
          ...(options.data !== undefined ? { data: options.data } : {}),
          ...(options.map !== undefined ? { map: options.map } : {}),
          steps: intOption('steps', options.steps?.[0], 1, 100_000_000),
          seed: intOption('seed', options.seed, 0, 2 ** 32 - 1),
          memoryBudget: sizeOption('memory-budget', options['memory-budget']),
          backend,
        });
      }
      case 'eval': {
        only('eval', options, ['weights', 'input', 'grad']);
        if (options.weights === undefined) throw new UsageError('eval needs --weights W.safetensors');
        if (options.input === undefined) throw new UsageError('eval needs --input X.json');
        return await evalCommand(io, { file: oneFile(command, files), weights: options.weights, input: options.input, grad: options.grad === true, json: options.json === true });
      }
      case 'export': {
        only('export', options, ['to', 'out', 'steps', 'weights', 'seed']);
        if (options.to === undefined) throw new UsageError('export needs --to pytorch or --to onnx');
        if ((options.steps?.length ?? 0) > 1) throw new UsageError('--steps is given more than once; give every length in one, e.g. --steps src=5,y=6');
        const seed = intOption('seed', options.seed, 0, 2 ** 32 - 1);
        return await exportCommand(io, {
          file: oneFile(command, files),
          to: options.to,
          json: options.json === true,
          ...(options.out !== undefined ? { out: options.out } : {}),
          ...(options.steps?.[0] !== undefined ? { steps: options.steps[0] } : {}),
          ...(options.weights !== undefined ? { weights: options.weights } : {}),
          ...(seed !== undefined ? { seed } : {}),
        });
      }
      case 'export-data': {
        only('export-data', options, ['task', 'steps', 'seed', 'out']);
        if ((options.steps?.length ?? 0) > 1) throw new UsageError('--steps is given more than once');
        const steps = intOption('steps', options.steps?.[0], 1, 1_000_000);
        const seed = intOption('seed', options.seed, 0, 2 ** 32 - 1);
        return await exportDataCommand(io, {
          file: oneFile(command, files),
          json: options.json === true,
          ...(options.task !== undefined ? { task: options.task } : {}),
          ...(options.out !== undefined ? { out: options.out } : {}),
          ...(steps !== undefined ? { steps } : {}),
          ...(seed !== undefined ? { seed } : {}),
        });
      }
      case 'bench': {
        only('bench', options, []);
        if (files.length > 0) throw new UsageError('bench takes no files');
        const { runBench } = await import('../../bench/run.ts');
        await runBench({ json: options.json === true }, io);
        return EXIT.ok;
      }
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // Scripts asked for JSON: give them JSON on stdout even for a usage mistake.
      if (argv.includes('--json')) io.out(JSON.stringify({ ok: false, usage: e.message }) + '\n');
      io.err(`unroll: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    // A bug of ours, not the user's: say so in one line instead of a stack trace.
    io.err(`unroll: internal error: ${(e as Error)?.message ?? String(e)} (please report this with the command you ran)\n`);
    return EXIT.userError;
  }
}
