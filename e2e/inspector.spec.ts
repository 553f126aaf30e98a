/** The inspector: a form from the block's params with inline errors, renaming, weights and counts; the status bar totals. */
import { expect, test } from '@playwright/test';
import { clickNode, mainCanvas, openApp, watchProblems } from './helpers.ts';

const number = new Intl.NumberFormat('en-US');

test('params edit with inline errors; a node is renamed everywhere; weights and parameter counts follow', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toContainText('LSTM cell');
  const hidden = page.getByTestId('param-hidden');
  const before = await page.evaluate(() => window.__unroll!.doc());

  // Out of range: an inline error, nothing changes.
  await hidden.fill('0');
  await hidden.press('Enter');
  await expect(inspector.locator('.field-error')).toContainText('hidden must be between 1 and 16384, got 0');
  await expect(hidden).toHaveAttribute('aria-invalid', 'true');
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);

  // A good value: committed as one step; weights and totals follow.
  await hidden.fill('48');
  await hidden.press('Enter');
  await expect(inspector.locator('.field-error')).toHaveCount(0);
  const doc = await page.evaluate(() => window.__unroll!.doc());
  expect(doc.nodes.find((n) => n.id === 'lstm')?.params?.hidden).toBe(48);
  const weights = inspector.getByTestId('weights');
  await expect(weights).toContainText('weight_hh');
  await expect(weights).toContainText('[192, 48]');
  const expected = await page.evaluate(() => {
    const c = window.__unroll!.current().counts;
    return c.parameters;
  });
  await expect(page.getByTestId('total-parameters')).toHaveText(number.format(expected));
  // The delays now carry [48] (the wire labels say so); the graph stays valid.
  expect((await page.evaluate(() => window.__unroll!.canvas().wires)).find((w) => w.to === 'h.in')?.shape).toBe('[48]');
  expect(await page.evaluate(() => window.__unroll!.errors())).toEqual([]);

  // An enum and a bool.
  await page.getByTestId('param-init').selectOption('orthogonal');
  await page.getByTestId('param-bias').uncheck();
  await expect(weights).not.toContainText('bias_ih');
  expect((await page.evaluate(() => window.__unroll!.doc())).nodes.find((n) => n.id === 'lstm')?.params).toMatchObject({ hidden: 48, init: 'orthogonal', bias: false });

  // Rename: refused names say why; a good one follows every wire.
  const name = page.getByTestId('node-name');
  await name.fill('9cell');
  await expect(inspector.locator('.field-error')).toContainText('not starting with a digit');
  await name.fill('emb');
  await expect(inspector.locator('.field-error')).toContainText('emb is already used');
  await name.fill('cell');
  await name.press('Enter');
  await expect(mainCanvas(page).getByTestId('node-cell')).toBeVisible();
  const renamed = await page.evaluate(() => window.__unroll!.doc());
  expect(renamed.edges.filter((e) => e.from.startsWith('cell.') || e.to.startsWith('cell.')).length).toBe(6);
  expect(renamed.edges.some((e) => e.from.startsWith('lstm.') || e.to.startsWith('lstm.'))).toBe(false);
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes).toEqual(['cell']);
  expect(await page.evaluate(() => window.__unroll!.errors())).toEqual([]);

  // Box selection with Shift-drag over the delays.
  const h = (await mainCanvas(page).getByTestId('node-h').boundingBox())!;
  const c = (await mainCanvas(page).getByTestId('node-c').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(h.x - 15, h.y - 15);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width + 15, c.y + c.height + 15, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  expect([...(await page.evaluate(() => window.__unroll!.selection())).nodes].sort()).toEqual(['c', 'h']);
  await expect(page.getByTestId('inspector')).toContainText(/\d+ selected/);
  expect(problems).toEqual([]);
});

test('a node with `share` shows the weight it borrows and owns none; the owner counts it once', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name: 'memory-network', exact: true }).click();
  await clickNode(page, 'A2');
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('borrowed-weights')).toContainText('shares C1.weight as its weight');
  await expect(inspector).toContainText('none of its own');
  await clickNode(page, 'C1');
  await expect(inspector.getByTestId('weights')).toContainText('[86, 20]');
  await expect(inspector.getByTestId('borrowed-weights')).toHaveCount(0);
  await expect(page.getByTestId('total-parameters')).toHaveText(number.format(4 * 86 * 20));
  expect(problems).toEqual([]);
});
