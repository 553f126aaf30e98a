/**
 * Where a diverged step first went non-finite. The training pass reuses its buffers, so by the
 * time a NaN loss is seen the value that started it is gone; this reruns the same batch on a pass
 * that keeps every node copy's output and gradient, then reads them in the order they were
 * computed: forward values in schedule order, gradients in reverse (backward's order).
 */
import type { FloatArray } from '../cpu/kernels/index.ts';
import type { Pass } from './pass.ts';

/** The first non-finite number of a step. */
export interface NonFiniteSite {
  /** A forward value, the gradient of a node copy's output, or a weight's gradient summed over steps. */
  readonly kind: 'value' | 'gradient' | 'weight-gradient';
  /** Graph node id. */
  readonly node: string;
  /** Time step of the node copy; absent for nodes outside loops and for weights. */
  readonly step?: number;
  /** Output port, or the weight's name for `weight-gradient`. */
  readonly port: string;
  /** The offending number: NaN, Infinity or -Infinity. */
  readonly value: number;
}

/** `lstm@3.h` → node lstm, step 3, port h; `loss.value` → node loss, port value. */
function parseKey(key: string): { node: string; step?: number; port: string } {
  const dot = key.lastIndexOf('.');
  const copy = key.slice(0, dot);
  const port = key.slice(dot + 1);
  const at = copy.lastIndexOf('@');
  if (at < 0) return { node: copy, port };
  const step = Number(copy.slice(at + 1));
  return Number.isInteger(step) ? { node: copy.slice(0, at), step, port } : { node: copy, port };
}

function firstBad(a: FloatArray): number | undefined {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return a[i]!;
  return undefined;
}

/** The first non-finite forward value of `pass` (planned with `keepOutputs`), after its forward ran. */
export function firstNonFiniteValue(pass: Pass): NonFiniteSite | undefined {
  const byId = [...pass.plan.lowered.outputs].sort((a, b) => a[1] - b[1]);
  for (const [key, sym] of byId) {
    const bad = firstBad(pass.valueOf(sym));
    if (bad !== undefined) return { kind: 'value', ...parseKey(key), value: bad };
  }
  return undefined;
}

/**
 * The first non-finite gradient of `pass` (planned with `keepOutputs` and `keepGrads`) in the order
 * backward computed them, after its backward ran; then the weights' gradients, which sum every step.
 */
export function firstNonFiniteGradient(pass: Pass, weightGrads: ReadonlyMap<string, FloatArray>): NonFiniteSite | undefined {
  const byId = [...pass.plan.lowered.outputs].sort((a, b) => b[1] - a[1]);
  for (const [key, sym] of byId) {
    const g = pass.valueGrad(sym);
    const bad = g !== undefined ? firstBad(g) : undefined;
    if (bad !== undefined) return { kind: 'gradient', ...parseKey(key), value: bad };
  }
  for (const [key, g] of weightGrads) {
    const bad = firstBad(g);
    if (bad === undefined) continue;
    const dot = key.lastIndexOf('.');
    return { kind: 'weight-gradient', node: key.slice(0, dot), port: key.slice(dot + 1), value: bad };
  }
  return undefined;
}

/** "the value of lstm@3 (port h) is NaN": names the node@step as the trainer's messages do. */
export function describeSite(s: NonFiniteSite): string {
  const at = s.step !== undefined ? `${s.node}@${s.step}` : s.node;
  switch (s.kind) {
    case 'value':
      return `the first non-finite number is the value of ${at} (port ${s.port}) in the forward pass: ${s.value}`;
    case 'gradient':
      return `the first non-finite number is the gradient at ${at} (port ${s.port}) in the backward pass: ${s.value}`;
    case 'weight-gradient':
      return `every node's gradient is finite but the gradient of weight ${s.node}.${s.port}, summed over all steps, is ${s.value}`;
  }
}
