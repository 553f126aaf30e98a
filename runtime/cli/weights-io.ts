/** Moving a model's weights to and from safetensors files (float32, `<nodeId>.<weightName>`). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unrollError, type Result } from '../errors/catalogue.ts';
import type { Model } from '../train/model.ts';
import { matchWeights } from '../weights/match.ts';
import { readSafetensors, type NamedTensor } from '../weights/safetensors.ts';

/** Every weight of `model` as a float32 tensor. */
export function weightTensors(model: Model): NamedTensor[] {
  return model.weightSpecs.map((w) => ({ name: w.key, shape: w.shape, data: Float32Array.from(model.weights.get(w.key)!) }));
}

/** Read `file` and load it into `model`: every weight present with its shape, nothing extra. */
export async function loadWeightsFile(cwd: string, file: string, model: Model): Promise<Result<number>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (e) {
    return { ok: false, errors: [unrollError('E444', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)] };
  }
  const parsed = readSafetensors(bytes);
  if (!parsed.ok) return parsed;
  const expected = new Map(model.weightSpecs.map((w) => [w.key, { key: w.key, shape: w.shape }]));
  const matched = matchWeights(expected, parsed.value.tensors);
  if (!matched.ok) return matched;
  model.setWeights(matched.value);
  return { ok: true, value: matched.value.size };
}
