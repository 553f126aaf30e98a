/**
 * The training worker's API, as the page (or the CLI) sees it through comlink. Every call that can
 * fail for a reason a user should read returns a `Reply` of catalogue errors instead of throwing,
 * because errors thrown across a worker boundary lose everything but their message.
 */
import type { UnrollError } from '../errors/catalogue.ts';
import type { GraphDoc, TrainingSpec } from '../graph/types.ts';
import type { CellLowering } from '../compile/types.ts';
import type { TrainConfig, EvalReport, StepReport } from '../train/trainer.ts';
import type { GateSaturation } from '../train/pass.ts';
import type { MemoryEstimate } from '../train/memory-estimate.ts';
import type { DataSource, DatasetSummary } from '../data/dataset.ts';
import type { InspectReport, PredictionPage } from '../train/inspect.ts';

/** A result or the catalogue errors that explain why not. */
export type Reply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly UnrollError[] };

/** What `load` trains. */
export interface LoadOptions {
  readonly doc: GraphDoc;
  /** Train on this task instead of the graph's (`--task`). */
  readonly task?: string;
  /** Settings that win over the graph's `training` section (`--steps`, `--seed`). */
  readonly overrides?: Partial<TrainingSpec>;
  /** Bytes the run may hold (default 1 GiB): an estimate over it is refused before allocating. */
  readonly memoryBudget?: number;
  readonly evalBatch?: number;
  readonly cells?: CellLowering;
  /**
   * Evaluate during `start` every `config.evalEvery` steps on the first evaluation split (default
   * true); the reports arrive in the metrics stream.
   */
  readonly evalDuringRun?: boolean;
  /**
   * Also run with diagnostics (and report them) step 1, every `reportEvery`-th step and the last
   * (the CLI's report steps). Besides these, the first step of each metrics window always has them.
   */
  readonly reportEvery?: number;
  /**
   * Train on a file of the user's (task `dataset`): its bytes, name, reader params and column
   * mapping. The worker reads it with the same readers as the CLI; a bad file fails the load.
   */
  readonly data?: DataSource;
  /**
   * Where to train: `cpu`; `webgpu` (any adapter, a software one included, else the CPU with a
   * notice); `auto` (default: a hardware GPU when there is one, else the CPU).
   */
  readonly backend?: BackendChoice;
}

/** The backend a person asks for. */
export type BackendChoice = 'auto' | 'cpu' | 'webgpu';

/** The backend a run is on, and why when it is not the one asked for. */
export interface BackendInfo {
  readonly name: 'cpu' | 'webgpu';
  /** The GPU adapter, named (`nvidia ampere (NVIDIA A100)`), on WebGPU. */
  readonly adapter?: string;
  /** Why the run is on the CPU although WebGPU was asked for or once used (no adapter, a lost device, a refused kernel). */
  readonly notice?: string;
}

/** A loaded run, described. */
export interface LoadInfo {
  readonly name: string;
  readonly task: {
    readonly name: string;
    /** The task's metric (accuracy, mse, …) and whether higher is better. */
    readonly metric: string;
    readonly higherIsBetter: boolean;
    readonly splits: readonly { readonly name: string; readonly lengths: readonly [number, number]; readonly count: number }[];
    readonly baseline?: { readonly value: number; readonly doc: string };
  };
  readonly parameters: number;
  readonly config: TrainConfig;
  readonly memory: MemoryEstimate;
  /** What the data file gave (columns, mapping, sequences, classes, normalisation), when training on one. */
  readonly data?: DatasetSummary;
  readonly backend: BackendInfo;
}

/** Where a run stands. `halted`: stopped by a non-finite step; the weights are the last good ones. */
export type RunState = 'empty' | 'idle' | 'running' | 'paused' | 'halted';

export interface Status {
  readonly state: RunState;
  /** Optimiser steps taken. */
  readonly step: number;
  /** Steps the run trains for (`config.steps`); 0 before `load`. */
  readonly steps: number;
  /** Where the steps run now (a lost GPU moves a run to the CPU mid-way). */
  readonly backend: BackendInfo;
}

/** How `start` ended: all steps done, or `stop`. */
export interface RunEnd {
  readonly reason: 'done' | 'stopped';
  readonly step: number;
}

