import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GRACE_MS, MIN_INTERVAL_MS, SPACING_MS } from './ChartFrame.ts';

/** A chart that records the frame (fake clock, ms) of each draw. */
function chart(visible = true) {
  const draws: number[] = [];
  return { draws, draw: () => (visible ? (draws.push(performance.now()), true) : false) };
}

/** Frames are 16 ms apart on the fake clock. */
const FRAME = 16;

/** A fresh scheduler per test: its state is on the clock of the test that made it. */
let F: typeof import('./ChartFrame.ts');
const requestDraw = (d: { draw(): boolean }): void => F.requestDraw(d);
const requestDrawNow = (d: { draw(): boolean }): void => F.requestDrawNow(d);

beforeEach(async () => {
  vi.resetModules();
  F = await import('./ChartFrame.ts');
  // Node has no requestAnimationFrame: a fake one, run by the fake clock every 16 ms.
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), FRAME) as unknown as number);
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the chart frame scheduler', () => {
  it('draws one chart per frame when asked now, in the order they asked', () => {
    const [a, b, c] = [chart(), chart(), chart()];
    requestDrawNow(a);
    requestDrawNow(b);
    requestDrawNow(c);
    requestDrawNow(a); // asked again before its draw: still once
    vi.advanceTimersByTime(FRAME);
    expect([a.draws.length, b.draws.length, c.draws.length]).toEqual([1, 0, 0]);
    vi.advanceTimersByTime(FRAME);
    expect([a.draws.length, b.draws.length, c.draws.length]).toEqual([1, 1, 0]);
    vi.advanceTimersByTime(FRAME);
    expect([a.draws.length, b.draws.length, c.draws.length]).toEqual([1, 1, 1]);
    vi.advanceTimersByTime(1000);
    expect([a.draws.length, b.draws.length, c.draws.length]).toEqual([1, 1, 1]);
  });

  it('spreads data-driven draws SPACING_MS apart, one chart at a time, each drawn once', () => {
    const cs = [chart(), chart(), chart(), chart(), chart()];
    for (const c of cs) requestDraw(c);
    vi.advanceTimersByTime(2000);
    const times = cs.map((c) => c.draws);
    expect(times.map((t) => t.length)).toEqual([1, 1, 1, 1, 1]);
    const all = times.flat().sort((x, y) => x - y);
    expect(all.slice(1).every((t, i) => t - all[i]! >= SPACING_MS)).toBe(true);
    // In the order asked.
    expect(times.map((t) => t[0]!)).toEqual([...times.map((t) => t[0]!)].sort((x, y) => x - y));
  });

  it('redraws a chart at most every MIN_INTERVAL_MS however often its data changes, and keeps up', () => {
    const a = chart();
    const start = performance.now();
    for (let t = 0; t < 2000; t += 100) {
      requestDraw(a); // ten batches a second
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(1000);
    const gaps = a.draws.slice(1).map((t, i) => t - a.draws[i]!);
    expect(gaps.every((g) => g >= MIN_INTERVAL_MS)).toBe(true);
    expect(a.draws.length).toBeGreaterThanOrEqual(2000 / (MIN_INTERVAL_MS + 100 + FRAME));
    // …and the last change is drawn.
    expect(a.draws.at(-1)! - start).toBeGreaterThan(1900);
  });

  it('while data streams in, draws only in the frame after a data change; when it stops, a timer draws the rest', () => {
    const cs = [chart(), chart(), chart(), chart(), chart()];
    const start = performance.now();
    const asked: number[] = [];
    for (let t = 0; t < 3000; t += 100) {
      for (const c of cs) requestDraw(c);
      asked.push(performance.now());
      vi.advanceTimersByTime(100);
    }
    const during = cs.flatMap((c) => c.draws);
    // Every draw in the frame after a batch (the rAF stub runs one frame after it is asked).
    expect(during.every((t) => asked.some((a) => t - a === FRAME))).toBe(true);
    // One chart per batch at most, and every chart about every 500 ms.
    expect(new Set(during).size).toBe(during.length);
    for (const c of cs) expect(c.draws.length).toBeGreaterThanOrEqual(5);
    // The data stops: every chart gets its last change drawn, by the timer.
    vi.advanceTimersByTime(5 * (MIN_INTERVAL_MS + GRACE_MS + FRAME));
    const last = performance.now() - start;
    expect(last).toBeGreaterThan(3000);
    for (const c of cs) expect(c.draws.at(-1)! - start).toBeGreaterThan(2900);
  });

  it('a hidden chart does not hold the others up; requestDrawNow skips the interval', () => {
    const hidden = chart(false);
    const a = chart();
    requestDraw(hidden);
    requestDraw(a);
    vi.advanceTimersByTime(FRAME);
    expect(a.draws.length).toBe(1);
    requestDrawNow(a);
    vi.advanceTimersByTime(FRAME);
    expect(a.draws.length).toBe(2);
  });
});
