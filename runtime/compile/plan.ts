/**
 * Planning: a lowered op graph becomes a fixed schedule of kernel calls for a fixed batch size,
 * forward and backward, over buffers allocated once. Activations, gradients and saved temporaries
 * share one arena: a buffer's slot is reused by another of the same size once its last use has
 * passed (the forward values backward needs stay alive because backward reads them).
 */
import type { OpNode } from '../../blocks/ops.ts';
import { touched, type BufferInfo, type BufferKind, type Instr, type Ref } from './instr.ts';
import { OP_RULES, type GradCtx, type RuleCtx } from './op-rules.ts';
import { sizeOf } from './strides.ts';
import type { Feed, LoweredGraph } from './types.ts';
import { progress } from '../progress.ts';

export interface PlanOptions {
  /** Examples per batch. */
  readonly batch: number;
  /** Plan the backward pass too (training, `eval --grad`). */
  readonly backward: boolean;
  /** Also compute gradients with respect to float data feeds (`eval --grad`). */
  readonly inputGrads?: boolean;
  /** Symbols whose values the caller reads after forward (outputs to print); kept out of the arena. */
  readonly pin?: readonly number[];
  /** Keep the gradients of the `pin` symbols readable after backward too (locating a non-finite gradient). */
  readonly pinGrads?: boolean;
}

/** One diagnostic slot group: what the probe slots of a plan mean. */
export interface ProbeLayout {
  /** Per state trace: the slot of Σ(∂L/∂z_t)² for each step t (−1 when z_t gets no gradient). */
  readonly states: readonly (readonly number[])[];
  /** Per gate trace: for each step, the first of its slots (one pair per gate: [low, high] counts). */
  readonly gates: readonly { readonly slots: readonly number[]; readonly names: readonly string[]; readonly perStep: number }[];
  readonly count: number;
}

export interface Plan {
  readonly batch: number;
  readonly buffers: readonly BufferInfo[];
  /** Elements of the shared arena. */
  readonly arenaSize: number;
  readonly forward: readonly Instr[];
  readonly backward: readonly Instr[];
  /** Forward value of every symbol. */
  readonly values: ReadonlyMap<number, Ref>;
  /** Gradients the caller may read after backward: pinned input gradients. */
  readonly inputGrads: ReadonlyMap<number, Ref>;
  /** With `pinGrads`: the gradient of every pinned symbol that gets one. */
  readonly valueGrads: ReadonlyMap<number, Ref>;
  /** ∂objective/∂loss of each loss, one value per batch row: the executor writes them with each batch. */
  readonly seeds: readonly Ref[];
  readonly feeds: readonly { readonly feed: Feed; readonly ref: Ref; readonly size: number }[];
  readonly lowered: LoweredGraph;
  readonly probes: ProbeLayout;
}

const GATE_LAYOUT: Readonly<Record<string, { names: readonly string[]; ranges: (H: number) => [number, number][]; width: (H: number) => number }>> = {
  lstm_cell: { names: ['input', 'forget', 'output'], ranges: (H) => [[0, H], [H, 2 * H], [3 * H, 4 * H]], width: (H) => 4 * H },
  gru_cell: { names: ['reset', 'update'], ranges: (H) => [[0, H], [H, 2 * H]], width: (H) => 3 * H },
  sigmoid: { names: ['gate'], ranges: (H) => [[0, H]], width: (H) => H },
};

/** Plan `lowered` for `options.batch` examples. Throws only on an internal inconsistency (a bug). */
export function planGraph(lowered: LoweredGraph, options: PlanOptions): Plan {
  return new Planner(lowered, options).build();
}

class Planner {
  private readonly B: number;
  private readonly ops: readonly OpNode[];
  private readonly buffers: BufferInfo[] = [];
  private readonly values = new Map<number, Ref>();
  private readonly grads = new Map<number, Ref>();
  private readonly written = new Set<number>();
  private readonly saved = new Map<number, readonly Ref[]>();
  private readonly inputGrads = new Map<number, Ref>();
  private readonly valueGrads = new Map<number, Ref>();
  private readonly weightGrads = new Map<string, Ref>();
  private readonly feedKinds = new Map<number, Feed>();
  private readonly seeds: Ref[] = [];
  private readonly pinned: Set<number>;
  private forward: Instr[] = [];
  private backward: Instr[] = [];
  private current: Instr[] = this.forward;

