/**
 * The training worker in real Node worker threads, through the client the CLI uses: control
 * semantics, bit-identical checkpoints, the metrics stream, and every fault the watchdog handles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readSafetensors } from '../weights/safetensors.ts';
import { TrainerClient, TrainingFault } from './client.ts';
import type { MetricsBatch, Status } from './protocol.ts';
import { spawnNodeWorker, type NodeWorkerHandle } from './spawn-node.ts';
import { divergingRelu, fiftyGiB, smallBrackets } from './fixtures/docs.ts';

const clients: TrainerClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** A client whose workers the test can reach (to kill one from outside the client). */
function client(entry?: URL, options: { stallMs?: number } = {}): { client: TrainerClient; workers: NodeWorkerHandle[] } {
  const workers: NodeWorkerHandle[] = [];
  const c = new TrainerClient({
    spawn: () => {
      const h = spawnNodeWorker(entry);
      workers.push(h);
      return h;
    },
    ...options,
  });
  clients.push(c);
  return { client: c, workers };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(f: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await f())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The fault a promise rejects with, and how long after `from` it did. */
async function rejection(p: Promise<unknown>, from = performance.now()): Promise<{ fault: TrainingFault; ms: number }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TrainingFault)) throw e;
    return { fault: e, ms: performance.now() - from };
  }
  throw new Error('expected a rejection');
}

describe('control: pause, resume, step, stop', () => {
  it('pause freezes the step count, step takes exactly one, resume continues, stop ends the run within 1 s', async () => {
    const { client: c } = client();
    await c.load({ doc: smallBrackets({ steps: 1_000_000 }) });
    const run = c.start();
    await until(async () => (await c.status()).step >= 3, 'three steps');

    const paused = await c.pause();
    expect(['paused', 'running']).toContain(paused.state);
    await until(async () => (await c.status()).state === 'paused', 'the pause');
    const frozen = (await c.status()).step;
    await sleep(300);
    expect((await c.status()).step).toBe(frozen);

    const one = await c.step();
    expect(one.step).toBe(frozen + 1);
    expect(one.states?.length).toBe(2);
    expect((await c.status()).step).toBe(frozen + 1);

    await c.resume();
    await until(async () => (await c.status()).step >= frozen + 4, 'steps after resume');
    // A step while the run is going is refused, not interleaved.
    const refused = await rejection(c.step());
    expect(refused.fault.code).toBe('E447');

    const asked = performance.now();
    await c.stop();
    const end = await run;
    expect(performance.now() - asked).toBeLessThan(1000);
    expect(end.reason).toBe('stopped');
    const after: Status = await c.status();
    expect(after).toMatchObject({ state: 'idle', step: end.step });

    // A fresh load trains from the start again, to its own step count.
    await c.load({ doc: smallBrackets({ steps: 6 }) });
    const done = await c.start();
    expect(done).toEqual({ reason: 'done', step: 6 });
  });

  it('stop reaches a long step under way: the run ends within 1 s, and the abandoned step is not counted', async () => {
    const { client: c } = client();
    // Hidden 256 on strings up to 400 characters: one step takes far longer than a second here.
    const doc = smallBrackets({ steps: 1000, batch: 64 });
    const big = {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 256 } } : n)),
      task: { name: 'brackets', params: { min_length: 390, max_length: 400, test_min_length: 401, test_max_length: 402, train_size: 200, test_size: 8 } },
    };
    await c.load({ doc: big, evalBatch: 8 });
    const run = c.start();
    await sleep(1500);
    const asked = performance.now();
    await c.stop();
    const end = await run;
    expect(performance.now() - asked).toBeLessThan(1000);
    expect(end.reason).toBe('stopped');
    expect((await c.status()).step).toBe(end.step);
  });

  it('pause then stop, pause then resume, and stop right after start or during load are never lost', async () => {
    const { client: c } = client();
    await c.load({ doc: smallBrackets({ steps: 1_000_000 }) });
    let run = c.start();
    await until(async () => (await c.status()).step >= 2, 'two steps');
    await c.pause();
    await c.stop();
    expect((await run).reason).toBe('stopped');

    run = c.start();
    await until(async () => (await c.status()).step >= 2, 'two more steps');
    expect((await c.pause()).state).toBe('paused');
    expect((await c.resume()).state).toBe('running');
    const resumedAt = (await c.status()).step;
    await until(async () => (await c.status()).step > resumedAt + 3, 'steps after an immediate resume');
    await c.stop();
    expect((await run).reason).toBe('stopped');

    const before = (await c.status()).step;
    run = c.start();
    await c.stop();
    const end = await run;
    expect(end.reason).toBe('stopped');
    expect(end.step - before).toBeLessThan(1000);

    // Stop while the graph is still loading: the start that follows does not train.
    const loading = c.load({ doc: smallBrackets({ steps: 1_000_000 }) });
    await c.stop();
    await loading;
    expect(await c.start()).toEqual({ reason: 'stopped', step: 0 });
    // … and the next start is not affected by that stop.
    await c.load({ doc: smallBrackets({ steps: 5 }) });
    expect(await c.start()).toEqual({ reason: 'done', step: 5 });
  });

  it('a big model (9 million weights) loads, trains, checkpoints and restores without the watchdog firing', async () => {
    const { client: c, workers } = client();
    const doc = smallBrackets({ optimizer: 'sgd', lr: 0.01, steps: 2 });
    const big = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 1500 } } : n)) };
    const info = await c.load({ doc: big, memoryBudget: 4 * 1024 ** 3, evalBatch: 16 });
    expect(info.parameters).toBeGreaterThan(9_000_000);
    expect(await c.start()).toEqual({ reason: 'done', step: 2 });
    const checkpoint = await c.checkpoint();
    await c.step();
    expect(await c.restore(checkpoint)).toMatchObject({ step: 2 });
    expect((await c.getWeights()).length).toBeGreaterThan(36_000_000);
    expect(workers).toHaveLength(1);
  });

  it('refuses calls that do not fit the state with E447', async () => {
    const { client: c } = client();
    expect((await rejection(c.start())).fault.code).toBe('E447');
    await c.load({ doc: smallBrackets() });
    expect((await rejection(c.evaluate('nope'))).fault.message).toMatch(/no split "nope"; its splits are test, long/);
  });
});

