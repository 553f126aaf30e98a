/**
 * Multiplicative module / hypernetwork: the weights applied to x are computed from z,
 * W_ij = u_ijᵀ z. Exactly PyTorch nn.Bilinear: out_i = Σ_jk x_j U_ijk z_k + b_i.
 */
import { defineBlock } from './types.ts';
import { vector, vectorSize } from './shape.ts';
import { MAX_HIDDEN } from './cell-common.ts';

export const bilinear = defineBlock({
  type: 'bilinear',
  title: 'Bilinear (hypernetwork)',
  category: 'elementwise',
  doc:
    'Multiplicative module: z computes the weight matrix applied to x, out = (U·z)·x + b with U [size, n, d] ' +
    '(out_i = Σ_jk x_j U_ijk z_k + b_i, as PyTorch nn.Bilinear). A hypernetwork when z comes from another net.',
  inputs: [
    { name: 'x', doc: 'the vector the computed weights act on [n]', accepts: [{ kind: 'vector', seq: false }] },
    { name: 'z', doc: 'the vector that computes the weights [d]', accepts: [{ kind: 'vector', seq: false }] },
  ],
  outputs: [{ name: 'out', doc: '(U·z)·x + b [size]' }],
  params: {
    size: { kind: 'int', doc: 'output size m', default: 32, min: 1, max: MAX_HIDDEN },
    bias: { kind: 'bool', doc: 'learn a bias', default: true },
  },
  shape(ins, p) {
    vectorSize(ins, 'x');
    vectorSize(ins, 'z');
    return { out: vector(p.size) };
  },
  weights(ins, p) {
    const n = vectorSize(ins, 'x');
    const bound = 1 / Math.sqrt(n);
    return [
      { name: 'weight', shape: [p.size, n, vectorSize(ins, 'z')], init: { kind: 'uniform', bound }, doc: 'U [size, n, d]: U_ijk couples x_j and z_k into out_i' },
      ...(p.bias ? [{ name: 'bias', shape: [p.size], init: { kind: 'uniform', bound } as const, doc: 'bias [size]' }] : []),
    ];
  },
  forward(g, ins, w, p) {
    const [m, n, d] = w.weight!.shape as [number, number, number];
    // (U·z) is the per-example weight matrix [m, n]; matmul only takes rank ≤ 2, hence the reshapes.
    const uz = g.reshape(g.matmul(g.reshape(w.weight!, [m * n, d]), ins.z!), [m, n]);
    const y = g.matmul(uz, ins.x!);
    return { out: p.bias ? g.add(y, w.bias!) : y };
  },
});
