import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPytorch } from './pytorch.ts';
import { CHECKED_EXAMPLES, exportCase, exportCaseOf, writeCaseFiles, type ExportCase, type PythonRun } from './check-support.ts';
import { maxError } from './reference.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const RUNNER = join(import.meta.dirname, 'python', 'run_export.py');
const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasNumpy = python.status === 0;
const dir = mkdtempSync(join(tmpdir(), 'unroll-pytorch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export to PyTorch', () => {
  for (const name of CHECKED_EXAMPLES) {
    it.skipIf(!hasPython)(`${name}: the file is valid Python`, () => {
      const c = exportCase(ROOT, name);
      const r = exportPytorch(c.analysis);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const file = join(dir, `${name}.py`);
      writeFileSync(file, r.value.code);
      const out = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      expect(r.value.code.startsWith(`"""${c.analysis.doc.name}: exported from Unroll`)).toBe(true);
    });

    it.skipIf(!hasNumpy)(`${name}: the file computes Unroll's outputs and losses (numpy stand-in for torch)`, async () => {
      await runAndCompare(exportCase(ROOT, name));
    });
  }

  // Node ids that are not Python identifiers (`my-rnn`) or are nn.Module attributes (`to`, `type`).
  it.skipIf(!hasNumpy)('ids that are not identifiers or clash with nn.Module keep their state_dict keys', async () => {
    const c = exportCaseOf('awkward ids', {
      format: 'unroll-graph',
      version: 1,
      name: 'awkward ids',
      nodes: [
        { id: 'x', type: 'input', params: { kind: 'tokens', vocab: 5 } },
        { id: 'type', type: 'encoder', params: { kind: 'embedding', size: 4 } },
        { id: 'my-rnn', type: 'rnn', params: { hidden: 3 } },
        { id: 'in', type: 'delay', params: { init: 'learned' } },
        { id: 'to', type: 'decoder', params: { size: 2 } },
      ],
      edges: [
        { from: 'x.out', to: 'type.in' },
        { from: 'type.out', to: 'my-rnn.x' },
        { from: 'my-rnn.h', to: 'in.in' },
        { from: 'in.out', to: 'my-rnn.h_prev' },
        { from: 'my-rnn.h', to: 'to.in' },
      ],
    });
    const code = await runAndCompare(c);
    expect(code).toContain('_MANGLED = {"unroll_type": "type", "unroll_to": "to"}');
    expect(code).toContain('getattr(self, "my-rnn")');
  });
});

/**
 * Export, run on the numpy stand-in for the torch functions the file calls, compare with Unroll;
 * checks the code's arithmetic and loop structure against Unroll's numbers (not PyTorch itself).
 * Returns the generated code.
 */
async function runAndCompare(c: ExportCase): Promise<string> {
  const r = exportPytorch(c.analysis);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const sub = mkdtempSync(join(dir, `${c.name.replace(/\W/g, '_')}-`));
  const model = join(sub, 'model.py');
  writeFileSync(model, r.value.code);
  const files = await writeCaseFiles(c, sub);
  const stdout = execFileSync('python3', [RUNNER, model, files.weights, files.inputs, '--numpy-torch'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const run = JSON.parse(stdout) as PythonRun;
  expect(run.state_dict_keys).toEqual(c.model.weightSpecs.map((w) => w.key).sort());
  expect(Object.keys(run.outputs).sort()).toEqual([...c.expected.keys()].sort());
  for (const [key, want] of c.expected) {
    const got = run.outputs[key]!;
    expect(got.shape, key).toEqual(want.shape);
    expect(maxError(got.data, want.data).abs, key).toBeLessThan(1e-5);
  }
  for (const [key, want] of c.losses) expect(maxError(run.losses![key]!.data, want).abs, key).toBeLessThan(1e-5);
  return r.value.code;
}
