/**
 * Milliseconds per training step of an example graph, not a test:
 *
 *   npx tsx runtime/cpu/bench-step.ts [example.json] [--steps N] [--batch B] [--profile] [--top N]
 *
 * Builds the example's trainer (its own training section: batch, lengths; `--batch` overrides
 * the batch size), runs a few warm-up
 * steps, then times `--steps` optimiser steps (default 30) and prints the median, the mean and the
 * quartiles. With `--profile` the program's instructions are timed too (see `setKernelProfile`;
 * the per-instruction timer adds its own overhead) and the `--top` slowest kinds are listed.
 * `UNROLL_CPU_KERNELS=reference` times the reference kernels.
 */
import { readFileSync } from 'node:fs';
import { parseGraph } from '../graph/parse.ts';
import { Trainer } from '../train/trainer.ts';
import { kernelProfile, setKernelProfile } from './program.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const example = args.find((a) => a.endsWith('.json')) ?? 'seq2seq-attention.json';
const steps = Number(flag('--steps') ?? 30);
const top = Number(flag('--top') ?? 25);
const profile = args.includes('--profile');

const parsed = parseGraph(readFileSync(new URL(`../../examples/${example}`, import.meta.url)));
if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
setKernelProfile(profile);
const batch = flag('--batch');
const doc = batch === undefined ? parsed.value : { ...parsed.value, training: { ...parsed.value.training, batch: Number(batch) } };
const made = Trainer.create({ doc });
if (!made.ok) throw new Error(made.errors.map((e) => e.message).join('; '));
const trainer = made.value;
for (let i = 0; i < 3; i++) trainer.step();
kernelProfile(true);
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  trainer.step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (f: number): number => times[Math.min(times.length - 1, Math.floor(f * times.length))]!;
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`${example}: batch ${trainer.config.batch}, ${steps} steps: median ${q(0.5).toFixed(1)} ms/step (mean ${mean.toFixed(1)}, quartiles ${q(0.25).toFixed(1)}–${q(0.75).toFixed(1)})`);
if (profile) {
  const rows = kernelProfile();
  const total = rows.reduce((a, [, t]) => a + t.ms, 0);
  console.log(`instructions: ${(total / steps).toFixed(1)} ms/step in total`);
  for (const [label, t] of rows.slice(0, top)) console.log(`${(t.ms / steps).toFixed(2).padStart(8)} ms ${String(t.calls / steps).padStart(6)} calls  ${label}`);
}
