/** Read a graph file from disk for a command: size checked before reading, then parsed and validated. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unrollError, type UnrollError } from '../errors/catalogue.ts';
import { parseGraph } from '../graph/parse.ts';
import { LIMITS, type GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { GraphAnalysis, ValidateOptions } from '../validate/types.ts';

export type ReadGraphResult =
  | { readonly ok: true; readonly doc: GraphDoc; readonly analysis: GraphAnalysis }
  | { readonly ok: false; readonly errors: readonly UnrollError[]; readonly analysis?: GraphAnalysis };

/** A file that cannot be read is a user error with a message, never an exception. */
export async function readGraphFile(cwd: string, file: string, opts?: ValidateOptions): Promise<ReadGraphResult> {
  const path = resolve(cwd, file);
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, errors: [unrollError('E125', `cannot read ${file}: it is ${info.isDirectory() ? 'a folder' : 'not a regular file'}`)] };
    if (info.size > LIMITS.fileBytes) {
      return { ok: false, errors: [unrollError('E100', `${file} is ${info.size} bytes; a graph file may be at most ${LIMITS.fileBytes} bytes`)] };
    }
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String((e as Error).message);
    return { ok: false, errors: [unrollError('E125', `cannot read ${file}: ${why}`)] };
  }
  const parsed = parseGraph(bytes);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const analysis = analyzeGraph(parsed.value, opts);
  if (!analysis.ok) return { ok: false, errors: analysis.errors, analysis };
  return { ok: true, doc: parsed.value, analysis };
}
