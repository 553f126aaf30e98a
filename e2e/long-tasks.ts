/**
 * Long tasks on the page's main thread, for the acceptance point "no long task over 50 ms while
 * the default example trains": a PerformanceObserver of `longtask` entries, started before the
 * run is, read at the end. Each task is reported with when it began (ms after the watch started)
 * so a failure says where to look.
 *
 * Waiting for page state inside the watched stretch should poll at an interval (`polling: 100`),
 * not every animation frame (Playwright's default): a predicate run in every frame keeps the page
 * rendering frames it would not render for a person watching it.
 */
import type { Page } from '@playwright/test';

export interface LongTask {
  /** ms after `watchLongTasks` was called. */
  readonly at: number;
  /** ms. */
  readonly duration: number;
}

type Watched = { longTasks: LongTask[]; longTasksFrom: number };

/** Start collecting the page's long tasks (anything the browser reports over 50 ms). */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as Watched;
    w.longTasks = [];
    w.longTasksFrom = performance.now();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ at: Math.round(e.startTime - w.longTasksFrom), duration: Math.round(e.duration) });
    }).observe({ type: 'longtask' });
  });
}

/** How long the watch has run (ms). */
export const watchedFor = (page: Page): Promise<number> => page.evaluate(() => performance.now() - (window as unknown as Watched).longTasksFrom);

/** The long tasks since the watch started that took more than `ms`. */
export const longTasksOver = (page: Page, ms = 50): Promise<LongTask[]> => page.evaluate((limit) => (window as unknown as Watched).longTasks.filter((t) => t.duration > limit), ms);
