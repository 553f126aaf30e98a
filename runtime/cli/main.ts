/** Entry of the `unroll` command line: parse arguments, dispatch, map every failure to an exit status. */
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliIo } from './io.ts';
import { validateCommand } from './commands/validate.ts';
import { unrollCommand } from './commands/unroll.ts';

export const USAGE = `usage: unroll <command> [options]

commands
  validate G [--json]              check graph file G; print node, edge, weight and parameter counts or every error
  unroll G --steps T [--json]      print the DAG G becomes for sequence length T (or --steps src=5,y=6 per sequence)

options
  --json       machine-readable output (one JSON object)
  -h, --help   this help

exit status: 0 ok, 1 a problem with the graph or file (the message says what), 2 bad usage
`;

type Options = { json?: boolean; steps?: string; help?: boolean };

function parse(argv: readonly string[]): { command: string | undefined; files: string[]; options: Options } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, steps: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    const [command, ...files] = positionals;
    return { command, files, options: values };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
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
    switch (command) {
      case 'validate':
        if (options.steps !== undefined) throw new UsageError('validate takes no --steps');
        return await validateCommand(io, oneFile(command, files), options.json === true);
      case 'unroll':
        return await unrollCommand(io, oneFile(command, files), options.steps, options.json === true);
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`unroll: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    // A bug of ours, not the user's: say so in one line instead of a stack trace.
    io.err(`unroll: internal error: ${(e as Error)?.message ?? String(e)} (please report this with the command you ran)\n`);
    return EXIT.userError;
  }
}
