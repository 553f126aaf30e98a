/**
 * What an edge delivers to its input port: `take` applied where the edge leaves a loop, then a
 * sequence sliced into a loop over its axis, passed whole to a port that takes sequences, or
 * refused (E201 wrong kind, E207 another loop's axis, E213 outside loops).
 */
import { elementKind, formatType } from '../../blocks/shape.ts';
import type { PortAccept, ValueType } from '../../blocks/types.ts';
import { unrollError, type ErrorCode, type UnrollError } from '../errors/catalogue.ts';
import { edgePath, fromEndpoint, toEndpoint, type Ctx, type EdgeRec } from './context.ts';

/** A loop as port forms see it. */
export interface LoopView {
  readonly id: string;
  readonly axis: string;
}

export type Delivery = { readonly ok: true; readonly type: ValueType } | { readonly ok: false; readonly error: UnrollError };

/** How a port's accepted forms read in a message: "a vector per step or a whole sequence of vectors". */
export function describeAccepts(accepts: readonly PortAccept[]): string {
  const parts = accepts.map((a) => (a.seq ? `a whole sequence of ${a.kind}s` : `a ${a.kind} per step`));
  return parts.length === 0 ? 'nothing' : parts.join(' or ');
}

const withoutSeq = (t: ValueType): ValueType => {
  const { seq: _seq, ...element } = t;
  return element;
};

/**
 * The type edge `e` delivers, given the type its source port produces (per step inside a loop).
 * - Leaving loop L (source in L, destination not): take "all" (the default) makes the sequence
 *   of every step's value along L's axis; "last" passes the final step's value as it is.
 * - A sequence reaching a node inside a loop over the same axis, at a port that takes one element
 *   per step, is sliced: each step sees its element. Otherwise a port that takes whole sequences
 *   gets the sequence. Otherwise: E207 inside a loop over another axis, E213 outside loops.
 * - A single value must reach a port that takes it per step.
 * A value whose element kind the port never takes is E201, whatever its sequence axis.
 */
export function deliver(
  ctx: Ctx,
  e: EdgeRec,
  produced: ValueType,
  fromLoop: LoopView | undefined,
  toLoop: LoopView | undefined,
  accepts: readonly PortAccept[],
): Delivery {
  const from = fromEndpoint(ctx, e);
  const to = toEndpoint(ctx, e);
  const fail = (code: ErrorCode, message: string): Delivery => ({
    ok: false,
    error: unrollError(code, message, {
      path: edgePath(e.index),
      nodes: [ctx.nodes[e.to]!.id, ctx.nodes[e.from]!.id],
      ports: [to, from],
      edges: [e.index],
    }),
  });
  const leaving = fromLoop !== undefined && fromLoop.id !== toLoop?.id;
  let v = produced;
  if (leaving && (e.take ?? 'all') === 'all') {
    if (produced.seq !== undefined) {
      return fail('E201', `${from} is already a whole sequence ${formatType(produced)} at each step of loop ${fromLoop.id}; sequences of sequences are not supported: set take "last" on the edge to ${to}`);
    }
    v = { ...produced, seq: fromLoop.axis };
  }
  const kind = elementKind(v);
  const takes = `${to} takes ${describeAccepts(accepts)}`;
  if (kind === undefined || !accepts.some((a) => a.kind === kind)) {
    // The commonest beginner's wire: token ids straight into a cell. Say what goes between.
    const hint =
      (kind === 'tokens' || kind === 'bag') && accepts.some((a) => a.kind === 'vector')
        ? `: put an encoder (kind ${kind === 'bag' ? 'bag' : 'embedding'}) between them to turn ids into vectors`
        : '';
    return fail('E201', `${takes}, but ${from} delivers ${formatType(v)}${hint}`);
  }
  const perStep = accepts.some((a) => a.kind === kind && !a.seq);
  const whole = accepts.some((a) => a.kind === kind && a.seq);
  if (v.seq === undefined) {
    return perStep ? { ok: true, type: v } : fail('E201', `${takes}, but ${from} delivers a single ${formatType(v)}`);
  }
  if (toLoop !== undefined && toLoop.axis === v.seq && perStep) return { ok: true, type: withoutSeq(v) };
  if (whole) return { ok: true, type: v };
  const node = ctx.nodes[e.to]!.id;
  if (toLoop !== undefined) {
    return fail(
      'E207',
      `${from} delivers a sequence along ${v.seq} (${formatType(v)}), but ${node} is in loop ${toLoop.id}, which runs along ${toLoop.axis}: a sequence is sliced only into a loop over its own axis; move ${node} into such a loop${leaving ? ' or set take "last" on this edge' : ''}`,
    );
  }
  return fail(
    'E213',
    `${from} delivers a sequence along ${v.seq} (${formatType(v)}), but ${to} takes one step at a time and ${node} is outside every loop: put ${node} in a loop over ${v.seq}${leaving ? ' or set take "last" on this edge' : ''}`,
  );
}
