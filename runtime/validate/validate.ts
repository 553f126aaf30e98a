/**
 * Validation of a parsed graph document: structure, loops, cycles, types of every wire, weights.
 * Every problem is collected as a catalogue error; nothing here throws at a user.
 */
import type { WeightDef } from '../../blocks/types.ts';
import { unrollError } from '../errors/catalogue.ts';
import type { GraphDoc } from '../graph/types.ts';
import { checkParameterBudget, DEFAULT_MAX_PARAMETERS } from './budget.ts';
import { indexGraph } from './context.ts';
import { cutGraph, findDelayFreeCycles } from './cycles.ts';
import { checkFeedback } from './feedback.ts';
import { assignLoops } from './loops.ts';
import { schedule } from './schedule.ts';
import { inferTypes } from './shapes.ts';
import { resolveShares } from './shares.ts';
import { resolveSourceAxes } from './sources.ts';
import type { GraphAnalysis, LoopInfo, ValidateOptions } from './types.ts';
import { warn } from './warnings.ts';
import { checkWiring } from './wiring.ts';

/**
 * Check a graph the parser accepted and learn everything the unroller, editor and CLI need.
 * Never throws; `ok` is true iff `errors` is empty. One mistake gives one error: nodes with an
 * error of their own, and everything downstream of them, are not typed further.
 *
 * Semantics:
 * - **Params** are resolved with their defaults (`resolveParams`).
 * - **Sources** are `input` and `target` nodes and sit outside loops (one with a `loop` is E216).
 *   With `sequence` on (the default) a source's output is its element type with `seq` = its axis:
 *   its own id; for an `input` with `teacher` or `feedback`, the axis of the target it carries
 *   shifted by one step (`teacher`, which must be a `target`, else the target at `loss.target` of
 *   the first loss whose `pred` the feedback node reaches, breadth-first; E215 when neither); for
 *   a source with `align_with`, the named sequence source's axis (E215 if it names anything else).
 *   An input with `teacher` or `feedback` must be a sequence and carry a sequence target (E215),
 *   and its element must equal its teacher's (E200).
 * - **Feedback**: the node an input's `feedback` names must sit in a loop along the input's axis
 *   (E215), and its first output must be a float vector (E215) of the input's `vocab` for tokens,
 *   its `size` for vectors (E200): when generating, the input carries its argmax (a vector input:
 *   the value itself) at the previous step.
 * - **Loops**: declared loops as given; `over` must name a sequence source (E206) whose axis the
 *   loop takes; a `steps` loop's axis is its own id. With no loop declared and a sequence input
 *   present, one implicit forward loop (`IMPLICIT_LOOP_ID`) over the first sequence input holds
 *   every node but inputs, targets and losses. A declared loop without nodes warns (E217); a loss
 *   or a source in a loop is an error (E216).
 * - **Wires**: an input port takes at most one wire (E204); required ports need one (E203);
 *   `take` only on an edge that leaves a loop (E208). What an edge delivers: see `deliver`
 *   (take "all", the default, stacks a loop's per-step values along its axis; sequences are sliced
 *   into loops over their axis, E201/E207/E213 otherwise).
 * - **Cycles**: edges into a delay's `in` are recurrent (listed in `recurrentEdges`) and cut;
 *   any remaining cycle within one loop, or among nodes outside every loop, is E202, listing the
 *   nodes of one actual cycle in order (through a delay's `init` port, the message says that only
 *   `in` breaks a cycle). A cycle through several loops, or through a loop and nodes outside it,
 *   is E212 (below), reported once.
 * - **Delays** sit in a loop (E209) and are fed at `in` from their own loop (E210). Their type comes
 *   from the `init` port, else the `size` param, else what the ports they feed expect (E200 if
 *   those disagree, E211 if there are none); the value arriving at `in` must have it (E200).
 * - **Loop dependencies**: with each loop condensed to one vertex (nodes outside loops stay
 *   single vertices) the graph must be acyclic (E212).
 * - **Shapes**: nodes are typed in one topological order; a block's `ShapeIssue` becomes E200
 *   (mismatch) or E201 (kind) naming the node's ports, the wires' source ports and the shapes.
 * - **Weights**: the total above `opts.maxParameters` (default 2^28) is E214. A `share` param
 *   (a `nodeRef` with `ties`) borrows the named node's weight: see `resolveShares` (E230–E232);
 *   `weights` then lists only what each node owns, `shares` what it borrows.
 * - **Loss**: purpose "train" (default) needs a loss node (E205).
 * - **Warnings**: empty loops (E217), nodes whose outputs feed nothing (E218), a delay's `init`
 *   param other than "zeros" while its `init` port is wired (E220; a "learned" one then has no
 *   weight), and a target wired anywhere but a loss's `target` port (E221; an input's `teacher`
 *   is a reference, not a wire).
 * - **Order**: every node once, loops as contiguous runs in per-step order, ties broken by
 *   document order.
 */
export function analyzeGraph(doc: GraphDoc, opts: ValidateOptions = {}): GraphAnalysis {
  const ctx = indexGraph(doc);
  const sources = resolveSourceAxes(ctx);
  const la = assignLoops(ctx, sources);
  checkWiring(ctx, la);
  findDelayFreeCycles(ctx, cutGraph(ctx, la));
  const sched = schedule(ctx, la);
  const typing = inferTypes(ctx, la, sources, sched.order);
  checkFeedback(ctx, la, sources, typing.outputTypes);
  const tied = resolveShares(ctx, typing.weights);
  const parameters = checkParameterBudget(ctx, tied.owned, opts.maxParameters ?? DEFAULT_MAX_PARAMETERS);
  if ((opts.purpose ?? 'train') === 'train' && !ctx.nodes.some((n) => n.type === 'loss')) {
    ctx.errors.push(unrollError('E205', 'the graph has no loss, so there is nothing to train: add a loss node that compares a prediction with a target'));
  }
  warn(ctx, sources);

  const loops = new Map<string, LoopInfo>();
  la.loops.forEach((l, k) => {
    if (loops.has(l.id)) return;
    loops.set(l.id, {
      id: l.id,
      axis: l.axis ?? '',
      ...(l.steps !== undefined ? { steps: l.steps } : {}),
      direction: l.direction,
      nodes: sched.loopOrder[k]!.map((i) => ctx.nodes[i]!.id),
      implicit: l.implicit,
    });
  });
  // Re-keyed in document order (the shape pass visits nodes in evaluation order).
  const weights = new Map<string, readonly WeightDef[]>();
  for (const n of ctx.nodes) {
    const w = tied.owned.get(n.id);
    if (w !== undefined) weights.set(n.id, w);
  }
  let weightCount = 0;
  for (const ws of tied.owned.values()) weightCount += ws.length;
  return {
    doc,
    ok: ctx.errors.length === 0,
    errors: ctx.errors,
    warnings: ctx.warnings,
    params: new Map(ctx.nodes.map((n) => [n.id, n.params])),
    outputTypes: typing.outputTypes,
    edgeTypes: typing.edgeTypes,
    nodeLoop: new Map(ctx.nodes.map((n) => [n.id, la.loops[la.loopOf[n.index]!]?.id])),
    loops,
    axes: sources.axes,
    weights,
    shares: tied.shares,
    recurrentEdges: ctx.edges.filter((e) => e.recurrent).map((e) => e.index),
    order: sched.order.map((i) => ctx.nodes[i]!.id),
    counts: { nodes: doc.nodes.length, edges: doc.edges.length, weights: weightCount, parameters },
  };
}