  constructor(
    private readonly lowered: LoweredGraph,
    private readonly options: PlanOptions,
  ) {
    this.B = options.batch;
    this.ops = lowered.ops;
    for (const f of lowered.feeds) this.feedKinds.set(f.sym, f);
    this.pinned = new Set([...lowered.losses, ...lowered.predictions.flatMap((p) => p.syms), ...(options.pin ?? [])]);
  }

  private alloc(size: number, kind: BufferKind, extra: Partial<BufferInfo> = {}): Ref {
    const id = this.buffers.length;
    this.buffers.push({ id, size, kind, ...extra });
    return { buf: id, off: 0 };
  }

  private elems(n: OpNode): number {
    return (n.batched ? this.B : 1) * sizeOf(n.shape);
  }

  private emit = (instr: Instr): void => {
    this.current.push(instr);
  };

  build(): Plan {
    const weightKeys = new Map<number, string>();
    for (const [key, sym] of this.lowered.weights) weightKeys.set(sym, key);
    const feeds: { feed: Feed; ref: Ref; size: number }[] = [];

    for (const n of this.ops) {
      progress();
      const size = this.elems(n);
      let ref: Ref;
      if (n.op === 'input') {
        const feed = this.feedKinds.get(n.id);
        if (feed === undefined) throw new Error(`plan: input op ${n.attrs.name} has no feed`);
        ref = this.alloc(size, 'feed');
        feeds.push({ feed, ref, size });
      } else if (n.op === 'weight') {
        const key = weightKeys.get(n.id) ?? n.attrs.name!;
        ref = this.alloc(size, 'weight', { key });
      } else if (n.op === 'fill' || n.op === 'constant') {
        ref = this.alloc(size, 'const', { data: n.op === 'fill' ? new Array<number>(size).fill(n.attrs.value!) : n.attrs.data! });
      } else {
        ref = this.alloc(size, this.pinned.has(n.id) ? 'pinned' : 'arena');
      }
      this.values.set(n.id, ref);
      this.saved.set(n.id, OP_RULES[n.op].forward(this.ruleCtx(n)));
    }

    const probes = this.options.backward ? this.planBackward(weightKeys) : emptyProbes(this.lowered);
    const arenaSize = assignArena(this.buffers, [...this.forward, ...this.backward]);
    return {
      batch: this.B,
      buffers: this.buffers,
      arenaSize,
      forward: this.forward,
      backward: this.backward,
      values: this.values,
      inputGrads: this.inputGrads,
      valueGrads: this.valueGrads,
      seeds: this.seeds,
      feeds,
      lowered: this.lowered,
      probes,
    };
  }

  private ruleCtx(n: OpNode): RuleCtx {
    return {
      B: this.B,
      node: n,
      input: (i) => this.ops[n.inputs[i]!]!,
      value: (id) => this.values.get(id)!,
      out: this.values.get(n.id)!,
      temp: (size) => this.alloc(size, 'arena'),
      emit: this.emit,
    };
  }

  /** Which symbols carry a gradient: weights, (optionally) float data, and anything computed from them. */
  private requiresGrad(): boolean[] {
    const rg = new Array<boolean>(this.ops.length).fill(false);
    for (const n of this.ops) {
      if (n.dtype !== 'float') continue;
      if (n.op === 'weight') rg[n.id] = true;
      else if (n.op === 'input') rg[n.id] = this.options.inputGrads === true && this.feedKinds.get(n.id)?.kind === 'data';
      else if (!this.lowered.detached.has(n.id)) rg[n.id] = n.inputs.some((i) => rg[i]);
    }
    return rg;
  }