describe('checkpoint and restore', () => {
  it('a restored run gives the next 50 losses of the uninterrupted run bit for bit', async () => {
    const doc = smallBrackets({ steps: 70 });
    const a = client().client;
    await a.load({ doc });
    for (let i = 0; i < 20; i++) await a.step();
    const checkpoint = await a.checkpoint();
    const uninterrupted: number[] = [];
    for (let i = 0; i < 50; i++) uninterrupted.push((await a.step()).loss);

    // A fresh worker: restore, then train through the run loop (the metrics stream) this time.
    const b = client().client;
    await b.load({ doc });
    await b.step(); // a different state first, so the restore has something to overwrite
    expect(await b.restore(checkpoint)).toMatchObject({ step: 20 });
    const restored: number[] = [];
    const end = await b.start((m) => restored.push(...m.loss));
    expect(end).toEqual({ reason: 'done', step: 70 });
    expect(restored).toEqual(uninterrupted);
    expect(await b.getWeights()).toEqual(await a.getWeights());
  });

  it('refuses a checkpoint of another graph, of other settings, a plain weights file and damaged bytes (E448, E400s)', async () => {
    const a = client().client;
    await a.load({ doc: smallBrackets() });
    await a.step();
    const checkpoint = await a.checkpoint();
    const weights = await a.getWeights();

    const b = client().client;
    const other = smallBrackets();
    await b.load({ doc: { ...other, nodes: other.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, forget_bias: 0 } } : n)) } });
    expect((await rejection(b.restore(checkpoint))).fault.message).toMatch(/E448: the checkpoint is of another graph/);
    await b.load({ doc: smallBrackets({ lr: 0.02 }) });
    expect((await rejection(b.restore(checkpoint))).fault.message).toMatch(/E448: the checkpoint's training settings .* differ/);
    const otherData = smallBrackets();
    await b.load({ doc: { ...otherData, task: { name: 'brackets', params: { ...otherData.task!.params, train_size: 400 } } } });
    expect((await rejection(b.restore(checkpoint))).fault.message).toMatch(/E448: the checkpoint's training settings .*"train_size":500.* differ/);
    await b.load({ doc: smallBrackets() });
    expect((await rejection(b.restore(weights))).fault.message).toMatch(/E448: not an Unroll checkpoint/);
    expect((await rejection(b.restore(checkpoint.slice(0, 100)))).fault.code).toMatch(/^E4[01]\d$/);
    // Nothing was changed by the refusals: the run is still at step 0 and restores fine.
    expect((await b.status()).step).toBe(0);
    expect(await b.restore(checkpoint)).toMatchObject({ step: 1 });
  });
});

