/**
 * The lecture's Enc: turns what an input carries into a vector. `linear` for float vectors,
 * `embedding` for token ids (a lookup table), `bag` for several ids of one item (a sentence of a
 * memory network), summed, optionally with MemN2N position encoding.
 */
import { defineBlock } from './types.ts';
import type { PortTypes, ValueType, WeightDef } from './types.ts';
import { ShapeIssue, formatType, portType, vector } from './shape.ts';
import { MAX_HIDDEN } from './cell-common.ts';
import { shareParam } from './share.ts';

type EncoderKind = 'linear' | 'embedding' | 'bag';

const wants: Record<EncoderKind, string> = {
  linear: 'a float vector',
  embedding: 'token ids int[]',
  bag: 'a bag of token ids int[W]',
};

/** The type at `in` if it suits `kind`, else the ShapeIssue naming what it wants. */
function checkedIn(ins: PortTypes, kind: EncoderKind): ValueType {
  const t = portType(ins, 'in');
  const ok =
    t.seq === undefined &&
    (kind === 'linear'
      ? t.dtype === 'float' && t.shape.length === 1
      : t.dtype === 'int' && t.vocab !== undefined && t.shape.length === (kind === 'bag' ? 1 : 0));
  if (!ok) throw new ShapeIssue('kind', ['in'], `port in of a ${kind} encoder takes ${wants[kind]}, got ${formatType(t)}`);
  return t;
}

/**
 * MemN2N position encoding [J, d]: l_kj = (1 − j/J) − (k/d)(1 − 2j/J) for word j of J and
 * feature k of d, both 1-based, so that word order changes the bag's sum.
 */
export function positionEncoding(words: number, size: number): number[] {
  const out: number[] = [];
  for (let j = 1; j <= words; j++) {
    for (let k = 1; k <= size; k++) out.push(1 - j / words - (k / size) * (1 - (2 * j) / words));
  }
  return out;
}

/** `[vocab, size]` ones with row 0 (the padding id) zero. */
function padMask(vocab: number, size: number): number[] {
  return Array.from({ length: vocab * size }, (_, i) => (i < size ? 0 : 1));
}

export const encoder = defineBlock({
  type: 'encoder',
  title: 'Encoder',
  category: 'encdec',
  doc:
    'Turns the input into a vector: a linear layer for float vectors, an embedding table for token ids, ' +
    'or the sum of the embeddings of a bag of ids (a sentence for a memory network).',
  inputs: [
    {
      name: 'in',
      doc: 'float vector (linear), token id (embedding) or bag of ids (bag)',
      accepts: [
        { kind: 'vector', seq: false },
        { kind: 'tokens', seq: false },
        { kind: 'bag', seq: false },
      ],
    },
  ],
  outputs: [{ name: 'out', doc: 'the encoding [size]' }],
  params: {
    kind: { kind: 'enum', doc: 'linear layer, embedding lookup, or bag of embeddings', values: ['linear', 'embedding', 'bag'], default: 'embedding' },
    size: { kind: 'int', doc: 'output size', default: 32, min: 1, max: MAX_HIDDEN },
    bias: { kind: 'bool', doc: 'learn a bias (linear only)', default: true },
    position_encoding: {
      kind: 'bool',
      doc: 'bag only: weight each word’s embedding by its position (MemN2N), so that word order matters',
      default: false,
    },
    pad_zero: {
      kind: 'bool',
      doc: 'bag only: id 0 is an empty slot and adds nothing (its embedding row is held at zero, as MemN2N’s null word)',
      default: true,
    },
    init_std: {
      kind: 'number',
      doc: 'embedding and bag only: the table starts N(0, init_std²) (1: PyTorch’s nn.Embedding; MemN2N uses 0.1)',
      default: 1,
      min: 0.0001,
      max: 10,
    },
    share: shareParam,
  },
  shape(ins, p) {
    checkedIn(ins, p.kind);
    return { out: vector(p.size) };
  },
  weights(ins, p): WeightDef[] {
    const t = checkedIn(ins, p.kind);
    if (p.kind !== 'linear') {
      return [{ name: 'weight', shape: [t.vocab!, p.size], init: { kind: 'normal', std: p.init_std }, doc: 'embedding table [vocab, size], one row per id' }];
    }
    const n = t.shape[0]!;
    const bound = 1 / Math.sqrt(n);
    return [
      { name: 'weight', shape: [p.size, n], init: { kind: 'uniform', bound }, doc: 'weights [size, in]' },
      ...(p.bias ? [{ name: 'bias', shape: [p.size], init: { kind: 'uniform', bound } as const, doc: 'bias [size]' }] : []),
    ];
  },
  forward(g, ins, w, p) {
    const x = ins.in!;
    if (p.kind === 'linear') {
      const y = g.matmul(x, w.weight!, { transB: true });
      return { out: p.bias ? g.add(y, w.bias!) : y };
    }
    if (p.kind === 'embedding') return { out: g.gather(w.weight!, x) };
    // Padding (id 0) must not add a learned vector to the bag: read from the table with row 0 zeroed,
    // which also keeps row 0's gradient at zero.
    const [vocab, size] = w.weight!.shape as [number, number];
    const table = p.pad_zero ? g.mul(w.weight!, g.constant(padMask(vocab, size), [vocab, size])) : w.weight!;
    const rows = g.gather(table, x);
    const words = x.shape[0]!;
    const weighted = p.position_encoding ? g.mul(rows, g.constant(positionEncoding(words, p.size), [words, p.size])) : rows;
    return { out: g.sum(weighted, 0) };
  },
});