/** ‖∂L/∂z_t‖ of one recurrent state, t = 0 … T−1. */
export interface StateCurve {
  readonly delay: string;
  readonly source: string;
  readonly loop: string;
  readonly norms: Float64Array;
}

/** One step's diagnostics. */
export interface StepDiagnostics {
  readonly step: number;
  readonly states: readonly StateCurve[];
  readonly gates: readonly GateSaturation[];
}

/**
 * Every step since the last batch, in parallel arrays (moved, not copied, to the receiver), plus
 * the diagnostics of one step of the window and any evaluations run in it. At most 10 a second.
 */
export interface MetricsBatch {
  /** 1-based step numbers. */
  readonly steps: Float64Array;
  readonly loss: Float64Array;
  /** The task's metric on each training batch. */
  readonly metric: Float64Array;
  /** Global gradient norm before clipping. */
  readonly gradNorm: Float64Array;
  /** 1 where the step's gradient was clipped. */
  readonly clipped: Uint8Array;
  /** The steps of this window run with diagnostics: state-gradient curves and gate saturation. */
  readonly diagnostics: readonly StepDiagnostics[];
  readonly evals: readonly (EvalReport & { readonly step: number })[];
  /** Steps per second over the run so far (wall time of training, pauses excluded). */
  readonly stepsPerSecond: number;
  readonly elapsedSeconds: number;
  readonly status: Status;
  /** When the worker sent the batch (ms on the worker's clock): batches are ≥ 100 ms apart. */
  readonly sentAt: number;
}

/** Called with each metrics batch. Its result is not awaited: a slow receiver never slows training. */
export type MetricsListener = (batch: MetricsBatch) => void;

/** The worker's side. Every method may be called at any time; those that do not fit the state reply E447. */
export interface TrainerApi {
  /**
   * Start the heartbeat (a message on `beats` at least every 100 ms while the worker lives, even
   * in the middle of a step) and share `control` (an Int32Array over a SharedArrayBuffer, when
   * the page can have one) through which pause and stop reach a running step at once.
   */
  connect(beats: MessagePort, control?: Int32Array<ArrayBufferLike>): void;
  /** Validate, estimate memory, allocate and initialise. Replaces any loaded run. */
  load(options: LoadOptions): Promise<Reply<LoadInfo>>;
  /** Train until `config.steps` or `stop`; resolves when the run ends, or with E442 when it diverges. */
  start(listener?: MetricsListener): Promise<Reply<RunEnd>>;
  pause(): Status;
  resume(): Status;
  /** Ends a running (or paused) run at the current step; the weights stay. */
  stop(): Status;
  /** One optimiser step, when no run is going (or it is paused). */
  step(): Promise<Reply<StepReport>>;
  /** The split's evaluation and the step of the weights it evaluated (a run may have gone on since it was asked). */
  evaluate(split: string): Promise<Reply<EvalReport & { readonly step: number }>>;
  /**
   * Example `index` of an evaluation split run as evaluation runs it, with every attention and
   * memory node's weights (`Trainer.inspect`). Answered between steps while a run is going too.
   */
  inspect(split: string, index: number): Promise<Reply<InspectReport>>;
  /** Rows `[offset, offset + count)` of a split for a predictions table, count ≤ 1000 (`Trainer.predictions`). */
  predictions(split: string, count: number, offset: number): Promise<Reply<PredictionPage>>;
  /** The weights as a safetensors file. */
  getWeights(): Promise<Reply<Uint8Array>>;
  setWeights(bytes: Uint8Array): Promise<Reply<number>>;
  /** Weights, optimiser state, step and random states, as one safetensors file. */
  checkpoint(): Promise<Reply<Uint8Array>>;
  restore(bytes: Uint8Array): Promise<Reply<Status>>;
  status(): Status;
  /**
   * Tests only: destroy the GPU device under a WebGPU run, as a lost device would go. The run moves
   * to the CPU at its next step. Replies false when the run is not on WebGPU.
   */
  destroyGpuDevice(): Reply<boolean>;
}

/** Control words in `TrainerApi.connect`'s shared array, slot 0. */
export const CONTROL = { run: 0, pause: 1, stop: 2 } as const;
