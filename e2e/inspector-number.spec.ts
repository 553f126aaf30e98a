/**
 * A typo in a number param (`32e`) is shown as an error and changes nothing. The browser reports
 * such text as an empty value, which once read as "cleared": leaving the field removed the param
 * (back to its default) without a word.
 */
import { expect, test } from '@playwright/test';
import { clickNode, openApp, watchProblems } from './helpers.ts';

test('a number field holding text that is not a number shows an error and keeps the param', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const inspector = page.getByTestId('inspector');
  const hidden = page.getByTestId('param-hidden');
  await expect(hidden).toHaveValue('32');
  const before = await page.evaluate(() => window.__unroll!.doc());

  await hidden.focus();
  await hidden.press('End');
  await page.keyboard.type('e');
  expect(await hidden.evaluate((el: HTMLInputElement) => el.validity.badInput)).toBe(true);
  await page.keyboard.press('Tab');
  await expect(inspector.locator('.field-error')).toContainText('hidden: not a number');
  await expect(hidden).toHaveAttribute('aria-invalid', 'true');
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);
  expect((await page.evaluate(() => window.__unroll!.history())).past).toEqual([]);

  // Enter does not commit it either; Escape puts the committed value back.
  await hidden.focus();
  await hidden.press('Enter');
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);
  await hidden.press('Escape');
  await expect(hidden).toHaveValue('32');
  await expect(inspector.locator('.field-error')).toHaveCount(0);

  // Emptying the field on purpose still means "back to the default".
  await hidden.fill('');
  await hidden.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === 'lstm')?.params?.hidden)).toBeUndefined();
  expect(problems).toEqual([]);
});
