/** Shared steps of the browser tests: watching for console errors, waiting for the first load, mouse gestures on the canvas. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';
import type { CurrentGraph } from '../editor/test-api.ts';

/** Console errors and uncaught page errors, collected from the moment the page is created. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** Open the app and wait for its first load (draft or default example). */
export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await page.waitForFunction(() => window.__unroll?.ready() === true);
}

export async function current(page: Page): Promise<CurrentGraph> {
  return page.evaluate(() => window.__unroll!.current());
}

/** Where the e2e run leaves screenshots (file names are stable: the README links them). */
export const screenshotDir = (): string => {
  const dir = fileURLToPath(new URL('./screenshots/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** The main canvas (not the unrolled view). */
export const mainCanvas = (page: Page): Locator => page.locator('.center > .canvas').first();

export function handle(page: Page, node: string, side: 'in' | 'out', port: string): Locator {
  return mainCanvas(page).locator(`[data-testid="node-${node}"] .react-flow__handle[data-handleid="${side}:${port}"]`);
}

async function centerOf(l: Locator): Promise<{ x: number; y: number }> {
  const box = await l.boundingBox();
  if (box === null) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Press on the output handle, move in steps (as a hand does) over the input handle; the caller releases. */
export async function dragWire(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  const a = await centerOf(handle(page, from[0], 'out', from[1]));
  const b = await centerOf(handle(page, to[0], 'in', to[1]));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 30, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
}

/** Draw a wire from an output port to an input port with the mouse. */
export async function connect(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  await dragWire(page, from, to);
  await page.mouse.up();
}

/** Drag a block from the palette onto the canvas at (x, y) relative to the canvas's top-left. */
export async function dropBlock(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(mainCanvas(page).locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Click a node's header (selecting it). */
export async function clickNode(page: Page, id: string): Promise<void> {
  await mainCanvas(page).locator(`[data-testid="node-${id}"] .block-type`).click();
}

export async function expectNoProblems(problems: string[]): Promise<void> {
  expect(problems).toEqual([]);
}
