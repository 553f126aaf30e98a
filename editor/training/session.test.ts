/**
 * The tab's training session driven as the panel drives it, against the real training service in
 * Node worker threads (the page's Web Worker spawn is swapped for the Node one): commands queued
 * behind each other never clobber a run that is starting, a refused file changes nothing, runs are
 * recorded in the run they belong to, a dead worker's weights are never read as the trained ones,
 * and when Start goes on with the weights it holds and when it starts afresh (a change of the
 * backend chosen included; the WebGPU run itself: session-webgpu.test.ts). References are
 * independent: a second worker trained directly through the runtime's client with the same seed.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeWorkerHandle } from '../../runtime/worker/spawn-node.ts';

const spawned = vi.hoisted(() => [] as NodeWorkerHandle[]);
vi.mock('../../runtime/worker/spawn-browser.ts', async () => {
  const node = await import('../../runtime/worker/spawn-node.ts');
  return {
    spawnBrowserWorker: () => {
      const h = node.spawnNodeWorker();
      spawned.push(h);
      return h;
    },
  };
});

import type { GraphDoc } from '../../runtime/graph/types.ts';
import { TrainerClient } from '../../runtime/worker/client.ts';
import { smallBrackets } from '../../runtime/worker/fixtures/docs.ts';
import { spawnNodeWorker } from '../../runtime/worker/spawn-node.ts';
import { getEditLock, getState } from '../store.ts';
import { checkpointMisfit } from './checkpoint-fit.ts';
import { clearRuns, getRuns, removeRun, type RunRecord } from './runs.ts';
import { setBackendChoice } from './backend-choice.ts';
import * as S from './session.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
/** Until the run has ended: done or stopped, or failed or halted. */
const ended = (): Promise<void> =>
  until(() => {
    const v = S.getTraining();
    return (v.state === 'idle' && v.ended !== undefined) || v.state === 'failed' || v.state === 'halted';
  }, 'the run to end');

function value<T>(o: S.Outcome<T>): T {
  if (!o.ok) throw new Error(o.errors.map((e) => `${e.code} ${e.message}`).join('; '));
  return o.value;
}
const codes = (o: S.Outcome<unknown>): string[] => (o.ok ? [] : o.errors.map((e) => e.code));
const record = (id: number | undefined): RunRecord => getRuns().runs.find((r) => r.id === id)!;
const series = (r: RunRecord, key: 'steps' | 'loss'): number[] => Array.from(r.series[key].subarray(0, r.series.length));
const lastNotice = (): string => getState().notices.at(-1)?.text ?? '';

/** A worker of our own, driven directly through the runtime's client (the independent reference). */
const references: TrainerClient[] = [];
async function reference(doc: GraphDoc): Promise<TrainerClient> {
  const c = new TrainerClient({ spawn: () => spawnNodeWorker() });
  references.push(c);
  await c.load({ doc });
  return c;
}
afterAll(async () => {
  await S.resetTraining();
  for (const c of references) c.close();
  for (const h of spawned) h.terminate();
});

beforeEach(async () => {
  await S.resetTraining();
  clearRuns();
  setBackendChoice('auto');
});