describe('weights', () => {
  it('getWeights from one run, setWeights into another: the same evaluation; a file of another graph changes nothing', async () => {
    const a = client().client;
    await a.load({ doc: smallBrackets({ steps: 40 }) });
    await a.start();
    const trained = await a.getWeights();
    const want = await a.evaluate('test');

    const b = client().client;
    await b.load({ doc: smallBrackets({ seed: 99 }) });
    const fresh = await b.evaluate('test');
    expect(await b.setWeights(trained)).toBe(7);
    expect(await b.evaluate('test')).toEqual({ ...want, step: 0 });
    expect(fresh).not.toEqual(want);

    const c = client().client;
    const other = smallBrackets();
    await c.load({ doc: { ...other, nodes: other.nodes.map((n) => (n.id === 'lstm' ? { ...n, params: { ...n.params, hidden: 9 } } : n)) } });
    const before = await c.evaluate('test');
    const refused = await rejection(c.setWeights(trained));
    expect(refused.fault.errors.map((e) => e.code)).toContain('E418');
    expect(refused.fault.message).toMatch(/weight "lstm\.weight_hh" has shape \[32, 8\] in the file but the graph needs \[36, 9\]/);
    expect(await c.evaluate('test')).toEqual(before);
  });
});

describe('metrics', () => {
  it('arrive at most 10 times a second with every step, curves per timestep, and evaluations', async () => {
    const { client: c } = client();
    await c.load({ doc: smallBrackets({ steps: 150 }) });
    const batches: MetricsBatch[] = [];
    await c.start((m) => batches.push(m));
    const sent = batches.map((b) => b.sentAt);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(100);
    const steps = batches.flatMap((b) => [...b.steps]);
    expect(steps).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    for (const b of batches) {
      expect(b.loss).toBeInstanceOf(Float64Array);
      expect(b.loss.length).toBe(b.steps.length);
      expect(b.clipped).toBeInstanceOf(Uint8Array);
    }
    const diag = batches.flatMap((b) => b.diagnostics);
    expect(diag.length).toBeGreaterThanOrEqual(1);
    expect(diag[0]!.states.map((s) => s.delay).sort()).toEqual(['c', 'h']);
    expect(diag[0]!.states[0]!.norms).toBeInstanceOf(Float64Array);
    expect(diag[0]!.states[0]!.norms.length).toBe(12);
    expect(diag[0]!.gates[0]!.gates.map((g) => g.name)).toEqual(['input', 'forget', 'output']);
    // evalEvery 25: evaluations after steps 25 … 125 (not after the last step).
    expect(batches.flatMap((b) => b.evals.map((e) => e.step))).toEqual([25, 50, 75, 100, 125]);
  });
});

