/**
 * The Inspect tab's store against a stand-in training session: it reads when a run pauses, ends or
 * steps and when another graph is loaded, not while a run is going; an answer to an older read is
 * dropped; the example index and the page stay within the split.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectReport, PredictionPage } from '../../runtime/train/inspect.ts';
import type { LoadedRun } from './session.ts';

/** The stand-in session: a view the test sets, and reads the test answers by hand. */
const fake = vi.hoisted(() => {
  const listeners = new Set<() => void>();
  const reads: { kind: 'inspect' | 'page'; split: string; at: number; resolve: (v: unknown) => void }[] = [];
  return {
    view: { state: 'empty', step: 0, loaded: undefined } as Record<string, unknown>,
    listeners,
    reads,
    set(patch: Record<string, unknown>) {
      this.view = { ...this.view, ...patch };
      for (const l of listeners) l();
    },
  };
});

vi.mock('./session.ts', () => ({
  getTraining: () => fake.view,
  subscribeTraining: (l: () => void) => {
    fake.listeners.add(l);
    return () => fake.listeners.delete(l);
  },
  inspectExample: (split: string, index: number) => new Promise((resolve) => fake.reads.push({ kind: 'inspect', split, at: index, resolve })),
  predictionPage: (split: string, _count: number, offset: number) => new Promise((resolve) => fake.reads.push({ kind: 'page', split, at: offset, resolve })),
}));

const { getInspect, refreshInspect, selectExample, showPage, subscribeInspect, PAGE_ROWS } = await import('./inspect-store.ts');

const run = (splits = ['test', 'long']): LoadedRun => ({ graphName: 'g', task: 't', metricName: 'accuracy', higherIsBetter: true, splits, parameters: 10 });
const report = (split: string, index: number, step: number): InspectReport => ({ split, count: 50, step, metric: 'accuracy', attention: [], memory: [], example: { index } as InspectReport['example'] });
const page = (split: string, offset: number, step: number): PredictionPage => ({ split, offset, count: 50, step, metric: 'accuracy', rows: [] });

/** Answer every read waiting, as the worker would at `step`. */
async function answer(step: number): Promise<void> {
  for (const r of fake.reads.splice(0)) r.resolve({ ok: true, value: r.kind === 'inspect' ? report(r.split, r.at, step) : page(r.split, r.at, step) });
  await new Promise((r) => setTimeout(r, 0));
}

beforeEach(async () => {
  fake.reads.length = 0;
  fake.set({ state: 'idle', step: 0, loaded: undefined });
  await answer(0);
  subscribeInspect(() => undefined);
});

describe('the inspect store', () => {
  it('reads when a run is loaded and when it pauses or ends, not while it runs', async () => {
    fake.set({ state: 'loading', loaded: run() });
    expect(fake.reads).toEqual([]);
    fake.set({ state: 'running' });
    fake.set({ step: 5 });
    expect(fake.reads).toEqual([]);
    fake.set({ state: 'paused', step: 7 });
    expect(fake.reads.map((r) => [r.kind, r.split, r.at])).toEqual([
      ['inspect', 'test', 0],
      ['page', 'test', 0],
    ]);
    await answer(7);
    expect(getInspect()).toMatchObject({ split: 'test', status: 'ready', report: { step: 7 }, page: { step: 7 } });
    fake.set({ state: 'running' });
    fake.set({ state: 'idle', step: 9 });
    await answer(9);
    expect(getInspect().report?.step).toBe(9);
    // A single step between runs reads again too.
    fake.set({ step: 10 });
    await answer(10);
    expect(getInspect().report?.step).toBe(10);
  });

  it('drops the answer to an older read', async () => {
    fake.set({ state: 'idle', loaded: run() });
    const first = fake.reads.splice(0);
    void selectExample('test', 3);
    for (const r of first) r.resolve({ ok: true, value: r.kind === 'inspect' ? report('test', 0, 1) : page('test', 0, 1) });
    await answer(2);
    expect(getInspect()).toMatchObject({ index: 3, report: { step: 2, example: { index: 3 } } });
  });

  it('keeps the index and the page within the split, and a new split starts at its first page', async () => {
    fake.set({ state: 'idle', loaded: run() });
    await answer(1);
    void selectExample(undefined, 80);
    await answer(1);
    expect(getInspect().index).toBe(49);
    void selectExample(undefined, -4);
    await answer(1);
    expect(getInspect().index).toBe(0);
    void showPage(1000);
    await answer(1);
    expect(getInspect().offset).toBe(Math.floor(49 / PAGE_ROWS) * PAGE_ROWS);
    void selectExample('long', 2);
    await answer(1);
    expect(getInspect()).toMatchObject({ split: 'long', index: 2, offset: 0 });
  });

  it('errors are shown; a reset session empties the view', async () => {
    fake.set({ state: 'idle', loaded: run() });
    for (const r of fake.reads.splice(0)) r.resolve({ ok: false, errors: [{ code: 'E447', message: 'no example 9' }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(getInspect()).toMatchObject({ status: 'failed', errors: [{ code: 'E447' }, { code: 'E447' }] });
    fake.set({ state: 'empty', loaded: undefined, step: 0 });
    expect(getInspect()).toMatchObject({ status: 'empty', report: undefined, split: undefined });
    await refreshInspect();
    expect(fake.reads).toEqual([]);
  });
});
