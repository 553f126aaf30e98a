/**
 * The exported `train.py` carries the graph's learning-rate decay: `lr_factor` and the LambdaLR
 * around it give optimiser step s the lr Unroll's trainer gives it (runtime/train/lr-schedule.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphDoc, TrainingSpec } from '../graph/types.ts';
import { loadExample } from '../train/gradcheck-support.ts';
import { lrAt } from '../train/lr-schedule.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { trainScript } from './train-template.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'unroll-train-py-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(training: TrainingSpec): string {
  const doc: GraphDoc = { ...loadExample('lstm'), training };
  const a = analyzeGraph(doc, { purpose: 'train' });
  if (!a.ok) throw new Error(a.errors[0]!.message);
  return trainScript(a);
}

/** The lr of optimiser steps 1…n as train.py's `lr_factor` and LambdaLR give them (LambdaLR: base lr × λ(steps done)). */
function pythonLrs(code: string, lr: number, n: number): number[] {
  const fn = /^def lr_factor\(.*?\n\n/ms.exec(code)?.[0];
  const lambda = /LambdaLR\(\s*opt, (lambda done: .*)\n/.exec(code)?.[1];
  const arg = (name: string): string => new RegExp(`"--lr-decay-${name}", type=\\w+, default=([^,]+),`).exec(code)![1]!;
  expect(fn).toBeDefined();
  expect(lambda).toBeDefined();
  const py = [
    'import json, types',
    fn,
    `args = types.SimpleNamespace(lr_decay_start=${arg('start')}, lr_decay_end=${arg('end')}, lr_decay_factor=${arg('factor')})`,
    `f = ${lambda}`,
    `print(json.dumps([${lr} * f(done) for done in range(${n})]))`,
  ].join('\n');
  const out = spawnSync('python3', ['-c', py], { encoding: 'utf8' });
  expect(out.stderr).toBe('');
  return JSON.parse(out.stdout) as number[];
}

describe('train.py learning-rate decay', () => {
  const decayed: TrainingSpec = { optimizer: 'adam', lr: 0.003, steps: 40, lrDecayStart: 10, lrDecayEnd: 30, lrDecayFactor: 0.25 };

  it('takes the schedule from the training section as argument defaults and steps a LambdaLR after each update', () => {
    const code = script(decayed);
    expect(code).toContain('p.add_argument("--lr-decay-start", type=int, default=10,');
    expect(code).toContain('p.add_argument("--lr-decay-end", type=int, default=30,');
    expect(code).toContain('p.add_argument("--lr-decay-factor", type=float, default=0.25,');
    expect(code).toContain('torch.optim.lr_scheduler.LambdaLR(');
    expect(code).toMatch(/opt\.step\(\)\n\s+schedule\.step\(\)/);
    expect(code).toContain('lr decaying linearly to 0.25 × lr over optimiser steps 10–30');
    const plain = script({ optimizer: 'adam', lr: 0.003 });
    expect(plain).toContain('p.add_argument("--lr-decay-end", type=int, default=0,');
    expect(plain).not.toContain('lr decaying');
  });

  it.skipIf(!hasPython)('is valid Python', () => {
    const file = join(dir, 'train.py');
    writeFileSync(file, script(decayed));
    const out = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it.skipIf(!hasPython)('gives step s the lr Unroll gives it, bit for bit', () => {
    for (const training of [decayed, { ...decayed, lrDecayStart: 0, lrDecayEnd: 7, lrDecayFactor: 0.1 }, { optimizer: 'sgd', lr: 0.5 } as const, { lr: 0.01, lrDecayStart: 20, lrDecayEnd: 5 }]) {
      const n = 40;
      const unroll = Array.from({ length: n }, (_, i) => lrAt(training, i + 1));
      expect(pythonLrs(script(training), training.lr!, n)).toEqual(unroll);
    }
  });
});