describe('faults', () => {
  it('a worker killed mid-call rejects the pending call within 1 s, and the next start runs in a fresh worker', async () => {
    const { client: c, workers } = client();
    await c.load({ doc: smallBrackets({ steps: 400 }) });
    const run = c.start();
    await until(async () => (await c.status()).step >= 2, 'two steps');
    const killed = performance.now();
    void workers[0]!.worker.terminate(); // from outside the client, as a crash would
    const { fault, ms } = await rejection(run, killed);
    expect(ms).toBeLessThan(1000);
    expect(fault.code).toBe('E446');
    expect(fault.message).toMatch(/the training worker failed: it exited/);

    // The lost run starts over from the graph in a fresh worker and finishes.
    const next = await c.start();
    expect(workers).toHaveLength(2);
    expect(next).toEqual({ reason: 'done', step: 400 });
  });

  it('a worker that stops answering is declared hung within 1 s and replaced', async () => {
    const { client: c, workers } = client(new URL('./fixtures/hang-entry.ts', import.meta.url));
    await c.load({ doc: smallBrackets() });
    const asked = performance.now();
    const { fault, ms } = await rejection(c.step(), asked);
    expect(ms).toBeLessThan(1000);
    expect(fault.message).toMatch(/E446: the training worker failed: it stopped answering \(no heartbeat for \d+ ms\)/);
    // The next call gets a fresh worker with the graph loaded again.
    expect((await c.evaluate('test')).count).toBe(64);
    expect(workers).toHaveLength(2);
  });

  it('a worker that throws at start-up rejects the call with its error', async () => {
    const { client: c } = client(new URL('./fixtures/throw-entry.ts', import.meta.url));
    const { fault } = await rejection(c.load({ doc: smallBrackets() }));
    expect(fault.code).toBe('E446');
    expect(fault.message).toMatch(/it threw: broken on purpose at start-up/);
    expect(c.alive).toBe(false);
  });

  it('a learning rate that diverges halts with the node@step and the training step, keeping finite weights', async () => {
    const { client: c } = client();
    await c.load({ doc: divergingRelu() });
    const { fault } = await rejection(c.start());
    expect(fault.code).toBe('E442');
    expect(fault.message).toMatch(/training step \d+: the loss is (NaN|-?Infinity); the first non-finite number is the value of \w+@\d+ \(port \w+\)/);
    expect(fault.errors[0]!.nodes?.length).toBe(1);
    expect(await c.status()).toMatchObject({ state: 'halted' });
    const file = readSafetensors(await c.getWeights());
    if (!file.ok) throw new Error('weights unreadable');
    for (const t of file.value.tensors.values()) expect(t.data.every(Number.isFinite)).toBe(true);
    expect((await rejection(c.start())).fault.code).toBe('E447');
  });

  it('a run that would need 50 GiB is refused before allocating, with the estimate', async () => {
    const { client: c } = client();
    const before = process.memoryUsage().rss;
    const { fault } = await rejection(c.load({ doc: fiftyGiB() }));
    expect(fault.code).toBe('E445');
    const gib = Number(/needs an estimated ([\d.]+) GiB/.exec(fault.message)?.[1]);
    expect(gib).toBeGreaterThanOrEqual(50);
    expect(fault.message).toMatch(/optimiser state [\d.]+ MiB; [\d.]+ GiB for the train pass \(batch 512, x = 3300\)/);
    // Worker threads share the process: nothing near that size was allocated anywhere.
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 ** 2);
    // A budget raised to fit is honoured (the estimate is checked, not a fixed limit).
    const fits = await c.load({ doc: smallBrackets(), memoryBudget: 64 * 1024 ** 2 });
    expect(fits.memory.total).toBeLessThan(64 * 1024 ** 2);
    expect((await rejection(c.load({ doc: smallBrackets(), memoryBudget: 64 * 1024 }))).fault.code).toBe('E445');
  });
});
