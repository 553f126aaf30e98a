/** Editing habits from other node editors: keyboard shortcuts, clipboard, search-and-add, palette search, auto-layout, help. */
import { expect, test, type Page } from '@playwright/test';
import { clickNode, handle, mainCanvas, openApp, watchProblems } from './helpers.ts';

const doc = (page: Page) => page.evaluate(() => window.__unroll!.doc());
const history = (page: Page) => page.evaluate(() => window.__unroll!.history());

test('select all, delete as one step; undo and redo with Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const start = await doc(page);
  await mainCanvas(page).locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+a');
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes.length).toBe(start.nodes.length);
  await page.keyboard.press('Delete');
  expect((await doc(page)).nodes).toEqual([]);
  expect((await history(page)).past).toEqual([`delete ${start.nodes.length} items`]);
  await page.keyboard.press('Control+z');
  expect(await doc(page)).toEqual(start);
  await page.keyboard.press('Control+Shift+z');
  expect((await doc(page)).nodes).toEqual([]);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+y');
  expect((await doc(page)).nodes).toEqual([]);
  // The toolbar's buttons say what they undo.
  await expect(page.getByRole('button', { name: `Undo delete ${start.nodes.length} items` })).toBeEnabled();
  await page.getByRole('button', { name: /^Undo/ }).click();
  expect(await doc(page)).toEqual(start);
  // A new edit empties redo.
  await clickNode(page, 'dec');
  await page.keyboard.press('Backspace');
  expect((await history(page)).future).toEqual([]);
  await expect(page.getByRole('button', { name: 'Redo' })).toBeDisabled();
  expect(problems).toEqual([]);
});

test('copy and paste (one undo step), duplicate, and paste into another tab through the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems = watchProblems(page);
  await openApp(page);
  const start = await doc(page);
  await clickNode(page, 'lstm');
  for (const id of ['h', 'c']) await mainCanvas(page).locator(`[data-testid="node-${id}"] .block-type`).click({ modifiers: ['Shift'] });
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  let now = await doc(page);
  expect(now.nodes.map((n) => n.id)).toEqual([...start.nodes.map((n) => n.id), 'lstm_2', 'h_2', 'c_2']);
  // The copies are wired among themselves and join the same loop; the paste is selected.
  expect(now.edges.filter((e) => e.from.endsWith('_2.h') || e.from.startsWith('h_2') || e.from.startsWith('c_2') || e.from === 'lstm_2.c').length).toBe(4);
  expect(now.nodes.filter((n) => n.id.endsWith('_2')).every((n) => n.loop === 't')).toBe(true);
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes).toEqual(['lstm_2', 'h_2', 'c_2']);
  expect((await history(page)).past).toEqual(['paste 3 nodes']);
  await page.keyboard.press('Control+z');
  expect(await doc(page)).toEqual(start);

  // Duplicate.
  await clickNode(page, 'dec');
  await page.keyboard.press('Control+d');
  now = await doc(page);
  expect(now.nodes.map((n) => n.id)).toContain('dec_2');

  // Another tab: what this one copied pastes there as graph JSON.
  await clickNode(page, 'emb');
  await page.keyboard.press('Control+c');
  const other = await context.newPage();
  await openApp(other);
  await other.getByText('File', { exact: true }).click();
  await other.getByRole('menuitem', { name: 'New' }).click();
  await other.locator('.center > .canvas .react-flow__pane').click({ position: { x: 200, y: 200 } });
  await other.keyboard.press('Control+v');
  await expect.poll(async () => (await other.evaluate(() => window.__unroll!.doc())).nodes.map((n) => n.id)).toEqual(['emb']);
  expect(problems).toEqual([]);
});

