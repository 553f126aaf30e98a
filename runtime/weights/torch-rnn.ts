/**
 * PyTorch's `nn.RNN` / `nn.GRU` / `nn.LSTM` parameter names and Unroll's, both ways. A PyTorch
 * recurrent layer names its weights `weight_ih_l<k>[_reverse]`, `weight_hh_l<k>…`, `bias_ih_l<k>…`,
 * `bias_hh_l<k>…` (with a module prefix such as `rnn.` in a state dict); Unroll's cell node
 * `<node>` has `<node>.weight_ih` … with the same layout and gate order, so moving weights is a
 * rename, never a reshuffle.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import type { NamedTensor } from './safetensors.ts';

/** The weight names a cell node shares with PyTorch's recurrent layers. */
export const CELL_WEIGHT_NAMES = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const;

/** Which PyTorch layer an Unroll cell node corresponds to. */
export interface TorchRnnLayer {
  /** The Unroll cell node (rnn, gru or lstm). */
  readonly node: string;
  /** Module prefix in the PyTorch state dict (`rnn` for `rnn.weight_ih_l0`); none by default. */
  readonly prefix?: string;
  /** Layer index k of `_l<k>` (default 0). */
  readonly layer?: number;
  /** The reverse direction of a bidirectional layer (`_reverse`). */
  readonly reverse?: boolean;
}

/** PyTorch's name for Unroll weight `weight` (`weight_ih`) of `layer`. */
export function torchRnnName(weight: string, layer: TorchRnnLayer): string {
  return `${layer.prefix !== undefined && layer.prefix !== '' ? `${layer.prefix}.` : ''}${weight}_l${layer.layer ?? 0}${layer.reverse === true ? '_reverse' : ''}`;
}

/**
 * Tensors of a PyTorch state dict renamed for Unroll: each mapped layer's four tensors become
 * `<node>.<weight>`; every other tensor is kept under its own name. E462 when a layer lacks one
 * of its tensors (a layer built with `bias=False` has no biases: then none may be present).
 */
export function fromTorchRnn(tensors: readonly NamedTensor[], layers: readonly TorchRnnLayer[]): Result<NamedTensor[]> {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const errors: UnrollError[] = [];
  const renamed = new Map<string, string>();
  for (const l of layers) {
    const present = CELL_WEIGHT_NAMES.filter((w) => byName.has(torchRnnName(w, l)));
    const needed = present.some((w) => w.startsWith('bias')) ? CELL_WEIGHT_NAMES : CELL_WEIGHT_NAMES.filter((w) => w.startsWith('weight'));
    for (const w of needed) {
      const name = torchRnnName(w, l);
      if (!byName.has(name)) errors.push(unrollError('E462', `the PyTorch weights have no ${JSON.stringify(name)} for cell node ${l.node}.${w}`, { nodes: [l.node] }));
      else renamed.set(name, `${l.node}.${w}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: tensors.map((t) => ({ ...t, name: renamed.get(t.name) ?? t.name })) };
}

/** Unroll tensors renamed for PyTorch: each mapped node's cell weights get the layer's names; the rest keep theirs. */
export function toTorchRnn(tensors: readonly NamedTensor[], layers: readonly TorchRnnLayer[]): NamedTensor[] {
  const renamed = new Map<string, string>();
  for (const l of layers) for (const w of CELL_WEIGHT_NAMES) renamed.set(`${l.node}.${w}`, torchRnnName(w, l));
  return tensors.map((t) => ({ ...t, name: renamed.get(t.name) ?? t.name }));
}