  private planBackward(weightKeys: ReadonlyMap<number, string>): ProbeLayout {
    this.current = this.backward;
    const rg = this.requiresGrad();
    const probes = this.probeLayout();

    // The objective is the mean over the real examples of the sum of the losses: the executor writes
    // each loss's seed gradient per row (1/size for real rows, 0 for padding rows of a short batch).
    for (const l of this.lowered.losses) {
      if (!rg[l]) continue;
      const ref = this.alloc(this.elems(this.ops[l]!), 'pinned');
      this.seeds.push(ref);
      this.grads.set(l, ref);
      this.written.add(l);
    }
    // Weights no loss reaches still get a defined (zero) gradient.
    const zeroFills: Instr[] = [];

    const gradFor = (id: number, full: boolean): { ref: Ref; acc: boolean } | undefined => {
      if (!rg[id]) return undefined;
      const n = this.ops[id]!;
      let ref = this.grads.get(id);
      if (ref === undefined) {
        const key = weightKeys.get(id);
        if (key !== undefined) {
          ref = this.alloc(this.elems(n), 'wgrad', { key });
          this.weightGrads.set(key, ref);
        } else if (n.op === 'input') {
          ref = this.alloc(this.elems(n), 'pinned');
          this.inputGrads.set(id, ref);
        } else if (this.options.pinGrads === true && this.pinned.has(id)) {
          ref = this.alloc(this.elems(n), 'pinned');
          this.valueGrads.set(id, ref);
        } else {
          ref = this.alloc(this.elems(n), 'arena');
        }
        this.grads.set(id, ref);
      }
      if (this.written.has(id)) return { ref, acc: true };
      this.written.add(id);
      if (full) return { ref, acc: false };
      this.emit({ k: 'fill', out: ref, n: this.elems(n), value: 0 });
      return { ref, acc: true };
    };

    // Several delays may carry one value: every one of their slots gets the probe.
    const stateSlots = new Map<number, number[]>();
    // A fused LSTM's c is a slice of its packed output; its total gradient is read at the cell op.
    const cellCSlots = new Map<number, number[]>();
    const add = (m: Map<number, number[]>, k: number, slot: number): void => {
      m.set(k, [...(m.get(k) ?? []), slot]);
    };
    this.lowered.states.forEach((s, i) =>
      s.syms.forEach((sym, t) => {
        const slot = probes.states[i]![t]!;
        const n = this.ops[sym]!;
        const cell = n.op === 'slice' ? this.ops[n.inputs[0]!] : undefined;
        if (cell?.op === 'lstm_cell' && n.attrs.start === cell.shape[0]! / 2) add(cellCSlots, cell.id, slot);
        else add(stateSlots, sym, slot);
      }),
    );
    const gateSlot = new Map<number, number>();
    this.lowered.gates.forEach((g, i) => g.syms.forEach((sym, t) => gateSlot.set(sym, probes.gates[i]!.slots[t]!)));

    for (let id = this.ops.length - 1; id >= 0; id--) {
      progress();
      const n = this.ops[id]!;
      const dOut = this.grads.get(id);
      if (dOut !== undefined) for (const slot of stateSlots.get(id) ?? []) this.emit({ k: 'probeSumSq', n: this.elems(n), x: dOut, slot });
      const g = gateSlot.get(id);
      if (g !== undefined) this.emitGateProbe(n, g);
      const savedHere = this.saved.get(id);
      if (dOut !== undefined && savedHere !== undefined) {
        for (const slot of cellCSlots.get(id) ?? []) {
          this.emit({ k: 'probeLstmC', rows: n.batched ? this.B : 1, H: n.shape[0]! / 2, dhc: dOut, gates: savedHere[0]!, tanhC: savedHere[1]!, slot });
        }
      }
      if (dOut === undefined || !rg[id] || this.lowered.detached.has(id)) continue;
      const rule = OP_RULES[n.op];
      if (rule.backward === undefined) continue;
      const ctx: GradCtx = { ...this.ruleCtx(n), dOut, saved: this.saved.get(id) ?? [], grad: (i, full) => gradFor(n.inputs[i]!, full) };
      rule.backward(ctx);
    }
    for (const [sym, key] of weightKeys) {
      if (this.written.has(sym)) continue;
      const ref = this.alloc(this.elems(this.ops[sym]!), 'wgrad', { key });
      this.weightGrads.set(key, ref);
      zeroFills.push({ k: 'fill', out: ref, n: this.elems(this.ops[sym]!), value: 0 });
    }
    this.backward.unshift(...zeroFills);
    // Float data no loss reaches still reads back as a (zero) gradient.
    if (this.options.inputGrads === true) {
      for (const f of this.lowered.feeds) {
        const n = this.ops[f.sym]!;
        if (f.kind === 'data' && n.dtype === 'float' && !this.inputGrads.has(f.sym)) this.inputGrads.set(f.sym, this.alloc(this.elems(n), 'pinned'));
      }
    }
    return probes;
  }

