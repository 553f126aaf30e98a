/** The editor page: loads cleanly, opens every example valid, and draws what the graph holds. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import type { CurrentGraph } from '../editor/test-api.ts';

/** Console errors and uncaught page errors, collected from the moment the page is created. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

async function current(page: Page): Promise<CurrentGraph> {
  return page.evaluate(() => window.__unroll!.current());
}

/** React Flow node elements must be one per block plus one per loop frame. */
async function expectCanvasMatches(page: Page, graph: CurrentGraph): Promise<void> {
  await expect(page.locator('.react-flow__node')).toHaveCount(graph.nodeIds.length + graph.frames.length);
  for (const id of graph.nodeIds) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
}

test('loads with no errors and opens the default example, valid', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  await page.waitForFunction(() => window.__unroll !== undefined);
  const names = await page.evaluate(() => window.__unroll!.examples());
  expect(names.length).toBeGreaterThan(0);

  const graph = await current(page);
  expect(graph.name).toBe(names.includes('lstm') ? 'lstm' : names[0]);
  expect(graph.errorCodes).toEqual([]);
  expect(graph.ok).toBe(true);
  expect(graph.counts.nodes).toBe(graph.nodeIds.length);
  await expect(page.getByText('✓ Valid')).toBeVisible();
  await expectCanvasMatches(page, graph);

  // SharedArrayBuffer needs the COOP/COEP headers the preview server sends.
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

  // The fitted view settles after layout; a short pause keeps the screenshot stable.
  await page.waitForTimeout(300);
  const dir = fileURLToPath(new URL('./screenshots/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}editor-${graph.name}.png` });
  expect(problems).toEqual([]);
});

test('every example opens valid and is drawn in full', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  await page.waitForFunction(() => window.__unroll !== undefined);
  const names = await page.evaluate(() => window.__unroll!.examples());
  for (const name of names) {
    await page.evaluate((n) => window.__unroll!.open(n), name);
    const graph = await current(page);
    expect(graph.name).toBe(name);
    expect(graph.errorCodes, `${name}: ${graph.errorCodes.join(', ')}`).toEqual([]);
    expect(graph.ok, name).toBe(true);
    await expectCanvasMatches(page, graph);
  }
  expect(problems).toEqual([]);
});

test('the Examples menu opens a graph', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  const names = await page.evaluate(() => window.__unroll!.examples());
  const other = names.find((n) => n !== 'lstm') ?? names[0]!;
  await page.getByText('Examples', { exact: true }).click();
  await page.getByRole('menuitem', { name: other, exact: true }).click();
  await expect.poll(async () => (await current(page)).name).toBe(other);
  await expect(page.getByTestId('graph-name')).toHaveText((await current(page)).graphName!);
  expect(problems).toEqual([]);
});