test('double-click the canvas to search and add a block; drop a wire on empty canvas to add one already wired', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const pane = mainCanvas(page).locator('.react-flow__pane');
  await pane.dblclick({ position: { x: 120, y: 560 } });
  const menu = page.getByRole('dialog', { name: 'Add a block' });
  await expect(menu).toBeVisible();
  await menu.getByRole('combobox', { name: 'Search blocks to add' }).fill('gru');
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  let now = await doc(page);
  expect(now.nodes.at(-1)?.type).toBe('gru');

  // Drag from lstm.h into empty space, release: the menu offers blocks that take a vector.
  const start = (await handle(page, 'lstm', 'out', 'h').boundingBox())!;
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  const box = (await pane.boundingBox())!;
  await page.mouse.move(box.x + 300, box.y + box.height - 40, { steps: 6 });
  await page.mouse.up();
  const wired = page.getByRole('dialog', { name: 'Add a block wired to lstm.h' });
  await expect(wired).toBeVisible();
  await expect(wired.getByRole('option', { name: /Input/ })).toHaveCount(0);
  await wired.getByRole('combobox', { name: 'Search blocks to add' }).fill('linear');
  await wired.getByRole('option', { name: /Linear/ }).click();
  now = await doc(page);
  const added = now.nodes.at(-1)!;
  expect(added.type).toBe('linear');
  expect(now.edges).toContainEqual({ from: 'lstm.h', to: `${added.id}.in` });
  // It joined the loop of the block it is wired to; adding and wiring was one step.
  expect(added.loop).toBe('t');
  expect((await history(page)).past.at(-1)).toBe(`add ${added.id}`);
  expect(problems).toEqual([]);
});

test('the palette is grouped, searchable and usable from the keyboard', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const palette = page.getByRole('navigation', { name: 'Block palette' });
  for (const group of ['Sources', 'Encoder / decoder', 'Recurrent cells & delay', 'Gates & element-wise', 'Attention & memory', 'Loss']) {
    await expect(palette.getByRole('region', { name: group })).toBeVisible();
  }
  await palette.getByRole('searchbox', { name: 'Search blocks' }).fill('hypernet');
  await expect(palette.getByTestId('palette-bilinear')).toBeVisible();
  await expect(palette.getByTestId('palette-lstm')).toBeHidden();
  await expect(palette.getByRole('region', { name: 'Sources' })).toHaveCount(0);
  const before = (await doc(page)).nodes.length;
  await page.keyboard.press('Enter');
  expect((await doc(page)).nodes.length).toBe(before + 1);
  expect((await doc(page)).nodes.at(-1)?.type).toBe('bilinear');
  // Tab to an item and press Enter.
  await palette.getByRole('searchbox').fill('');
  await palette.getByTestId('palette-attention').focus();
  await page.keyboard.press('Enter');
  expect((await doc(page)).nodes.at(-1)?.type).toBe('attention');
  expect(problems).toEqual([]);
});

test('auto-layout places every block apart in one undo step; help lists the shortcuts; menus work from the keyboard', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name: 'seq2seq-attention', exact: true }).click();
  const before = await doc(page);
  await page.locator('body').press('l');
  const after = await doc(page);
  expect(after.nodes.map((n) => n.position)).not.toEqual(before.nodes.map((n) => n.position));
  const boxes = await mainCanvas(page)
    .locator('.react-flow__node-block')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      expect(a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5 || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5, `blocks ${i} and ${j} overlap`).toBe(true);
    }
  }
  expect((await history(page)).past.at(-1)).toBe('auto-layout');
  expect(await page.evaluate(() => window.__unroll!.errors())).toEqual([]);

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Undo');
  await expect(help).toContainText('Wrap the selection in a loop');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  // The Edit menu by keyboard: focus its summary, open with Enter, arrows to Undo, Enter.
  await page.locator('summary', { hasText: 'Edit' }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: /^Undo auto-layout/ })).toBeFocused();
  await page.keyboard.press('Enter');
  expect(await doc(page)).toEqual(before);
  // Every button on the page has an accessible name.
  const unnamed = await page.locator('button').evaluateAll((els) => els.filter((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim() === '').length);
  expect(unnamed).toBe(0);
  expect(problems).toEqual([]);
});
