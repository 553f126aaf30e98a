/**
 * Node ids that are Object.prototype names are drawn, laid out and dragged like any other (they
 * once blanked the page, for good: the broken draft was autosaved). And should drawing ever fail,
 * the page shows what failed with a way out instead of going blank.
 */
import { expect, test, type Page } from '@playwright/test';
import { mainCanvas, openApp, watchProblems } from './helpers.ts';

/** The LSTM example with its cell renamed `id` and no positions at all (the canvas lays it out). */
async function openLstmWithCell(page: Page, id: string): Promise<void> {
  await page.evaluate((cell) => {
    const doc = window.__unroll!.doc();
    const rename = (endpoint: string) => (endpoint.startsWith('lstm.') ? `${cell}.${endpoint.slice(5)}` : endpoint);
    const nodes = doc.nodes.map(({ position: _p, ...n }) => (n.id === 'lstm' ? { ...n, id: cell } : n));
    const edges = doc.edges.map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) }));
    window.__unroll!.dispatch({ type: 'replace', doc: { ...doc, nodes, edges } });
  }, id);
}

const node = (page: Page, id: string) => mainCanvas(page).locator(`.react-flow__node[data-id="${id}"]`);

test('nodes named __proto__ and constructor are drawn, auto-laid-out, dragged, and come back after a reload', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  await openLstmWithCell(page, '__proto__');
  await expect(node(page, '__proto__')).toBeVisible();
  await expect(page.getByTestId('crash')).toHaveCount(0);
  expect(await page.evaluate(() => window.__unroll!.errors())).toEqual([]);

  // L: auto-layout moves it with the others.
  await page.locator('body').press('l');
  expect((await page.evaluate(() => window.__unroll!.history())).past.at(-1)).toBe('auto-layout');
  const laidOut = await page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === '__proto__')!.position!);

  // Drag it by its header.
  const head = node(page, '__proto__').locator('.block-type');
  const box = (await head.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 80, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => page.evaluate(() => window.__unroll!.history().past.at(-1))).toMatch(/^move/);
  const dragged = await page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === '__proto__')!.position!);
  expect(dragged).not.toEqual(laidOut);

  // Autosaved and restored: the page draws it again.
  await expect.poll(() => page.evaluate(() => window.__unroll!.storage().status)).toBe('saved');
  await openApp(page);
  await expect(node(page, '__proto__')).toBeVisible();
  expect(await page.evaluate(() => window.__unroll!.doc().nodes.find((n) => n.id === '__proto__')!.position)).toEqual(dragged);

  // Renamed in the inspector's way (a change): constructor, then toString.
  for (const [from, to] of [
    ['__proto__', 'constructor'],
    ['constructor', 'toString'],
  ]) {
    expect(await page.evaluate(([a, b]) => window.__unroll!.dispatch({ type: 'renameNode', from: a!, to: b! }), [from, to])).toBe(true);
    await expect(node(page, to!)).toBeVisible();
  }
  await page.locator('body').press('l');
  expect((await page.evaluate(() => window.__unroll!.history())).past.at(-1)).toBe('auto-layout');
  await expect(page.getByTestId('crash')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('a failure while drawing the canvas shows the error, the graph can be downloaded, and the default example opened', async ({ page }) => {
  const problems = watchProblems(page);
  // The canvas fails while the flag is set (React Flow creates ResizeObservers when it mounts).
  await page.addInitScript(() => {
    const w = window as unknown as { __failCanvas?: boolean };
    const Original = window.ResizeObserver;
    window.ResizeObserver = class extends Original {
      constructor(cb: ResizeObserverCallback) {
        if (w.__failCanvas === true) throw new Error('simulated drawing failure');
        super(cb);
      }
    };
  });
  await openApp(page);
  await page.evaluate(() => {
    (window as unknown as { __failCanvas?: boolean }).__failCanvas = true;
    window.__unroll!.open('gru');
  });
  const crash = page.getByTestId('crash');
  await expect(crash).toBeVisible();
  await expect(crash).toContainText('could not draw the canvas');
  await expect(page.getByTestId('crash-message')).toContainText('simulated drawing failure');
  // The rest of the page works: menus, panels.
  await expect(page.locator('summary', { hasText: 'Examples' })).toBeVisible();
  const gru = await page.evaluate(() => window.__unroll!.doc());

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('crash-download').click()]);
  expect(download.suggestedFilename()).toMatch(/-broken\.json$/);
  const text = await (await download.createReadStream()).toArray();
  expect(JSON.parse(Buffer.concat(text).toString('utf8'))).toMatchObject({ name: gru.name, nodes: gru.nodes.map((n) => ({ id: n.id })) });

  await page.evaluate(() => ((window as unknown as { __failCanvas?: boolean }).__failCanvas = false));
  await page.getByTestId('crash-open-default').click();
  await expect(crash).toHaveCount(0);
  await expect(mainCanvas(page).getByTestId('node-lstm')).toBeVisible();
  // The graph that failed is one undo away.
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().name)).toBe(gru.name);
  // React reports the caught error on the console; nothing was left uncaught.
  expect(problems.filter((p) => p.startsWith('page error'))).toEqual([]);
  expect(problems.some((p) => p.includes('simulated drawing failure'))).toBe(true);
});
