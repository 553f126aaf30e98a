/**
 * The `share` param of blocks with a `weight` matrix (encoder, decoder): weight tying across nodes.
 * Unrolling already shares a node's weights across its time steps; `share` shares one node's
 * `weight` with another node, e.g. MemN2N's adjacent tying (A^{k+1} = C^k, B = A^1, W^T = C^K),
 * where each hop is its own node. The tensor is stored once, under the owner's `<node>.weight`.
 */
import type { ParamDef } from './types.ts';

export const shareParam = {
  kind: 'nodeRef',
  doc: 'reuse this node’s weight matrix instead of learning one (weight tying): it must own a `weight` of the same shape',
  ties: ['weight'],
} as const satisfies ParamDef;
