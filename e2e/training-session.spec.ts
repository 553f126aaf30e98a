/**
 * The training session's commands against the built app, with a real worker: the top bar's Train
 * is not offered while a Step loads the graph, and the Start after it trains one run with the graph
 * locked throughout (a second start is refused with a reason); a checkpoint stored in IndexedDB
 * that the open graph cannot restore is marked with why, and not offered.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, watchProblems } from './helpers.ts';

const view = (page: Page) => page.evaluate(() => window.__unroll!.training.view());

async function openPanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Training panel' }).click();
  await expect(page.getByTestId('training-panel')).toBeVisible();
}

test('Train is not offered while a Step loads; the Start after it trains one run, locked throughout; a second start gives a reason', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await page.evaluate(() => window.__unroll!.dispatch({ type: 'setTraining', training: { steps: 1_000_000, evalEvery: 1_000_000 } }));
  // Every change of the session's state, with whether the graph is locked, sampled in the page.
  await page.evaluate(() => {
    const w = window as unknown as { seen: string[] };
    w.seen = [];
    let last = '';
    setInterval(() => {
      const v = window.__unroll!.training.view();
      const s = `${v.state}${v.errors.length > 0 ? `:${v.errors[0]!.code}` : ''} lock=${document.querySelector('[data-testid=graph-locked]') ? 'on' : 'off'}`;
      if (s !== last) w.seen.push((last = s));
    }, 2);
  });

  const train = page.getByRole('button', { name: '▶ Train' });
  await page.getByRole('button', { name: 'Step once' }).click();
  await expect(train).toBeDisabled();
  await expect(train).toBeEnabled({ timeout: 30_000 });
  expect((await view(page)).step).toBe(1);

  const mark = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.length);
  await train.click();
  await page.waitForFunction(() => window.__unroll!.training.view().step > 5, undefined, { timeout: 30_000 });
  const again = await page.evaluate(() => window.__unroll!.training.start());
  expect(again.ok ? [] : again.errors.map((e) => e.code)).toEqual(['E447']);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'stopped');

  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  // The changes from the click to the Stop: (loading, when sampled) then running, locked throughout, no error.
  const after = seen.slice(mark);
  const to = after.findIndex((s) => s.startsWith('idle'));
  expect(to).toBeGreaterThan(0);
  const run = after.slice(0, to);
  const states = run.map((s) => s.split(' ')[0]).filter((s, i, all) => s !== all[i - 1]);
  expect(states.at(-1)).toBe('running');
  expect(states.filter((s) => s !== 'loading' && s !== 'running')).toEqual([]);
  expect(states.indexOf('loading')).toBeLessThanOrEqual(0);
  expect(run.every((s) => s.endsWith('lock=on'))).toBe(true);
  expect(seen.filter((s) => s.includes(':'))).toEqual([]);
  // One run on record: the Step's, gone on by the Start.
  const runs = await page.evaluate(() => window.__unroll!.training.charts().runs);
  expect(runs).toHaveLength(1);
  expect(runs[0]!.steps).toBe((await view(page)).step);
  expect(problems).toEqual([]);
});

test('a stored checkpoint the open graph cannot restore is marked with why, and not offered; it fits again when the graph does', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await page.evaluate(() => window.__unroll!.dispatch({ type: 'setTraining', training: { steps: 3, evalEvery: 1000 } }));
  await page.evaluate(() => window.__unroll!.training.start());
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'done', undefined, { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Weights' }).click();
  await page.getByTestId('save-checkpoint').click();
  await expect(page.getByTestId('checkpoint-message')).toHaveText('Saved a checkpoint at step 3.');

  const { id } = (await page.evaluate(() => window.__unroll!.training.checkpoints()))[0]!;
  const row = page.getByTestId(`checkpoint-${id}`);
  const restore = page.getByRole('button', { name: 'Restore the checkpoint at step 3' });
  await expect(row).toHaveAttribute('data-fit', 'yes');
  await expect(restore).toBeEnabled();

  // More steps: still the same run, so it fits.
  await page.evaluate(() => window.__unroll!.dispatch({ type: 'setTraining', training: { steps: 50 } }));
  await expect(row).toHaveAttribute('data-fit', 'yes');
  // Another seed: a checkpoint of another run.
  const seed = (await page.evaluate(() => window.__unroll!.training.settings())).training.seed;
  await page.evaluate((s) => window.__unroll!.dispatch({ type: 'setTraining', training: { seed: s } }), seed + 1);
  await expect(row).toHaveAttribute('data-fit', 'no');
  await expect(page.getByTestId(`checkpoint-misfit-${id}`)).toContainText(`seed ${seed} (the open graph has ${seed + 1})`);
  await expect(restore).toBeDisabled();
  // Another hidden size: another graph.
  await page.evaluate((s) => window.__unroll!.dispatch({ type: 'setTraining', training: { seed: s } }), seed);
  await expect(row).toHaveAttribute('data-fit', 'yes');
  await page.evaluate(() => window.__unroll!.dispatch({ type: 'setParam', node: 'lstm', param: 'hidden', value: 7 }));
  await expect(page.getByTestId(`checkpoint-misfit-${id}`)).toContainText('another graph');
  await expect(restore).toBeDisabled();
  await page.evaluate(() => window.__unroll!.undo());
  await expect(row).toHaveAttribute('data-fit', 'yes');
  await restore.click();
  await expect(page.getByTestId('checkpoint-message')).toContainText('Restored step 3');
  expect(problems).toEqual([]);
});
