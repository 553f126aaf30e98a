/**
 * Matching a read weights file against the weights a graph has: every weight present with its
 * exact shape, and nothing in the file the graph lacks. Errors name the weight, its node and both
 * shapes, and recognise PyTorch's own parameter names (`weight_ih_l0`) to say what to rename.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { didYouMean, quote } from '../graph/report.ts';
import { jsonPath } from '../graph/types.ts';
import { compareNames } from './header.ts';
import type { NamedTensor } from './safetensors.ts';

/** What the graph expects under one tensor name (`<nodeId>.<weightName>`). */
export interface ExpectedWeight {
  /** Where the caller wants the data (a parameter key of the trainer). */
  readonly key: string;
  readonly shape: readonly number[];
}

/** `lstm.weight_ih_l0`, `weight_hh_l1_reverse`: how torch.nn.RNN/GRU/LSTM name their parameters. */
const TORCH_RNN_NAME = /^(?:(.*)\.)?((?:weight|bias)_(?:ih|hh|hr))_l(\d+)(_reverse)?$/;

function nodeOf(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The data of every expected weight, by its `key`; or errors: E417 for a weight the file lacks,
 * E418 for one of another shape, E419 for each tensor in the file the graph has no weight for.
 */
export function matchWeights(
  expected: ReadonlyMap<string, ExpectedWeight>,
  file: Map<string, NamedTensor>,
): Result<Map<string, Float32Array>> {
  const errors: UnrollError[] = [];
  const out = new Map<string, Float32Array>();
  const missing: string[] = [];
  const extra = [...file.keys()].filter((name) => !expected.has(name)).sort(compareNames);

  for (const [name, want] of expected) {
    const node = nodeOf(name);
    const nodes = node === undefined ? {} : { nodes: [node] };
    const got = file.get(name);
    if (got === undefined) {
      missing.push(name);
      const hint = renameHint(name, extra);
      errors.push(unrollError('E417', `the graph's weight ${quote(name)} (shape ${shapeText(want.shape)}) is not in the file${hint}`, nodes));
      continue;
    }
    if (!sameShape(got.shape, want.shape)) {
      errors.push(
        unrollError('E418', `weight ${quote(name)} has shape ${shapeText(got.shape)} in the file but the graph needs ${shapeText(want.shape)}`, {
          ...nodes,
          path: jsonPath([name, 'shape']),
        }),
      );
      continue;
    }
    // A NaN or infinite weight would only show up later as a NaN loss far from its cause.
    const bad = got.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      errors.push(unrollError('E444', `weight ${quote(name)} holds ${got.data[bad]} at element ${bad}: weights must be finite numbers`, { ...nodes, path: jsonPath([name]) }));
      continue;
    }
    out.set(want.key, got.data);
  }

  const graphNodes = new Set<string>();
  for (const name of expected.keys()) {
    const node = nodeOf(name);
    if (node !== undefined) graphNodes.add(node);
  }
  for (const name of extra) {
    const t = file.get(name)!;
    const node = nodeOf(name);
    const where = node !== undefined && graphNodes.has(node) ? { nodes: [node] } : {};
    errors.push(
      unrollError('E419', `the file has tensor ${quote(name)} (shape ${shapeText(t.shape)}), which is not a weight of the graph${extraHint(name, missing)}`, {
        ...where,
        path: jsonPath([name]),
      }),
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** The Unroll name a PyTorch RNN parameter name most likely stands for: `lstm.weight_ih_l0` → `lstm.weight_ih`. */
function torchBase(name: string): { readonly prefix: string | undefined; readonly weight: string } | undefined {
  const m = TORCH_RNN_NAME.exec(name);
  return m === null ? undefined : { prefix: m[1], weight: m[2]! };
}

/** For a tensor the graph lacks: what it should be renamed to. */
function extraHint(name: string, missing: readonly string[]): string {
  const torch = torchBase(name);
  if (torch !== undefined) {
    const exact = torch.prefix !== undefined ? `${torch.prefix}.${torch.weight}` : undefined;
    const candidates = exact !== undefined && missing.includes(exact) ? [exact] : missing.filter((m) => m.endsWith(`.${torch.weight}`));
    const rename = candidates.length > 0 ? `; rename it to ${candidates.slice(0, 3).map(quote).join(' or ')}` : '';
    return `; this looks like a PyTorch RNN parameter name (${torch.weight}_l<layer>), while Unroll names each weight "<node>.<weight>", e.g. "lstm.${torch.weight}"${rename}`;
  }
  return didYouMean(name, missing);
}

/** For a weight the file lacks: the file tensor that probably holds it under another name. */
function renameHint(name: string, extra: readonly string[]): string {
  for (const e of extra) {
    const torch = torchBase(e);
    if (torch !== undefined && torch.prefix !== undefined && `${torch.prefix}.${torch.weight}` === name) {
      return `; the file has ${quote(e)}, PyTorch's name for it: rename that tensor to ${quote(name)}`;
    }
  }
  return didYouMean(name, extra).replace('; did you mean', "; is it the file's");
}
