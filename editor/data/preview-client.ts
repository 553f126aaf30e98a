/**
 * The page's side of the preview worker: one worker per opened file (a new file, a new worker;
 * closing the dialog ends it), previews asked for by params and mapping.
 */
import type { DataPreview } from '../../runtime/data/dataset.ts';
import type { ColumnMapping } from '../../runtime/data/mapping.ts';
import { unrollError, type Result } from '../../runtime/errors/catalogue.ts';
import type { ParamValueJson } from '../../runtime/graph/types.ts';
import type { PreviewReply, PreviewRequest } from './preview-protocol.ts';

export interface PreviewAsk {
  readonly params: Readonly<Record<string, ParamValueJson>>;
  readonly map: ColumnMapping | string | undefined;
  readonly graphParams: Readonly<Record<string, ParamValueJson>>;
}

/** Rows the dialog's preview table shows. */
export const PREVIEW_ROWS = 10;

export class FilePreviewer {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, (r: Result<DataPreview>) => void>();

  /** Hand `bytes` to a new worker (transferred: the caller keeps no use of them but a copy). */
  constructor(readonly name: string, bytes: Uint8Array) {
    this.worker = new Worker(new URL('./preview-worker.ts', import.meta.url), { type: 'module', name: 'unroll-data-preview' });
    this.worker.onmessage = (e: MessageEvent<PreviewReply>) => {
      this.pending.get(e.data.id)?.(e.data.result);
      this.pending.delete(e.data.id);
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.failAll(`the preview worker failed: ${e.message || 'an error while loading'}`);
    };
    const copy = bytes.slice();
    const msg: PreviewRequest = { kind: 'file', name, bytes: copy };
    this.worker.postMessage(msg, [copy.buffer]);
  }

  preview(ask: PreviewAsk): Promise<Result<DataPreview>> {
    const id = this.next++;
    const msg: PreviewRequest = { kind: 'preview', id, rows: PREVIEW_ROWS, ...ask };
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage(msg);
    });
  }

  private failAll(why: string): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, errors: [unrollError('E483', `${this.name} could not be read: ${why}`)] });
    this.pending.clear();
  }

  dispose(): void {
    this.failAll('the dialog was closed');
    this.worker.terminate();
  }
}
