/** `unroll train` and `unroll eval` through `main`, on real files in a temporary folder. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'unroll-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runIo(false, ...argv);
}
async function runIo(isTTY: boolean, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runTerm(isTTY, isTTY, ...argv);
}
async function runTerm(isTTY: boolean, stdoutIsTTY: boolean, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: dir, isTTY, stdoutIsTTY });
  return { code, out, err };
}

/** The LSTM brackets example, small enough for a test: 8 units, strings up to 12 characters. */
function writeSmallBrackets(file: string): string {
  const doc = JSON.parse(readFileSync(join(root, 'examples/lstm.json'), 'utf8')) as Record<string, unknown> & { nodes: { id: string; params: Record<string, unknown> }[] };
  doc.nodes.find((n) => n.id === 'lstm')!.params.hidden = 8;
  doc.task = { name: 'brackets', params: { max_length: 12, test_min_length: 13, test_max_length: 16, train_size: 200, test_size: 40 } };
  doc.training = { optimizer: 'adam', lr: 0.01, batch: 8, steps: 30, seed: 1, evalEvery: 10 };
  writeFileSync(join(dir, file), JSON.stringify(doc));
  return file;
}

/** The Elman adding example at T = 6 with 4 units: float inputs, so input gradients exist. */
function writeSmallAdding(file: string): string {
  const doc = JSON.parse(readFileSync(join(root, 'examples/elman-adding.json'), 'utf8')) as Record<string, unknown> & { nodes: { id: string; params: Record<string, unknown> }[] };
  doc.nodes.find((n) => n.id === 'g')!.params.hidden = 4;
  doc.task = { name: 'adding', params: { T: 6 } };
  doc.training = { batch: 4, steps: 5, seed: 2 };
  writeFileSync(join(dir, file), JSON.stringify(doc));
  return file;
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('unroll train', () => {
  const g = writeSmallBrackets('brackets.json');

  it('prints one JSON object per report; the same seed gives identical loss lines', async () => {
    const a = await run('train', g, '--json', '--steps', '20', '--seed', '3');
    const b = await run('train', g, '--json', '--steps', '20', '--seed', '3');
    expect(a.code).toBe(0);
    const steps = (r: { out: string }): unknown[] => jsonLines(r.out).filter((o) => o.type === 'step').map((o) => [o.step, o.loss, o.metric, o.gradNorm]);
    expect(steps(a).length).toBeGreaterThanOrEqual(2);
    expect(steps(b)).toEqual(steps(a));
    const c = await run('train', g, '--json', '--steps', '20', '--seed', '4');
    expect(steps(c)).not.toEqual(steps(a));
    const lines = jsonLines(a.out);
    expect(lines[0]).toMatchObject({ type: 'start', task: 'brackets' });
    const finals = lines.filter((o) => o.type === 'eval' && o.final === true).map((o) => o.split);
    expect(finals).toEqual(['test', 'long']);
    expect(lines.at(-1)).toMatchObject({ type: 'done', steps: 20 });
    // Reports carry the diagnostics: a curve of T values per recurrent state.
    const report = lines.find((o) => o.type === 'step') as { states: { delay: string; norms: number[] }[]; gates: unknown[] };
    expect(report.states.map((s) => s.delay).sort()).toEqual(['c', 'h']);
    expect(report.states[0]!.norms).toHaveLength(12);
  });

  it('prints plain report lines without timings, and a progress bar on a terminal', async () => {
    const plain = await run('train', g, '--steps', '10');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^step 1 loss \d\.\d{4} accuracy \d\.\d{3} grad-norm/m);
    expect(plain.out).toMatch(/final long \(lengths 13–16\): loss/);
    const again = await run('train', g, '--steps', '10');
    const lossLines = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('step ') || l.startsWith('final '));
    expect(lossLines(again.out)).toEqual(lossLines(plain.out));
    const tty = await runIo(true, 'train', g, '--steps', '10');
    expect(tty.err).toMatch(/\[#+\.*\] step \d+ loss .* steps\/s ETA/);
    expect(tty.out).not.toMatch(/^step /m);
    // `unroll train G > log` from a terminal: the bar on the terminal, the report lines in the log.
    const redirected = await runTerm(true, false, 'train', g, '--steps', '10');
    expect(redirected.err).toMatch(/steps\/s ETA/);
    expect(lossLines(redirected.out)).toEqual(lossLines(plain.out));
  });

  it('writes the weights as safetensors named <node>.<weight>', async () => {
    const r = await run('train', g, '--steps', '5', '--out', 'w.safetensors');
    expect(r.code).toBe(0);
    const file = readSafetensors(readFileSync(join(dir, 'w.safetensors')));
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    expect([...file.value.tensors.keys()].sort()).toEqual(['dec.bias', 'dec.weight', 'emb.weight', 'lstm.bias_hh', 'lstm.bias_ih', 'lstm.weight_hh', 'lstm.weight_ih']);
    expect(file.value.tensors.get('lstm.weight_hh')!.shape).toEqual([32, 8]);
  });

  it('refuses a graph without a task, a task that does not fit, and bad numbers', async () => {
    const doc = JSON.parse(readFileSync(join(dir, g), 'utf8')) as Record<string, unknown>;
    delete doc.task;
    writeFileSync(join(dir, 'notask.json'), JSON.stringify(doc));
    const r1 = await run('train', 'notask.json');
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/E440/);
    const r2 = await run('train', g, '--task', 'adding');
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/E42\d/);
    const r3 = await run('train', g, '--steps', 'ten');
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/--steps must be a whole number/);
    const r5 = await run('train', g, '--backend', 'tpu');
    expect(r5.code).toBe(2);
    expect(r5.err).toMatch(/--backend must be auto, cpu or webgpu, not "tpu"/);
    const r4 = await run('train', g, '--weights', 'w.safetensors');
    expect(r4.code).toBe(2);
    expect(r4.err).toMatch(/train takes no --weights/);
  });
});

