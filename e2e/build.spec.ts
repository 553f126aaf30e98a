/**
 * Building a graph with the mouse and keyboard only (the test API is used to read state, never to
 * change it): an Elman RNN from an empty canvas, exported, checked by the command line, re-imported.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { clickNode, connect, dropBlock, mainCanvas, openApp, watchProblems } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

test('build an Elman RNN from an empty canvas through the UI; export; it validates and re-imports equal', async ({ page }, info) => {
  const problems = watchProblems(page);
  await openApp(page);
  await page.getByText('File', { exact: true }).click();
  await page.getByRole('menuitem', { name: 'New' }).click();
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().nodes.length)).toBe(0);
  await expect(mainCanvas(page).getByText('Empty graph')).toBeVisible();

  // Blocks dragged from the palette: h = Enc(x), z = G(h, z(t-1)), y = Dec(z), and a loss.
  const drops: [string, number, number][] = [
    ['input', 110, 90],
    ['encoder', 330, 90],
    ['rnn', 560, 90],
    ['delay', 560, 290],
    ['decoder', 330, 290],
    ['target', 110, 470],
    ['loss', 330, 470],
  ];
  for (const [type, x, y] of drops) await dropBlock(page, type, x, y);
  const ids = await page.evaluate(() => window.__unroll!.doc().nodes.map((n) => `${n.id}:${n.type}`));
  expect(ids).toEqual(['x:input', 'enc:encoder', 'rnn:rnn', 'z:delay', 'dec:decoder', 'y:target', 'loss:loss']);

  // Wires drawn port to port; the delay closes the loop.
  await connect(page, ['x', 'out'], ['enc', 'in']);
  await connect(page, ['enc', 'out'], ['rnn', 'x']);

  await connect(page, ['rnn', 'h'], ['z', 'in']);
  await connect(page, ['z', 'out'], ['rnn', 'h_prev']);
  await connect(page, ['rnn', 'h'], ['dec', 'in']);
  await connect(page, ['dec', 'out'], ['loss', 'pred']);
  await connect(page, ['y', 'out'], ['loss', 'target']);
  expect(await page.evaluate(() => window.__unroll!.doc().edges.length)).toBe(7);
  const wires = await page.evaluate(() => window.__unroll!.canvas().wires);
  expect(wires.find((w) => w.to === 'z.in')?.recurrent).toBe(true);
  await expect(mainCanvas(page).getByTestId('wire-rnn.h->z.in').locator('.z-badge')).toBeVisible();

  // The hidden size, in the inspector.
  await clickNode(page, 'rnn');
  await page.getByTestId('param-hidden').fill('24');
  await page.getByTestId('param-hidden').press('Enter');
  // The target runs along the input's time axis, so the loss compares step by step.
  await clickNode(page, 'y');
  await page.getByTestId('param-align_with').selectOption('x');
  await expect.poll(() => page.evaluate(() => window.__unroll!.errors().map((e) => `${e.code} ${e.message}`))).toEqual([]);
  await expect(page.getByTestId('problems').getByText('✓ Valid')).toBeVisible();
  const doc = await page.evaluate(() => window.__unroll!.doc());
  expect(doc.nodes.find((n) => n.id === 'rnn')?.params).toEqual({ hidden: 24 });
  // The delay's wire shows the inferred state shape.
  expect((await page.evaluate(() => window.__unroll!.canvas().wires)).find((w) => w.to === 'z.in')?.shape).toBe('[24]');

  // Export through the File menu.
  await page.getByText('File', { exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /Save/ }).click()]);
  const file = info.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  expect(text).toBe(await page.evaluate(() => window.__unroll!.serialized()));
  expect(text).toContain('\n  "nodes": [\n');
  const out = execFileSync(process.execPath, [`${root}bin/unroll.mjs`, 'validate', file], { encoding: 'utf8', cwd: root });
  expect(out).toMatch(/^ok /);

  // Re-import through File ▸ Open: the same graph as on the canvas.
  await page.getByText('File', { exact: true }).click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('menuitem', { name: /Open/ }).click()]);
  await chooser.setFiles(file);
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.current())).sourceKind).toBe('file');
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(doc);
  expect(await page.evaluate(() => window.__unroll!.serialized())).toBe(text);
  expect(problems).toEqual([]);
});
