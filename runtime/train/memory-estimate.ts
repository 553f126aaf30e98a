/**
 * What a training run will hold, estimated from the graph and its lengths alone — before a single
 * buffer is allocated — so that a run that cannot fit is refused with the numbers, instead of
 * taking the tab or the process down part way through compiling.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { planLengths } from '../unroll/lengths.ts';
import { OpBuilder, type Sym } from '../../blocks/ops.ts';
import { getBlock } from '../../blocks/registry.ts';
import { splitEndpoint } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';

/** Default budget of a run's buffers (weights, gradients, optimiser state, every compiled pass): 1 GiB. */
export const DEFAULT_MEMORY_BUDGET = 1024 ** 3;

/** One compiled pass's share of an estimate. */
export interface PassEstimate {
  /** What the pass is for: `train`, or `eval <split>`. */
  readonly name: string;
  readonly batch: number;
  /** Length of each time axis. */
  readonly lengths: Readonly<Record<string, number>>;
  /** Bytes of activations (and, for training, their gradients and saved temporaries). */
  readonly bytes: number;
}

/** Bytes a run will hold, by part. */
export interface MemoryEstimate {
  readonly weights: number;
  readonly gradients: number;
  /** Optimiser slots (Adam's two moments, momentum's buffer) plus the last good weights and slots kept to undo a diverged step. */
  readonly optimizer: number;
  readonly passes: readonly PassEstimate[];
  readonly total: number;
}

/** Fixed cost per node copy of lowering and planning (op objects, instructions), beyond the buffers. */
const BYTES_PER_COPY = 4096;

/**
 * Copies of a loop's nodes a forward-only pass holds at once: buffers are reused once dead, so
 * only a few steps' values are live (measured plans stay within this).
 */
const LIVE_STEPS_FORWARD = 4;
/**
 * Bytes per float value of a training pass: the value itself plus what backward saves from it
 * (activations, gate outputs); gradients reuse dead buffers. Measured plans of the examples need
 * 1.25–1.5; 2 keeps the estimate on the safe side.
 */
const TRAINING_FACTOR = 2;

/**
 * Activation bytes of one pass, computed without unrolling anything: every node copy's outputs
 * for the batch (whole-sequence values at their length) — all of them for training, which keeps
 * them for backward, and a few steps' worth for a forward-only pass, which reuses its buffers.
 * The real plan's size is checked again after planning; this estimate refuses what cannot fit
 * before anything is built.
 */
export function estimatePassBytes(
  analysis: GraphAnalysis,
  lengths: Readonly<Record<string, number>>,
  batch: number,
  backward: boolean,
  bytesPerFloat: number,
): Result<number> {
  const plan = planLengths(analysis, lengths);
  if (!plan.ok) return plan;
  const axes = plan.value.axes;
  const perNode = new Map<string, number>();
  for (const [key, t] of analysis.outputTypes) {
    const node = key.slice(0, key.lastIndexOf('.'));
    const element = t.shape.reduce((a, b) => a * b, 1);
    const steps = t.seq !== undefined ? (axes.get(t.seq) ?? 1) : 1;
    perNode.set(node, (perNode.get(node) ?? 0) + element * steps);
  }
  // Whole reads: `take: all`, and `take: last`, which on a padded axis picks each example's own
  // last step out of all of them.
  const wholeReads = new Set(analysis.doc.edges.filter((e) => e.take === 'all' || e.take === 'last').map((e) => splitEndpoint(e.from)?.node));
  let floats = 0;
  for (const n of analysis.doc.nodes) {
    const loop = analysis.nodeLoop.get(n.id);
    const steps = loop !== undefined ? (plan.value.loops.get(loop) ?? 1) : 1;
    // A forward pass frees a step's values once used, except those read as a whole sequence
    // (attention keys, a padded last step), which live on, stacked or summed once more.
    const copies = backward ? steps : wholeReads.has(n.id) ? 2 * steps : Math.min(steps, LIVE_STEPS_FORWARD);
    // A block reading whole sequences (attention over every key, a memory over every item) makes
    // intermediates T times its output at every step, and training keeps them for backward.
    const each = backward ? Math.max(perNode.get(n.id) ?? 0, intermediateFloats(analysis, n.id, axes)) : (perNode.get(n.id) ?? 0);
    floats += each * copies;
  }
  return { ok: true, value: floats * batch * bytesPerFloat * (backward ? TRAINING_FACTOR : 1) + plan.value.count * BYTES_PER_COPY };
}

/**
 * Floats one copy of `node` computes per example when it reads whole sequences: its block's
 * forward traced on symbolic inputs of the delivered types (sequences at their lengths), every
 * op's result summed. 0 for other nodes, sources, delays and losses (their outputs count instead).
 */
function intermediateFloats(analysis: GraphAnalysis, node: string, axes: ReadonlyMap<string, number>): number {
  const n = analysis.doc.nodes.find((x) => x.id === node);
  const def = n !== undefined && !UNTRACED.has(n.type) ? getBlock(n.type) : undefined;
  const readsSequences = analysis.doc.edges.some((e, i) => splitEndpoint(e.to)?.node === node && analysis.edgeTypes[i]?.seq !== undefined);
  if (def === undefined || !readsSequences) return 0;
  const g = new OpBuilder();
  const ins: Record<string, Sym> = {};
  analysis.doc.edges.forEach((e, i) => {
    const to = splitEndpoint(e.to);
    const t = analysis.edgeTypes[i];
    if (to?.node !== node || t === undefined) return;
    ins[to.port] = g.input(to.port, t.seq !== undefined ? [axes.get(t.seq) ?? 1, ...t.shape] : t.shape, t.dtype);
  });
  const w: Record<string, Sym> = {};
  for (const ws of analysis.weights.get(node) ?? []) w[ws.name] = g.weight(ws.name, ws.shape);
  try {
    def.forward(g, ins, w, analysis.params.get(node) ?? {});
  } catch {
    return 0;
  }
  let floats = 0;
  for (const op of g.nodes) if (op.batched && op.op !== 'input') floats += op.shape.reduce((a, b) => a * b, 1);
  return floats;
}

const UNTRACED = new Set(['input', 'target', 'delay', 'loss']);

/** `1536` → `2 KiB`; `5.3e10` → `49.4 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

const describePass = (p: PassEstimate): string => {
  const lengths = Object.entries(p.lengths).map(([k, v]) => `${k} = ${v}`).join(', ');
  return `${formatBytes(p.bytes)} for the ${p.name} pass (batch ${p.batch}${lengths !== '' ? `, ${lengths}` : ''})`;
};

/** E445 when `estimate` is over `budget`, naming every part; undefined when it fits. */
export function overBudget(estimate: MemoryEstimate, budget: number): UnrollError | undefined {
  if (estimate.total <= budget) return undefined;
  const parts = [
    `weights ${formatBytes(estimate.weights)}`,
    `gradients ${formatBytes(estimate.gradients)}`,
    `optimiser state ${formatBytes(estimate.optimizer)}`,
    ...estimate.passes.map(describePass),
  ];
  return unrollError(
    'E445',
    `this run needs an estimated ${formatBytes(estimate.total)} (${parts.join('; ')}), over the memory budget of ${formatBytes(budget)}: ` +
      'use a smaller batch, shorter sequences or a smaller model, or raise the budget (--memory-budget)',
  );
}
