/**
 * Ctrl+C after clicking a node copies the node, even when some words on the page were selected
 * before (the canvas clears a page text selection when pressed, and copy prefers the graph while
 * the focus is on the canvas). Words selected in a panel, with the focus there, still copy as text.
 */
import { expect, test, type Page } from '@playwright/test';
import { clickNode, openApp, watchProblems } from './helpers.ts';

/** Select the text of the palette's first group heading (it stays put while nodes are clicked), as a mouse drag would. */
async function selectPanelText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const p = document.querySelector('.palette h3')!;
    const range = document.createRange();
    range.selectNodeContents(p);
    const sel = document.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    return sel.toString();
  });
}

const clipboardText = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test('Ctrl+C copies the clicked node, not words selected earlier on the page', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const words = await selectPanelText(page);
  expect(words.trim()).not.toBe('');
  await clickNode(page, 'dec');
  await page.keyboard.press('Control+c');
  const copied = JSON.parse(await clipboardText(page)) as { nodes: { id: string }[] };
  expect(copied.nodes.map((n) => n.id)).toEqual(['dec']);

  // The same with the blocks selected from the keyboard (Ctrl+A), the focus on the page itself.
  await selectPanelText(page);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+c');
  const all = JSON.parse(await clipboardText(page)) as { nodes: { id: string }[] };
  expect(all.nodes.map((n) => n.id)).toEqual(await page.evaluate(() => window.__unroll!.current().nodeIds));
  expect(problems).toEqual([]);
});

test('words selected in a panel, with the focus outside the canvas, copy as text', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems = watchProblems(page);
  await openApp(page);
  await clickNode(page, 'lstm');
  const words = await selectPanelText(page);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Control+c');
  // (The heading is drawn in capitals; the browser copies it as drawn.)
  expect((await clipboardText(page)).toLowerCase()).toBe(words.toLowerCase());
  expect(problems).toEqual([]);
});
