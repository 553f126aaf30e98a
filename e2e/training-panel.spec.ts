/**
 * The training panel against the built app, with a real worker: settings land in the graph and
 * undo; the graph is locked while a run goes; trained weights survive a download, a page reload
 * and a load through the file input (the same test metric); a checkpoint kept in IndexedDB
 * survives a reload and Start resumes from its step; and a screenshot of the panel mid-run.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { readSafetensors, writeSafetensors } from '../runtime/weights/safetensors.ts';
import { clickNode, openApp, screenshotDir, watchProblems } from './helpers.ts';

const LOCK = 'Stop training to edit the graph';

const view = (page: Page) => page.evaluate(() => window.__unroll!.training.view());
const doc = (page: Page) => page.evaluate(() => window.__unroll!.doc());

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

/** Wait for the draft to be saved, so a reload finds the edits. */
const saved = (page: Page) => page.waitForFunction(() => window.__unroll!.storage().status === 'saved');

test('settings typed in the panel land in the graph and undo; a refused value names the field and keeps the old one', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  const before = await doc(page);
  expect(before.training?.steps).not.toBe(40);

  await setField(page, 'setting-steps', '40');
  await setField(page, 'setting-evalEvery', '10');
  await expect.poll(async () => (await doc(page)).training).toEqual({ ...before.training, steps: 40, evalEvery: 10 });
  expect((await page.evaluate(() => window.__unroll!.training.settings())).training).toMatchObject({ steps: 40, evalEvery: 10, optimizer: 'adam' });

  // Out of the schema's range: refused, with the field's name; the graph and the field keep the old value.
  await setField(page, 'setting-lr', '0');
  await expect(page.getByRole('alert').filter({ hasText: 'Learning rate must be > 0' })).toBeVisible();
  await expect(page.getByTestId('setting-lr')).toHaveValue(String(before.training!.lr));
  expect((await doc(page)).training?.lr).toBe(before.training!.lr);

  // The task and one of its params, generated from the task's schema.
  await page.getByTestId('setting-task').selectOption('adding');
  await setField(page, 'task-param-T', '20');
  await expect.poll(async () => (await doc(page)).task).toEqual({ name: 'adding', params: { T: 20 } });
  await setField(page, 'task-param-T', '1');
  await expect(page.getByRole('alert').filter({ hasText: 'T must be between 2 and 10000' })).toBeVisible();
  expect((await doc(page)).task).toEqual({ name: 'adding', params: { T: 20 } });

  // The initialiser sets every recurrent cell at once.
  await page.getByTestId('setting-init').selectOption('orthogonal');
  await expect.poll(async () => (await doc(page)).nodes.find((n) => n.id === 'lstm')?.params?.init).toBe('orthogonal');
  expect((await page.evaluate(() => window.__unroll!.training.settings())).init).toBe('orthogonal');

  // Undo goes back edit by edit: initialiser, T, task, evaluate-every, steps.
  const history = await page.evaluate(() => window.__unroll!.history().past.slice(-5));
  expect(history).toEqual(['set training steps', 'set training evalEvery', 'set task adding', 'set task adding', 'set initialiser orthogonal']);
  for (let i = 0; i < 5; i++) await page.evaluate(() => window.__unroll!.undo());
  const after = await doc(page);
  expect(after.training).toEqual(before.training);
  expect(after.task).toEqual(before.task);
  expect(after.nodes).toEqual(before.nodes);
  // The form shows the graph's values again.
  await expect(page.getByTestId('setting-steps')).toHaveValue(String(before.training!.steps));
  await expect(page.getByTestId('setting-task')).toHaveValue('brackets');
  expect(problems).toEqual([]);
});

