/** Accessibility of the search-and-add menu (an ARIA combobox) and of the help dialog (modal: Tab stays inside). */
import { expect, test } from '@playwright/test';
import { mainCanvas, openApp, watchProblems } from './helpers.ts';

test('the add-block search is a combobox that controls its listbox and names the highlighted option', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await mainCanvas(page).locator('.react-flow__pane').dblclick({ position: { x: 120, y: 560 } });
  const combo = page.getByRole('combobox', { name: 'Search blocks to add' });
  await expect(combo).toBeFocused();
  await expect(combo).toHaveAttribute('aria-expanded', 'true');
  await expect(combo).toHaveAttribute('aria-autocomplete', 'list');
  const listId = (await combo.getAttribute('aria-controls'))!;
  const list = page.locator(`[id="${listId}"]`);
  await expect(list).toHaveAttribute('role', 'listbox');

  /** The option aria-activedescendant names: it exists, in the list, and is the selected one. */
  const active = async () => {
    const id = (await combo.getAttribute('aria-activedescendant'))!;
    const option = list.locator(`[id="${id}"]`);
    await expect(option).toHaveAttribute('role', 'option');
    await expect(option).toHaveAttribute('aria-selected', 'true');
    return (await option.textContent())!;
  };
  const options = list.getByRole('option');
  expect(await active()).toBe(await options.nth(0).textContent());
  await page.keyboard.press('ArrowDown');
  expect(await active()).toBe(await options.nth(1).textContent());
  await expect(list.locator('[aria-selected=true]')).toHaveCount(1);

  await combo.fill('lstm');
  expect(await active()).toContain('lstm');
  await combo.fill('no block is called this');
  await expect(combo).toHaveAttribute('aria-expanded', 'false');
  await expect(combo).not.toHaveAttribute('aria-activedescendant', /.+/);
  await expect(options).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(combo).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the help dialog keeps Tab inside it and gives the focus back when closed', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const opener = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await opener.click();
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  const inside = () => page.evaluate(() => document.querySelector('[data-testid=help]')!.contains(document.activeElement));
  await expect(help.getByRole('button', { name: 'Close' })).toBeFocused();
  for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await inside(), `focus left the dialog after ${key}`).toBe(true);
  }
  // Focus put on the page behind by a script: Tab brings it back in.
  await opener.evaluate((b: HTMLElement) => b.focus());
  await page.keyboard.press('Tab');
  expect(await inside()).toBe(true);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(opener).toBeFocused();
  expect(problems).toEqual([]);
});
