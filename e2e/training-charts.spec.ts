/**
 * The training panel's live charts, against the built app in Chromium with a real training
 * worker: the default example learns on screen (test metric above its value before training,
 * loss points, no long task, Stop within a second); the per-timestep gradient chart shows exactly
 * what the CLI prints for the same graph, task and seed; and an Elman RNN's run overlaid on an
 * LSTM's shows the vanishing gradient (screenshot for the README).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { GraphDoc } from '../runtime/graph/types.ts';
import { openApp, screenshotDir, watchProblems } from './helpers.ts';
import { longTasksOver, watchLongTasks, watchedFor } from './long-tasks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Open the training panel (its Charts tab is the first) and wait for the charts to be there. */
async function openCharts(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Training panel' }).click();
  await expect(page.getByRole('tab', { name: 'Charts' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('training-charts')).toBeVisible();
}

/** Set training settings of the open graph as the panel's form does. */
async function setTraining(page: Page, training: Partial<NonNullable<GraphDoc['training']>>): Promise<void> {
  expect(await page.evaluate((t) => window.__unroll!.dispatch({ type: 'setTraining', training: t }), training)).toBe(true);
}

async function trainToEnd(page: Page, steps: number): Promise<void> {
  await page.evaluate((n) => window.__unroll!.training.start({ steps: n }), steps);
  await page.waitForFunction(() => window.__unroll!.training.state().ended === 'done', undefined, { timeout: 60_000 });
  expect((await page.evaluate(() => window.__unroll!.training.state())).errors).toEqual([]);
}

test('the default example learns on the charts: test metric above its initial value within 60 s, loss points, Stop within 1 s, no long task', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchProblems(page);
  await openApp(page);
  expect((await page.evaluate(() => window.__unroll!.current())).name).toBe('lstm');
  await openCharts(page);
  // Evaluations every 200 steps, so that the test metric moves within seconds.
  await setTraining(page, { evalEvery: 200 });
  await expect(page.getByTestId('graph-locked')).toHaveCount(0);
  // From before the click on Start to the end of the run: long tasks, and renders of the canvas
  // (once the settings' autosave, which the canvas shows, is done).
  await page.waitForFunction(() => window.__unroll!.storage().status === 'saved');
  await page.evaluate(() => window.__unroll!.resetRenders());
  await watchLongTasks(page);

  const clickedStart = Date.now();
  await page.getByRole('button', { name: 'Start training' }).click();
  // The initial value: the evaluation at step 0, before the first step.
  await page.waitForFunction(() => window.__unroll!.training.charts().metric.evals.length > 0, undefined, { timeout: 30_000, polling: 100 });
  const initial = (await page.evaluate(() => window.__unroll!.training.charts().metric.evals[0]!))!;
  expect(initial.step).toBe(0);
  await page.waitForFunction(
    (v0) => {
      const m = window.__unroll!.training.charts().metric;
      return m.evals.some((e) => e.step > 0 && e.value > v0);
    },
    initial.value,
    { timeout: Math.max(1000, 60_000 - (Date.now() - clickedStart)), polling: 250 },
  );
  const charts = await page.evaluate(() => window.__unroll!.training.charts());
  expect(charts.metric).toMatchObject({ name: 'accuracy', split: 'test' });
  const better = charts.metric.evals.find((e) => e.step > 0 && e.value > initial.value)!;
  expect(better.value).toBeGreaterThan(initial.value);
  expect(charts.loss.train).toBeGreaterThan(10);
  expect(charts.loss.eval).toBeGreaterThanOrEqual(2);
  // Drawn on the page, not only computed: every chart has its plot (the LSTM has gates).
  await expect
    .poll(async () => [...(await page.evaluate(() => window.__unroll!.training.charts())).drawn].sort(), { timeout: 5000 })
    .toEqual(['gates', 'gradNorm', 'loss', 'metric', 'timestep']);
  await expect(page.getByTestId('chart-loss').locator('canvas')).toHaveCount(1);
  expect(charts.gradNorm).toMatchObject({ clip: 1, log: true });
  expect(charts.gradNorm.points).toBeGreaterThan(10);
  expect(charts.gates!.map((g) => g.gate)).toEqual(['lstm.input', 'lstm.forget', 'lstm.output']);
  // The runs list shows the run.
  await expect(page.getByTestId('charts-runs')).toContainText('#1 LSTM brackets classifier');

  // The run locked the graph (the panel says so) without re-rendering the canvas or its blocks:
  // the lock is not in the editor's state.
  await expect(page.getByTestId('graph-locked')).toBeVisible();
  expect(await page.evaluate(() => window.__unroll!.renders())).toEqual({ blockNode: 0, canvas: 0 });

  // Let it run on with the charts redrawing, at least 10 s from the click on Start, then Stop through the panel.
  await page.waitForTimeout(Math.max(3000, 10_000 - (await watchedFor(page))));
  const stepBefore = (await page.evaluate(() => window.__unroll!.training.state())).step;
  const clicked = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Stop training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.state().ended === 'stopped', undefined, { timeout: 5_000, polling: 10 });
  const ended = await page.evaluate(() => performance.now());
  expect(ended - clicked).toBeLessThan(1000);
  const after = await page.evaluate(() => window.__unroll!.training.state());
  expect(after.step).toBeGreaterThan(stepBefore);
  await expect(page.getByTestId('graph-locked')).toHaveCount(0);
  await page.waitForTimeout(300);
  expect((await page.evaluate(() => window.__unroll!.training.state())).step).toBe(after.step);
  // The charts hold every step of the run (decimated for drawing at most).
  expect((await page.evaluate(() => window.__unroll!.training.charts().runs[0]!)).steps).toBe(after.step);
  expect((await page.evaluate(() => window.__unroll!.training.charts().runs[0]!.ended))).toBe('stopped');

  expect(await watchedFor(page)).toBeGreaterThan(10_000);
  expect(await longTasksOver(page, 50)).toEqual([]);
  expect(await page.evaluate(() => window.__unroll!.renders())).toEqual({ blockNode: 0, canvas: 0 });
  expect(problems).toEqual([]);
});