  /** Gate saturation reads the fused cell's saved activations (or a gate's sigmoid output). */
  private emitGateProbe(n: OpNode, slot: number): void {
    const layout = GATE_LAYOUT[n.op];
    if (layout === undefined) return;
    const rows = n.batched ? this.B : 1;
    if (n.op === 'sigmoid') {
      const H = sizeOf(n.shape);
      this.emit({ k: 'probeGates', rows, width: H, ranges: layout.ranges(H), x: this.values.get(n.id)!, slot });
      return;
    }
    const H = n.op === 'lstm_cell' ? n.shape[0]! / 2 : n.shape[0]!;
    const gates = this.saved.get(n.id)?.[0];
    if (gates !== undefined) this.emit({ k: 'probeGates', rows, width: layout.width(H), ranges: layout.ranges(H), x: gates, slot });
  }

  private probeLayout(): ProbeLayout {
    let count = 0;
    const states = this.lowered.states.map((s) => s.syms.map(() => count++));
    const gates = this.lowered.gates.map((g) => {
      const first = this.ops[g.syms[0]!];
      const layout = first !== undefined ? GATE_LAYOUT[first.op] : undefined;
      const names = g.name !== undefined ? [g.name] : (layout?.names ?? []);
      const perStep = 2 * names.length;
      const slots = g.syms.map(() => {
        const s = count;
        count += perStep;
        return s;
      });
      return { slots, names, perStep };
    });
    return { states, gates, count };
  }
}

function emptyProbes(lowered: LoweredGraph): ProbeLayout {
  return { states: lowered.states.map((s) => s.syms.map(() => -1)), gates: [], count: 0 };
}

/**
 * Give every arena buffer an offset: walk the schedule, free a buffer after its last use and hand
 * its slot to the next buffer of the same size. Buffers never used still get a slot (size 0 cost).
 * Returns the arena size in elements.
 */
function assignArena(buffers: BufferInfo[], schedule: readonly Instr[]): number {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  schedule.forEach((instr, i) => {
    for (const b of touched(instr)) {
      if (buffers[b]!.kind !== 'arena') continue;
      if (!first.has(b)) first.set(b, i);
      last.set(b, i);
    }
  });
  const startsAt = new Map<number, number[]>();
  for (const [b, i] of first) startsAt.set(i, [...(startsAt.get(i) ?? []), b]);
  const endsAt = new Map<number, number[]>();
  for (const [b, i] of last) endsAt.set(i, [...(endsAt.get(i) ?? []), b]);

  const free = new Map<number, number[]>(); // size → free offsets
  let top = 0;
  for (let i = 0; i < schedule.length; i++) {
    for (const b of startsAt.get(i) ?? []) {
      const buf = buffers[b]!;
      const slot = free.get(buf.size)?.pop();
      if (slot !== undefined) buf.offset = slot;
      else {
        buf.offset = top;
        top += buf.size;
      }
    }
    for (const b of endsAt.get(i) ?? []) {
      const buf = buffers[b]!;
      const list = free.get(buf.size) ?? [];
      list.push(buf.offset!);
      free.set(buf.size, list);
    }
  }
  for (const buf of buffers) {
    if (buf.kind === 'arena' && buf.offset === undefined) buf.offset = 0; // never touched: size irrelevant
  }
  return top;
}
