/** A model's weights as safetensors bytes and back: float32, tensors named `<nodeId>.<weightName>`. */
import type { Result } from '../errors/catalogue.ts';
import { matchWeights } from '../weights/match.ts';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../weights/safetensors.ts';
import type { Model } from './model.ts';
import { progress } from '../cpu/progress.ts';

/** Every weight of `model` as a float32 tensor (copies). */
export function weightTensors(model: Model): NamedTensor[] {
  return model.weightSpecs.map((w) => {
    progress(); // a big model's copy takes a while: the training worker's heartbeat
    return { name: w.key, shape: w.shape, data: Float32Array.from(model.weights.get(w.key)!) };
  });
}

/** The weights file of `model`, with `metadata` in its header. */
export function weightBytes(model: Model, metadata?: Record<string, string>): Uint8Array {
  return writeSafetensors(weightTensors(model), metadata);
}

/**
 * Load a weights file into `model`: every weight present with its shape, nothing extra, every
 * value finite. On any error nothing is changed. The value is the number of weights loaded.
 */
export function loadWeightBytes(model: Model, bytes: Uint8Array): Result<number> {
  const parsed = readSafetensors(bytes);
  if (!parsed.ok) return parsed;
  const expected = new Map(model.weightSpecs.map((w) => [w.key, { key: w.key, shape: w.shape }]));
  const matched = matchWeights(expected, parsed.value.tensors);
  if (!matched.ok) return matched;
  model.setWeights(matched.value);
  return { ok: true, value: matched.value.size };
}
