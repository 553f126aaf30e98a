/** A small builder the gated cells use to draw themselves from primitive blocks (their `composite`). */
import type { CompositeDef, CompositeNode } from './types.ts';

/** Gate rows `[k·H, (k+1)·H)` of a PyTorch-stacked weight. */
export const gateRows = (k: number, hidden: number): readonly [number, number] => [k * hidden, (k + 1) * hidden];

/**
 * Collects inner nodes and wires. A source is either an outer input port (`"x"`, no dot) or an
 * inner output (`"node.port"`), so cells read like the formulas they draw.
 */
export class CompositeBuilder {
  private readonly nodes: CompositeNode[] = [];
  private readonly edges: { from: string; to: string }[] = [];
  private readonly inputs: Record<string, string[]> = {};
  private readonly weights: { inner: string; outer: string; rows: readonly [number, number] }[] = [];

  /** Adds node `id` of `type` fed from `sources` (inner port → source); returns its `"id.out"`. */
  node(id: string, type: string, params: CompositeNode['params'], sources: Readonly<Record<string, string>>): string {
    this.nodes.push({ id, type, params });
    for (const [port, source] of Object.entries(sources)) {
      const to = `${id}.${port}`;
      if (source.includes('.')) this.edges.push({ from: source, to });
      else (this.inputs[source] ??= []).push(to);
    }
    return `${id}.out`;
  }

  /**
   * A `linear` node on `source` whose weight is `rows` of outer `weight` and whose bias (when
   * `bias`) is the same rows of outer `biasName`: one gate's share of a stacked PyTorch tensor.
   */
  projection(id: string, source: string, rows: readonly [number, number], weight: string, biasName: string, bias: boolean): string {
    const out = this.node(id, 'linear', { size: rows[1] - rows[0], bias }, { in: source });
    this.weights.push({ inner: `${id}.weight`, outer: weight, rows });
    if (bias) this.weights.push({ inner: `${id}.bias`, outer: biasName, rows });
    return out;
  }

  build(outputs: Readonly<Record<string, string>>): CompositeDef {
    return { nodes: this.nodes, edges: this.edges, inputs: this.inputs, outputs, weights: this.weights };
  }
}
