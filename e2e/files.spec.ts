/** Files dropped on the canvas: hostile ones are refused with their JSON paths and the open graph stays as it was. */
import { expect, test, type Page } from '@playwright/test';
import { mainCanvas, openApp, watchProblems } from './helpers.ts';

/** Drop a file made in the page (so a 40 MB file need not cross the test connection) on the canvas. */
async function dropFile(page: Page, name: string, make: string): Promise<void> {
  const dt = await page.evaluateHandle(
    ([fileName, body]) => {
      const text = new Function(`return (${body})`)() as string;
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], fileName, { type: 'application/json' }));
      return transfer;
    },
    [name, make] as const,
  );
  const pane = mainCanvas(page).locator('.react-flow__pane');
  await pane.dispatchEvent('dragover', { dataTransfer: dt });
  await pane.dispatchEvent('drop', { dataTransfer: dt });
}

const HOSTILE: readonly { name: string; make: string; code: string; path: string | RegExp; says: RegExp }[] = [
  {
    name: 'proto.json',
    make: `'{"format": "unroll-graph", "version": 1, "name": "p", "nodes": [{"id": "a", "type": "add", "params": {"__proto__": {"polluted": 1}}}], "edges": []}'`,
    code: 'E103',
    path: '$.nodes[0].params.__proto__',
    says: /__proto__/,
  },
  {
    name: 'future.json',
    make: `'{"format": "unroll-graph", "version": 99, "name": "f", "nodes": [], "edges": []}'`,
    code: 'E109',
    path: '$.version',
    says: /newer version/,
  },
  {
    name: 'million-small.json',
    make: `'{"format": "unroll-graph", "version": 1, "name": "m", "nodes": [' + Array(1000000).fill('{}').join(',') + '], "edges": []}'`,
    code: 'E119',
    path: /^\$\.nodes/,
    says: /1,000,000|1000000/,
  },
  {
    name: 'million-nodes.json',
    make: `'{"format": "unroll-graph", "version": 1, "name": "m", "nodes": [' + Array.from({ length: 1000000 }, (_, i) => '{"id": "n' + i + '", "type": "add"}').join(',') + '], "edges": []}'`,
    code: 'E100',
    path: '$',
    says: /MiB/,
  },
  { name: 'not-json.json', make: `'{"format": '`, code: 'E101', path: '$', says: /./ },
];

test('hostile files dropped on the canvas show their errors with JSON paths and leave the graph unchanged', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const before = await page.evaluate(() => window.__unroll!.doc());
  const history = await page.evaluate(() => window.__unroll!.history());
  for (const h of HOSTILE) {
    await dropFile(page, h.name, h.make);
    const dialog = page.getByTestId('import-errors');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`Could not open ${h.name}`);
    await expect(dialog).toContainText('The open graph is unchanged');
    const reported = await page.evaluate(() => window.__unroll!.importErrors());
    expect(reported?.file).toBe(h.name);
    const e = reported!.errors.find((x) => x.code === h.code);
    expect(e, `${h.name}: ${JSON.stringify(reported?.errors.slice(0, 3))}`).toBeDefined();
    if (typeof h.path === 'string') expect(e!.path).toBe(h.path);
    else expect(e!.path).toMatch(h.path);
    expect(e!.message).toMatch(h.says);
    await expect(dialog.getByTestId('import-error-path').first()).toHaveText(reported!.errors[0]!.path!);
    expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);
    expect(await page.evaluate(() => window.__unroll!.history())).toEqual(history);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  }
  expect(await page.evaluate(() => ({}) as Record<string, unknown>)).not.toHaveProperty('polluted');
  await expect(mainCanvas(page).getByTestId('node-lstm')).toBeVisible();
  expect(problems).toEqual([]);
});

test('a good file dropped on the canvas opens, and Undo brings back what was open', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page);
  const before = await page.evaluate(() => window.__unroll!.doc());
  const gru = `'${JSON.stringify({ format: 'unroll-graph', version: 1, name: 'dropped', nodes: [{ id: 'a', type: 'input' }], edges: [] })}'`;
  await dropFile(page, 'dropped.json', gru);
  await expect(page.getByTestId('graph-name')).toHaveText('dropped');
  expect((await page.evaluate(() => window.__unroll!.current())).name).toBe('dropped.json');
  await page.keyboard.press('Control+z');
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);
  expect(problems).toEqual([]);
});
