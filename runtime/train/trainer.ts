/**
 * Training a graph on its task: batches from the task's seeded generator, forward and backward
 * over the compiled plan, clipping by global norm, an optimiser step; evaluation on the task's
 * fixed splits; diagnostics (state-gradient curves, gate saturation) on request. One seed gives
 * one bit-identical run: every random draw comes from streams forked off it.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import type { GraphDoc, TaskSpec, TrainingSpec } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { createTask } from '../tasks/registry.ts';
import { bindTask, type TaskBinding } from '../tasks/bind.ts';
import type { Batch, Task } from '../tasks/types.ts';
import { ByLength, type LengthRow } from '../tasks/by-length.ts';
import type { CellLowering } from '../compile/types.ts';
import type { DType } from '../cpu/program.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import { Model } from './model.ts';
import type { FeedData, GateSaturation, Pass, SourceData, StateNorms } from './pass.ts';
import { Rng } from './prng.ts';
import { clipByGlobalNorm, defaultOptimizerSpec, globalNorm, Optimizer, type OptimizerState } from './optimizers.ts';
import { DEFAULT_MEMORY_BUDGET, estimatePassBytes, overBudget, type MemoryEstimate, type PassEstimate } from './memory-estimate.ts';
import { describeSite, firstNonFiniteGradient, firstNonFiniteValue, type NonFiniteSite } from './divergence.ts';
import { progress } from '../cpu/progress.ts';

/** Every training setting, defaults filled in. */
export type TrainConfig = Required<TrainingSpec>;

/** What a graph without a `training` section trains with (Adam at PyTorch's defaults). */
export const TRAINING_DEFAULTS: TrainConfig = {
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  weightDecay: 0,
  batch: 32,
  steps: 1000,
  clip: 0,
  truncate: 0,
  seed: 0,
  evalEvery: 100,
};

export interface TrainerSetup {
  readonly doc: GraphDoc;
  /** Settings that win over the graph's `training` section (the CLI's --steps, --seed). */
  readonly overrides?: Partial<TrainingSpec>;
  /** Train on this task instead of the graph's (its params apply when the names match). */
  readonly task?: string;
  readonly dtype?: DType;
  readonly cells?: CellLowering;
  /** Examples per evaluation batch (default 256). */
  readonly evalBatch?: number;
  /** Bytes the run may hold (default 1 GiB); checked against an estimate before anything is allocated. */
  readonly memoryBudget?: number;
}

/**
 * Everything a run's future depends on: restoring it into a trainer of the same graph and settings
 * continues the run bit for bit (same batches, same random states, same updates).
 */
export interface TrainerState {
  /** Optimiser steps taken. */
  readonly step: number;
  /** State of the training-batch stream and of the random-state stream (`Rng.getState`). */
  readonly dataRng: readonly number[];
  readonly stateRng: readonly number[];
  readonly optimizer: OptimizerState;
  /** Every weight by key `<nodeId>.<weightName>`. */
  readonly weights: ReadonlyMap<string, ArrayLike<number>>;
}

/** One optimiser step as reported. Norms are of the batch-mean objective's gradient. */
export interface StepReport {
  /** 1-based count of optimiser steps taken. */
  readonly step: number;
  readonly loss: number;
  /** The task's metric on this training batch. */
  readonly metric: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  readonly clipped: boolean;
  /** Only on steps run with diagnostics: ‖∂L/∂z_t‖ per recurrent state, and gate saturation. */
  readonly states?: StateNorms[];
  readonly gates?: GateSaturation[];
}

export interface EvalReport {
  readonly split: string;
  readonly loss: number;
  readonly metric: number;
  readonly count: number;
  /** The metric by example length, for tasks whose metric reports it (reverse, dyck). */
  readonly byLength?: readonly LengthRow[];
}

const mergeTask = (doc: GraphDoc, name: string | undefined): TaskSpec | undefined => {
  if (name === undefined) return doc.task;
  return doc.task?.name === name ? doc.task : { name };
};

