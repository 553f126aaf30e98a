/**
 * The steps, diagnostics and evaluations gathered between two metrics batches, packed on flush
 * into typed arrays whose buffers are handed to the receiver (transferred, not copied).
 */
import type { EvalReport, StepReport } from '../train/trainer.ts';
import type { MetricsBatch, StateCurve, Status, StepDiagnostics } from './protocol.ts';

export class MetricsWindow {
  private steps: number[] = [];
  private loss: number[] = [];
  private metric: number[] = [];
  private gradNorm: number[] = [];
  private clipped: number[] = [];
  private diagnostics: StepDiagnostics[] = [];
  private evals: (EvalReport & { step: number })[] = [];

  get empty(): boolean {
    return this.steps.length === 0 && this.evals.length === 0;
  }

  addStep(r: StepReport): void {
    this.steps.push(r.step);
    this.loss.push(r.loss);
    this.metric.push(r.metric);
    this.gradNorm.push(r.gradNorm);
    this.clipped.push(r.clipped ? 1 : 0);
    if (r.states !== undefined) {
      const states: StateCurve[] = r.states.map((s) => ({ delay: s.delay, source: s.source, loop: s.loop, norms: Float64Array.from(s.norms) }));
      this.diagnostics.push({ step: r.step, states, gates: r.gates ?? [] });
    }
  }

  addEval(r: EvalReport, step: number): void {
    this.evals.push({ ...r, step });
  }

  /** The batch so far and the buffers to transfer with it; the window starts over. */
  take(status: Status, stepsPerSecond: number, elapsedSeconds: number, sentAt: number): { batch: MetricsBatch; transfer: ArrayBuffer[] } {
    const batch: MetricsBatch = {
      steps: Float64Array.from(this.steps),
      loss: Float64Array.from(this.loss),
      metric: Float64Array.from(this.metric),
      gradNorm: Float64Array.from(this.gradNorm),
      clipped: Uint8Array.from(this.clipped),
      diagnostics: this.diagnostics,
      evals: this.evals,
      stepsPerSecond,
      elapsedSeconds,
      status,
      sentAt,
    };
    const transfer = [batch.steps, batch.loss, batch.metric, batch.gradNorm, batch.clipped, ...batch.diagnostics.flatMap((d) => d.states.map((s) => s.norms))].map(
      (a) => a.buffer as ArrayBuffer,
    );
    this.steps = [];
    this.loss = [];
    this.metric = [];
    this.gradNorm = [];
    this.clipped = [];
    this.diagnostics = [];
    this.evals = [];
    return { batch, transfer };
  }
}
