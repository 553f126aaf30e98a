/** Test-only helpers: a training-side random source and small graph documents to bind tasks to. */
import type { GraphDoc, GraphEdge, GraphNode, ParamValueJson } from '../graph/types.ts';
import type { RandomSource } from './types.ts';

/**
 * A seeded linear congruential generator (Numerical Recipes constants, top 24 bits used): an
 * independent stand-in for the trainer's generator, unrelated to the tasks' own PRNG.
 */
export class Lcg implements RandomSource {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return (this.state >>> 8) / 16777216;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

type Params = Record<string, ParamValueJson>;

/**
 * The Elman RNN of examples/elman-rnn.json (input `x` → embedding/linear encoder → rnn → decoder →
 * loss ← target `y`), with the sources' params and ids replaceable and extra nodes appended.
 */
export function elmanDoc(o: {
  x?: Params;
  y?: Params;
  xId?: string;
  yId?: string;
  decoderSize?: number;
  take?: 'last' | 'all';
  loss?: 'cross_entropy' | 'mse';
  extra?: readonly GraphNode[];
  extraEdges?: readonly GraphEdge[];
}): GraphDoc {
  const x = o.xId ?? 'x';
  const y = o.yId ?? 'y';
  const xParams = o.x ?? { kind: 'tokens', vocab: 16 };
  const encoder = xParams.kind === 'vector' ? { kind: 'linear', size: 16 } : { kind: 'embedding', size: 16 };
  return {
    format: 'unroll-graph',
    version: 1,
    name: 'test graph',
    nodes: [
      { id: x, type: 'input', params: xParams },
      { id: 'enc', type: 'encoder', params: encoder },
      { id: 'g', type: 'rnn', params: { hidden: 8 } },
      { id: 'z', type: 'delay', params: { init: 'zeros' } },
      { id: 'dec', type: 'decoder', params: { size: o.decoderSize ?? 2 } },
      { id: y, type: 'target', params: o.y ?? { kind: 'tokens', vocab: 2, sequence: false } },
      { id: 'loss', type: 'loss', params: { kind: o.loss ?? 'cross_entropy' } },
      ...(o.extra ?? []),
    ],
    edges: [
      { from: `${x}.out`, to: 'enc.in' },
      { from: 'enc.out', to: 'g.x' },
      { from: 'g.h', to: 'z.in' },
      { from: 'z.out', to: 'g.h_prev' },
      { from: 'g.h', to: 'dec.in' },
      { from: 'dec.out', to: 'loss.pred', take: o.take ?? 'last' },
      { from: `${y}.out`, to: 'loss.target' },
      ...(o.extraEdges ?? []),
    ],
  };
}