describe('commands in the queue never clobber a Start', () => {
  it('Step then Start: the Start stays loading with the graph locked, a second Start is refused with a reason, one run trains', async () => {
    const doc = smallBrackets({ steps: 100_000, evalEvery: 100_000 });
    const step = S.stepTraining(doc);
    const start = S.startTraining(doc);
    expect(value(await step)).toBe(1);
    expect(S.getTraining().state).toBe('loading');
    expect(getEditLock()).toBeDefined();

    const second = await S.startTraining(doc);
    expect(codes(second)).toEqual(['E447']);
    expect(value(await start)).toEqual({ step: 1, continued: true });
    await until(() => S.getTraining().batches > 2 || S.getTraining().state === 'failed', 'a few batches');
    expect(S.getTraining().errors).toEqual([]);
    expect(S.getTraining().state).toBe('running');
    expect(codes(await S.startTraining(doc))).toEqual(['E447']);
    await S.stopTraining();
    expect(getEditLock()).toBeUndefined();
    // One run on record: the step's, then the run's steps after it.
    expect(getRuns().runs).toHaveLength(1);
    const steps = series(getRuns().runs[0]!, 'steps');
    expect(steps.slice(0, 3)).toEqual([1, 2, 3]);
    expect(steps.every((s, i) => s === i + 1)).toBe(true);
  });

  it('restore then Start: the Start stays loading and goes on from the restored step', async () => {
    const doc = smallBrackets({ steps: 40, evalEvery: 1000 });
    value(await S.startTraining(smallBrackets({ steps: 20, evalEvery: 1000 })));
    await ended();
    const { bytes } = value(await S.checkpointFile(smallBrackets({ steps: 20, evalEvery: 1000 })));
    await S.resetTraining();

    const restore = S.restoreCheckpointFile(doc, bytes);
    const start = S.startTraining(doc);
    expect(value(await restore)).toBe(20);
    expect(S.getTraining().state).toBe('loading');
    expect(getEditLock()).toBeDefined();
    expect(value(await start)).toEqual({ step: 20, continued: true });
    await ended();
    expect(S.getTraining()).toMatchObject({ state: 'idle', ended: 'done', startStep: 20, step: 40, errors: [] });
  });

  it('a failure that is no TrainingFault still ends the Start as failed, with the lock off; the session works afterwards', async () => {
    value(await S.startTraining(smallBrackets({ steps: 3 })));
    await ended();
    const broken = { ...smallBrackets(), nodes: undefined } as unknown as GraphDoc;
    const r = await S.startTraining(broken);
    expect(r.ok).toBe(false);
    expect(S.getTraining().state).toBe('failed');
    expect(S.getTraining().errors.length).toBeGreaterThan(0);
    expect(getEditLock()).toBeUndefined();
    value(await S.startTraining(smallBrackets({ steps: 3 })));
    await ended();
    expect(S.getTraining()).toMatchObject({ ended: 'done', step: 3 });
  });
});

describe('a refused file changes nothing', () => {
  it('a bad checkpoint or weights file, with the open graph’s settings unlike the worker’s, leaves the trained weights, the step and the run', async () => {
    const doc = smallBrackets({ steps: 60, evalEvery: 1000 });
    value(await S.startTraining(doc));
    await ended();
    const before = value(await S.weightsFile(doc));
    const viewBefore = S.getTraining();
    const run = getRuns().current;

    const raised = smallBrackets({ steps: 80, evalEvery: 1000 });
    const reseeded = smallBrackets({ steps: 60, evalEvery: 1000, seed: 99 });
    const wider = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 9 } } : n)) };
    const otherWeights = await (await reference(wider)).getWeights();
    const otherRun = await reference(reseeded);
    const otherCheckpoint = await otherRun.checkpoint();

    expect(codes(await S.restoreCheckpointFile(raised, new Uint8Array([1, 2, 3])))[0]).toMatch(/^E4/);
    expect(codes(await S.restoreCheckpointFile(raised, otherCheckpoint))).toEqual(['E448']);
    expect(codes(await S.loadWeightsFile(reseeded, new Uint8Array([1, 2, 3])))[0]).toMatch(/^E4/);
    expect(codes(await S.loadWeightsFile(reseeded, otherWeights))).toContain('E418');

    const after = S.getTraining();
    for (const k of ['step', 'steps', 'loaded', 'lastEval', 'initialEval', 'ended', 'startStep', 'state'] as const) expect(after[k]).toEqual(viewBefore[k]);
    expect(value(await S.weightsFile(doc))).toEqual(before);
    expect(getRuns().current).toBe(run);

    // The run goes on from where it was, in the same record, which now trains to the raised steps.
    expect(value(await S.startTraining(raised))).toEqual({ step: 60, continued: true });
    await ended();
    expect(getRuns().current).toBe(run);
    expect(record(run)).toMatchObject({ steps: 80, ended: 'done' });
    expect(series(record(run), 'steps')).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });

  it('a checkpoint carries what it is of: the list tells one that does not fit the open graph, and why, as the worker would', async () => {
    const doc = smallBrackets({ steps: 5, evalEvery: 1000 });
    value(await S.startTraining(doc));
    await ended();
    const { bytes, fit } = value(await S.checkpointFile(doc));
    const reseeded = smallBrackets({ steps: 5, evalEvery: 1000, seed: 8 });
    const wider = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 9 } } : n)) };
    const longer = smallBrackets({ steps: 500, evalEvery: 7 });

    expect(checkpointMisfit(fit, S.checkpointFitOf(longer))).toBeUndefined();
    expect(checkpointMisfit(fit, S.checkpointFitOf(reseeded))).toMatch(/seed 7 \(the open graph has 8\)/);
    expect(checkpointMisfit(fit, S.checkpointFitOf(wider))).toMatch(/another graph/);
    expect(checkpointMisfit(undefined, S.checkpointFitOf(doc))).toBeUndefined();
    // The worker agrees.
    expect(codes(await S.restoreCheckpointFile(reseeded, bytes))).toEqual(['E448']);
    expect(codes(await S.restoreCheckpointFile(wider, bytes))).toEqual(['E448']);
    expect(value(await S.restoreCheckpointFile(longer, bytes))).toBe(5);
  });
});

