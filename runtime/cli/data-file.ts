/**
 * Reading a data file for `unroll train --data`: its size from `stat` first, so a file over the
 * budget is refused before any of it is read, then its bytes in chunks into one buffer of that
 * size. The text itself is read (decoded, parsed) by the dataset readers in the worker.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unrollError, type Result } from '../errors/catalogue.ts';
import { checkDataSize, DATA_FILE_LIMIT } from '../data/text-bytes.ts';

/** Bytes read per chunk. */
const CHUNK = 1 << 20;

/** The bytes of `file` (relative to `cwd`); E125 when it cannot be read, E480 when it is over `limit`. */
export async function readDataFile(cwd: string, file: string, limit = DATA_FILE_LIMIT): Promise<Result<Uint8Array>> {
  const path = resolve(cwd, file);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, errors: [unrollError('E125', `cannot read data file ${file}: it is ${info.isDirectory() ? 'a folder' : 'not a regular file'}`)] };
    const size = checkDataSize(file, info.size, limit);
    if (!size.ok) return size;
    const handle = await open(path, 'r');
    try {
      // One byte more than stat's size: a file that grew since is refused, never cut short.
      const bytes = new Uint8Array(Math.min(info.size, limit) + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(bytes, filled, Math.min(CHUNK, bytes.length - filled), null);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled === bytes.length) {
          // More bytes than stat said: the file grew while it was read.
          if (filled > limit) return checkDataSize(file, filled, limit) as Result<never>;
          return { ok: false, errors: [unrollError('E125', `cannot read data file ${file}: it changed while it was read; try again`)] };
        }
      }
      return { ok: true, value: bytes.subarray(0, filled) };
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String((e as Error).message);
    return { ok: false, errors: [unrollError('E125', `cannot read data file ${file}: ${why}`)] };
  }
}
