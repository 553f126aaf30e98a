/**
 * Metrics batches are moved to the receiver, not copied: after each send, the sender's typed
 * arrays are detached (length 0). The service runs in-process here, behind a real MessageChannel,
 * so the test can hold the very arrays it sent.
 */
import { MessageChannel } from 'node:worker_threads';
import { expose, proxy, wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricsWindow } from './metrics-window.ts';
import type { MetricsBatch, TrainerApi } from './protocol.ts';
import { TrainerService } from './service.ts';
import { smallBrackets } from './fixtures/docs.ts';

afterEach(() => vi.restoreAllMocks());

describe('metrics transfer', () => {
  it('hands every buffer of a batch to the receiver: the sender keeps detached arrays', async () => {
    const sent: MetricsBatch[] = [];
    const take = MetricsWindow.prototype.take;
    vi.spyOn(MetricsWindow.prototype, 'take').mockImplementation(function (this: MetricsWindow, ...args) {
      const r = take.apply(this, args);
      sent.push(r.batch);
      return r;
    });
    const { port1, port2 } = new MessageChannel();
    expose(new TrainerService(), nodeEndpoint(port1));
    const remote = wrap<TrainerApi>(nodeEndpoint(port2));
    const loaded = await remote.load({ doc: smallBrackets({ steps: 60 }) });
    expect(loaded.ok).toBe(true);
    const received: MetricsBatch[] = [];
    const end = await remote.start(proxy((b: MetricsBatch) => void received.push(b)));
    expect(end).toEqual({ ok: true, value: { reason: 'done', step: 60 } });
    port1.close();
    port2.close();

    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(received.length).toBe(sent.length);
    for (const b of sent) {
      expect(b.loss.length).toBe(0);
      expect(b.steps.length).toBe(0);
      expect(b.clipped.length).toBe(0);
      for (const d of b.diagnostics) for (const s of d.states) expect(s.norms.length).toBe(0);
    }
    // … while the receiver has them whole.
    expect(received.reduce((n, b) => n + b.loss.length, 0)).toBe(60);
    expect(received[0]!.diagnostics[0]!.states[0]!.norms.length).toBe(12);
  });
});