describe('runs are recorded in the run they belong to', () => {
  it('removing the stopped run, then Start: the run goes on in a new record of its own', async () => {
    const doc = smallBrackets({ steps: 100_000, evalEvery: 100_000 });
    value(await S.startTraining(doc));
    await until(() => S.getTraining().step > 20, 'twenty steps');
    await S.stopTraining();
    const stoppedAt = S.getTraining().step;
    const first = getRuns().current!;
    removeRun(first);

    expect(value(await S.startTraining(doc))).toEqual({ step: stoppedAt, continued: true });
    await until(() => S.getTraining().batches > 3, 'a few batches');
    await S.stopTraining();
    const now = getRuns().current;
    expect(now).toBeDefined();
    expect(now).not.toBe(first);
    const steps = series(record(now), 'steps');
    expect(steps[0]).toBe(stoppedAt + 1);
    expect(steps.at(-1)).toBe(S.getTraining().step);
    // Its initial evaluation is at the step it began from.
    expect(record(now).evals[0]?.step).toBe(stoppedAt);
  });

  it('steps taken with Step are recorded, the same as a reference worker’s; a paused Step too', async () => {
    const doc = smallBrackets({ steps: 1000, evalEvery: 100_000 });
    for (let i = 1; i <= 3; i++) expect(value(await S.stepTraining(doc))).toBe(i);
    const run = getRuns().current;
    const ref = await reference(doc);
    const want = [await ref.step(), await ref.step(), await ref.step()];
    expect(series(record(run), 'steps')).toEqual([1, 2, 3]);
    expect(series(record(run), 'loss')).toEqual(want.map((r) => r.loss));
    expect(record(run).evals.map((e) => e.step)).toEqual([0]);

    value(await S.startTraining(doc));
    await S.pauseTraining();
    await until(() => S.getTraining().state === 'paused', 'the pause');
    const at = S.getTraining().step;
    expect(value(await S.stepTraining())).toBe(at + 1);
    await S.stopTraining();
    expect(getRuns().current).toBe(run);
    const steps = series(record(run), 'steps');
    expect(steps.at(-1)).toBe(at + 1);
    expect(steps.every((s, i) => s === i + 1)).toBe(true);
  });

  it('Evaluate during a run records the step it evaluated at: a reference worker stepped that far evaluates the same', async () => {
    const doc = smallBrackets({ steps: 1_000_000, evalEvery: 1_000_000 });
    value(await S.startTraining(doc));
    const r = value(await S.evaluateTraining(doc));
    await S.stopTraining();
    expect(r.step).toBeGreaterThan(0);
    expect(record(getRuns().current).evals).toContainEqual({ split: 'test', step: r.step, loss: r.loss, metric: r.metric });
    const ref = await reference(doc);
    for (let i = 0; i < r.step; i++) await ref.step();
    const want = await ref.evaluate('test');
    expect({ loss: r.loss, metric: r.metric }).toEqual({ loss: want.loss, metric: want.metric });
  });
});

describe('Start after Stop: go on, or afresh', () => {
  it('another seed starts afresh (a new run, a fresh run’s weights) and says so; more steps go on in the same run', async () => {
    const a = smallBrackets({ steps: 30, evalEvery: 1000 });
    value(await S.startTraining(a));
    await ended();
    const first = getRuns().current;

    const b = smallBrackets({ steps: 30, evalEvery: 1000, seed: 8 });
    expect(S.staleAgainst(b)).toBe('settings');
    expect(S.staleAgainst(smallBrackets({ steps: 99, evalEvery: 5 }))).toBe('steps');
    expect(value(await S.startTraining(b))).toEqual({ step: 0, continued: false });
    await ended();
    expect(lastNotice()).toMatch(/seed/);
    expect(lastNotice()).toMatch(/afresh/);
    const second = getRuns().current;
    expect(second).not.toBe(first);
    expect(S.getTraining()).toMatchObject({ startStep: 0, step: 30, ended: 'done' });
    const ref = await reference(b);
    await ref.start();
    expect(value(await S.weightsFile(b))).toEqual(await ref.getWeights());

    const c = smallBrackets({ steps: 50, evalEvery: 1000, seed: 8 });
    expect(value(await S.startTraining(c))).toEqual({ step: 30, continued: true });
    await ended();
    expect(getRuns().current).toBe(second);
    expect(record(second)).toMatchObject({ steps: 50 });
  });
});

