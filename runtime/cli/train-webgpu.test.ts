/**
 * `unroll train --backend webgpu` (Dawn in the CLI's worker thread; SwiftShader here): the run
 * says which adapter trains it, and its report lines carry the CPU run's losses within 1e-3.
 * `--backend cpu` and the default (auto, which leaves a software adapter alone) print no backend line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { requestGpu } from '../webgpu/context.ts';

const gpu = await requestGpu();
if (!gpu.ok) console.warn(`CLI WebGPU tests skipped: ${gpu.reason}`);
else gpu.context.device.destroy();

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'unroll-cli-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: dir, isTTY: false, stdoutIsTTY: false });
  return { code, out, err };
}

const losses = (out: string): number[] => [...out.matchAll(/^step \d+ loss (\S+)/gm)].map((m) => Number(m[1]));

describe.skipIf(!gpu.ok)('unroll train --backend webgpu', () => {
  it('names the adapter and trains to the CPU losses within 1e-3', { timeout: 120_000 }, async () => {
    const doc = JSON.parse(readFileSync(join(root, 'examples/lstm.json'), 'utf8')) as Record<string, unknown> & { nodes: { id: string; params: Record<string, unknown> }[] };
    doc.nodes.find((n) => n.id === 'lstm')!.params.hidden = 8;
    doc.task = { name: 'brackets', params: { max_length: 12, test_min_length: 13, test_max_length: 16, train_size: 200, test_size: 40 } };
    doc.training = { optimizer: 'adam', lr: 0.01, batch: 8, steps: 30, seed: 1, evalEvery: 10 };
    writeFileSync(join(dir, 'b.json'), JSON.stringify(doc));
    const onGpu = await run('train', 'b.json', '--backend', 'webgpu');
    expect(onGpu.err).toBe('');
    expect(onGpu.code).toBe(0);
    expect(onGpu.out).toMatch(/^backend webgpu: .*swiftshader.*$/im);
    const onCpu = await run('train', 'b.json', '--backend', 'cpu');
    expect(onCpu.code).toBe(0);
    expect(onCpu.out).not.toMatch(/^backend/m);
    const auto = await run('train', 'b.json');
    expect(auto.out).not.toMatch(/^backend/m);
    const a = losses(onCpu.out);
    const b = losses(onGpu.out);
    expect(a.length).toBeGreaterThan(3);
    expect(b.length).toBe(a.length);
    // Report lines print 4 decimals: equal within 1e-3 after rounding.
    a.forEach((l, i) => expect(Math.abs(l - b[i]!)).toBeLessThanOrEqual(1e-3 + 1e-4));
  });
});
