/** setTraining with the learning-rate decay keys: checked by the graph file's rules, written so the file reads back. */
import { readFileSync } from 'node:fs';
import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../runtime/graph/parse.ts';
import type { GraphDoc } from '../../runtime/graph/types.ts';
import { applyChange, type Change } from './changes.ts';
import { edit, startHistory } from './history.ts';
import { trainingSettings } from './training-settings.ts';

const parsed = parseGraph(readFileSync(new URL('../../examples/lstm.json', import.meta.url)));
if (!parsed.ok) throw new Error('lstm does not parse');
const lstm = parsed.value;
const apply = (doc: GraphDoc, c: Change): GraphDoc => produce(doc, (d) => applyChange(d, c) as Draft<GraphDoc> | undefined);

describe('setTraining: learning-rate decay', () => {
  it('sets the three keys, fills in their defaults, and the file reads them back', () => {
    expect(trainingSettings(lstm)).toMatchObject({ lrDecayStart: 0, lrDecayEnd: 0, lrDecayFactor: 0.1 });
    const next = apply(lstm, { type: 'setTraining', training: { lrDecayStart: 1500, lrDecayEnd: 3000, lrDecayFactor: 0.2 } });
    expect(next.training).toMatchObject({ lrDecayStart: 1500, lrDecayEnd: 3000, lrDecayFactor: 0.2 });
    const back = parseGraph(JSON.stringify(next));
    expect(back.ok && back.value.training).toEqual(next.training);
    // An end before the start is allowed (no decay), so the two can be edited one at a time.
    expect(apply(next, { type: 'setTraining', training: { lrDecayStart: 5000 } }).training).toMatchObject({ lrDecayStart: 5000, lrDecayEnd: 3000 });
  });

  it('refuses values the graph file refuses, naming the setting', () => {
    const cases: [Change, RegExp][] = [
      [{ type: 'setTraining', training: { lrDecayStart: -1 } }, /training lrDecayStart must be ≥ 0 and ≤ 100000000, got -1/],
      [{ type: 'setTraining', training: { lrDecayEnd: 2.5 } }, /training lrDecayEnd must be an integer, got 2.5/],
      [{ type: 'setTraining', training: { lrDecayFactor: 0 } }, /training lrDecayFactor must be > 0 and ≤ 1, got 0/],
      [{ type: 'setTraining', training: { lrDecayFactor: 1.5 } }, /training lrDecayFactor must be > 0 and ≤ 1, got 1.5/],
      [{ type: 'setTraining', training: { lrDecayFactor: Number.NaN } }, /training lrDecayFactor/],
    ];
    for (const [c, why] of cases) {
      const res = edit(startHistory(lstm, { kind: 'example', name: 'lstm' }), c);
      expect(res.ok, JSON.stringify(c)).toBe(false);
      if (!res.ok) expect(res.error).toMatch(why);
    }
  });
});
