/**
 * The lecture's vanishing-gradient claim as numbers: for each adding-task example (T = 100, loss
 * only at the last step), the norm of ∂L/∂z_t of every recurrent state at initialisation, and the
 * ratio ‖∂L/∂z_1‖ / ‖∂L/∂z_T‖. Deterministic (the graphs' seeds), so a test can recompute it.
 */
import { readFileSync } from 'node:fs';
import { parseGraph } from '../runtime/graph/parse.ts';
import { Trainer } from '../runtime/train/trainer.ts';

export const GRADIENT_EXAMPLES = ['elman-adding.json', 'elman-adding-orthogonal.json', 'lstm-adding.json'] as const;

export interface GradientCurve {
  readonly example: string;
  readonly name: string;
  /** The delay whose value z_t is (`h`, or the LSTM's `c`), and the port it carries. */
  readonly state: string;
  readonly source: string;
  /** ‖∂L/∂z_1‖ / ‖∂L/∂z_T‖. */
  readonly ratio: number;
  /** ‖∂L/∂z_t‖ at t = 1, 10, 25, 50, 75, 100 (1-based). */
  readonly samples: readonly { readonly t: number; readonly norm: number }[];
}

export function gradientCurves(): GradientCurve[] {
  const curves: GradientCurve[] = [];
  for (const example of GRADIENT_EXAMPLES) {
    const parsed = parseGraph(readFileSync(new URL(`../examples/${example}`, import.meta.url)));
    if (!parsed.ok) throw new Error(`${example} does not parse`);
    const made = Trainer.create({ doc: parsed.value });
    if (!made.ok) throw new Error(`${example}: ${made.errors[0]!.message}`);
    const report = made.value.probe();
    for (const s of report.states ?? []) {
      const T = s.norms.length;
      const at = (t: number): number => s.norms[t - 1]!;
      curves.push({
        example,
        name: parsed.value.name,
        state: s.delay,
        source: s.source,
        ratio: at(1) / at(T),
        samples: [1, 10, 25, 50, 75, T].map((t) => ({ t, norm: at(t) })),
      });
    }
  }
  return curves;
}
