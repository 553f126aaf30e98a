/** The editor page: loads cleanly, opens every example valid, and draws what the graph holds. */
import { expect, test, type Page } from '@playwright/test';
import type { CurrentGraph } from '../editor/test-api.ts';
import { current, mainCanvas, openApp, screenshotDir, watchProblems } from './helpers.ts';

/** React Flow node elements must be one per block plus one per loop frame. */
async function expectCanvasMatches(page: Page, graph: CurrentGraph): Promise<void> {
  await expect(mainCanvas(page).locator('.react-flow__node')).toHaveCount(graph.nodeIds.length + graph.frames.length);
  for (const id of graph.nodeIds) await expect(mainCanvas(page).getByTestId(`node-${id}`)).toBeVisible();
}

test('loads with no errors and opens the default example (LSTM), valid; screenshot', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const names = await page.evaluate(() => window.__unroll!.examples());
  expect(names.length).toBeGreaterThan(0);

  const graph = await current(page);
  expect(graph.name).toBe(names.includes('lstm') ? 'lstm' : names[0]);
  expect(graph.sourceKind).toBe('example');
  expect(graph.errorCodes).toEqual([]);
  expect(graph.ok).toBe(true);
  expect(graph.counts.nodes).toBe(graph.nodeIds.length);
  await expect(page.getByTestId('problems').getByText('✓ Valid')).toBeVisible();
  await expect(page.getByTestId('total-parameters')).toHaveText(new Intl.NumberFormat('en-US').format(graph.counts.parameters));
  await expectCanvasMatches(page, graph);

  // SharedArrayBuffer needs the COOP/COEP headers the preview server sends.
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

  // The fitted view settles after layout; a short pause keeps the screenshot stable.
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${screenshotDir()}editor-${graph.name}.png` });
  expect(problems).toEqual([]);
});

test('every example opens from the Examples menu without errors and is drawn in full', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const names = await page.evaluate(() => window.__unroll!.examples());
  for (const name of names) {
    await page.getByText('Examples', { exact: true }).click();
    await page.getByRole('menuitem', { name, exact: true }).click();
    await expect.poll(async () => (await current(page)).name).toBe(name);
    const graph = await current(page);
    expect(graph.errorCodes, `${name}: ${graph.errorCodes.join(', ')}`).toEqual([]);
    expect(graph.ok, name).toBe(true);
    await expectCanvasMatches(page, graph);
    await expect(page.getByTestId('graph-name')).toHaveText(graph.graphName);
    await expect(page.getByTestId('problems').getByText('✓ Valid')).toBeVisible();
  }
  expect(problems).toEqual([]);
});