test('the gradient-by-timestep chart has one point per step of the sequence, equal to what the CLI prints for the same graph, task and seed', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchProblems(page);
  // The CLI's first step on examples/lstm.json (brackets, seed 1), in a worker thread of Node.
  const cli = promisify(execFile)(process.execPath, ['bin/unroll.mjs', 'train', 'examples/lstm.json', '--steps', '1', '--json'], { cwd: root, maxBuffer: 1 << 24 });
  await openApp(page);
  expect((await page.evaluate(() => window.__unroll!.current())).name).toBe('lstm');
  await openCharts(page);
  await trainToEnd(page, 1);
  const { stdout } = await cli;
  const step1 = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; step?: number; states?: { delay: string; source: string; norms: number[] }[] })
    .find((r) => r.type === 'step' && r.step === 1);
  expect(step1?.states).toBeDefined();
  const expected = step1!.states!;

  const charts = await page.evaluate(() => window.__unroll!.training.charts());
  const ts = charts.timestep!;
  expect(ts.step).toBe(1);
  expect(ts.log).toBe(true);
  expect(ts.series.map((s) => s.label)).toEqual(expected.map((s) => `${s.delay} (${s.source})`));
  expect(ts.series.map((s) => s.label)).toEqual(['h (lstm.h)', 'c (lstm.c)']);
  expect(await page.evaluate(() => window.__unroll!.training.state().step)).toBe(1);
  for (const [k, s] of ts.series.entries()) {
    const want = expected[k]!.norms;
    // One point per time step of the step's sequences (brackets: T varies by batch; the CLI's T).
    expect(want.length).toBeGreaterThan(5);
    expect(s.values.length).toBe(want.length);
    expect(s.points).toBe(want.length);
    // The same float32 kernels on both sides: the numbers are identical, not merely close.
    expect(s.values).toEqual(want);
  }
  // And drawn: charts draw one per frame, at most every 80 ms, so the plot may come a little later.
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.training.charts())).drawn, { timeout: 5000 }).toContain('timestep');
  expect(problems).toEqual([]);
});

