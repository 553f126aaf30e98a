/**
 * A graph of 2,000 blocks stays responsive: only the blocks in view are in the DOM
 * (onlyRenderVisibleElements), and a selection change or an edit of one block redraws that block,
 * not all of them (unchanged nodes keep their objects, BlockNode is memoised), and wires do not
 * look up their label layer in the DOM on every store update (React Flow's EdgeLabelRenderer does,
 * once per wire in view). Counted with the render counter of the test API and a count of those DOM
 * lookups, never timed.
 */
import { expect, test, type Page } from '@playwright/test';
import { mainCanvas, openApp, watchProblems } from './helpers.ts';

const N = 2000;

/** Replace the open graph by a chain x → a0 → … → a1999 → loss, laid out in one long row. */
async function openChain(page: Page): Promise<void> {
  await page.evaluate((n) => {
    const nodes = [
      { id: 'x', type: 'input', params: { kind: 'vector', size: 4 }, position: { x: 0, y: 0 } },
      ...Array.from({ length: n }, (_, i) => ({ id: `a${i}`, type: 'tanh', position: { x: 240 + i * 220, y: 0 } })),
    ];
    const edges = [{ from: 'x.out', to: 'a0.in' }, ...Array.from({ length: n - 1 }, (_, i) => ({ from: `a${i}.out`, to: `a${i + 1}.in` }))];
    window.__unroll!.dispatch({ type: 'replace', doc: { format: 'unroll-graph', version: 1, name: 'chain', nodes, edges } });
  }, N);
  await expect.poll(() => page.evaluate(() => window.__unroll!.current().counts.nodes)).toBe(N + 1);
  await expect(mainCanvas(page).locator('.react-flow__node-block').first()).toBeVisible();
}

/** Ids of the blocks React Flow has in the DOM. */
const drawn = (page: Page) => mainCanvas(page).locator('.react-flow__node-block').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));

/** Ids of the blocks wholly inside the visible canvas, left to right. */
const inView = (page: Page) =>
  mainCanvas(page).evaluate((canvas) => {
    const c = canvas.getBoundingClientRect();
    return [...canvas.querySelectorAll('.react-flow__node-block')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.left >= c.left + 10 && r.right <= c.right - 200 && r.top >= c.top && r.bottom <= c.bottom;
      })
      .map((e) => e.getAttribute('data-id')!);
  });

const renders = (page: Page) => page.evaluate(() => window.__unroll!.renders().blockNode);

/** Count `querySelector('.react-flow__edgelabel-renderer')` calls from page load on. */
async function countLabelLookups(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __labelLookups: number };
    w.__labelLookups = 0;
    const qs = Element.prototype.querySelector;
    Element.prototype.querySelector = function (this: Element, selector: string) {
      if (selector === '.react-flow__edgelabel-renderer') w.__labelLookups++;
      return qs.call(this, selector);
    } as typeof qs;
  });
}
const labelLookups = (page: Page) => page.evaluate(() => (window as unknown as { __labelLookups: number }).__labelLookups);
const resetCounts = (page: Page) =>
  page.evaluate(() => {
    window.__unroll!.resetRenders();
    (window as unknown as { __labelLookups: number }).__labelLookups = 0;
  });

test(`with ${N} blocks only those in view are drawn, and selecting or editing one redraws that one`, async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watchProblems(page);
  await countLabelLookups(page);
  await openApp(page);
  await openChain(page);
  const inDom = await drawn(page);
  expect(inDom.length).toBeGreaterThan(0);
  expect(inDom.length).toBeLessThan(N / 2);

  // Select one block: it alone is drawn again.
  const [first, second] = (await inView(page)).filter((id) => id.startsWith('a'));
  expect(second).toBeDefined();
  await resetCounts(page);
  await mainCanvas(page).locator(`[data-testid="node-${first}"] .block-type`).click();
  await expect.poll(() => page.evaluate(() => window.__unroll!.selection().nodes)).toEqual([first]);
  await expect(mainCanvas(page).locator(`[data-testid="node-${first}"]`)).toHaveClass(/is-selected/);
  expect(await renders(page)).toBeLessThanOrEqual(2);
  expect(await labelLookups(page)).toBeLessThanOrEqual(2);

  // Select another: the one that lost the selection and the one that got it.
  await resetCounts(page);
  await mainCanvas(page).locator(`[data-testid="node-${second}"] .block-type`).click();
  await expect(mainCanvas(page).locator(`[data-testid="node-${second}"]`)).toHaveClass(/is-selected/);
  await expect(mainCanvas(page).locator(`[data-testid="node-${first}"]`)).not.toHaveClass(/is-selected/);
  expect(await renders(page)).toBeLessThanOrEqual(4);

  // An edit (moving one block; the whole graph is validated and rebuilt) redraws that block only.
  await resetCounts(page);
  const box = mainCanvas(page).locator(`.react-flow__node[data-id="${second}"]`);
  const transform = await box.evaluate((e) => (e as HTMLElement).style.transform);
  await page.evaluate((id) => {
    const n = window.__unroll!.doc().nodes.find((m) => m.id === id)!;
    window.__unroll!.dispatch({ type: 'moveNodes', positions: { [id]: { x: n.position!.x, y: n.position!.y + 200 } } });
  }, second!);
  await expect.poll(() => box.evaluate((e) => (e as HTMLElement).style.transform)).not.toBe(transform);
  expect(await page.evaluate(() => window.__unroll!.history().past.at(-1))).toBe(`move ${second}`);
  expect(await renders(page)).toBeLessThanOrEqual(2);
  expect(await labelLookups(page)).toBeLessThanOrEqual(2);
  expect(problems).toEqual([]);
});
