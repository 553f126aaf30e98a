/** Limits met while training (found in review): refused with catalogue errors, never an internal error. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'unroll-train-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a plan too large to allocate', () => {
  // Batch 65,536 (the schema's maximum) at length 2,000 would need ~130 GB: the memory budget
  // refuses it (E445) before anything is allocated, instead of an internal error.
  it('refuses with a catalogue error, not an internal error', async () => {
    const doc = JSON.parse(readFileSync(join(root, 'examples/lstm.json'), 'utf8')) as Record<string, unknown>;
    doc.task = { name: 'brackets', params: { max_length: 2000, test_min_length: 2001, test_max_length: 2002, train_size: 20, test_size: 2 } };
    doc.training = { batch: 65536, steps: 1 };
    writeFileSync(join(dir, 'big.json'), JSON.stringify(doc));
    let out = '';
    let err = '';
    const code = await main(['train', 'big.json'], { out: (s) => (out += s), err: (s) => (err += s), cwd: dir });
    expect(code).toBe(1);
    expect(err).not.toMatch(/internal error/);
    expect(err).toMatch(/E445 over-memory-budget: this run needs an estimated [\d.]+ GiB \(.*[\d.]+ GiB for the train pass \(batch 65536, x = 2000\)/);
    expect(err).toMatch(/over the memory budget of 1\.0 GiB/);
  });
});

/** A brackets classifier whose loop holds 204 nodes (an RNN and a chain of 200 tanh blocks). */
function deepLoop(task: Record<string, unknown>): Record<string, unknown> {
  const nodes: Record<string, unknown>[] = [
    { id: 'x', type: 'input', params: { kind: 'tokens', vocab: 26 } },
    { id: 'emb', type: 'encoder', params: { kind: 'embedding', size: 4 }, loop: 't' },
    { id: 'g', type: 'rnn', params: { hidden: 4 }, loop: 't' },
    { id: 'z', type: 'delay', params: {}, loop: 't' },
  ];
  const edges: Record<string, unknown>[] = [
    { from: 'x.out', to: 'emb.in' },
    { from: 'emb.out', to: 'g.x' },
    { from: 'g.h', to: 'z.in' },
    { from: 'z.out', to: 'g.h_prev' },
  ];
  let prev = 'g.h';
  for (let i = 0; i < 200; i++) {
    nodes.push({ id: `t${i}`, type: 'tanh', params: {}, loop: 't' });
    edges.push({ from: prev, to: `t${i}.in` });
    prev = `t${i}.out`;
  }
  nodes.push(
    { id: 'dec', type: 'decoder', params: { size: 2 }, loop: 't' },
    { id: 'y', type: 'target', params: { kind: 'tokens', vocab: 2, sequence: false } },
    { id: 'loss', type: 'loss', params: { kind: 'cross_entropy' } },
  );
  edges.push({ from: prev, to: 'dec.in' }, { from: 'dec.out', to: 'loss.pred', take: 'last' }, { from: 'y.out', to: 'loss.target' });
  return { format: 'unroll-graph', version: 1, name: 'deep loop', loops: [{ id: 't', over: 'x' }], nodes, edges, task, training: { steps: 2, batch: 2 } };
}

describe('unrolling limits met while training', () => {
  async function run(...argv: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const code = await main(argv, { out: () => {}, err: (s) => (err += s), cwd: dir });
    return { code, err };
  }

  // Trainer.create compiles the training pass and turns its refusal into catalogue errors.
  it('reports E302 for a training length that unrolls too large', async () => {
    writeFileSync(join(dir, 'deep-train.json'), JSON.stringify(deepLoop({ name: 'brackets', params: { max_length: 10000, test_min_length: 10000, test_max_length: 10000, train_size: 2, test_size: 2 } })));
    const r = await run('train', 'deep-train.json');
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/E302/);
  });

  // An evaluation split that cannot be unrolled is refused before the first step, so no training
  // is spent and then lost (and weights are written before the final evaluations anyway).
  it('refuses before training when a final split cannot be unrolled, naming E302', async () => {
    writeFileSync(join(dir, 'deep-final.json'), JSON.stringify(deepLoop({ name: 'brackets', params: { max_length: 20, test_min_length: 9990, test_max_length: 10000, train_size: 50, test_size: 2 } })));
    const r = await run('train', 'deep-final.json', '--out', 'deep.safetensors');
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/E302/);
    expect(existsSync(join(dir, 'deep.safetensors'))).toBe(false);
  });
});