describe('a dead worker’s weights are never read as the trained ones', () => {
  it('dying during a run: the session forgets what it loaded, and Inspect shows nothing rather than a fresh model', async () => {
    const doc = smallBrackets({ steps: 1_000_000, evalEvery: 1_000_000 });
    value(await S.startTraining(doc));
    await until(() => S.getTraining().step > 5, 'a few steps');
    spawned.at(-1)!.worker.terminate();
    await ended();
    expect(S.getTraining().state).toBe('failed');
    expect(S.getTraining().errors[0]?.code).toBe('E446');
    expect(S.getTraining().loaded).toBeUndefined();
    const n = spawned.length;
    expect(await S.inspectExample('test', 0)).toBeUndefined();
    expect(await S.predictionPage('test', 5, 0)).toBeUndefined();
    expect(spawned.length).toBe(n);
  });

  it('dying between runs, with no call waiting: the next Inspect says nothing is loaded and a notice says the weights are lost', async () => {
    const doc = smallBrackets({ steps: 10, evalEvery: 1000 });
    value(await S.startTraining(doc));
    await ended();
    expect(S.getTraining().loaded).toBeDefined();
    const w = spawned.at(-1)!.worker;
    const gone = new Promise((r) => w.once('exit', r));
    await w.terminate();
    await gone;
    const n = spawned.length;
    expect(await S.inspectExample('test', 0)).toBeUndefined();
    expect(S.getTraining().loaded).toBeUndefined();
    expect(lastNotice()).toMatch(/weights are lost/);
    expect(spawned.length).toBe(n);
  });
});

describe('the backend chosen', () => {
  it('is passed in the load and shown; a change makes Start load afresh and say so, naming the change', async () => {
    setBackendChoice('cpu');
    const doc = smallBrackets({ steps: 10, evalEvery: 1000 });
    value(await S.startTraining(doc));
    await ended();
    expect(S.getTraining().backend).toEqual({ name: 'cpu' });
    expect(S.staleAgainst(doc)).toBe('same');
    expect(S.backendChange()).toBeUndefined();

    // auto finds no hardware GPU here (SwiftShader is a software adapter): the CPU, with no notice.
    setBackendChoice('auto');
    expect(S.staleAgainst(doc)).toBe('backend');
    expect(S.staleAgainst(smallBrackets({ steps: 10, evalEvery: 1000, seed: 8 }))).toBe('settings');
    expect(S.backendChange()).toEqual({ from: 'CPU', to: 'Auto (GPU when present)' });
    const first = getRuns().current;
    expect(value(await S.startTraining(doc))).toEqual({ step: 0, continued: false });
    await ended();
    expect(lastNotice()).toMatch(/backend CPU → Auto \(GPU when present\)/);
    expect(lastNotice()).toMatch(/afresh/);
    expect(getRuns().current).not.toBe(first);
    expect(S.getTraining()).toMatchObject({ startStep: 0, step: 10, backend: { name: 'cpu' } });
    expect(S.staleAgainst(doc)).toBe('same');
  });

  it('weights loaded after a change of backend are loaded on the new one: Start trains them on, with no notice', async () => {
    const doc = smallBrackets({ steps: 10, evalEvery: 1000 });
    value(await S.startTraining(doc));
    await ended();
    const trained = value(await S.weightsFile(doc));
    setBackendChoice('cpu');
    expect(S.staleAgainst(doc)).toBe('backend');
    expect(value(await S.loadWeightsFile(doc, trained))).toBeGreaterThan(0);
    expect(S.staleAgainst(doc)).toBe('same');
    const notices = getState().notices.length;
    expect(value(await S.startTraining(doc))).toEqual({ step: 0, continued: true });
    await ended();
    expect(getState().notices.length).toBe(notices);
    // The same as a reference that loaded the trained weights and ran 10 steps from them.
    const ref = await reference(doc);
    await ref.setWeights(trained);
    await ref.start();
    expect(value(await S.weightsFile(doc))).toEqual(await ref.getWeights());
  });
});