test('Elman RNN against LSTM on the adding task: both runs overlaid on the per-timestep gradient chart (screenshot)', async ({ page }) => {
  // The adding task (T = 100, the loss at the last step only) rather than brackets: brackets'
  // sequences vary in length within a batch and its loss sits at each one's own end, so the
  // batch's ‖∂L/∂z_t‖ over t mixes distances to the loss and shows no trend for either cell.
  test.setTimeout(180_000);
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  // A taller training panel than the default, for a readable picture.
  await page.addInitScript(() => localStorage.setItem('unroll.trainingPanel.height', '560'));
  await openApp(page);
  await openCharts(page);

  await page.evaluate(() => window.__unroll!.open('elman-adding'));
  await page.waitForFunction(() => window.__unroll!.current().name === 'elman-adding');
  await trainToEnd(page, 300);
  // Runs persist across opening another graph.
  await page.evaluate(() => window.__unroll!.open('lstm-adding'));
  await page.waitForFunction(() => window.__unroll!.current().name === 'lstm-adding');
  await trainToEnd(page, 300);

  const charts = await page.evaluate(() => window.__unroll!.training.charts());
  expect(charts.runs.map((r) => [r.label, r.task, r.shown, r.steps])).toEqual([
    ['#1 Elman RNN on adding (T = 100): the gradient vanishes along time', 'adding', true, 300],
    ['#2 LSTM on adding (T = 100)', 'adding', true, 300],
  ]);
  const [elman, lstm] = charts.runs;
  expect(elman!.colour).not.toBe(lstm!.colour);
  const ts = charts.timestep!;
  expect(ts.series.map((s) => [s.run, s.label, s.values.length])).toEqual([
    [1, 'h (g.h)', 100],
    [2, 'h (g.h)', 100],
    [2, 'c (g.c)', 100],
  ]);
  // Every time step drawn on the log axis (no norm underflowed to 0).
  expect(ts.series.map((s) => s.points)).toEqual([100, 100, 100]);
  // Loss and metric carry both runs too.
  expect(charts.loss.runs).toEqual([1, 2]);
  expect(charts.metric.runs).toEqual([1, 2]);
  // The lecture's point: from the last time step back to the first, the Elman RNN's gradient
  // falls by many more decades than the LSTM's.
  const decades = (v: readonly number[]): number => Math.log10(v.at(-1)! / v[0]!);
  const elmanFall = decades(ts.series[0]!.values);
  const lstmFall = Math.max(decades(ts.series[1]!.values), decades(ts.series[2]!.values));
  expect(elmanFall).toBeGreaterThan(lstmFall + 5);

  // Hiding a run in the runs list takes it off the chart; showing it brings it back.
  const elmanBox = page.getByRole('checkbox', { name: `Show ${elman!.label}` });
  await elmanBox.uncheck();
  await page.waitForFunction(() => window.__unroll!.training.charts().timestep!.series.every((s) => s.run === 2));
  await elmanBox.check();
  await page.waitForFunction(() => window.__unroll!.training.charts().timestep!.series.length === 3);
  // Enlarged to the whole tab for the picture; the other charts give way, the runs list stays.
  await page.getByRole('button', { name: 'Enlarge ‖∂L/∂z_t‖ by time step (log)' }).click();
  await expect(page.getByTestId('chart-loss')).toHaveCount(0);
  await expect(page.getByTestId('charts-runs')).toBeVisible();
  await page.waitForFunction(() => window.__unroll!.training.charts().drawn.join() === 'timestep');
  // Let the resized plot draw before the picture.
  await page.waitForTimeout(400);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.getByTestId('chart-timestep').screenshot({ path: `${screenshotDir()}gradients-elman-vs-lstm.png` });
  await page.getByRole('button', { name: 'Back to all charts' }).click();
  await expect(page.getByTestId('chart-loss')).toBeVisible();
  expect(problems).toEqual([]);
});
