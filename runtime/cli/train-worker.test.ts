/**
 * `unroll train` through its worker thread: the memory budget flag, a diverging run (its message
 * and the last good weights written), and Ctrl+C stopping the run while still writing the weights.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { readSafetensors } from '../weights/safetensors.ts';
import { divergingRelu, smallBrackets } from '../worker/fixtures/docs.ts';

const dir = mkdtempSync(join(tmpdir(), 'unroll-train-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], during?: (out: () => string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const pending = main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: dir });
  during?.(() => out);
  const code = await pending;
  return { code, out, err };
}

const write = (file: string, doc: unknown): string => {
  writeFileSync(join(dir, file), JSON.stringify(doc));
  return file;
};

describe('unroll train in a worker thread', () => {
  it('--memory-budget is honoured and checked', async () => {
    const example = JSON.parse(readFileSync(new URL('../../examples/lstm.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const g = write('lstm.json', { ...example, training: { ...(example.training as object), steps: 3 } });
    const tight = await run(['train', g, '--memory-budget', '1MiB']);
    expect(tight.code).toBe(1);
    expect(tight.err).toMatch(/E445 over-memory-budget: this run needs an estimated [\d.]+ MiB .* over the memory budget of 1\.0 MiB/);
    const roomy = await run(['train', g, '--memory-budget', '2GiB']);
    expect(roomy.err).toBe('');
    expect(roomy.code).toBe(0);
    const bad = await run(['train', g, '--memory-budget', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--memory-budget must be a size of at least 1MiB such as 512MiB or 4GiB, got "lots"/);
  });

  it('a diverging run exits 1 naming node@step and the training step, and writes the last good weights', async () => {
    const g = write('diverge.json', divergingRelu());
    const r = await run(['train', g, '--out', 'last-good.safetensors']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E442 diverged: training step \d+: the loss is \S+; the first non-finite number is the value of \w+@\d+ \(port \w+\)/);
    expect(r.err).toMatch(/the last good weights were written to last-good\.safetensors/);
    const file = readSafetensors(readFileSync(join(dir, 'last-good.safetensors')));
    if (!file.ok) throw new Error('unreadable weights');
    expect(file.value.tensors.size).toBeGreaterThan(0);
    for (const t of file.value.tensors.values()) expect(t.data.every(Number.isFinite)).toBe(true);
  });

  it('Ctrl+C stops at the current step, then writes the weights and evaluates', async () => {
    const g = write('long.json', smallBrackets({ steps: 1_000_000, evalEvery: 1_000_000 }));
    const r = await run(['train', g, '--out', 'stopped.safetensors'], (out) => {
      const poll = setInterval(() => {
        if (/step 1 loss/.test(out())) {
          clearInterval(poll);
          process.emit('SIGINT');
        }
      }, 20);
    });
    expect(r.code).toBe(0);
    const stopped = Number(/stopped at step (\d+) of 1000000/.exec(r.out)?.[1]);
    expect(stopped).toBeGreaterThanOrEqual(1);
    expect(stopped).toBeLessThan(1_000_000);
    expect(r.out).toMatch(/final long \(lengths 13–16\): loss [\d.]+ accuracy [\d.]+ on 64 examples/);
    expect(existsSync(join(dir, 'stopped.safetensors'))).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
