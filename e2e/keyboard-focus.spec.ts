/**
 * Which shortcuts reach the editor from which focus: modifier shortcuts (Ctrl+Z…) work from a
 * focused <select> or checkbox; single letters do not fire while a <select> is focused (its
 * type-ahead); Ctrl+G with nothing selected adds no loop.
 */
import { expect, test } from '@playwright/test';
import { clickNode, mainCanvas, openApp, watchProblems } from './helpers.ts';

test('Ctrl+Z undoes with the focus on a <select>, and single letters there do not toggle views', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  // An edit, then the focus on the node's loop <select>.
  await page.getByTestId('param-hidden').fill('48');
  await page.getByTestId('param-hidden').press('Enter');
  expect((await page.evaluate(() => window.__unroll!.doc())).nodes.find((n) => n.id === 'lstm')?.params?.hidden).toBe(48);
  const loop = page.getByTestId('node-loop');
  await loop.focus();
  // U is the select's type-ahead here, not "unrolled view".
  await page.keyboard.press('u');
  expect(await page.evaluate(() => window.__unroll!.view().unrolled)).toBe(false);
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === 'lstm')?.params?.hidden)).toBe(32);
  expect(await page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === 'lstm')?.loop)).toBe('t');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === 'lstm')?.params?.hidden)).toBe(48);
  expect(problems).toEqual([]);
});

test('Ctrl+Z undoes with the focus on a checkbox', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'x');
  const sequence = page.getByTestId('param-sequence');
  await sequence.click();
  const after = await page.evaluate(() => window.__unroll!.history().past.length);
  expect(after).toBe(1);
  await expect(sequence).toBeFocused();
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.evaluate(() => window.__unroll!.history().past.length)).toBe(0);
  expect(problems).toEqual([]);
});

test('Ctrl+G with nothing selected adds no loop and says why', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await mainCanvas(page).locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes).toEqual([]);
  const loops = (await page.evaluate(() => window.__unroll!.doc())).loops;
  await page.keyboard.press('Control+g');
  await expect(page.getByTestId('notice').last()).toContainText('Nothing to wrap');
  expect((await page.evaluate(() => window.__unroll!.doc())).loops).toEqual(loops);
  expect((await page.evaluate(() => window.__unroll!.history())).past).toEqual([]);
  expect(problems).toEqual([]);
});

test('deleting the input a loop runs over says that the loop went too', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'x');
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('notice').last()).toContainText('Loop t was removed because its sequence source x was deleted');
  expect((await page.evaluate(() => window.__unroll!.doc())).loops).toBeUndefined();
  await page.keyboard.press('Control+z');
  expect((await page.evaluate(() => window.__unroll!.doc())).loops).toEqual([{ id: 't', over: 'x', direction: 'forward' }]);
  expect(problems).toEqual([]);
});
