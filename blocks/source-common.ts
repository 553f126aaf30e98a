/** What `input` and `target` share: the element a source produces at one step. */
import type { ParamDef, ValueType } from './types.ts';

export const MAX_VOCAB = 1_000_000;
export const MAX_FEATURES = 65_536;

export const vocabParam = { kind: 'int', doc: 'number of distinct token ids', default: 12, min: 1, max: MAX_VOCAB } as const satisfies ParamDef;
export const sizeParam = {
  kind: 'int',
  doc: 'features per step (vector) or ids per item (bag)',
  default: 1,
  min: 1,
  max: MAX_FEATURES,
} as const satisfies ParamDef;
export const sequenceParam = {
  kind: 'bool',
  doc: 'a sequence along time (true) or one value per example (false)',
  default: true,
} as const satisfies ParamDef;

export const alignWithParam = {
  kind: 'nodeRef',
  doc: 'another sequence source this one runs along step for step (same time axis and length), e.g. the tags of a tagged input',
} as const satisfies ParamDef;

/** One element of a source: with `sequence: true` validation makes it a sequence along the source's axis. */
export function sourceElement(kind: 'tokens' | 'vector' | 'bag', vocab: number, size: number): ValueType {
  if (kind === 'tokens') return { dtype: 'int', shape: [], vocab };
  if (kind === 'bag') return { dtype: 'int', shape: [size], vocab };
  return { dtype: 'float', shape: [size] };
}
