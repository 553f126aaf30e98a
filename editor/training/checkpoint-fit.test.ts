import { describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS } from '../../runtime/train/training-defaults.ts';
import { checkpointMisfit, type CheckpointFit } from './checkpoint-fit.ts';

const fit = (settings: Partial<typeof TRAINING_DEFAULTS>, computation = 'abcd0123'): CheckpointFit => ({
  computation,
  settings: { ...TRAINING_DEFAULTS, ...settings },
});

describe('checkpointMisfit', () => {
  it('fits the same graph and settings, whatever steps and evaluate-every say', () => {
    expect(checkpointMisfit(fit({ seed: 3 }), fit({ seed: 3, steps: 9000, evalEvery: 7 }))).toBeUndefined();
  });

  it('names another graph and each differing setting', () => {
    expect(checkpointMisfit(fit({}), fit({}, 'ffff0000'))).toMatch(/another graph/);
    expect(checkpointMisfit(fit({ seed: 7, lr: 0.01 }), fit({ seed: 8, lr: 0.01 }))).toBe('trained with other settings: seed 7 (the open graph has 8)');
  });

  it('reads settings stored before a field existed as its default', () => {
    const old = Object.fromEntries(Object.entries(TRAINING_DEFAULTS).filter(([k]) => !k.startsWith('lrDecay')));
    expect(checkpointMisfit({ computation: 'abcd0123', settings: old as CheckpointFit['settings'] }, fit({}))).toBeUndefined();
  });

  it('compares the learning-rate decay as a schedule: two ways of writing "off" are the same', () => {
    expect(checkpointMisfit(fit({ lrDecayStart: 500, lrDecayEnd: 100 }), fit({}))).toBeUndefined();
    expect(checkpointMisfit(fit({ lrDecayStart: 100, lrDecayEnd: 500, lrDecayFactor: 1 }), fit({}))).toBeUndefined();
    expect(checkpointMisfit(fit({ lrDecayStart: 100, lrDecayEnd: 500 }), fit({}))).toMatch(/lrDecayStart 100 \(the open graph has 0\), lrDecayEnd 500/);
  });
});
