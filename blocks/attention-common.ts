/** What attention and memory share: a query read against a sequence of keys, returning a weighted sum of values. */
import type { PortTypes, ValueType } from './types.ts';
import type { OpBuilder, Sym } from './ops.ts';
import { ShapeIssue, formatType, portType, sequenceOfVectors, vectorSize } from './shape.ts';

/** Sizes of the query, keys and values of a read, checked: one time axis for keys and values. */
export interface ReadSizes {
  readonly axis: string;
  readonly query: number;
  readonly key: number;
  readonly value: number;
}

export function readSizes(ins: PortTypes, sameQueryKey: boolean): ReadSizes {
  const query = vectorSize(ins, 'query');
  const keys = sequenceOfVectors(ins, 'keys');
  const values = sequenceOfVectors(ins, 'values');
  if (keys.axis !== values.axis) {
    throw new ShapeIssue(
      'mismatch',
      ['keys', 'values'],
      `ports keys ${formatType(portType(ins, 'keys'))} and values ${formatType(portType(ins, 'values'))} must run along the same time axis (one value per key)`,
    );
  }
  if (sameQueryKey && query !== keys.size) {
    throw new ShapeIssue(
      'mismatch',
      ['query', 'keys'],
      `ports query ${formatType(portType(ins, 'query'))} and keys ${formatType(portType(ins, 'keys'))} must have the same size for a dot-product score`,
    );
  }
  return { axis: keys.axis, query, key: keys.size, value: values.size };
}

/** Output types of a read: the weighted sum of values and one weight per key. */
export function readOutputs(s: ReadSizes): { read: ValueType; weights: ValueType } {
  return { read: { dtype: 'float', shape: [s.value] }, weights: { seq: s.axis, dtype: 'float', shape: [] } };
}

/** Pushes a padded position's score to −10⁹, so its softmax weight is exactly 0. */
const PAD_SCORE = 1e9;

/**
 * softmax over the scores [T], then Σ_t a_t v_t with values [T, dv]. `mask` [T] (1 real, 0 padding)
 * keeps padded positions out of the softmax.
 */
export function weightedRead(g: OpBuilder, scores: Sym, values: Sym, mask?: Sym): { read: Sym; weights: Sym } {
  const masked = mask === undefined ? scores : g.add(scores, g.scale(g.sub(mask, g.fill(1, mask.shape)), PAD_SCORE));
  const weights = g.softmax(masked);
  return { read: g.matmul(weights, values), weights };
}

/** Port definitions shared by attention and memory. */
export const readPorts = {
  keys: { kind: 'vector', seq: true },
  values: { kind: 'vector', seq: true },
  query: { kind: 'vector', seq: false },
} as const;
