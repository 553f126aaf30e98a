// Regression test: an edit made while an autosave write is in flight is saved too. The autosaver once reported
// "draft saved" for the first write and never wrote the second edit (it had already marked it as seen), so a crash or
// a killed tab lost it. editor/persist.test.ts checks the same bookkeeping (flush during a write, retries) without a browser.
import { expect, test } from '@playwright/test';
import { openApp, watchProblems } from './helpers.ts';

test('an edit made while an autosave write is in flight is saved too', async ({ page }) => {
  const problems = watchProblems(page);
  // The second edit lands exactly while the first write runs: from inside its IndexedDB put.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    const w = window as unknown as { __armed?: boolean };
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      const req = put.apply(this, args);
      if (w.__armed === true) {
        w.__armed = false;
        window.__unroll!.dispatch({ type: 'setName', name: 'edited during the write' });
      }
      return req;
    };
  });
  await openApp(page);
  await page.evaluate(() => {
    (window as unknown as { __armed?: boolean }).__armed = true;
    window.__unroll!.dispatch({ type: 'setName', name: 'first edit' });
  });
  await expect.poll(() => page.evaluate(() => window.__unroll!.doc().name)).toBe('edited during the write');
  const stored = () =>
    page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('unroll', 1);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('drafts').objectStore('drafts').get('current');
            get.onsuccess = () => {
              open.result.close();
              resolve((JSON.parse((get.result as { text: string }).text) as { name: string }).name);
            };
          };
        }),
    );
  // Several autosave periods (300 ms) later the draft holds the newest document, and only then is it reported saved.
  await expect.poll(stored, { timeout: 3000 }).toBe('edited during the write');
  await expect.poll(() => page.evaluate(() => window.__unroll!.storage().status)).toBe('saved');
  expect(problems).toEqual([]);
});
