/**
 * Inspecting a run through the training worker (a real Node worker thread): before a load, while
 * the run is going (answered between steps), paused (the same as an in-process trainer after as
 * many steps), and after it ended; requests outside the task's splits are catalogue errors.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphDoc, ParamValueJson, TrainingSpec } from '../graph/types.ts';
import { Trainer } from '../train/trainer.ts';
import { TrainerClient, TrainingFault } from './client.ts';
import { spawnNodeWorker } from './spawn-node.ts';

const clients: TrainerClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(): TrainerClient {
  const c = new TrainerClient({ spawn: () => spawnNodeWorker() });
  clients.push(c);
  return c;
}

const example = (name: string): GraphDoc => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as GraphDoc;

/** The attention example, small: strings of 2–5 digits, 20 test strings of each length. */
function smallAttention(training: TrainingSpec = {}): GraphDoc {
  const sizes: Record<string, Record<string, ParamValueJson>> = { embS: { size: 8 }, embT: { size: 8 }, enc: { hidden: 16 }, dec: { hidden: 16 }, att: { size: 16 } };
  const doc = example('seq2seq-attention.json');
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (sizes[n.id] !== undefined ? { ...n, params: { ...n.params, ...sizes[n.id] } } : n)),
    task: { name: 'reverse', params: { min_length: 2, max_length: 5, test_min_length: 2, test_max_length: 5, test_per_length: 20 } },
    training: { optimizer: 'adam', lr: 0.01, batch: 16, steps: 1_000_000, clip: 1, seed: 3, evalEvery: 1_000_000, ...training },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(f: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await f())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function fault(p: Promise<unknown>): Promise<TrainingFault> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TrainingFault) return e;
    throw e;
  }
  throw new Error('expected a TrainingFault');
}

const rowSums = (weights: readonly (readonly number[])[]): number[] => weights.map((r) => r.reduce((a, b) => a + b, 0));

describe('inspect and predictions through the worker', () => {
  it('E447 before anything is loaded', async () => {
    const c = client();
    for (const f of [await fault(c.inspect('test', 0)), await fault(c.predictions('test', 10))]) {
      expect(f.code).toBe('E447');
      expect(f.message).toMatch(/no graph is loaded/);
    }
  });

  it('while the run is going, paused (equal to an in-process trainer at that step), and after it ends', async () => {
    const c = client();
    await c.load({ doc: smallAttention() });
    const run = c.start();
    await until(async () => (await c.status()).step >= 5, 'five steps');

    // Answered between steps: the run keeps going around the calls.
    const during = await c.inspect('test', 10);
    expect(during.attention).toHaveLength(1);
    for (const s of rowSums(during.attention[0]!.weights)) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    const rows = await c.predictions('test', 20, 40);
    expect(rows.rows.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    const stepAfter = (await c.status()).step;
    await until(async () => (await c.status()).step > stepAfter + 3, 'more steps after the calls');
    expect((await c.status()).state).toBe('running');

    await c.pause();
    await until(async () => (await c.status()).state === 'paused', 'the pause');
    const step = (await c.status()).step;
    const paused = await c.inspect('test', 79);
    expect(paused.step).toBe(step);
    // The same seed trains the same run: an in-process trainer after as many steps sees the same.
    const made = Trainer.create({ doc: smallAttention() });
    if (!made.ok) throw new Error(made.errors[0]!.message);
    for (let i = 0; i < step; i++) made.value.step();
    expect(paused).toEqual(made.value.inspect('test', 79));
    expect(await c.predictions('test', 80, 0)).toEqual(made.value.predictions('test', 80, 0));

    await c.stop();
    expect((await run).reason).toBe('stopped');
    const idle = await c.predictions('test', 5, 75);
    expect(idle.rows.map((r) => r.index)).toEqual([75, 76, 77, 78, 79]);
    expect(idle.step).toBe(step);
  });

  it('requests outside the task are E447 errors that name the split and the example', async () => {
    const c = client();
    await c.load({ doc: smallAttention() });
    const split = await fault(c.inspect('train', 0));
    expect(split.code).toBe('E447');
    expect(split.message).toMatch(/cannot inspect an example: task reverse has no split "train"; its splits are test/);
    const index = await fault(c.inspect('test', 80));
    expect(index.code).toBe('E447');
    expect(index.message).toMatch(/split test of task reverse has examples 0 … 79; there is no example 80/);
    expect((await fault(c.predictions('test', 5000, 0))).message).toMatch(/0 … 1000 rows at a time, not 5000/);
    expect((await fault(c.predictions('test', 10, 100))).message).toMatch(/there is no example 100/);
    // The worker is fine after refusing: the run loaded is still there.
    expect((await c.inspect('test', 0)).example.index).toBe(0);
  });
});
