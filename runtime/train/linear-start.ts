/**
 * Linear start (Sukhbaatar et al. 2015, §4.2): a memory network first trains with the softmax of
 * every memory read removed, then with it, so that early training is not stuck in a poor local
 * minimum. `training.linearStart: N` runs the first N optimiser steps on a variant of the graph in
 * which every `memory` node has `linear: true`, on the same weights and optimiser state; from step
 * N + 1 on, and for evaluation after it, the graph as drawn. The paper switches when validation
 * loss stops falling; here the switch is a fixed step count, so a run stays one deterministic recipe.
 */
import type { GraphDoc } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { Model } from './model.ts';

/** The graph with every memory read linear, or undefined when it has no memory node. */
export function linearStartDoc(doc: GraphDoc): GraphDoc | undefined {
  if (!doc.nodes.some((n) => n.type === 'memory')) return undefined;
  return { ...doc, nodes: doc.nodes.map((n) => (n.type === 'memory' ? { ...n, params: { ...n.params, linear: true } } : n)) };
}

/** Which model a step runs on: the linear variant for the first `steps` steps, then `model` itself. */
export class LinearStart {
  /** Dropped once linear start ends, so that its passes' memory is freed for the model's own. */
  private linear: Model | undefined;

  private constructor(
    private readonly model: Model,
    private readonly analysis: GraphAnalysis,
    readonly steps: number,
  ) {}

  /** For `steps` > 0 and a graph with memory nodes; otherwise undefined (nothing to switch). */
  static create(model: Model, steps: number): LinearStart | undefined {
    const doc = steps > 0 ? linearStartDoc(model.analysis.doc) : undefined;
    if (doc === undefined) return undefined;
    const analysis = analyzeGraph(doc, { purpose: 'train' });
    // Turning `linear` on changes no type and no weight, so the variant of a valid graph is valid.
    if (!analysis.ok) throw new Error(`linear start: ${analysis.errors[0]?.message}`);
    return new LinearStart(model, analysis, steps);
  }

  /** The model for the step after `done` steps were taken (and for evaluation then). */
  modelAt(done: number): Model {
    if (done >= this.steps) {
      this.linear = undefined;
      return this.model;
    }
    // Made again if a state from before the switch is loaded (`Trainer.setState`).
    return (this.linear ??= this.model.variant(this.analysis));
  }
}