export class Trainer {
  readonly config: TrainConfig;
  readonly model: Model;
  steps = 0;
  private readonly optimizer: Optimizer;
  private readonly dataRng: Rng;
  private readonly stateRng: Rng;
  private readonly keys: readonly string[];
  private readonly params: readonly FloatArray[];
  private readonly gradArrays: readonly FloatArray[];
  /** The prediction the task's metric scores: the loss whose target is the task's target. */
  private predIndex = 0;
  private readonly evalBatch: number;
  /** The graph's node the task's target stream feeds. */
  private readonly targetNode: string | undefined;
  /** The weights before the last update, to undo one that made them non-finite. */
  private readonly lastGood: readonly FloatArray[];
  /** What the run was estimated to hold when it was created. */
  readonly memory: MemoryEstimate;

  private constructor(
    readonly analysis: GraphAnalysis,
    readonly task: Task,
    readonly binding: TaskBinding,
    config: TrainConfig,
    setup: TrainerSetup,
    memory: MemoryEstimate,
  ) {
    this.config = config;
    this.memory = memory;
    this.model = new Model(analysis, {
      dtype: setup.dtype ?? 'float32',
      cells: setup.cells ?? 'fused',
      truncate: config.truncate,
      memoryBudget: setup.memoryBudget ?? DEFAULT_MEMORY_BUDGET,
      reservedBytes: memory.optimizer,
    });
    const root = new Rng(config.seed);
    this.model.initialise(root.fork('init'));
    this.dataRng = root.fork('data');
    this.stateRng = root.fork('state');
    this.keys = this.model.weightSpecs.map((w) => w.key);
    this.params = this.keys.map((k) => this.model.weights.get(k)!);
    this.gradArrays = this.keys.map((k) => this.model.grads.get(k)!);
    this.lastGood = this.params.map((p) => (p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length)));
    const spec = defaultOptimizerSpec(config.optimizer);
    this.optimizer = new Optimizer(
      { ...spec, lr: config.lr, momentum: config.optimizer === 'momentum' ? config.momentum : spec.momentum, beta1: config.beta1, beta2: config.beta2, weightDecay: config.weightDecay },
      this.params,
    );
    this.targetNode = binding.streams.find((s) => s.stream.role === 'target')?.node;
    this.evalBatch = setup.evalBatch ?? 256;
  }

  /** Validate the graph, make and bind its task, initialise weights from the seed. */
  static create(setup: TrainerSetup): Result<Trainer> {
    const analysis = analyzeGraph(setup.doc, { purpose: 'train' });
    if (!analysis.ok) return { ok: false, errors: analysis.errors };
    const spec = mergeTask(setup.doc, setup.task);
    if (spec === undefined) {
      return { ok: false, errors: [unrollError('E440', 'the graph has no task section: add "task": {"name": "brackets"} (or copy, adding) or pass --task NAME', { path: '$' })] };
    }
    const teacherErrors = decoderInputs(analysis);
    if (teacherErrors.length > 0) return { ok: false, errors: teacherErrors };
    const task = createTask(spec, setup.task !== undefined && setup.doc.task?.name !== setup.task ? '--task' : '$.task');
    if (!task.ok) return task;
    const binding = bindTask(task.value, analysis);
    if (!binding.ok) return binding;
    const empty = task.value.evalSplits.filter((sp) => sp.count === 0);
    if (empty.length > 0) {
      const names = empty.map((sp) => sp.name).join(', ');
      return { ok: false, errors: [unrollError('E422', `task ${task.value.name} makes no examples for its ${names} split with these params: widen its lengths or lower train_size`, { path: '$.task.params' })] };
    }
    const config: TrainConfig = { ...TRAINING_DEFAULTS, ...setup.doc.training, ...definedOnly(setup.overrides ?? {}) };
    // The whole run's memory, estimated from the graph and lengths before anything is allocated.
    const memory = estimateRun(analysis, task.value, binding.value, config, setup);
    if (!memory.ok) return memory;
    const tooBig = overBudget(memory.value, setup.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
    if (tooBig !== undefined) return { ok: false, errors: [tooBig] };
    const trainer = new Trainer(analysis, task.value, binding.value, config, setup, memory.value);
    try {
      // Compile the training pass and every evaluation pass now: a length that cannot be unrolled
      // or a batch over the memory budget is refused before the first step, not after the last.
      trainer.predIndex = trainer.findPrediction();
      for (const sp of task.value.evalSplits) trainer.passFor(sp.lengths[1], sp.lengths, evalBatchOf(trainer.evalBatch, sp.count), false);
    } catch (e) {
      if (e instanceof TrainerError) return { ok: false, errors: e.errors };
      throw e;
    }
    return { ok: true, value: trainer };
  }

  private findPrediction(): number {
    const lowered = this.trainPass().plan.lowered;
    const i = lowered.predictions.findIndex((p) => p.target === this.targetNode);
    return i >= 0 ? i : 0;
  }

  /** The task's time axis is padded when its examples vary in length. */
  private masked(lengths: readonly [number, number]): ReadonlySet<string> {
    return this.binding.axis !== undefined && lengths[0] !== lengths[1] ? new Set([this.binding.axis]) : new Set();
  }

  private passFor(maxLength: number, lengths: readonly [number, number], batch: number, backward: boolean): Pass {
    const axisLengths: Record<string, number> = this.binding.axis !== undefined ? { [this.binding.axis]: maxLength } : {};
    const r = this.model.pass({ lengths: axisLengths, batch, backward, masked: this.masked(lengths) });
    if (!r.ok) throw new TrainerError(r.errors);
    return r.value;
  }

  private trainPass(): Pass {
    return this.passFor(this.task.trainLengths[1], this.task.trainLengths, this.config.batch, true);
  }

  /** A task batch as the pass's feed: each stream to the node it is bound to. */
  private feedData(batch: Batch): FeedData {
    const sources = new Map<string, SourceData>();
    for (const { stream, node } of this.binding.streams) {
      const values = batch.data[stream.name];
      if (values === undefined) throw new Error(`task ${this.task.name} gave no data for stream ${stream.name}`);
      sources.set(node, { values, length: stream.sequence ? batch.length : 0 });
    }
    const lengths = new Map<string, ArrayLike<number>>();
    if (this.binding.axis !== undefined) lengths.set(this.binding.axis, batch.lengths);
    return { size: batch.size, sources, lengths };
  }

  /**
   * One optimiser step. With `diagnostics`, the report carries the state-gradient curves and gate
   * saturation. A step that goes non-finite (loss, gradients, or the updated weights) throws a
   * TrainerError (E442) naming where, and leaves the trainer exactly as after the last good step.
   * A step interrupted by an exception (the worker's pause) is likewise undone: the next step
   * draws the same batch.
   */
  step(diagnostics = false): StepReport {
    const pass = this.trainPass();
    const marks = { data: this.dataRng.getState(), state: this.stateRng.getState() };
    const rewind = (): void => {
      this.dataRng.setState(marks.data);
      this.stateRng.setState(marks.state);
    };
    let batch: Batch;
    let loss: number;
    try {
      batch = this.task.trainBatch(this.dataRng, this.config.batch);
      pass.feed(this.feedData(batch), this.stateRng);
      loss = pass.forward(batch.size);
      pass.backward(diagnostics);
    } catch (e) {
      rewind();
      throw e;
    }
    const metric = this.score(pass, batch);
    const { norm, scale } = clipByGlobalNorm(this.gradArrays, this.config.clip);
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      rewind();
      const what = Number.isFinite(loss) ? `the gradient norm is ${norm}` : `the loss is ${loss}`;
      throw this.diverged(what, this.locate(batch, marks.state));
    }
    this.params.forEach((p, i) => {
      progress();
      this.lastGood[i]!.set(p);
    });
    this.optimizer.keep();
    this.optimizer.step(this.params, this.gradArrays);
    const bad = this.keys.findIndex((_, i) => !allFinite(this.params[i]!));
    if (bad >= 0) {
      this.params.forEach((p, i) => p.set(this.lastGood[i]!));
      this.optimizer.undo();
      rewind();
      throw this.diverged(`the update made weight ${this.keys[bad]} non-finite (gradient norm ${norm})`, undefined);
    }
    this.steps++;
    const report: StepReport = { step: this.steps, loss, metric, gradNorm: norm, clipped: scale !== 1 };
    return diagnostics ? { ...report, states: pass.stateNorms(), gates: pass.gateSaturation() } : report;
  }

  private diverged(what: string, site: NonFiniteSite | string | undefined): TrainerError {
    const where = typeof site === 'string' ? `; ${site}` : site !== undefined ? `; ${describeSite(site)}` : '';
    const kept = this.steps > 0 ? `the weights of step ${this.steps}, the last good one` : 'the initial weights';
    const node = typeof site === 'object' ? site.node : undefined;
    return new TrainerError([
      unrollError(
        'E442',
        `training step ${this.steps + 1}: ${what}${where}. Training stopped and kept ${kept}: lower the learning rate (now ${this.config.lr}) or clip gradients (training.clip)`,
        node !== undefined ? { nodes: [node] } : {},
      ),
    ]);
  }

  /**
   * Rerun a diverged batch on a pass that keeps every value and gradient, to say where the first
   * non-finite number appeared. The weights are unchanged since the step, so the rerun is the same.
   */
  private locate(batch: Batch, stateMark: readonly number[]): NonFiniteSite | string | undefined {
    const lengths = this.task.trainLengths;
    const axisLengths: Record<string, number> = this.binding.axis !== undefined ? { [this.binding.axis]: lengths[1] } : {};
    const spec = { lengths: axisLengths, batch: this.config.batch, backward: true, masked: this.masked(lengths), keepOutputs: true, keepGrads: true };
    const made = this.model.pass(spec);
    if (!made.ok) return 'where it first appeared is not shown: the pass that would keep every value is over the memory budget';
    try {
      const pass = made.value;
      pass.feed(this.feedData(batch), Rng.fromState(stateMark));
      pass.forward(batch.size);
      const forward = firstNonFiniteValue(pass);
      if (forward !== undefined) return forward;
      pass.backward(false);
      return firstNonFiniteGradient(pass, this.model.grads);
    } finally {
      this.model.release(spec);
    }
  }

  /** Names of the optimiser's per-weight buffers, as a checkpoint stores them. */
  get optimizerSlots(): readonly string[] {
    return this.optimizer.slotNames;
  }

  /** A copy of everything the rest of the run depends on (see `TrainerState`). */
  getState(): TrainerState {
    return {
      step: this.steps,
      dataRng: this.dataRng.getState(),
      stateRng: this.stateRng.getState(),
      optimizer: this.optimizer.getState(),
      weights: new Map(
        this.keys.map((k, i) => {
          progress();
          return [k, this.params[i]!.slice()];
        }),
      ),
    };
  }

  /**
   * Continue from `state` (copied in). Throws a RangeError, changing nothing, when it does not fit
   * this trainer's weights or optimiser.
   */
  setState(state: TrainerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`setState: bad step ${state.step}`);
    for (const k of this.keys) {
      const w = state.weights.get(k);
      if (w === undefined || w.length !== this.model.weights.get(k)!.length) throw new RangeError(`setState: weight ${k} is missing or of the wrong size`);
    }
    Rng.fromState(state.dataRng);
    Rng.fromState(state.stateRng);
    // Checks every slot before writing any, so a refused state changes nothing.
    this.optimizer.setState(state.optimizer);
    this.keys.forEach((k, i) => {
      progress();
      this.params[i]!.set(state.weights.get(k)!);
    });
    this.dataRng.setState(state.dataRng);
    this.stateRng.setState(state.stateRng);
    this.steps = state.step;
  }

  /** Loss and diagnostics at the current weights on one training batch, without updating (e.g. at initialisation). */
  probe(): StepReport {
    const pass = this.trainPass();
    const batch = this.task.trainBatch(this.stateRng.fork(`probe${this.steps}`), this.config.batch);
    pass.feed(this.feedData(batch), this.stateRng);
    const loss = pass.forward(batch.size);
    pass.backward(true);
    const norm = globalNorm(this.gradArrays);
    return { step: this.steps, loss, metric: this.score(pass, batch), gradNorm: norm, clipped: false, states: pass.stateNorms(), gates: pass.gateSaturation() };
  }

  private score(pass: Pass, batch: Batch): number {
    const pred = pass.prediction(this.predIndex, batch.size, batch.length);
    const s = this.task.metric.score(batch, pred);
    return s.count > 0 ? s.total / s.count : NaN;
  }

  /** Loss and metric over a whole evaluation split. */
  evaluate(split: string): EvalReport {
    const info = this.task.evalSplits.find((s) => s.name === split);
    if (info === undefined) throw new Error(`task ${this.task.name} has no split ${split}`);
    const size = evalBatchOf(this.evalBatch, info.count);
    const pass = this.passFor(info.lengths[1], info.lengths, size, false);
    let loss = 0;
    let total = 0;
    let count = 0;
    let examples = 0;
    const byLength = new ByLength();
    for (let i = 0; ; i++) {
      const batch = this.task.evalBatch(split, i, size);
      if (batch === undefined) break;
      pass.feed(this.feedData(batch), this.stateRng.fork('eval'));
      loss += pass.forward(batch.size) * batch.size;
      examples += batch.size;
      const s = this.task.metric.score(batch, pass.prediction(this.predIndex, batch.size, batch.length));
      total += s.total;
      count += s.count;
      byLength.add(s);
    }
    const rows = byLength.rows();
    const report = { split, loss: examples > 0 ? loss / examples : NaN, metric: count > 0 ? total / count : NaN, count: examples };
    return rows === undefined ? report : { ...report, byLength: rows };
  }
}

