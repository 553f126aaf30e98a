/** `unroll eval` and its X.json reader on hard cases found in review: whole-sequence input gradients, huge and deep inputs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { readEvalInput } from './eval-input.ts';
import { parseGraph } from '../graph/parse.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { Model } from '../train/model.ts';
import { Rng } from '../train/prng.ts';
import { writeSafetensors } from '../weights/safetensors.ts';
import { weightTensors } from './weights-io.ts';
import { wholeSequenceGraph } from '../train/gradcheck-support.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'unroll-eval-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: dir });
  return { code, out, err };
}

function analysisOf(text: string) {
  const p = parseGraph(text);
  if (!p.ok) throw new Error(p.errors[0]!.message);
  return analyzeGraph(p.value);
}

/** A float sequence read both per step (the loop) and whole (attention keys and values). */
const WHOLE = wholeSequenceGraph('dot');

describe('eval --grad', () => {
  // Regression (found in review), fixed: eval.ts reports the gradient of every feed of a source (the whole-sequence
  // feed `data:x@whole` as well as the per-step feeds), not only `feeds.find(f => f.position === p)`.
  it('gives the input gradient of a sequence that also feeds a whole-sequence port (attention keys)', async () => {
    const text = JSON.stringify(WHOLE);
    writeFileSync(join(dir, 'whole.json'), text);
    const m = new Model(analysisOf(text));
    m.initialise(new Rng(1));
    writeFileSync(join(dir, 'whole.safetensors'), writeSafetensors(weightTensors(m)));
    const x = [[[1, 2, 3], [0.5, -1, 2]]];
    const y = [[0.3, 0.1]];
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ x, y }));
    const r = await run('eval', 'whole.json', '--weights', 'whole.safetensors', '--input', 'x.json', '--grad', '--json');
    expect(r.code).toBe(0);
    const reported = (JSON.parse(r.out) as { grads: { inputs: { x: number[][][] } } }).grads.inputs.x;
    const h = 1e-2;
    const lossAt = async (p: number, j: number, delta: number): Promise<number> => {
      const xs = structuredClone(x);
      xs[0]![p]![j]! += delta;
      writeFileSync(join(dir, 'xd.json'), JSON.stringify({ x: xs, y }));
      const o = await run('eval', 'whole.json', '--weights', 'whole.safetensors', '--input', 'xd.json', '--json');
      return (JSON.parse(o.out) as { loss: number }).loss;
    };
    for (const [p, j] of [[0, 0], [1, 0], [1, 2]] as const) {
      const numeric = ((await lossAt(p, j, h)) - (await lossAt(p, j, -h))) / (2 * h);
      expect(reported[0]![p]![j]!, `x[0][${p}][${j}]`).toBeCloseTo(numeric, 3);
    }
  });
});

describe('X.json reader', () => {
  const lstm = analysisOf(readFileSync(join(root, 'examples/lstm.json'), 'utf8'));

  // Regression (found in review), fixed: eval-input.ts stops spreading per-example lengths into Math.max(...l)
  // (lines 81, 87, 116): 150,000 examples (a 900 KB file) overflow the call stack.
  it('reads 150,000 short examples without a stack overflow', () => {
    const n = 150_000;
    const value = { x: Array.from({ length: n }, () => [1]), y: Array.from({ length: n }, () => 0) };
    expect(() => readEvalInput(value, lstm)).not.toThrow();
  });

  // Regression (found in review), fixed: a deeply nested step is refused with E443 without JSON.stringify /
  // flat(Infinity) recursing through it (eval-input.ts `put`).
  it('refuses a deeply nested step with E443 instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const run = () => readEvalInput({ x: [[deep]], y: [1] }, lstm);
    expect(run).not.toThrow();
    const r = run();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.code).toBe('E443');
  });
});

describe('X.json as a file', () => {
  it('refuses keys written twice, bad syntax and absurd nesting before parsing, with line and column', async () => {
    writeFileSync(join(dir, 'dup.json'), '{"x": [[1]],\n "y": [0], "x": [[2]]}');
    const text = readFileSync(join(root, 'examples/lstm.json'), 'utf8');
    writeFileSync(join(dir, 'lstm.json'), text);
    const m = new Model(analysisOf(text));
    m.initialise(new Rng(2));
    writeFileSync(join(dir, 'lstm.safetensors'), writeSafetensors(weightTensors(m)));
    const dup = await run('eval', 'lstm.json', '--weights', 'lstm.safetensors', '--input', 'dup.json');
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/E443 bad-eval-input at \$\.x: .*a key written twice in one object \(line 2, column \d+\)/);
    writeFileSync(join(dir, 'syntax.json'), '{"x": [[1]], "y": [0],}');
    const syntax = await run('eval', 'lstm.json', '--weights', 'lstm.safetensors', '--input', 'syntax.json');
    expect(syntax.err).toMatch(/E443 .*not valid JSON: .*line 1, column/);
    writeFileSync(join(dir, 'deep.json'), `{"x": ${'['.repeat(5000)}${']'.repeat(5000)}, "y": [0]}`);
    const deep = await run('eval', 'lstm.json', '--weights', 'lstm.safetensors', '--input', 'deep.json');
    expect(deep.code).toBe(1);
    expect(deep.err).toMatch(/E443 .*nested deeper than an eval input goes/);
  });
});
