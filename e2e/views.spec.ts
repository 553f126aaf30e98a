/** The unrolled view, opening a cell, and loops as frames. */
import { expect, test, type Page } from '@playwright/test';
import { clickNode, mainCanvas, openApp, screenshotDir, watchProblems } from './helpers.ts';

async function openExample(page: Page, name: string): Promise<void> {
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name, exact: true }).click();
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.current())).name).toBe(name);
}

test('the unrolled view of the LSTM for T = 3: three copies of each looped block, shared weights marked alike; screenshot', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await page.getByRole('button', { name: 'Unrolled view' }).click();
  const view = page.getByTestId('unrolled-view');
  await expect(view).toBeVisible();
  await view.getByTestId('unroll-steps').selectOption('3');
  const info = await page.evaluate(() => window.__unroll!.unrolled());
  expect(info?.steps).toBe(3);
  const analysisLoops = await page.evaluate(() => window.__unroll!.doc().nodes.filter((n) => n.loop === 't').map((n) => n.id));
  expect(analysisLoops.sort()).toEqual(['c', 'dec', 'emb', 'h', 'lstm']);
  for (const id of analysisLoops) {
    expect(info!.copies[id]).toBe(3);
    await expect(view.locator(`[data-testid^="copy-${id}@"]`)).toHaveCount(3);
  }
  for (const id of ['x', 'y', 'loss']) await expect(view.getByTestId(`copy-${id}`)).toHaveCount(1);
  // Copies of one node carry one mark; different weighted nodes carry different marks.
  for (const id of ['emb', 'lstm', 'dec']) {
    const marks = await view.locator(`[data-testid^="copy-${id}@"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-mark')));
    expect(new Set(marks).size).toBe(1);
    expect(marks[0]).toBe(String(info!.marks[id]));
    await expect(view.getByTestId(`copy-${id}@0`).locator('.shared-mark')).toHaveText(`W ${id}`);
  }
  expect(new Set(['emb', 'lstm', 'dec'].map((id) => info!.marks[id])).size).toBe(3);
  // Delays have no weights: no mark.
  await expect(view.getByTestId('copy-h@1').locator('.shared-mark')).toHaveCount(0);

  // Selecting a copy selects its node in the graph; the graph's selection lights up every copy.
  await view.getByTestId('copy-lstm@1').click();
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes).toEqual(['lstm']);
  await expect(mainCanvas(page).getByTestId('node-lstm')).toHaveClass(/is-selected/);
  for (const t of [0, 1, 2]) await expect(view.getByTestId(`copy-lstm@${t}`)).toHaveClass(/linked/);
  await clickNode(page, 'emb');
  for (const t of [0, 1, 2]) await expect(view.getByTestId(`copy-emb@${t}`)).toHaveClass(/linked/);
  await expect(view.getByTestId('copy-lstm@0')).not.toHaveClass(/linked/);

  await page.waitForTimeout(300);
  await page.screenshot({ path: `${screenshotDir()}unrolled-lstm-T3.png` });
  expect(problems).toEqual([]);
});

test('open an LSTM and a GRU to see them wired from primitives, and go back', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await mainCanvas(page).getByTestId('node-lstm').dblclick();
  const inside = page.getByTestId('composite-view');
  await expect(inside).toBeVisible();
  await expect(inside).toContainText('lstm (LSTM cell)');
  for (const port of ['x', 'h_prev', 'c_prev']) await expect(inside.getByTestId(`terminal-in-${port}`)).toBeVisible();
  for (const port of ['h', 'c']) await expect(inside.getByTestId(`terminal-out-${port}`)).toBeVisible();
  for (const gate of ['i', 'f', 'g', 'o', 'x_f', 'h_f', 'c', 'tanh_c']) await expect(inside.getByTestId(`node-${gate}`)).toBeVisible();
  await inside.getByTestId('composite-back').click();
  await expect(inside).toBeHidden();
  await expect(mainCanvas(page).getByTestId('node-lstm')).toBeVisible();

  // A GRU, by keyboard: select it, Enter to open, Escape to come back.
  await openExample(page, 'gru');
  const gru = await page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.type === 'gru')!.id);
  await clickNode(page, gru);
  await page.keyboard.press('Enter');
  await expect(inside).toBeVisible();
  await expect(inside.getByTestId('node-r')).toBeVisible();
  await expect(inside.getByTestId('node-z')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(inside).toBeHidden();
  expect(problems).toEqual([]);
});

test('loops are frames: wrap blocks in one, set over/steps and direction, drag blocks out and back in; wires out show take', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await openExample(page, 'elman-rnn');
  // Shift-click to multi-select, Ctrl+G to wrap them in a loop.
  await clickNode(page, 'enc');
  for (const id of ['g', 'z', 'dec']) await mainCanvas(page).locator(`[data-testid="node-${id}"] .block-type`).click({ modifiers: ['Shift'] });
  expect([...(await page.evaluate(() => window.__unroll!.selection())).nodes].sort()).toEqual(['dec', 'enc', 'g', 'z']);
  await page.keyboard.press('Control+g');
  let doc = await page.evaluate(() => window.__unroll!.doc());
  expect(doc.loops).toEqual([{ id: 't', over: 'x' }]);
  expect(doc.nodes.filter((n) => n.loop === 't').map((n) => n.id).sort()).toEqual(['dec', 'enc', 'g', 'z']);
  const frame = mainCanvas(page).getByTestId('loop-t');
  await expect(frame).toContainText('loop t · over x · forward');
  // The new loop is selected: its inspector sets the direction and the extent.
  await page.getByTestId('loop-direction').selectOption('reverse');
  await expect(frame).toContainText('over x · reverse');
  await page.getByTestId('loop-over').selectOption('steps');
  await page.getByTestId('loop-steps').fill('5');
  await page.getByTestId('loop-steps').press('Enter');
  await expect(frame).toContainText('loop t · 5 steps · reverse');
  await page.getByTestId('loop-over').selectOption('over:x');
  await expect(frame).toContainText('loop t · over x · reverse');
  // The wire leaving the frame says what it takes; a click switches it.
  const take = mainCanvas(page).getByTestId('wire-dec.out->loss.pred').locator('.take-chip');
  await expect(take).toHaveText('last');
  await take.click();
  await expect(take).toHaveText('all');
  expect((await page.evaluate(() => window.__unroll!.doc())).edges.find((e) => e.to === 'loss.pred')?.take).toBeUndefined();
  // Every step's prediction against one target: validation says so at once; back to last.
  await expect.poll(() => page.evaluate(() => window.__unroll!.errors().map((e) => e.code))).toEqual(['E200']);
  await take.click();
  await expect(take).toHaveText('last');

  // Drag dec out of the frame (below it), then back in.
  const header = mainCanvas(page).locator('[data-testid="node-dec"] .block-id');
  const frameBox = (await frame.boundingBox())!;
  const box = (await header.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + 5);
  await page.mouse.down();
  await page.mouse.move(box.x + 20, frameBox.y + frameBox.height + 60, { steps: 10 });
  await page.mouse.up();
  doc = await page.evaluate(() => window.__unroll!.doc());
  expect(doc.nodes.find((n) => n.id === 'dec')?.loop).toBeUndefined();
  await expect(mainCanvas(page).getByTestId('wire-g.h->dec.in').locator('.take-chip')).toHaveText('all');
  const moved = (await header.boundingBox())!;
  const frameNow = (await frame.boundingBox())!;
  await page.mouse.move(moved.x + 20, moved.y + 5);
  await page.mouse.down();
  await page.mouse.move(frameNow.x + frameNow.width / 2, frameNow.y + frameNow.height / 2, { steps: 10 });
  await page.mouse.up();
  doc = await page.evaluate(() => window.__unroll!.doc());
  expect(doc.nodes.find((n) => n.id === 'dec')?.loop).toBe('t');
  // Each drag was one undo step.
  const labels = (await page.evaluate(() => window.__unroll!.history())).past.slice(-2);
  expect(labels).toEqual(['move out of loop', 'move into loop t']);
  // Dragging the frame by its label moves every block in it by the same amount, in one step.
  const members = (d: typeof doc) => d.nodes.filter((n) => n.loop === 't').map((n) => [n.id, n.position!] as const);
  const was = members(await page.evaluate(() => window.__unroll!.doc()));
  const label = (await frame.locator('.loop-label').boundingBox())!;
  await page.mouse.move(label.x + 10, label.y + label.height / 2);
  await page.mouse.down();
  await page.mouse.move(label.x + 10, label.y + label.height / 2 + 80, { steps: 8 });
  await page.mouse.up();
  const is = members(await page.evaluate(() => window.__unroll!.doc()));
  // (The frame snaps to the grid, so the shift need not be exactly the mouse's.)
  const dx = is[0]![1].x - was[0]![1].x;
  const dy = is[0]![1].y - was[0]![1].y;
  expect(dy).toBeGreaterThan(20);
  for (let i = 0; i < was.length; i++) expect(is[i]![1]).toEqual({ x: was[i]![1].x + dx, y: was[i]![1].y + dy });
  expect((await page.evaluate(() => window.__unroll!.history())).past.at(-1)).toBe(`move ${was.length} nodes`);
  expect(await page.evaluate(() => window.__unroll!.errors())).toEqual([]);
  expect(problems).toEqual([]);
});