test('while training the graph is locked (a notice says why; moving blocks is fine); after Stop it can be edited', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await setField(page, 'setting-steps', '100000');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().state === 'running', undefined, { timeout: 20_000 });
  await expect(page.getByTestId('graph-locked')).toBeVisible();

  // Through the UI: select a block and press Delete.
  await clickNode(page, 'dec');
  await page.keyboard.press('Delete');
  await expect(page.getByText(LOCK).first()).toBeVisible();
  expect((await doc(page)).nodes.some((n) => n.id === 'dec')).toBe(true);
  // Through dispatch: a param, a setting; the form is disabled.
  expect(await page.evaluate(() => window.__unroll!.dispatch({ type: 'setParam', node: 'lstm', param: 'hidden', value: 8 }))).toBe(false);
  expect(await page.evaluate(() => window.__unroll!.dispatch({ type: 'setTraining', training: { lr: 0.01 } }))).toBe(false);
  await expect(page.getByTestId('setting-lr')).toBeDisabled();
  // Moving a block changes nothing the run uses.
  expect(await page.evaluate(() => window.__unroll!.dispatch({ type: 'moveNodes', positions: { dec: { x: 900, y: 300 } } }))).toBe(true);
  expect((await view(page)).state).toBe('running');

  await page.getByRole('button', { name: 'Stop training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'stopped', undefined, { timeout: 5_000 });
  await expect(page.getByTestId('graph-locked')).toHaveCount(0);
  expect(await page.evaluate(() => window.__unroll!.dispatch({ type: 'setParam', node: 'lstm', param: 'hidden', value: 8 }))).toBe(true);
  await expect(page.getByTestId('setting-lr')).toBeEnabled();
  expect(problems).toEqual([]);
});

test('weights downloaded through the panel, the page reloaded, loaded through the file input: Evaluate gives the same test metric', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await setField(page, 'setting-steps', '150');
  await setField(page, 'setting-evalEvery', '1000');
  await expect.poll(async () => (await doc(page)).training?.steps).toBe(150);
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'done', undefined, { timeout: 30_000 });
  // Start evaluated the test split at step 0: the initial value is on record.
  const initial = (await view(page)).initialEval;
  expect(initial).toMatchObject({ split: 'test', step: 0 });

  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().lastEval?.step === 150);
  const trained = (await view(page)).lastEval!;
  await expect(page.getByTestId('eval-metric')).toHaveText(trained.metric.toFixed(3));
  expect(trained.loss).not.toBe(initial!.loss);

  await page.getByRole('tab', { name: 'Weights' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-weights').click()]);
  expect(download.suggestedFilename()).toBe('lstm-brackets-classifier.safetensors');
  const file = test.info().outputPath('weights.safetensors');
  await download.saveAs(file);
  // The file is the worker's weights, readable by the safetensors reader, every weight of the graph in it.
  const bytes = readFileSync(file);
  const parsed = readSafetensors(new Uint8Array(bytes));
  expect(parsed.ok).toBe(true);
  if (parsed.ok) expect([...parsed.value.tensors.keys()].filter((k) => k.startsWith('lstm.')).sort()).toEqual(['lstm.bias_hh', 'lstm.bias_ih', 'lstm.weight_hh', 'lstm.weight_ih']);
  expect([...bytes]).toEqual(await page.evaluate(() => window.__unroll!.training.weights()));

  await page.reload();
  await page.waitForFunction(() => window.__unroll?.ready() === true);
  await page.evaluate(() => window.__unroll!.open('lstm'));
  await openPanel(page);
  expect((await view(page)).state).toBe('empty');
  // Fresh weights evaluate differently.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().lastEval !== undefined);
  const fresh = (await view(page)).lastEval!;
  expect(fresh.loss).not.toBe(trained.loss);

  // Files that do not fit: the catalogue's errors (as the safetensors reader gives them in Node), and nothing changes.
  await page.getByRole('tab', { name: 'Weights' }).click();
  const garbage = Buffer.from('not a safetensors file at all');
  const why = readSafetensors(new Uint8Array(garbage));
  expect(why.ok).toBe(false);
  if (!why.ok) {
    await page.getByTestId('weights-file-input').setInputFiles({ name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: garbage });
    await expect(page.getByTestId('weights-message')).toContainText(`${why.errors[0]!.code} ${why.errors[0]!.message}`);
  }
  const other = writeSafetensors([{ name: 'rnn.weight_hh', shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) }]);
  await page.getByTestId('weights-file-input').setInputFiles({ name: 'elman.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(other) });
  await expect(page.getByTestId('weights-message')).toContainText(/E417 the graph's weight "lstm\.weight_ih" .* is not in the file/);
  const unchanged = await page.evaluate(() => window.__unroll!.training.evaluate());
  expect(unchanged).toMatchObject({ ok: true, value: { split: 'test', loss: fresh.loss, metric: fresh.metric } });

  await page.getByTestId('weights-file-input').setInputFiles(file);
  await expect(page.getByTestId('weights-message')).toContainText('Loaded');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForFunction((loss) => window.__unroll!.training.view().lastEval?.loss === loss, trained.loss, { timeout: 10_000 });
  const again = (await view(page)).lastEval!;
  expect(again.metric).toBe(trained.metric);
  expect(again.loss).toBe(trained.loss);
  await expect(page.getByTestId('eval-metric')).toHaveText(trained.metric.toFixed(3));
  expect(problems).toEqual([]);
});

test('a checkpoint saved in IndexedDB survives a reload; restored, Start resumes from its step', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await setField(page, 'setting-steps', '400');
  await setField(page, 'setting-evalEvery', '1000');
  await expect.poll(async () => (await doc(page)).training?.steps).toBe(400);
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().step >= 30, undefined, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Pause training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().state === 'paused');
  const saved_at = (await view(page)).step;
  await page.getByRole('tab', { name: 'Weights' }).click();
  await page.getByTestId('save-checkpoint').click();
  await expect(page.getByTestId('checkpoint-message')).toHaveText(`Saved a checkpoint at step ${saved_at}.`);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'stopped');
  await saved(page);

  await page.reload();
  await page.waitForFunction(() => window.__unroll?.ready() === true);
  expect((await doc(page)).training?.steps).toBe(400);
  await openPanel(page);
  await page.getByRole('tab', { name: 'Weights' }).click();
  const list = await page.evaluate(() => window.__unroll!.training.checkpoints());
  expect(list.map((c) => ({ step: c.step, graph: c.graph, task: c.task }))).toEqual([{ step: saved_at, graph: 'LSTM brackets classifier', task: 'brackets' }]);
  await page.getByRole('button', { name: `Restore the checkpoint at step ${saved_at}` }).click();
  await expect(page.getByTestId('checkpoint-message')).toContainText(`Restored step ${saved_at}`);
  expect((await view(page)).step).toBe(saved_at);

  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'done', undefined, { timeout: 30_000 });
  const end = await view(page);
  expect(end.startStep).toBe(saved_at);
  expect(end.initialEval?.step).toBe(saved_at);
  expect(end.step).toBe(400);
  // The run's curves hold the steps after the checkpoint only.
  const runs = await page.evaluate(() => window.__unroll!.training.charts().runs);
  expect(runs.at(-1)!.steps).toBe(400 - saved_at);
  expect(problems).toEqual([]);
});

