/**
 * Training on WebGPU in the built app, in Chromium with `--enable-unsafe-webgpu` (SwiftShader's
 * software adapter without a GPU): WebGPU chosen in the settings form trains the default example
 * there (the run bar's badge says WebGPU and names the adapter, steps advance, the loss chart gets
 * points), the choice outlives a reload, and going back to the CPU starts afresh with a notice; a
 * device lost mid-run turns the badge to CPU with a notice while the run goes on.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, watchProblems } from './helpers.ts';

const view = (page: Page) => page.evaluate(() => window.__unroll!.training.view());
const backend = (page: Page) => page.evaluate(() => window.__unroll!.training.backend());
const badge = (page: Page) => page.getByTestId('backend-badge');

async function openPanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Training panel' }).click();
  await expect(page.getByTestId('training-panel')).toBeVisible();
}

/** Type a value into a settings field and commit it with Enter. */
async function setField(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  await field.fill(value);
  await field.press('Enter');
}

/**
 * The default example made small enough for SwiftShader (about 5 steps a second, where the full
 * task takes 25 s for its first evaluation and 2 s a step): short strings, a small batch and test
 * split, and evaluation only at the start. Through the form, as a person would.
 */
async function smallRun(page: Page): Promise<void> {
  for (const [id, v] of [
    ['setting-steps', '100000'],
    ['setting-evalEvery', '100000'],
    ['setting-batch', '8'],
    ['task-param-max_length', '12'],
    ['task-param-test_min_length', '13'],
    ['task-param-test_max_length', '16'],
    ['task-param-train_size', '200'],
    ['task-param-test_size', '16'],
  ] as const) {
    await setField(page, id, v);
  }
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.doc())).task?.params).toMatchObject({ max_length: 12, test_size: 16 });
  expect((await page.evaluate(() => window.__unroll!.current())).ok).toBe(true);
}

/** Until the session has taken more than `step` steps (SwiftShader is slow: a few steps a second). */
const pastStep = (page: Page, step: number, timeout = 20_000) =>
  page.waitForFunction((s) => window.__unroll!.training.view().step > s, step, { timeout, polling: 100 });

test('WebGPU chosen in the settings: the default example trains there (badge, adapter, steps, loss points); the choice outlives a reload; CPU again starts afresh with a notice', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  expect((await page.evaluate(() => window.__unroll!.current())).name).toBe('lstm');
  await openPanel(page);
  // Auto is the default; no badge before anything is loaded.
  await expect(page.getByTestId('setting-backend')).toHaveValue('auto');
  await expect(badge(page)).toHaveCount(0);
  await smallRun(page);

  await page.getByTestId('setting-backend').selectOption('webgpu');
  await expect(page.getByTestId('setting-backend-hint')).toContainText('any WebGPU adapter');
  expect(await page.evaluate(() => [window.__unroll!.training.backendChoice(), localStorage.getItem('unroll.backend')])).toEqual(['webgpu', 'webgpu']);
  // A preference of the browser, not of the graph: nothing in the document or its undo history.
  expect(JSON.stringify(await page.evaluate(() => window.__unroll!.doc()))).not.toContain('webgpu');

  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(badge(page)).toHaveText('WebGPU', { timeout: 30_000 });
  await expect(badge(page)).toHaveAttribute('title', /swiftshader/i);
  const b = await backend(page);
  expect(b).toMatchObject({ name: 'webgpu', adapter: expect.stringMatching(/swiftshader/i) });
  expect(b?.notice).toBeUndefined();

  await pastStep(page, 5);
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.training.charts())).loss.train, { timeout: 10_000 }).toBeGreaterThan(3);
  const at = (await view(page)).step;
  await pastStep(page, at);
  await expect(page.getByTestId('progress-steps')).not.toHaveText(`step ${at}`);
  expect((await view(page)).state).toBe('running');
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect.poll(async () => (await view(page)).ended).toBe('stopped');
  expect((await view(page)).errors).toEqual([]);
  await expect(badge(page)).toHaveText('WebGPU');

  // The choice is kept in the browser: after a reload the form shows it.
  await page.waitForFunction(() => window.__unroll!.storage().status === 'saved');
  await page.reload();
  await page.waitForFunction(() => window.__unroll!.ready() === true);
  await openPanel(page);
  await expect(page.getByTestId('setting-backend')).toHaveValue('webgpu');

  // Train a little on WebGPU, then choose the CPU: the note says Start begins afresh, Start says so.
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(badge(page)).toHaveText('WebGPU', { timeout: 30_000 });
  await pastStep(page, 2);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect.poll(async () => (await view(page)).ended).toBe('stopped');
  await page.getByTestId('setting-backend').selectOption('cpu');
  await expect(page.getByTestId('stale-note')).toContainText('backend changed since the weights were made (WebGPU → CPU)');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(badge(page)).toHaveText('CPU', { timeout: 30_000 });
  await expect(page.getByTestId('notice').filter({ hasText: 'backend WebGPU → CPU' })).toContainText('afresh');
  expect(await backend(page)).toEqual({ name: 'cpu' });
  expect((await view(page)).startStep).toBe(0);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect.poll(async () => (await view(page)).ended).toBe('stopped');
  expect(problems).toEqual([]);
});

test('a GPU device lost mid-run: the badge turns to CPU, a notice names the lost device, and the run goes on', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await page.evaluate(() => window.__unroll!.training.setBackend('webgpu'));
  await expect(page.getByTestId('setting-backend')).toHaveValue('webgpu');
  await smallRun(page);

  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(badge(page)).toHaveText('WebGPU', { timeout: 30_000 });
  await pastStep(page, 3);
  expect(await page.evaluate(() => window.__unroll!.training.destroyGpuDevice())).toBe(true);

  await expect(badge(page)).toHaveText('CPU', { timeout: 15_000 });
  await expect(badge(page)).toHaveAttribute('title', /lost/);
  const notice = page.getByTestId('notice').filter({ hasText: /GPU device was lost/ });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('CPU');
  const b = await backend(page);
  expect(b).toMatchObject({ name: 'cpu', notice: expect.stringMatching(/lost/) });

  // The run goes on, on the CPU: steps keep coming, it is not halted, and no error is shown.
  const at = (await view(page)).step;
  await pastStep(page, at + 10);
  const v = await view(page);
  expect(v.state).toBe('running');
  expect(v.errors).toEqual([]);
  await expect(page.getByTestId('training-errors')).toHaveCount(0);
  // Nothing left to destroy.
  expect(await page.evaluate(() => window.__unroll!.training.destroyGpuDevice())).toBe(false);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect.poll(async () => (await view(page)).ended).toBe('stopped');
  // Every step recorded once, across the move to the CPU.
  const steps = await page.evaluate(() => window.__unroll!.training.losses().length);
  expect(steps).toBe((await view(page)).step);
  expect(problems).toEqual([]);
});