/** Errors met while training (a diverged run), carried as catalogue errors. */
export class TrainerError extends Error {
  constructor(readonly errors: readonly UnrollError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'TrainerError';
  }
}

/** An evaluation batch no larger than its split. */
const evalBatchOf = (batch: number, count: number): number => Math.max(1, Math.min(batch, count));

function allFinite(a: FloatArray): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((i & 0xfffff) === 0) progress();
    if (!Number.isFinite(a[i]!)) return false;
  }
  return true;
}

const OPTIMIZER_SLOTS: Readonly<Record<TrainConfig['optimizer'], number>> = { sgd: 0, momentum: 1, adam: 2 };

/**
 * The run's memory before anything is allocated: weights, gradients, optimiser slots (and the
 * copies kept to undo a non-finite update), and every pass the run compiles — the training pass at
 * the longest training length, one evaluation pass per split.
 */
function estimateRun(analysis: GraphAnalysis, task: Task, binding: TaskBinding, config: TrainConfig, setup: TrainerSetup): Result<MemoryEstimate> {
  const bytes = setup.dtype === 'float64' ? 8 : 4;
  let params = 0;
  for (const ws of analysis.weights.values()) for (const w of ws) params += w.shape.reduce((a, b) => a * b, 1);
  const lengthsAt = (n: number): Record<string, number> => (binding.axis !== undefined ? { [binding.axis]: n } : {});
  const wanted: Omit<PassEstimate, 'bytes'>[] = [
    { name: 'train', batch: config.batch, lengths: lengthsAt(task.trainLengths[1]) },
    ...task.evalSplits.map((sp) => ({ name: `eval ${sp.name}`, batch: evalBatchOf(setup.evalBatch ?? 256, sp.count), lengths: lengthsAt(sp.lengths[1]) })),
  ];
  const weights = params * bytes;
  const passes: PassEstimate[] = [];
  for (const p of wanted) {
    const backward = p.name === 'train';
    const b = estimatePassBytes(analysis, p.lengths, p.batch, backward, bytes);
    if (!b.ok) return b;
    // The fast kernels mirror the weights (and a transposed copy), and for training the gradients, in each pass's memory.
    const mirrors = bytes === 4 ? weights * (backward ? 3 : 2) : 0;
    passes.push({ ...p, bytes: b.value + mirrors });
  }
  const optimizer = weights * (2 * OPTIMIZER_SLOTS[config.optimizer] + 1);
  const total = 2 * weights + optimizer + passes.reduce((a, p) => a + p.bytes, 0);
  return { ok: true, value: { weights, gradients: weights, optimizer, passes, total } };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Decoder inputs fed their own predictions need generation, which a later version brings. */
function decoderInputs(a: GraphAnalysis): UnrollError[] {
  return a.doc.nodes.flatMap((n, i) => {
    const p = a.params.get(n.id) ?? {};
    if (n.type !== 'input' || (p.feedback === undefined && p.teacher === undefined)) return [];
    return [
      unrollError('E441', `input ${n.id} is a decoder input (feedback/teacher): training seq2seq models with teacher forcing is not built yet`, {
        path: `$.nodes[${i}]`,
        nodes: [n.id],
      }),
    ];
  });
}
