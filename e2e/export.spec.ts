/**
 * Export ▸ PyTorch downloads the same model.py and train.py as `unroll export G --to pytorch`
 * (the editor calls runtime/export; the command line writes its files from the same code).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { openApp, watchProblems } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

test('Export ▸ PyTorch downloads model.py and train.py, the same files the command line writes', async ({ page }, info) => {
  const problems = watchProblems(page);
  await openApp(page);
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name: 'lstm', exact: true }).click();
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().name)).toBe('LSTM brackets classifier');

  const dir = mkdtempSync(join(tmpdir(), 'unroll-e2e-export-'));
  try {
    execFileSync(process.execPath, [`${root}bin/unroll.mjs`, 'export', `${root}examples/lstm.json`, '--to', 'pytorch', '--out', join(dir, 'model.py')], { cwd: root });
    for (const [item, name] of [['PyTorch model.py', 'model.py'], ['PyTorch train.py (DDP)', 'train.py']] as const) {
      await page.getByText('Export', { exact: true }).click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: item }).click()]);
      expect(download.suggestedFilename()).toBe(name);
      const file = info.outputPath(name);
      await download.saveAs(file);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(name === 'model.py' ? '"""LSTM brackets classifier: exported from Unroll' : '"""Train the exported model')).toBe(true);
      expect(text).toBe(readFileSync(join(dir, name), 'utf8'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
});
