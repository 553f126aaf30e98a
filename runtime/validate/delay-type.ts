/**
 * A delay's type, resolved before its consumers are typed: its `in` wire closes a cycle, so the
 * value arriving there is only known later. Tried in order: the type at its `init` port, its
 * `size` param, what the ports it feeds expect (`BlockDef.expects`). The value that finally
 * arrives at `in` is checked against it after the whole graph is typed.
 */
import { formatType, sameType, vector } from '../../blocks/shape.ts';
import type { ValueType } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import { fromEndpoint, nodePath, type Ctx, type NodeRec } from './context.ts';
import { callRule } from './rule-call.ts';
import { ruleError, type WireMap } from './rule-errors.ts';

export interface DelayType {
  readonly type: ValueType;
  /** Where the type came from, for messages: "its size param (8)". */
  readonly because: string;
}

const withoutSeq = (t: ValueType): ValueType => {
  const { seq: _seq, ...element } = t;
  return element;
};

/** The delay's type, or undefined after reporting why it cannot be known (E211, E200). */
export function resolveDelayType(ctx: Ctx, node: NodeRec, init: ValueType | undefined, wires: WireMap): DelayType | undefined {
  const size = typeof node.params.size === 'number' ? node.params.size : undefined;
  if (init !== undefined) {
    const src = wires.init !== undefined ? fromEndpoint(ctx, wires.init) : 'its init port';
    if (size !== undefined && !sameType(init, vector(size))) {
      ctx.errors.push(
        unrollError('E200', `delay ${node.id} has size ${size}, but ${node.id}.init gets ${formatType(init)} from ${src}: set size to match or remove it`, {
          path: nodePath(node.index, 'params', 'size'),
          nodes: [node.id, ...(wires.init !== undefined ? [ctx.nodes[wires.init.from]!.id] : [])],
          ports: [`${node.id}.init`, ...(wires.init !== undefined ? [src] : [])],
          edges: wires.init !== undefined ? [wires.init.index] : [],
        }),
      );
      return undefined;
    }
    return { type: init, because: `its init port (from ${src})` };
  }
  if (size !== undefined) return { type: vector(size), because: `its size param (${size})` };
  return fromConsumers(ctx, node);
}

/** The type every port the delay feeds expects, if they agree (only ports whose block declares one count). */
function fromConsumers(ctx: Ctx, node: NodeRec): DelayType | undefined {
  const wants: { port: string; type: ValueType }[] = [];
  for (const e of ctx.outgoing[node.index]!) {
    const c = ctx.nodes[e.to]!;
    const expects = c.block?.expects;
    if (expects === undefined) continue;
    const res = callRule(() => expects(c.params));
    if (!res.ok) {
      ctx.errors.push(ruleError(ctx, c, res, {}, {}, 'expects'));
      return undefined;
    }
    const t = res.value[e.toPort];
    // Through an edge leaving the loop (take all) the consumer sees a sequence of these.
    if (t !== undefined) wants.push({ port: `${c.id}.${e.toPort}`, type: withoutSeq(t) });
  }
  const first = wants[0];
  if (first === undefined) {
    ctx.errors.push(
      unrollError('E211', `cannot tell the size of delay ${node.id}: set its size param or connect its init port`, {
        path: nodePath(node.index),
        nodes: [node.id],
      }),
    );
    return undefined;
  }
  if (wants.some((w) => !sameType(w.type, first.type))) {
    ctx.errors.push(
      unrollError(
        'E200',
        `delay ${node.id} takes its size from the ports it feeds, but they expect different shapes: ${wants.map((w) => `${w.port} ${formatType(w.type)}`).join(', ')}; set its size param`,
        {
          path: nodePath(node.index),
          nodes: [node.id, ...new Set(wants.map((w) => w.port.slice(0, w.port.indexOf('.'))))],
          ports: [`${node.id}.out`, ...wants.map((w) => w.port)],
        },
      ),
    );
    return undefined;
  }
  return { type: first.type, because: `what ${wants.map((w) => w.port).join(', ')} expect${wants.length === 1 ? 's' : ''}` };
}
