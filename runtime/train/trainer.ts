/**
 * Training a graph on its task: batches from the task's seeded generator, forward and backward
 * over the compiled plan, clipping by global norm, an optimiser step; evaluation on the task's
 * fixed splits; diagnostics (state-gradient curves, gate saturation) on request. One seed gives
 * one bit-identical run: every random draw comes from streams forked off it.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { splitEndpoint, type GraphDoc, type TaskSpec, type TrainingSpec } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { createTask } from '../tasks/registry.ts';
import { bindTask, type TaskBinding } from '../tasks/bind.ts';
import type { Batch, EvalSplit, Task } from '../tasks/types.ts';
import { ByLength, type LengthRow } from '../tasks/by-length.ts';
import type { CellLowering } from '../compile/types.ts';
import type { DType } from '../cpu/program.ts';
import type { FloatArray } from '../cpu/kernels/index.ts';
import { Model, type PassSpec } from './model.ts';
import type { FeedData, GateSaturation, Pass, SourceData, StateNorms } from './pass.ts';
import { Rng } from './prng.ts';
import { clipByGlobalNorm, defaultOptimizerSpec, globalNorm, Optimizer, type OptimizerState } from './optimizers.ts';
import { DEFAULT_MEMORY_BUDGET, estimatePassBytes, overBudget, type MemoryEstimate, type PassEstimate } from './memory-estimate.ts';
import { describeSite, firstNonFiniteGradient, firstNonFiniteValue, type NonFiniteSite } from './divergence.ts';
import { progress } from '../progress.ts';
import { LinearStart } from './linear-start.ts';
import { lrFactor, lrSchedule, type LrSchedule } from './lr-schedule.ts';
import { createDatasetTask, DATASET_TASK, describeDataStream, describeDataStreams, type DataSource, type DatasetSummary } from '../data/dataset.ts';
import { inspectExample, predictionRows, type InspectContext, type InspectReport, type PredictionPage } from './inspect.ts';
import { TRAINING_DEFAULTS, type TrainConfig } from './training-defaults.ts';
import { TrainerGpu } from './gpu-training.ts';
import { GpuFault } from '../webgpu/faults.ts';
import type { GpuContext } from '../webgpu/context.ts';

/** Every training setting with defaults filled in, and the defaults: in training-defaults.ts, which the editor's page imports without the trainer. */
export { TRAINING_DEFAULTS, type TrainConfig };

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
  /**
   * Train on a file of the user's (the `dataset` task) instead of the graph's task; the graph's
   * task params apply when its task is `dataset`, the source's own params win over them.
   */
  readonly data?: DataSource;
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
  /** `training.linearStart`: the first steps run on the graph with linear memory reads. */
  private readonly linearStart: LinearStart | undefined;
  /** `training.lrDecay*`: the learning rate falls linearly over a window of steps; undefined: constant. */
  private readonly schedule: LrSchedule | undefined;
  /** Inputs fed back from a decoder's predictions (seq2seq), set by `create`. */
  private decoders: readonly DecoderInput[] = [];
  /** What the data file gave, when the run trains on one (`TrainerSetup.data`). */
  data: DatasetSummary | undefined;
  /** The WebGPU side while the run trains on a GPU (`useGpu`); undefined on the CPU. */
  private gpu: TrainerGpu | undefined;
  /** The step at which the host weights and optimiser last equalled the GPU's, and the random states then. */
  private host: { step: number; data: readonly number[]; state: readonly number[] } = { step: 0, data: [], state: [] };

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
    this.linearStart = LinearStart.create(this.model, config.linearStart);
    this.schedule = lrSchedule(config);
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
    const made = taskOf(setup);
    if (!made.ok) return made;
    const task = { ok: true, value: made.value.task } as const;
    const binding = bindTask(task.value, analysis);
    if (!binding.ok) return made.value.data === undefined ? binding : { ok: false, errors: withDataShapes(binding.errors, setup.data!.name, made.value.data, (node) => dataStreamOf(analysis, task.value, node)) };
    const decoders = decoderInputs(analysis, task.value, binding.value);
    if (!decoders.ok) return decoders;
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
    trainer.decoders = decoders.value;
    trainer.data = made.value.data;
    try {
      // Compile the training pass and every evaluation pass now: a length that cannot be unrolled
      // or a batch over the memory budget is refused before the first step, not after the last.
      trainer.predIndex = trainer.findPrediction();
      for (const sp of task.value.evalSplits) trainer.evalPass(sp);
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

  private passFor(spec: PassSpec): Pass {
    const r = (this.linearStart?.modelAt(this.steps) ?? this.model).pass(spec);
    if (!r.ok) throw new TrainerError(r.errors);
    return r.value;
  }

  /** The training pass's spec: the longest training lengths, teacher forcing. */
  private trainSpec(): PassSpec {
    return { ...passAxes(this.binding, this.task.trainLengths, this.task.trainAxisLengths), batch: this.config.batch, backward: true };
  }

  private trainPass(): Pass {
    return this.passFor(this.trainSpec());
  }

  /** The evaluation pass of a split: its longest lengths; decoders generate from their own predictions. */
  private evalSpec(sp: EvalSplit): PassSpec {
    return {
      ...passAxes(this.binding, sp.lengths, sp.axisLengths),
      batch: evalBatchOf(this.evalBatch, sp.count),
      backward: false,
      generate: this.decoders.length > 0,
    };
  }

  private evalPass(sp: EvalSplit): Pass {
    return this.passFor(this.evalSpec(sp));
  }

  /** Padded length of the stream the metric scores (the target's own axis for a decoder). */
  private targetLength(batch: Batch): number {
    const axis = this.binding.streams.find((s) => s.node === this.targetNode)?.stream.axis;
    return axis !== undefined ? (batch.axes?.[axis]?.length ?? batch.length) : batch.length;
  }

  /** A task batch as the pass's feed: each stream to the node it is bound to. */
  private feedData(batch: Batch): FeedData {
    const sources = new Map<string, SourceData>();
    for (const { stream, node } of this.binding.streams) {
      const values = batch.data[stream.name];
      if (values === undefined) throw new Error(`task ${this.task.name} gave no data for stream ${stream.name}`);
      const length = !stream.sequence ? 0 : stream.axis !== undefined ? batch.axes![stream.axis]!.length : batch.length;
      sources.set(node, { values, length });
    }
    const lengths = new Map<string, ArrayLike<number>>();
    if (this.binding.axis !== undefined) lengths.set(this.binding.axis, batch.lengths);
    for (const [taskAxis, graphAxis] of Object.entries(this.binding.axes)) {
      const a = batch.axes?.[taskAxis];
      if (a !== undefined) lengths.set(graphAxis, a.lengths);
    }
    // Decoder inputs: the target shifted right by one step, the start token first (teacher forcing;
    // when generating only step 0 is read).
    for (const d of this.decoders) {
      const T = sources.get(d.target)!.length;
      sources.set(d.node, { values: shiftRight(batch.data[d.stream]!, batch.size, T, d.start), length: T });
    }
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
    if (this.gpu !== undefined) throw new Error('step: the run is on the GPU; use stepAsync');
    const pass = this.trainPass();
    const { marks, rewind } = this.markRandomStates();
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
      throw this.diverged(nonFinite(loss, norm), this.locate(batch, marks.state));
    }
    this.params.forEach((p, i) => {
      progress();
      this.lastGood[i]!.set(p);
    });
    this.optimizer.keep();
    this.optimizer.step(this.params, this.gradArrays, this.lrAt(this.steps + 1));
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

  /** Where the steps run: `webgpu` after `useGpu` succeeded (until the device is lost), else `cpu`. */
  get backend(): 'cpu' | 'webgpu' {
    return this.gpu !== undefined ? 'webgpu' : 'cpu';
  }

  /**
   * Train on a GPU from now on: the weights and optimiser state move to it, and the training pass
   * and every evaluation pass get GPU twins now, so a pass over the adapter's limits is refused
   * (E449) before the first step. On an error nothing changes and the run stays on the CPU.
   */
  async useGpu(context: GpuContext): Promise<Result<void>> {
    if (this.gpu !== undefined) return { ok: true, value: undefined };
    const made = await TrainerGpu.create(context, this.model, this.optimizer.spec, this.optimizer.getState());
    if (!made.ok) return made;
    for (const pass of [this.trainPass(), ...this.task.evalSplits.map((sp) => this.evalPass(sp))]) {
      const twin = await made.value.twin(pass);
      if (!twin.ok) {
        made.value.destroy();
        return twin;
      }
    }
    this.gpu = made.value;
    this.markHost();
    return { ok: true, value: undefined };
  }

  /**
   * Leave the GPU (its device was lost or failed) and go on on the CPU from the last host copy of
   * the weights: normally the last step's; for a large state, the last snapshot's, in which case
   * the step count and random streams go back there too. Returns the step the CPU resumes from.
   */
  leaveGpu(): number {
    const gpu = this.gpu;
    if (gpu === undefined) return this.steps;
    this.gpu = undefined;
    try {
      gpu.destroy();
    } catch {
      // A lost device may refuse to destroy its buffers; they are gone anyway.
    }
    if (this.host.step !== this.steps) {
      this.steps = this.host.step;
      this.dataRng.setState(this.host.data);
      this.stateRng.setState(this.host.state);
    }
    return this.steps;
  }

  /** The host weights and optimiser now equal the GPU's (copied back when they were behind). */
  async syncHost(): Promise<void> {
    if (this.gpu === undefined || this.host.step === this.steps) return;
    this.optimizer.setState(await this.gpu.download());
    this.markSynced();
  }

  /** After the host weights or optimiser changed (loaded weights, a restored state): the GPU gets them. */
  markHost(): void {
    this.gpu?.upload(this.optimizer.getState());
    this.markSynced();
  }

  /** Host reads on a GPU run need the host copy current: a stale copy would be a silently wrong answer. */
  private requireHost(what: string): void {
    if (this.gpu !== undefined && this.host.step !== this.steps) throw new Error(`${what}: the host weights are behind the GPU's; await syncHost() first`);
  }

  private markSynced(): void {
    this.host = { step: this.steps, data: this.dataRng.getState(), state: this.stateRng.getState() };
  }

  /**
   * One optimiser step on whichever backend the run is on (see `step` for the contract). On the GPU
   * a fault (a lost device, an error the driver reports) is thrown as a GpuFault with the step
   * undone, so the caller can `leaveGpu` and take the same step on the CPU.
   */
  async stepAsync(diagnostics = false): Promise<StepReport> {
    const gpu = this.gpu;
    if (gpu === undefined) return this.step(diagnostics);
    // Linear start changes every pass once: the old twins' GPU memory is freed.
    if (this.linearStart !== undefined) gpu.retain([this.trainPass(), ...this.task.evalSplits.map((sp) => this.evalPass(sp))]);
    const twin = await gpu.twin(this.trainPass());
    if (!twin.ok) throw new GpuFault('error', twin.errors.map((e) => e.message).join('; '));
    const pass = twin.value;
    const { marks, rewind } = this.markRandomStates();
    let batch: Batch;
    let r;
    try {
      batch = this.task.trainBatch(this.dataRng, this.config.batch);
      pass.feed(this.feedData(batch), this.stateRng);
      r = await gpu.step(pass, batch.size, this.lrAt(this.steps + 1), this.config.clip, diagnostics);
    } catch (e) {
      rewind();
      throw e;
    }
    const loss = r.objective;
    const metric = this.score(pass, batch);
    if (!Number.isFinite(loss) || !Number.isFinite(r.norm)) {
      rewind();
      await this.syncHost();
      throw this.diverged(nonFinite(loss, r.norm), this.locate(batch, marks.state));
    }
    if (r.badWeight !== undefined) {
      rewind();
      throw this.diverged(`the update made weight ${r.badWeight} non-finite (gradient norm ${r.norm})`, undefined);
    }
    this.steps++;
    if (this.steps % gpu.snapshotEvery === 0) await this.syncHost();
    const report: StepReport = { step: this.steps, loss, metric, gradNorm: r.norm, clipped: r.clipped };
    return diagnostics ? { ...report, states: pass.stateNorms(), gates: pass.gateSaturation() } : report;
  }

  /** `evaluate` on whichever backend the run is on. */
  async evaluateAsync(split: string): Promise<EvalReport> {
    const gpu = this.gpu;
    if (gpu === undefined) return this.evaluate(split);
    const info = this.evalSplit(split);
    const twin = await gpu.twin(this.evalPass(info));
    if (!twin.ok) throw new GpuFault('error', twin.errors.map((e) => e.message).join('; '));
    const pass = twin.value;
    const tally = new EvalTally(split);
    const size = evalBatchOf(this.evalBatch, info.count);
    for (let i = 0; ; i++) {
      const batch = this.task.evalBatch(split, i, size);
      if (batch === undefined) break;
      pass.feed(this.feedData(batch), this.stateRng.fork('eval'));
      tally.add(batch, await gpu.forward(pass, batch.size), this.task.metric.score(batch, pass.prediction(this.predIndex, batch.size, this.targetLength(batch))));
    }
    return tally.report();
  }

  /** The random streams' states now, and a way back to them (a step that is not taken draws nothing). */
  private markRandomStates(): { marks: { data: readonly number[]; state: readonly number[] }; rewind: () => void } {
    const marks = { data: this.dataRng.getState(), state: this.stateRng.getState() };
    const rewind = (): void => {
      this.dataRng.setState(marks.data);
      this.stateRng.setState(marks.state);
    };
    return { marks, rewind };
  }

  /**
   * The learning rate of 1-based step `step`: `config.lr`, decayed by the schedule (lr-schedule.ts).
   * A function of the step count alone, which a checkpoint keeps, so a restored run resumes it.
   */
  lrAt(step: number): number {
    return this.config.lr * lrFactor(this.schedule, step);
  }

  private diverged(what: string, site: NonFiniteSite | string | undefined): TrainerError {
    const where = typeof site === 'string' ? `; ${site}` : site !== undefined ? `; ${describeSite(site)}` : '';
    const kept = this.steps > 0 ? `the weights of step ${this.steps}, the last good one` : 'the initial weights';
    const node = typeof site === 'object' ? site.node : undefined;
    return new TrainerError([
      unrollError(
        'E442',
        `training step ${this.steps + 1}: ${what}${where}. Training stopped and kept ${kept}: lower the learning rate (now ${this.lrAt(this.steps + 1)}) or clip gradients (training.clip)`,
        node !== undefined ? { nodes: [node] } : {},
      ),
    ]);
  }

  /**
   * Rerun a diverged batch on a pass that keeps every value and gradient, to say where the first
   * non-finite number appeared. The weights are unchanged since the step, so the rerun is the same.
   */
  private locate(batch: Batch, stateMark: readonly number[]): NonFiniteSite | string | undefined {
    const spec: PassSpec = { ...this.trainSpec(), keepOutputs: true, keepGrads: true };
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

  /** A copy of everything the rest of the run depends on (see `TrainerState`). On a GPU, `syncHost` first. */
  getState(): TrainerState {
    this.requireHost('getState');
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
    this.markHost();
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
    const pred = pass.prediction(this.predIndex, batch.size, this.targetLength(batch));
    const s = this.task.metric.score(batch, pred);
    return s.count > 0 ? s.total / s.count : NaN;
  }

  /** Loss and metric over a whole evaluation split (on the CPU; `evaluateAsync` on either backend). */
  evaluate(split: string): EvalReport {
    this.requireHost('evaluate');
    const info = this.evalSplit(split);
    const size = evalBatchOf(this.evalBatch, info.count);
    const pass = this.evalPass(info);
    const tally = new EvalTally(split);
    for (let i = 0; ; i++) {
      const batch = this.task.evalBatch(split, i, size);
      if (batch === undefined) break;
      pass.feed(this.feedData(batch), this.stateRng.fork('eval'));
      tally.add(batch, pass.forward(batch.size), this.task.metric.score(batch, pass.prediction(this.predIndex, batch.size, this.targetLength(batch))));
    }
    return tally.report();
  }

  private evalSplit(split: string): EvalSplit {
    const info = this.task.evalSplits.find((s) => s.name === split);
    if (info === undefined) throw new Error(`task ${this.task.name} has no split ${split}`);
    return info;
  }

  /**
   * Example `index` of an evaluation split as evaluation runs it, with the weights of every
   * attention and memory node (see `inspect.ts`). Changes nothing; throws `InspectRangeError` for
   * an unknown split or index.
   */
  inspect(split: string, index: number): InspectReport {
    this.requireHost('inspect');
    return inspectExample(this.inspectContext(), split, index);
  }

  /** Rows of a predictions table: examples `[offset, offset + count)` of a split, count ≤ 1000. */
  predictions(split: string, count: number, offset = 0): PredictionPage {
    this.requireHost('predictions');
    return predictionRows(this.inspectContext(), split, count, offset);
  }

  private inspectContext(): InspectContext {
    const target = this.binding.streams.find((s) => s.node === this.targetNode)?.stream ?? this.task.streams.find((s) => s.role === 'target')!;
    return {
      task: this.task,
      binding: this.binding,
      analysis: this.analysis,
      steps: this.steps,
      target,
      predIndex: this.predIndex,
      linear: this.linearStart !== undefined && this.steps < this.linearStart.steps,
      // Batch 1 keeping every node copy's output (for attention and memory weights): small, compiled once per split.
      pass: (sp, keep) => (keep ? this.passFor({ ...this.evalSpec(sp), batch: 1, keepOutputs: true }) : this.evalPass(sp)),
      feed: (batch) => this.feedData(batch),
      rng: () => this.stateRng.fork('eval'),
      targetLength: (batch) => this.targetLength(batch),
    };
  }
}

/**
 * The task a setup trains on: the data file's (`setup.data`), else the graph's task or `--task`.
 * A graph whose task is `dataset` needs a file (E488).
 */
function taskOf(setup: TrainerSetup): Result<{ task: Task; data?: DatasetSummary }> {
  if (setup.data !== undefined) {
    const params = setup.doc.task?.name === DATASET_TASK ? setup.doc.task.params : undefined;
    const made = createDatasetTask(setup.data, params);
    return made.ok ? { ok: true, value: { task: made.value.task, data: made.value.summary } } : made;
  }
  const spec = mergeTask(setup.doc, setup.task);
  if (spec === undefined) {
    return { ok: false, errors: [unrollError('E440', 'the graph has no task section: add "task": {"name": "brackets"} (or another task: copy, adding, reverse, babi, charlm, dyck) or pass --task NAME', { path: '$' })] };
  }
  if (spec.name === DATASET_TASK) {
    return {
      ok: false,
      errors: [unrollError('E488', 'the graph trains on a data file of yours (task "dataset"), and none was given: pass --data FILE.csv or FILE.txt, or open the file in the editor', { path: '$.task.name' })],
    };
  }
  const task = createTask(spec, setup.task !== undefined && setup.doc.task?.name !== setup.task ? '--task' : '$.task');
  return task.ok ? { ok: true, value: { task: task.value } } : task;
}

/**
 * Binding errors of a data file's task, each told what the file gives the node at fault (its port
 * named), or every stream when no one node is at fault.
 */
function withDataShapes(errors: readonly UnrollError[], file: string, data: DatasetSummary, binding: (node: string) => string | undefined): UnrollError[] {
  return errors.map((e) => {
    const node = e.nodes?.[0];
    const stream = data.streams.find((s) => s.name === (node !== undefined ? binding(node) : undefined)) ?? (node !== undefined ? data.streams.find((s) => s.name === node) : undefined);
    if (node === undefined || stream === undefined) return { ...e, message: `${e.message} (${file} gives ${describeDataStreams(data)})` };
    return { ...e, message: `${e.message} (port ${node}.out: ${file} gives ${describeDataStream(data, stream)})`, ports: [`${node}.out`] };
  });
}

/**
 * The stream a source node would carry: the task's only stream of the node's role when there is
 * one (as `bindTask` pairs them), else the stream named like the node.
 */
function dataStreamOf(analysis: GraphAnalysis, task: Task, node: string): string | undefined {
  const role = analysis.doc.nodes.find((n) => n.id === node)?.type;
  const streams = task.streams.filter((s) => s.role === role);
  return streams.length === 1 ? streams[0]!.name : streams.find((s) => s.name === node)?.name;
}

/** Loss and metric summed over an evaluation split's batches. */
class EvalTally {
  private loss = 0;
  private total = 0;
  private count = 0;
  private examples = 0;
  private readonly byLength = new ByLength();

  constructor(private readonly split: string) {}

  /** One batch: its objective (mean over its examples) and its metric's score. */
  add(batch: Batch, objective: number, score: ReturnType<Task['metric']['score']>): void {
    this.loss += objective * batch.size;
    this.examples += batch.size;
    this.total += score.total;
    this.count += score.count;
    this.byLength.add(score);
  }

  report(): EvalReport {
    const rows = this.byLength.rows();
    const report = { split: this.split, loss: this.examples > 0 ? this.loss / this.examples : NaN, metric: this.count > 0 ? this.total / this.count : NaN, count: this.examples };
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

/** What went non-finite in a step, for E442: the loss, else the gradient norm. */
const nonFinite = (loss: number, norm: number): string => (Number.isFinite(loss) ? `the gradient norm is ${norm}` : `the loss is ${loss}`);

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
  const wanted: Omit<PassEstimate, 'bytes'>[] = [
    { name: 'train', batch: config.batch, lengths: passAxes(binding, task.trainLengths, task.trainAxisLengths).lengths },
    ...task.evalSplits.map((sp) => ({ name: `eval ${sp.name}`, batch: evalBatchOf(setup.evalBatch ?? 256, sp.count), lengths: passAxes(binding, sp.lengths, sp.axisLengths).lengths })),
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

/** An input with `feedback`: fed the target shifted by one (start token first) in training, its own predictions when generating. */
interface DecoderInput {
  readonly node: string;
  /** The target source whose stream it carries shifted. */
  readonly target: string;
  readonly stream: string;
  readonly start: number;
}

/**
 * Every decoder input and the target it is taught with: its `teacher`, or else the target of the
 * loss its feedback node's prediction goes to. E441 when that target carries no task stream with
 * a start token, or the input is not of tokens.
 */
function decoderInputs(a: GraphAnalysis, task: Task, binding: TaskBinding): Result<DecoderInput[]> {
  const out: DecoderInput[] = [];
  const errors: UnrollError[] = [];
  a.doc.nodes.forEach((n, i) => {
    const p = a.params.get(n.id) ?? {};
    if (n.type !== 'input' || typeof p.feedback !== 'string') return;
    const fail = (why: string): void => void errors.push(unrollError('E441', `decoder input ${n.id}: ${why}`, { path: `$.nodes[${i}]`, nodes: [n.id] }));
    if (a.outputTypes.get(`${n.id}.out`)?.dtype !== 'int') return fail('generation feeds back token ids; a decoder input of vectors cannot be trained yet');
    const loop = a.loops.get(a.nodeLoop.get(p.feedback) ?? '');
    if (loop?.direction === 'reverse') return fail(`its feedback node ${p.feedback} runs in reverse loop ${loop.id}; a decoder reads its own last prediction only in a forward loop`);
    const target = typeof p.teacher === 'string' ? p.teacher : lossTargetOf(a, p.feedback);
    if (target === undefined) return fail(`its feedback node ${p.feedback} feeds no loss, so nothing says which target to shift in; set teacher`);
    const bound = binding.streams.find((s) => s.node === target);
    if (bound === undefined) return fail(`its teacher ${target} carries no stream of task ${task.name}`);
    if (bound.stream.start === undefined) return fail(`stream ${bound.stream.name} of task ${task.name} has no start token to begin the shifted target with`);
    out.push({ node: n.id, target, stream: bound.stream.name, start: bound.stream.start });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** The node feeding the target port of the loss that `node`'s prediction goes to. */
function lossTargetOf(a: GraphAnalysis, node: string): string | undefined {
  const toLoss = a.doc.edges.find((e) => splitEndpoint(e.from)?.node === node && a.doc.nodes.find((x) => x.id === splitEndpoint(e.to)?.node)?.type === 'loss');
  const loss = toLoss !== undefined ? splitEndpoint(toLoss.to)?.node : undefined;
  const target = a.doc.edges.find((e) => e.to === `${loss}.target`);
  return target !== undefined ? splitEndpoint(target.from)?.node : undefined;
}

/** `[B, T]` ids → `[B, T]` with `start` first and every id moved one step later (the last drops off). */
export function shiftRight(values: ArrayLike<number>, size: number, T: number, start: number): Float32Array {
  const out = new Float32Array(size * T);
  for (let b = 0; b < size; b++) {
    if (T > 0) out[b * T] = start;
    for (let t = 1; t < T; t++) out[b * T + t] = values[b * T + t - 1]!;
  }
  return out;
}

/** Lengths of every graph axis a pass unrolls (the longest of each range) and the axes whose examples vary. */
function passAxes(
  binding: TaskBinding,
  main: readonly [number, number],
  secondary: Readonly<Record<string, readonly [number, number]>> | undefined,
): { lengths: Record<string, number>; masked: Set<string> } {
  const lengths: Record<string, number> = {};
  const masked = new Set<string>();
  const add = (axis: string, [lo, hi]: readonly [number, number]): void => {
    lengths[axis] = hi;
    if (lo !== hi) masked.add(axis);
  };
  if (binding.axis !== undefined) add(binding.axis, main);
  for (const [taskAxis, graphAxis] of Object.entries(binding.axes)) {
    const range = secondary?.[taskAxis];
    if (range !== undefined) add(graphAxis, range);
  }
  return { lengths, masked };
}
