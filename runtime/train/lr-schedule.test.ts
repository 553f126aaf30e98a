/**
 * `training.lrDecayStart` / `lrDecayEnd` / `lrDecayFactor`: the schedule's values, the lr the
 * optimiser is given each step, and a checkpoint taken inside the decay window resuming the run
 * bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { GraphDoc, TrainingSpec } from '../graph/types.ts';
import { checkpointBytes, readCheckpoint } from './checkpoint.ts';
import { loadExample } from './gradcheck-support.ts';
import { lrAt, lrFactor, lrSchedule } from './lr-schedule.ts';
import { Trainer } from './trainer.ts';

/** The LSTM brackets example made small: 8 units, strings of at most 12 characters. */
function smallBrackets(training: TrainingSpec): GraphDoc {
  const doc = loadExample('lstm');
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 8 } } : n)),
    task: { name: 'brackets', params: { max_length: 12, test_min_length: 13, test_max_length: 20, train_size: 400, test_size: 64 } },
    training: { ...doc.training, batch: 8, steps: 40, evalEvery: 1000, ...training },
  };
}

function trainer(doc: GraphDoc, dtype: 'float32' | 'float64' = 'float32'): Trainer {
  const r = Trainer.create({ doc, evalBatch: 32, dtype });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('learning-rate schedule', () => {
  const decay = { lrDecayStart: 1500, lrDecayEnd: 3000, lrDecayFactor: 0.1 };

  it('holds lr up to the start, falls linearly to lr × factor at the end, stays there', () => {
    const s = lrSchedule(decay)!;
    expect(s).toEqual({ start: 1500, end: 3000, factor: 0.1 });
    expect(lrFactor(s, 1)).toBe(1);
    expect(lrFactor(s, 1500)).toBe(1);
    expect(lrFactor(s, 1501)).toBeCloseTo(1 - 0.9 / 1500, 15);
    expect(lrFactor(s, 2250)).toBeCloseTo(0.55, 15);
    expect(lrFactor(s, 2999)).toBeCloseTo(0.1 + 0.9 / 1500, 15);
    // Exactly the factor from the end on, not 1 − 0.9.
    expect(lrFactor(s, 3000)).toBe(0.1);
    expect(lrFactor(s, 10_000)).toBe(0.1);
    expect(lrAt({ lr: 0.003, ...decay }, 2250)).toBeCloseTo(0.00165, 15);
    expect(lrAt({ lr: 0.003, ...decay }, 3000)).toBe(0.003 * 0.1);
    // The default factor is 0.1; the default lr is TRAINING_DEFAULTS.lr.
    expect(lrAt({ lrDecayStart: 0, lrDecayEnd: 10 }, 10)).toBe(1e-3 * 0.1);
    // Decreasing across the window.
    const xs = Array.from({ length: 1600 }, (_, i) => lrFactor(s, 1450 + i));
    expect(xs.every((x, i) => i === 0 || x <= xs[i - 1]!)).toBe(true);
  });

  it('is off unless lrDecayEnd > lrDecayStart (and the factor changes the lr)', () => {
    for (const t of [{}, { lrDecayStart: 1500 }, { lrDecayStart: 3000, lrDecayEnd: 3000 }, { lrDecayStart: 3000, lrDecayEnd: 1500, lrDecayFactor: 0.5 }, { lrDecayEnd: 100, lrDecayFactor: 1 }, undefined]) {
      expect(lrSchedule(t)).toBeUndefined();
      for (const step of [1, 100, 2000, 5000]) expect(lrAt({ lr: 0.02, ...t }, step)).toBe(0.02);
    }
    expect(lrSchedule({ lrDecayEnd: 1 })).toEqual({ start: 0, end: 1, factor: 0.1 });
  });

  it('gives the optimiser the decayed lr each step: SGD moves the weights by lr_s × the gradient', () => {
    const schedule = { lrDecayStart: 2, lrDecayEnd: 6, lrDecayFactor: 0.2 };
    const t = trainer(smallBrackets({ optimizer: 'sgd', lr: 0.1, ...schedule }), 'float64');
    const expected = [0.1, 0.1, 0.08, 0.06, 0.04, 0.02, 0.02, 0.02];
    for (const [i, lr] of expected.entries()) {
      expect(t.lrAt(i + 1)).toBeCloseTo(lr, 15);
      const before = new Map([...t.model.weights].map(([k, w]) => [k, Float64Array.from(w)]));
      t.step();
      // The (clipped) gradient the step applied is still in model.grads: Δw = −lr_s · g.
      let dot = 0;
      let gg = 0;
      for (const [k, w] of t.model.weights) {
        const g = t.model.grads.get(k)!;
        w.forEach((v, j) => {
          dot += (before.get(k)![j]! - v) * g[j]!;
          gg += g[j]! * g[j]!;
        });
      }
      expect(gg).toBeGreaterThan(0);
      expect(dot / gg).toBeCloseTo(lr, 10);
    }
  });

  it('a checkpoint inside the decay window resumes the schedule bit for bit', () => {
    const doc = smallBrackets({ optimizer: 'adam', lr: 0.01, clip: 1, seed: 5, lrDecayStart: 4, lrDecayEnd: 14, lrDecayFactor: 0.1 });
    const through = trainer(doc);
    const whole = Array.from({ length: 18 }, () => through.step().loss);

    const first = trainer(doc);
    const head = Array.from({ length: 9 }, () => first.step().loss);
    const bytes = checkpointBytes(first);
    const second = trainer(doc);
    const state = readCheckpoint(second, bytes);
    if (!state.ok) throw new Error(state.errors[0]!.message);
    second.setState(state.value);
    const tail = Array.from({ length: 9 }, () => second.step().loss);

    expect([...head, ...tail]).toEqual(whole);
    for (const [k, w] of through.model.weights) expect(second.model.weights.get(k)).toEqual(w);
    // Without the schedule the run differs after step 4: the schedule did act.
    const flat = trainer(smallBrackets({ optimizer: 'adam', lr: 0.01, clip: 1, seed: 5 }));
    const constant = Array.from({ length: 18 }, () => flat.step().loss);
    expect(constant.slice(0, 5)).toEqual(whole.slice(0, 5));
    expect(constant.slice(5)).not.toEqual(whole.slice(5));
  });

  it('a checkpoint fits only a run with the same schedule; "no decay" written any way fits one without', () => {
    const base = { optimizer: 'adam', lr: 0.01, seed: 5 } as const;
    const decayed = trainer(smallBrackets({ ...base, lrDecayStart: 4, lrDecayEnd: 14 }));
    decayed.step();
    const bytes = checkpointBytes(decayed);
    const other = readCheckpoint(trainer(smallBrackets({ ...base, lrDecayStart: 4, lrDecayEnd: 20 })), bytes);
    expect(other).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'E448', message: expect.stringContaining('lrDecayEnd') })] });
    expect(readCheckpoint(trainer(smallBrackets(base)), bytes).ok).toBe(false);
    expect(readCheckpoint(trainer(smallBrackets({ ...base, lrDecayStart: 4, lrDecayEnd: 14, lrDecayFactor: 0.1 })), bytes).ok).toBe(true);

    const flat = trainer(smallBrackets(base));
    flat.step();
    const flatBytes = checkpointBytes(flat);
    for (const off of [{ lrDecayStart: 7 }, { lrDecayStart: 9, lrDecayEnd: 3, lrDecayFactor: 0.5 }, { lrDecayEnd: 50, lrDecayFactor: 1 }]) {
      expect(readCheckpoint(trainer(smallBrackets({ ...base, ...off })), flatBytes).ok).toBe(true);
    }
  });
});
