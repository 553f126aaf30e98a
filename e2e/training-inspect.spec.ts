/**
 * The training panel's Inspect tab against the built app with a real training worker: after a
 * short run of the seq2seq-with-attention example the heatmap's rows sum to 1 (checked through the
 * test API), it has one row per output token and one column per input token, and the tab draws it
 * with those tokens on its axes; the predictions table marks ✓/✗ as the test API reports; the
 * memory network shows one set of weights per hop summing to 1; and a longer run on shorter
 * strings leaves the screenshot of the heatmap for the README (the reversal's anti-diagonal).
 */
import { expect, test, type Page } from '@playwright/test';
import type { GraphDoc, TaskSpec } from '../runtime/graph/types.ts';
import type { WeightMap } from '../runtime/train/inspect.ts';
import { openApp, screenshotDir, watchProblems } from './helpers.ts';

/** Open the training panel on its Inspect tab. */
async function openInspect(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Training panel' }).click();
  await page.getByRole('tab', { name: 'Inspect' }).click();
  await expect(page.getByTestId('inspect-view')).toBeVisible();
}

async function setTraining(page: Page, training: Partial<NonNullable<GraphDoc['training']>>): Promise<void> {
  expect(await page.evaluate((t) => window.__unroll!.dispatch({ type: 'setTraining', training: t }), training)).toBe(true);
}

async function setTask(page: Page, task: TaskSpec): Promise<void> {
  expect(await page.evaluate((t) => window.__unroll!.dispatch({ type: 'setTask', name: t.name, params: t.params }), task)).toBe(true);
}

/** Train the open graph for its `steps` and wait for the end. */
async function trainToEnd(page: Page, timeout: number): Promise<void> {
  await page.evaluate(() => window.__unroll!.training.start());
  await page.waitForFunction(() => window.__unroll!.training.state().ended === 'done', undefined, { timeout });
  expect((await page.evaluate(() => window.__unroll!.training.state())).errors).toEqual([]);
}

const rowSums = (m: WeightMap): number[] => m.weights.map((r) => r.reduce((a, b) => a + b, 0));

test('seq2seq with attention: the heatmap’s rows sum to 1, one row per output and one column per input token, drawn with the tokens; the table’s ✓/✗ match', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openInspect(page);
  // Nothing trained yet: the tab says so.
  await expect(page.getByTestId('inspect-message')).toContainText('No trained model');
  expect((await page.evaluate(() => window.__unroll!.training.inspect())).report).toBeUndefined();

  await page.evaluate(() => window.__unroll!.open('seq2seq-attention'));
  await setTraining(page, { steps: 100, evalEvery: 1000 });
  await trainToEnd(page, 60_000);
  // The run's end refreshed the tab by itself: example 0 with the weights of step 100.
  await expect(page.getByTestId('inspect-status')).toHaveText('weights of step 100');
  await expect(page.getByTestId('inspect-heatmap-att')).toBeVisible();

  const shown = await page.evaluate(() => window.__unroll!.training.inspect('test', 30));
  expect(shown.status).toBe('ready');
  const report = shown.report!;
  expect(report).toMatchObject({ split: 'test', step: 100, metric: 'exact_match' });
  expect(report.example.index).toBe(30);
  expect(report.memory).toEqual([]);
  expect(report.attention).toHaveLength(1);
  const att = report.attention[0]!;
  for (const s of rowSums(att)) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
  // One row per output step (the reversed digits and </s>), one column per input digit.
  const src = report.example.inputs.find((s) => s.stream === 'src')!;
  expect(att.weights).toHaveLength(src.steps + 1);
  expect(att.weights.every((r) => r.length === src.steps)).toBe(true);
  expect(att.cols.labels).toEqual(src.labels);
  expect(att.rows.labels).toEqual(report.example.prediction.labels);
  expect(att.rows.targets).toEqual(report.example.target.labels);

  // The tab draws the same matrix with the tokens on its axes.
  const map = page.getByTestId('inspect-heatmap-att');
  await expect(map.getByRole('cell')).toHaveCount(att.weights.length * src.steps);
  expect(await map.getByRole('columnheader').allTextContents()).toEqual(['', ...src.labels]);
  expect(await map.getByRole('rowheader').allTextContents()).toEqual(att.rows.labels);
  await map.getByRole('cell').nth(src.steps + 1).hover();
  await expect(page.getByTestId('inspect-readout')).toContainText(`(row 1) → ${src.labels[1]} (column 1): ${att.weights[1]![1]!.toFixed(4)}`);
  await expect(page.getByTestId('inspect-example')).toContainText(report.example.text.input);

  // The predictions table: the first page, ✓/✗ as the test API reports each row.
  const page0 = (await page.evaluate(() => window.__unroll!.training.predictions('test', 0)))!;
  expect(page0.rows).toHaveLength(20);
  const table = page.getByTestId('inspect-predictions');
  await expect(table.locator('tbody tr')).toHaveCount(20);
  expect(await table.getByTestId('inspect-mark').allTextContents()).toEqual(page0.rows.map((r) => (r.correct ? '✓' : '✗')));
  expect(await table.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(page0.rows.map((r) => r.input));
  expect(page0.rows.every((r) => r.correct === (r.prediction === r.target))).toBe(true);
  // Paging, and a click on a row shows that example.
  await page.getByRole('button', { name: 'next page of predictions' }).click();
  await expect(page.getByTestId('inspect-page-range')).toHaveText(`21–40 of ${page0.count}`);
  await table.locator('tbody tr').nth(3).click();
  await expect.poll(() => page.evaluate(() => window.__unroll!.training.inspect().then((s) => s.report?.example.index))).toBe(23);
  expect(problems).toEqual([]);
});

