/** A model's weights as safetensors bytes and back: float32, tensors named `<nodeId>.<weightName>`. */
import type { Result } from '../errors/catalogue.ts';
import { matchWeights } from '../weights/match.ts';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../weights/safetensors.ts';
import { CELL_WEIGHT_NAMES } from '../weights/torch-rnn.ts';
import type { Model } from './model.ts';
import { progress } from '../progress.ts';

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
 * PyTorch's recurrent-layer names taken by name: a cell node `lstm` whose `lstm.weight_ih` is not
 * in the file takes `lstm.weight_ih_l0` (a state dict of a module holding `self.lstm = nn.LSTM(…)`),
 * and a graph with a single cell takes a bare `weight_ih_l0` (a state dict of the `nn.LSTM`
 * itself). Same layouts and gate order, so this is a rename only; anything else is left for
 * matchWeights to report.
 */
function adoptTorchNames(file: Map<string, NamedTensor>, model: Model): Map<string, NamedTensor> {
  const cells = new Set(model.weightSpecs.filter((w) => w.key.endsWith('.weight_hh')).map((w) => w.key.slice(0, -'.weight_hh'.length)));
  const out = new Map(file);
  for (const node of cells) {
    for (const w of CELL_WEIGHT_NAMES) {
      const key = `${node}.${w}`;
      if (out.has(key)) continue;
      const torch = [`${node}.${w}_l0`, ...(cells.size === 1 ? [`${w}_l0`] : [])].find((n) => out.has(n));
      if (torch === undefined) continue;
      out.set(key, { ...out.get(torch)!, name: key });
      out.delete(torch);
    }
  }
  return out;
}

/**
 * Load a weights file into `model`: every weight present with its shape (PyTorch's recurrent-layer
 * names accepted, see adoptTorchNames), nothing extra, every value finite. On any error nothing is changed. The value is the number of weights loaded.
 */
export function loadWeightBytes(model: Model, bytes: Uint8Array): Result<number> {
  const parsed = readSafetensors(bytes);
  if (!parsed.ok) return parsed;
  const expected = new Map(model.weightSpecs.map((w) => [w.key, { key: w.key, shape: w.shape }]));
  const matched = matchWeights(expected, adoptTorchNames(parsed.value.tensors, model));
  if (!matched.ok) return matched;
  model.setWeights(matched.value);
  return { ok: true, value: matched.value.size };
}
