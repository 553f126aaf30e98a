/** Autosave to IndexedDB: reload brings the graph back; a garbage draft gives a notice and the default example; a full disk a banner and retries. */
import { expect, test, type Page } from '@playwright/test';
import { dropBlock, openApp, watchProblems } from './helpers.ts';

/** Record every IndexedDB write and whether the first load had finished when it happened. */
async function recordWrites(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __writes: boolean[] };
    w.__writes = [];
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      w.__writes.push(window.__unroll?.ready() === true);
      return put.apply(this, args);
    };
  });
}

async function writeDraft(page: Page, record: unknown): Promise<void> {
  await page.evaluate(
    (rec) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('unroll', 1);
        req.onsuccess = () => {
          const tx = req.result.transaction('drafts', 'readwrite');
          tx.objectStore('drafts').put(rec, 'current');
          tx.oncomplete = () => {
            req.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
    record,
  );
}

const saved = (page: Page) => expect.poll(() => page.evaluate(() => window.__unroll!.storage().status)).toBe('saved');

test('reload restores the last graph; nothing is written before the first load', async ({ page }) => {
  const problems = watchProblems(page);
  await recordWrites(page);
  await openApp(page);
  await page.getByTestId('graph-name-field').fill('my net');
  await page.getByTestId('graph-name-field').press('Enter');
  await dropBlock(page, 'gru', 300, 560);
  await saved(page);
  const before = await page.evaluate(() => window.__unroll!.doc());
  expect(before.name).toBe('my net');
  expect(before.nodes.some((n) => n.type === 'gru')).toBe(true);

  await page.reload();
  await page.waitForFunction(() => window.__unroll?.ready() === true);
  expect(await page.evaluate(() => window.__unroll!.doc())).toEqual(before);
  await expect(page.getByTestId('graph-name')).toHaveText('my net');
  // Writes happened, every one of them after the first load.
  const writes = await page.evaluate(() => (window as unknown as { __writes: boolean[] }).__writes);
  expect(writes.every((ready) => ready)).toBe(true);
  expect(problems).toEqual([]);
});

test('an edit is kept even when the page goes away within the autosave period (flushed on pagehide)', async ({ page }) => {
  await openApp(page);
  await saved(page);
  await page.getByTestId('graph-name-field').fill('right before leaving');
  await page.getByTestId('graph-name-field').press('Enter');
  await page.reload();
  await page.waitForFunction(() => window.__unroll?.ready() === true);
  expect((await page.evaluate(() => window.__unroll!.doc())).name).toBe('right before leaving');
});

for (const [what, record] of [
  ['text that is not JSON', { text: '{"format": "unroll-graph", "nodes": [', source: { kind: 'file', name: 'x.json' }, savedAt: 0 }],
  ['a record of the wrong shape', 42],
  ['a hostile graph', { text: '{"__proto__": {"polluted": true}, "format": "unroll-graph", "version": 1}', source: { kind: 'file', name: 'x.json' }, savedAt: 0 }],
] as const) {
  test(`a garbage draft (${what}) yields a notice and the default example`, async ({ page }) => {
    const problems = watchProblems(page);
    await openApp(page);
    await writeDraft(page, record);
    await page.reload();
    await page.waitForFunction(() => window.__unroll?.ready() === true);
    const graph = await page.evaluate(() => window.__unroll!.current());
    expect(graph.name).toBe('lstm');
    expect(graph.ok).toBe(true);
    await expect(page.getByTestId('notice')).toContainText('autosaved draft could not be read');
    await expect(page.getByTestId('node-lstm')).toBeVisible();
    expect(await page.evaluate(() => ({}) as Record<string, unknown>)).not.toHaveProperty('polluted');
    expect(problems).toEqual([]);
  });
}

test('a full disk shows a banner; the write is retried and the banner goes once it succeeds', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __failPuts: boolean };
    w.__failPuts = false;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      if (w.__failPuts) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await openApp(page);
  await page.evaluate(() => ((window as unknown as { __failPuts: boolean }).__failPuts = true));
  await page.getByTestId('graph-name-field').fill('too big to keep');
  await page.getByTestId('graph-name-field').press('Enter');
  const banner = page.getByTestId('storage-banner');
  await expect(banner).toContainText('Storage is full');
  expect((await page.evaluate(() => window.__unroll!.storage())).status).toBe('error');
  // Space freed: Retry now writes it and the banner goes.
  await page.evaluate(() => ((window as unknown as { __failPuts: boolean }).__failPuts = false));
  await banner.getByRole('button', { name: 'Retry now' }).click();
  await expect(banner).toBeHidden();
  await saved(page);
  await page.reload();
  await page.waitForFunction(() => window.__unroll?.ready() === true);
  expect((await page.evaluate(() => window.__unroll!.doc())).name).toBe('too big to keep');
});
