/** Moving a model's weights to and from safetensors files (float32, `<nodeId>.<weightName>`). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unrollError, type Result } from '../errors/catalogue.ts';
import type { Model } from '../train/model.ts';
import { loadWeightBytes } from '../train/model-weights.ts';

export { weightTensors } from '../train/model-weights.ts';

/** Read `file` and load it into `model`: every weight present with its shape, nothing extra. */
export async function loadWeightsFile(cwd: string, file: string, model: Model): Promise<Result<number>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (e) {
    return { ok: false, errors: [unrollError('E444', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)] };
  }
  return loadWeightBytes(model, bytes);
}
