/** `unroll validate G`: check a graph file and print its size, or every error found. */
import { formatError } from '../../errors/catalogue.ts';
import { EXIT, printable, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';

export async function validateCommand(io: CliIo, file: string, json: boolean): Promise<number> {
  const r = await readGraphFile(io.cwd, file);
  if (!r.ok) {
    if (json) io.out(JSON.stringify({ ok: false, file, errors: r.errors }) + '\n');
    else {
      io.err(`${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}\n`);
      for (const e of r.errors) io.err(`  ${formatError(e)}\n`);
    }
    return EXIT.userError;
  }
  const { counts, warnings, axes, loops } = r.analysis;
  if (json) {
    io.out(JSON.stringify({ ok: true, file, name: r.doc.name, counts, axes, loops: [...loops.keys()], warnings }) + '\n');
    return EXIT.ok;
  }
  io.out(
    `ok ${file} (${printable(r.doc.name)}): ${counts.nodes} nodes, ${counts.edges} edges, ` +
      `${counts.weights} weights, ${counts.parameters.toLocaleString('en-US')} parameters\n`,
  );
  for (const w of warnings) io.out(`  warning ${formatError(w)}\n`);
  return EXIT.ok;
}
