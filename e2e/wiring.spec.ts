/** Wires drawn with the mouse: a delay-free cycle is marked and named, a delay fixes it; refused wires say why. */
import { expect, test, type Page } from '@playwright/test';
import { connect, dragWire, dropBlock, mainCanvas, openApp, watchProblems } from './helpers.ts';

async function openExample(page: Page, name: string): Promise<void> {
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name, exact: true }).click();
  await expect.poll(async () => (await page.evaluate(() => window.__unroll!.current())).name).toBe(name);
}

test('a delay-free cycle marks its nodes and the error names them; a delay clears it and the wire shows z⁻¹', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await openExample(page, 'elman-rnn');
  // g.h → tanh → g.h_prev: a cycle with no delay on it.
  await dropBlock(page, 'tanh', 420, 60);
  await connect(page, ['g', 'h'], ['tanh', 'in']);
  await connect(page, ['tanh', 'out'], ['g', 'h_prev']);
  const errors = await page.evaluate(() => window.__unroll!.errors());
  const cycle = errors.find((e) => e.code === 'E202');
  expect(cycle, JSON.stringify(errors)).toBeDefined();
  expect(cycle!.message).toContain('g → tanh → g');
  expect([...cycle!.nodes].sort()).toEqual(['g', 'tanh']);
  for (const id of ['g', 'tanh']) await expect(mainCanvas(page).getByTestId(`node-${id}`)).toHaveClass(/has-error/);
  await expect(mainCanvas(page).getByTestId('node-enc')).not.toHaveClass(/has-error/);
  const canvas = await page.evaluate(() => window.__unroll!.canvas());
  expect(canvas.wires.filter((w) => w.error).map((w) => `${w.from}->${w.to}`).sort()).toEqual(['g.h->tanh.in', 'tanh.out->g.h_prev']);
  // The problems panel lists it; clicking it selects (and centres) a node it names.
  const item = page.getByTestId('problems').getByTestId('problem').filter({ hasText: 'E202' });
  await expect(item).toContainText('g → tanh → g');
  await item.click();
  expect((await page.evaluate(() => window.__unroll!.selection())).nodes).toEqual(['g']);

  // Back to the whole graph (F fits the view), then a new delay on the cycle: tanh → z_2 → g.h_prev.
  await page.keyboard.press('f');
  await expect(mainCanvas(page).getByTestId('node-tanh')).toBeInViewport();
  await dropBlock(page, 'delay', 110, 560);
  await connect(page, ['tanh', 'out'], ['z_2', 'in']);
  await connect(page, ['z_2', 'out'], ['g', 'h_prev']);
  await expect.poll(() => page.evaluate(() => window.__unroll!.errors().map((e) => e.code))).not.toContain('E202');
  await expect(mainCanvas(page).getByTestId('node-g')).not.toHaveClass(/has-error/);
  const wire = (await page.evaluate(() => window.__unroll!.canvas().wires)).find((w) => w.to === 'z_2.in');
  expect(wire?.recurrent).toBe(true);
  await expect(mainCanvas(page).getByTestId('wire-tanh.out->z_2.in').locator('.z-badge')).toHaveText('z⁻¹');
  expect(problems).toEqual([]);
});

test('a wire of the wrong kind is refused while dragging, with the reason shown', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const before = await page.evaluate(() => window.__unroll!.doc().edges);
  // Token ids straight into an LSTM: the registry says its x takes vectors.
  await dragWire(page, ['x', 'out'], ['lstm', 'x']);
  const hint = mainCanvas(page).getByTestId('connection-refusal');
  await expect(hint).toBeVisible();
  await expect(hint).toContainText('lstm.x takes a vector per step, but x.out delivers tokens');
  await expect(hint).toContainText('put an encoder');
  await page.mouse.up();
  await expect(hint).toBeHidden();
  expect(await page.evaluate(() => window.__unroll!.doc().edges)).toEqual(before);
  await expect(page.getByTestId('notice').filter({ hasText: 'Not connected' })).toContainText('put an encoder');
  expect(problems).toEqual([]);
});

test('a wire of the wrong shape is refused while dragging, with the reason shown', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const doc = await page.evaluate(() => window.__unroll!.doc());
  const hidden = doc.nodes.find((n) => n.id === 'lstm')!.params!.hidden;
  // The embedding is narrower than the LSTM's state: it cannot be the previous state.
  await dragWire(page, ['emb', 'out'], ['lstm', 'h_prev']);
  const hint = mainCanvas(page).getByTestId('connection-refusal');
  await expect(hint).toContainText(`lstm.h_prev must be [${hidden}]`);
  await page.mouse.up();
  expect(await page.evaluate(() => window.__unroll!.doc().edges)).toEqual(doc.edges);
  // An output dropped on an output is refused too.
  await dragWire(page, ['emb', 'out'], ['dec', 'in']);
  await page.mouse.up();
  expect((await page.evaluate(() => window.__unroll!.doc().edges)).filter((e) => e.to === 'dec.in')).toEqual([{ from: 'emb.out', to: 'dec.in' }]);
  expect(problems).toEqual([]);
});
