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
import type { CellLowering } from '../compile/types.ts';
import type { DType } from '../cpu/program.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import { Model } from './model.ts';
import type { FeedData, GateSaturation, Pass, SourceData, StateNorms } from './pass.ts';
import { Rng } from './prng.ts';
import { clipByGlobalNorm, defaultOptimizerSpec, globalNorm, Optimizer } from './optimizers.ts';

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

  private constructor(
    readonly analysis: GraphAnalysis,
    readonly task: Task,
    readonly binding: TaskBinding,
    config: TrainConfig,
    setup: TrainerSetup,
  ) {
    this.config = config;
    this.model = new Model(analysis, { dtype: setup.dtype ?? 'float32', cells: setup.cells ?? 'fused', truncate: config.truncate });
    const root = new Rng(config.seed);
    this.model.initialise(root.fork('init'));
    this.dataRng = root.fork('data');
    this.stateRng = root.fork('state');
    this.keys = this.model.weightSpecs.map((w) => w.key);
    this.params = this.keys.map((k) => this.model.weights.get(k)!);
    this.gradArrays = this.keys.map((k) => this.model.grads.get(k)!);
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
    const trainer = new Trainer(analysis, task.value, binding.value, config, setup);
    try {
      // Compile the training pass and every evaluation pass now: a length that cannot be unrolled
      // or a batch over the memory budget is refused before the first step, not after the last.
      trainer.predIndex = trainer.findPrediction();
      for (const sp of task.value.evalSplits) trainer.passFor(sp.lengths[1], sp.lengths, trainer.evalBatch, false);
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

  /** One optimiser step. With `diagnostics`, the report carries the state-gradient curves and gate saturation. */
  step(diagnostics = false): StepReport {
    const pass = this.trainPass();
    const batch = this.task.trainBatch(this.dataRng, this.config.batch);
    pass.feed(this.feedData(batch), this.stateRng);
    const loss = pass.forward(batch.size);
    pass.backward(diagnostics);
    const metric = this.score(pass, batch);
    const { norm, scale } = clipByGlobalNorm(this.gradArrays, this.config.clip);
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      throw new TrainerError([unrollError('E442', `training step ${this.steps + 1}: the ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} is ${Number.isFinite(loss) ? norm : loss}; lower the learning rate (now ${this.config.lr}) or clip gradients (training.clip)`)]);
    }
    this.optimizer.step(this.params, this.gradArrays);
    this.steps++;
    const report: StepReport = { step: this.steps, loss, metric, gradNorm: norm, clipped: scale !== 1 };
    return diagnostics ? { ...report, states: pass.stateNorms(), gates: pass.gateSaturation() } : report;
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
    const pass = this.passFor(info.lengths[1], info.lengths, this.evalBatch, false);
    let loss = 0;
    let total = 0;
    let count = 0;
    let examples = 0;
    for (let i = 0; ; i++) {
      const batch = this.task.evalBatch(split, i, this.evalBatch);
      if (batch === undefined) break;
      pass.feed(this.feedData(batch), this.stateRng.fork('eval'));
      loss += pass.forward(batch.size) * batch.size;
      examples += batch.size;
      const s = this.task.metric.score(batch, pass.prediction(this.predIndex, batch.size, batch.length));
      total += s.total;
      count += s.count;
    }
    return { split, loss: examples > 0 ? loss / examples : NaN, metric: count > 0 ? total / count : NaN, count: examples };
  }
}

/** Errors met while training (a diverged run), carried as catalogue errors. */
export class TrainerError extends Error {
  constructor(readonly errors: readonly UnrollError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'TrainerError';
  }
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
