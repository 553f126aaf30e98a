/**
 * A trainer's WebGPU side: the weights and optimiser state live in one GPU buffer
 * (`GpuOptimizer`), every pass the trainer runs has a GPU twin compiled from the same plan, and a
 * training step is one submission — feeds up; forward, backward, gradient norm, clipping and the
 * update on the GPU; losses, predictions, the norm and a finiteness check back.
 *
 * The host copy of the weights (the model's arrays) is refreshed from the GPU when something on
 * the host needs it (`TrainerGpu.download`), and after every step while the state is small
 * (`snapshotEvery`), so that a lost device can be replaced by the CPU from the last step's weights.
 */
import type { Result } from '../errors/catalogue.ts';
import type { GpuContext } from '../webgpu/context.ts';
import { GpuProgram } from '../webgpu/program.ts';
import { GpuOptimizer, paramLayout } from '../webgpu/optimizer.ts';
import type { OptimizerSpec, OptimizerState } from './optimizers.ts';
import { Pass } from './pass.ts';
import type { Model } from './model.ts';

/**
 * Bytes of weights and optimiser state read back after every step at most (larger states: every
 * few steps). 64 MiB covers about 5 million weights under Adam; a lost device then costs no step.
 */
export const SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** One GPU training step as read back. */
export interface GpuStepResult {
  readonly objective: number;
  readonly norm: number;
  readonly clipped: boolean;
  /** The weight an update made non-finite (the update is then undone), if any. */
  readonly badWeight?: string;
  /** Whether the update was applied (it is skipped for a non-finite norm). */
  readonly applied: boolean;
}

export class TrainerGpu {
  /** GPU twin of each CPU pass the trainer has run on the GPU. */
  private readonly twins = new Map<Pass, Pass>();
  /** Steps between host snapshots of the weights and optimiser state. */
  readonly snapshotEvery: number;

  private constructor(
    readonly context: GpuContext,
    readonly optimizer: GpuOptimizer,
    private readonly model: Model,
  ) {
    const stateBytes = optimizer.layout.total * 4 * (1 + optimizer.slotNames.length);
    this.snapshotEvery = Math.max(1, Math.ceil(stateBytes / SNAPSHOT_BYTES));
  }

  /** The GPU side of `model`, starting from its host weights and `state` (the optimiser's). */
  static async create(context: GpuContext, model: Model, spec: OptimizerSpec, state: OptimizerState): Promise<Result<TrainerGpu>> {
    const layout = paramLayout(model.weightSpecs.map((w) => ({ key: w.key, size: model.weights.get(w.key)!.length })));
    const made = await GpuOptimizer.create(context, layout, spec);
    if (!made.ok) return made;
    const gpu = new TrainerGpu(context, made.value, model);
    gpu.upload(state);
    return { ok: true, value: gpu };
  }

  /** The host weights and `state` onto the GPU (after a restore, loaded weights, or at the start). */
  upload(state: OptimizerState): void {
    this.optimizer.upload(this.model.weights, state);
  }

  /** Weights into the model's arrays; returns the optimiser state to set on the host optimiser. */
  async download(): Promise<OptimizerState> {
    const got = await this.optimizer.download();
    for (const [key, w] of got.weights) this.model.weights.get(key)!.set(w);
    return { step: got.step, slots: got.slots };
  }

  /** The GPU twin of a CPU pass (compiled from the same plan on first use). */
  async twin(pass: Pass): Promise<Result<Pass>> {
    const hit = this.twins.get(pass);
    if (hit !== undefined) return { ok: true, value: hit };
    const made = await GpuProgram.create(this.context, pass.plan, this.optimizer);
    if (!made.ok) return made;
    const twin = new Pass(made.value, pass.lengths, pass.bytes);
    this.twins.set(pass, twin);
    return { ok: true, value: twin };
  }

  /**
   * Free the twins of passes no longer in use: linear start swaps the model (and so every pass)
   * once, and a restore to before the swap makes new ones; their GPU memory goes with them.
   */
  retain(live: readonly Pass[]): void {
    for (const [pass, twin] of this.twins) {
      if (live.includes(pass)) continue;
      (twin.program as GpuProgram).destroy();
      this.twins.delete(pass);
    }
  }

  /** One training step on a fed GPU pass: forward, backward, clip and update in one submission. */
  async step(pass: Pass, size: number, lr: number, clip: number, probes: boolean): Promise<GpuStepResult> {
    const { objective, extras } = await pass.run(size, {
      backward: true,
      probes,
      after: (encoder) => this.optimizer.encodeStep(encoder, lr, clip),
      extra: [this.optimizer.readback],
    });
    const r = this.optimizer.parseStep(extras[0]!);
    const applied = Number.isFinite(r.norm);
    if (applied && r.badElement !== undefined) {
      this.optimizer.undo();
      return { objective, norm: r.norm, clipped: r.clipped, applied: false, badWeight: this.optimizer.keyOfElement(r.badElement) };
    }
    // A non-finite loss with finite gradients is refused like on the CPU: the update is undone.
    if (applied && !Number.isFinite(objective)) {
      this.optimizer.undo();
      return { objective, norm: r.norm, clipped: r.clipped, applied: false };
    }
    return { objective, norm: r.norm, clipped: r.clipped, applied };
  }

  /** Forward only on a fed GPU pass (evaluation); returns the objective. */
  async forward(pass: Pass, size: number): Promise<number> {
    return (await pass.run(size, { backward: false })).objective;
  }

  /** Free every GPU buffer (the device stays). */
  destroy(): void {
    for (const t of this.twins.values()) (t.program as GpuProgram).destroy();
    this.twins.clear();
    this.optimizer.destroy();
  }
}