test('screenshot: the training panel mid-run, with its charts', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = watchProblems(page);
  await openApp(page);
  await openPanel(page);
  await setField(page, 'setting-steps', '100000');
  await setField(page, 'setting-evalEvery', '100');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.getByRole('tab', { name: 'Charts' }).click();
  // Charts with points: the train curve and a few test evaluations besides the one at step 0.
  await page.waitForFunction(() => {
    const c = window.__unroll!.training.charts();
    return c.loss.train > 50 && c.loss.eval >= 3;
  }, undefined, { timeout: 30_000 });
  const t = await view(page);
  expect(t.state).toBe('running');
  await expect(page.getByTestId('progress-eta')).toBeVisible();
  // Give the panel more room by its top edge (as a hand does), and show the optimisation settings.
  const panel = page.getByTestId('training-panel');
  const height = (await panel.boundingBox())!.height;
  const edge = (await page.getByRole('separator', { name: 'Resize the training panel' }).boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2, edge.y - 120, { steps: 6 });
  await page.mouse.up();
  expect(Math.abs((await panel.boundingBox())!.height - (height + 120))).toBeLessThan(8);
  await page.getByRole('heading', { name: 'Optimisation' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
  await page.getByText('View', { exact: true }).click();
  await page.getByRole('menuitem', { name: 'Fit view' }).click();
  await page.mouse.move(600, 150);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${screenshotDir()}training-panel.png` });
  await page.getByRole('button', { name: 'Stop training' }).click();
  await page.waitForFunction(() => window.__unroll!.training.view().ended === 'stopped', undefined, { timeout: 5_000 });
  expect(problems).toEqual([]);
});