test('memory network: per hop, the addressing weights over the story’s sentences sum to 1', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await page.evaluate(() => window.__unroll!.open('memory-network'));
  // No linear start: from the first step every hop reads through its softmax.
  await setTraining(page, { steps: 50, linearStart: 0, evalEvery: 1000 });
  await openInspect(page);
  await trainToEnd(page, 45_000);

  const report = (await page.evaluate(() => window.__unroll!.training.inspect('test', 2))).report!;
  expect(report.attention).toEqual([]);
  expect(report.memory.map((m) => m.node)).toEqual(['read1', 'read2', 'read3']);
  const story = report.example.inputs.find((s) => s.stream === 'story')!;
  for (const hop of report.memory) {
    expect(hop.normalized).toBe(true);
    expect(hop.weights).toHaveLength(1);
    expect(hop.cols.labels).toEqual(story.labels);
    for (const s of rowSums(hop)) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
  }
  // The tab: one row per sentence, as text, and a column per hop.
  const table = page.getByTestId('inspect-memory');
  await expect(table.locator('tbody tr')).toHaveCount(story.steps);
  expect(await table.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(story.labels);
  await expect(table.locator('thead th')).toHaveCount(2 + 3);
  expect(problems).toEqual([]);
});

test('screenshot: the attention heatmap of a trained reversal shows the anti-diagonal', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchProblems(page);
  // A taller window and panel, so that the whole heatmap is in the picture.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.addInitScript(() => localStorage.setItem('unroll.trainingPanel.height', '520'));
  await openApp(page);
  await page.evaluate(() => window.__unroll!.open('seq2seq-attention'));
  // Strings of 4–10 digits learn within a few hundred steps.
  await setTask(page, { name: 'reverse', params: { min_length: 4, max_length: 10, test_min_length: 4, test_max_length: 10, test_per_length: 20 } });
  await setTraining(page, { steps: 700, batch: 32, evalEvery: 1000 });
  await openInspect(page);
  await trainToEnd(page, 60_000);
  // The longest test strings are last: show one of 10 digits.
  const report = (await page.evaluate(() => window.__unroll!.training.inspect('test', 139))).report!;
  const att = report.attention[0]!;
  expect(att.weights).toHaveLength(11);
  // The reversal learned: output step t looks hardest at input step n−1−t for most digits.
  const n = att.cols.labels.length;
  const onDiagonal = att.weights.slice(0, n).filter((row, t) => row.indexOf(Math.max(...row)) === n - 1 - t).length;
  expect(onDiagonal).toBeGreaterThanOrEqual(n - 2);
  await expect(page.getByTestId('inspect-heatmap-att').getByRole('cell')).toHaveCount(11 * n);
  // The panel's header shows the trained test metric rather than the one at step 0.
  expect((await page.evaluate(() => window.__unroll!.training.evaluate())).ok).toBe(true);
  await page.getByTestId('training-panel').screenshot({ path: `${screenshotDir()}attention-heatmap.png` });
  expect(problems).toEqual([]);
});