describe('unroll eval', () => {
  const g = writeSmallAdding('adding.json');

  async function trained(): Promise<string> {
    const r = await run('train', g, '--steps', '3', '--out', 'adding.safetensors');
    expect(r.code).toBe(0);
    return 'adding.safetensors';
  }

  it('prints outputs, loss and with --grad every weight and input gradient, matching finite differences', async () => {
    const w = await trained();
    const x = [
      [[0.5, 0], [0.25, 1], [0.75, 0], [0.1, 0], [0.9, 1], [0.3, 0]],
      [[0.2, 1], [0.4, 0], [0.6, 0], [0.8, 1], [0.1, 0], [0.5, 0]],
    ];
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ x, y: [[1.15], [1.0]] }));
    const r = await run('eval', g, '--weights', w, '--input', 'x.json', '--grad', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      loss: number;
      outputs: Record<string, number[][][]>;
      grads: { weights: Record<string, number[][]>; inputs: Record<string, number[][][]> };
    };
    expect(Number.isFinite(j.loss)).toBe(true);
    expect(j.outputs['g.h']).toHaveLength(2);
    expect(j.outputs['g.h']![0]).toHaveLength(6);
    expect(j.outputs['g.h']![0]![0]).toHaveLength(4);
    expect(Object.keys(j.grads.weights).sort()).toEqual(['g.bias_hh', 'g.bias_ih', 'g.weight_hh', 'g.weight_ih', 'out.bias', 'out.weight']);
    expect(j.grads.inputs.x).toHaveLength(2);
    expect(j.grads.inputs.x![1]![3]).toHaveLength(2);

    // ∂loss/∂x[1][3][0] by central differences through the same command.
    const h = 1e-2;
    const lossAt = async (delta: number): Promise<number> => {
      const xs = structuredClone(x);
      xs[1]![3]![0]! += delta;
      writeFileSync(join(dir, 'xd.json'), JSON.stringify({ x: xs, y: [[1.15], [1.0]] }));
      const o = await run('eval', g, '--weights', w, '--input', 'xd.json', '--json');
      return (JSON.parse(o.out) as { loss: number }).loss;
    };
    const numeric = ((await lossAt(h)) - (await lossAt(-h))) / (2 * h);
    expect(j.grads.inputs.x![1]![3]![0]).toBeCloseTo(numeric, 3);
  });

  it('pads examples of different lengths and trims their outputs', async () => {
    const w = await trained();
    writeFileSync(join(dir, 'ragged.json'), JSON.stringify({ x: [[[0.5, 1], [0.5, 1]], [[0.1, 1], [0.2, 0], [0.3, 1]]], y: [[1], [0.4]] }));
    const r = await run('eval', g, '--weights', w, '--input', 'ragged.json', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { outputs: Record<string, number[][][]>; losses: Record<string, number[]> };
    expect(j.outputs['g.h']!.map((e) => e.length)).toEqual([2, 3]);
    // The short example's loss is what it is alone.
    writeFileSync(join(dir, 'alone.json'), JSON.stringify({ x: [[[0.5, 1], [0.5, 1]]], y: [[1]] }));
    const alone = JSON.parse((await run('eval', g, '--weights', w, '--input', 'alone.json', '--json')).out) as { losses: Record<string, number[]> };
    expect(j.losses.loss![0]).toBeCloseTo(alone.losses.loss![0]!, 6);
  });

  it('names the JSON path of bad input and refuses weights of another graph', async () => {
    const w = await trained();
    writeFileSync(join(dir, 'extra.json'), JSON.stringify({ x: [[[0.5, 1]]], y: [[1]], z: [] }));
    const r0 = await run('eval', g, '--weights', w, '--input', 'extra.json');
    expect(r0.code).toBe(1);
    expect(r0.err).toMatch(/E443 bad-eval-input at \$\.z: "z" is not a source of the graph \(sources: x, y\)/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ x: [[[0.5, 1], [0.5]]], y: [[1]] }));
    const r = await run('eval', g, '--weights', w, '--input', 'bad.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E443 bad-eval-input at \$\.x\[0\]\[1\]: expected 2 numbers/);
    writeFileSync(join(dir, 'other.safetensors'), writeSafetensors([{ name: 'lstm.weight_ih', shape: [2], data: new Float32Array(2) }]));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ x: [[[0.5, 1]]], y: [[1]] }));
    const r2 = await run('eval', g, '--weights', 'other.safetensors', '--input', 'ok.json');
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/E417/);
    expect(r2.err).toMatch(/E419/);
    writeFileSync(join(dir, 'broken.safetensors'), new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0, 1]));
    const r3 = await run('eval', g, '--weights', 'broken.safetensors', '--input', 'ok.json');
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(/E40\d/);
    const r4 = await run('eval', g, '--input', 'ok.json');
    expect(r4.code).toBe(2);
    expect(existsSync(join(dir, 'ok.json'))).toBe(true);
  });
});
