/**
 * The planner's arena: buffers alive at the same time never share memory, and buffers whose
 * lives do not overlap do, so the arena is far smaller than the sum of its buffers.
 */
import { describe, expect, it } from 'vitest';
import { touched } from './instr.ts';
import { planGraph, type Plan } from './plan.ts';
import { lowerGraph } from './lower.ts';
import { unrollGraph } from '../unroll/unroll.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { loadExample } from '../train/gradcheck-support.ts';

function planOf(example: string, lengths: Record<string, number>, backward: boolean, masked: string[] = []): Plan {
  const a = analyzeGraph(loadExample(example));
  const u = unrollGraph(a, lengths);
  if (!u.ok) throw new Error(u.errors[0]!.message);
  return planGraph(lowerGraph(a, u.value, { masked: new Set(masked) }), { batch: 4, backward });
}

/** [first, last] instruction index touching each arena buffer. */
function lives(plan: Plan): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  [...plan.forward, ...plan.backward].forEach((instr, i) => {
    for (const b of touched(instr)) {
      if (plan.buffers[b]!.kind !== 'arena') continue;
      const l = out.get(b);
      out.set(b, l === undefined ? [i, i] : [l[0], i]);
    }
  });
  return out;
}

const CASES: [string, Record<string, number>, string[]][] = [
  ['lstm', { x: 30 }, ['x']],
  ['seq2seq-attention', { src: 12, y: 9 }, []],
  ['bilstm', { x: 10 }, ['x']],
  ['memory-network', { story: 6 }, []],
];

describe('planned arena', () => {
  for (const [example, lengths, masked] of CASES) {
    for (const backward of [true, false]) {
      it(`${example}, ${backward ? 'forward and backward' : 'forward only'}: live buffers never overlap, dead ones are reused`, () => {
        const plan = planOf(example, lengths, backward, masked);
        const live = [...lives(plan)].map(([b, [from, to]]) => ({ b, from, to, off: plan.buffers[b]!.offset!, size: plan.buffers[b]!.size }));
        // Sweep: among buffers alive at one instruction, memory ranges are disjoint.
        const events = [...new Set(live.flatMap((x) => [x.from, x.to]))].sort((p, q) => p - q);
        for (const i of events) {
          const now = live.filter((x) => x.from <= i && i <= x.to && x.size > 0).sort((p, q) => p.off - q.off);
          for (let k = 1; k < now.length; k++) {
            expect(now[k]!.off, `buffers ${now[k - 1]!.b} and ${now[k]!.b} overlap at instruction ${i}`).toBeGreaterThanOrEqual(now[k - 1]!.off + now[k - 1]!.size);
          }
        }
        for (const x of live) expect(x.off + x.size).toBeLessThanOrEqual(plan.arenaSize);
        const total = live.reduce((s, x) => s + x.size, 0);
        // Reuse: forward-only plans keep only what is alive; training keeps activations for backward
        // but reuses gradient and scratch slots.
        expect(plan.arenaSize).toBeLessThan(total * (backward ? 0.35 : 0.4));
      });
    }
  }
});
