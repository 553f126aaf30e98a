// Regression tests: Enter opens the selected GRU/LSTM only when aimed at the canvas, a node or the page itself. It once
// opened the cell from any focused button or menu and swallowed the control's own Enter (preventDefault), so keyboard
// users could not add a block from the palette, open a menu, pick an example or press Duplicate/Delete.
import { expect, test } from '@playwright/test';
import { clickNode, mainCanvas, openApp, watchProblems } from './helpers.ts';

test('Enter on a focused palette button adds the block even while an LSTM is selected', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const before = (await page.evaluate(() => window.__unroll!.current())).counts.nodes;
  await page.getByTestId('palette-tanh').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__unroll!.current().counts.nodes)).toBe(before + 1);
  expect(await page.evaluate(() => window.__unroll!.view().composite)).toBeUndefined();
  expect(problems).toEqual([]);
});

test('Enter on a focused menu opens it even while an LSTM is selected', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const summary = page.locator('summary', { hasText: 'Examples' });
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('details.menu[open]')).toHaveCount(1);
  expect(await page.evaluate(() => window.__unroll!.view().composite)).toBeUndefined();
  expect(problems).toEqual([]);
});

test('Enter on the selected node itself, or with the focus on the page, still opens the cell', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  await expect(mainCanvas(page).locator('.react-flow__node[data-id="lstm"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__unroll!.view().composite)).toBe('lstm');
  await page.keyboard.press('Escape');
  await expect.poll(() => page.evaluate(() => window.__unroll!.view().composite)).toBeUndefined();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__unroll!.view().composite)).toBe('lstm');
  expect(problems).toEqual([]);
});

test('Enter on the Duplicate button in the inspector duplicates, while an LSTM is selected', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  await page.getByTestId('inspector').getByRole('button', { name: 'Duplicate' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__unroll!.current().nodeIds)).toContain('lstm_2');
  expect(await page.evaluate(() => window.__unroll!.view().composite)).toBeUndefined();
  expect(problems).toEqual([]);
});
