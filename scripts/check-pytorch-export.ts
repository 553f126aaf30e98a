/**
 * Exports each checked example to PyTorch, runs it with runtime/export/python/run_export.py on
 * saved weights and inputs, and compares its outputs and losses with Unroll's (max abs error
 * 1e-5). `--numpy-torch` runs on the numpy stand-in instead of PyTorch (what the unit tests do).
 * Exit 0 when every example agrees, 1 otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportPytorch } from '../runtime/export/pytorch.ts';
import { CHECKED_EXAMPLES, exportCase, writeCaseFiles, type PythonRun } from '../runtime/export/check-support.ts';
import { maxError } from '../runtime/export/reference.ts';

const ROOT = resolve(import.meta.dirname, '..');
const stand = process.argv.includes('--numpy-torch');
const dir = mkdtempSync(join(tmpdir(), 'unroll-check-pytorch-'));
let failed = 0;
try {
  for (const name of CHECKED_EXAMPLES) {
    const c = exportCase(ROOT, name);
    const r = exportPytorch(c.analysis);
    if (!r.ok) throw new Error(`${name}: ${r.errors[0]!.message}`);
    const sub = mkdtempSync(join(dir, `${name}-`));
    writeFileSync(join(sub, 'model.py'), r.value.code);
    const files = await writeCaseFiles(c, sub);
    const args = [join(ROOT, 'runtime/export/python/run_export.py'), join(sub, 'model.py'), files.weights, files.inputs, ...(stand ? ['--numpy-torch'] : [])];
    const run = JSON.parse(execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 64 << 20 })) as PythonRun;
    let worst = { abs: 0, rel: 0 };
    for (const [key, want] of c.expected) {
      const e = maxError(run.outputs[key]?.data ?? [], want.data);
      if (e.abs > worst.abs || Number.isNaN(e.abs)) worst = e;
    }
    for (const [key, want] of c.losses) {
      const e = maxError(run.losses?.[key]?.data ?? [], want);
      if (e.abs > worst.abs || Number.isNaN(e.abs)) worst = e;
    }
    const ok = worst.abs <= 1e-5;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${Object.entries(c.lengths).map(([k, v]) => `${k}=${v}`).join(', ')}): max abs error ${worst.abs.toExponential(2)}, max rel error ${worst.rel.toExponential(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed === 0 ? `all ${CHECKED_EXAMPLES.length} examples agree with Unroll within 1e-5${stand ? ' (numpy stand-in, not PyTorch)' : ' (PyTorch)'}` : `${failed} example(s) differ`);
process.exit(failed === 0 ? 0 : 1);
