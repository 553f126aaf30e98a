/**
 * The preview worker: reads a data file with the runtime's readers off the page's thread (a large
 * CSV takes a while), so the mapping dialog stays responsive and the page does not bundle them.
 */
import { previewData } from '../../runtime/data/dataset.ts';
import { unrollError } from '../../runtime/errors/catalogue.ts';
import type { PreviewReply, PreviewRequest } from './preview-protocol.ts';

let file: { name: string; bytes: Uint8Array } | undefined;

self.onmessage = (e: MessageEvent<PreviewRequest>) => {
  const m = e.data;
  if (m.kind === 'file') {
    file = { name: m.name, bytes: m.bytes };
    return;
  }
  let reply: PreviewReply;
  if (file === undefined) reply = { id: m.id, result: { ok: false, errors: [unrollError('E488', 'no data file was given to preview')] } };
  else {
    try {
      reply = { id: m.id, result: previewData({ ...file, params: m.params, ...(m.map !== undefined ? { map: m.map } : {}) }, m.graphParams, m.rows) };
    } catch (err) {
      // A reader bug must not leave the dialog waiting: it shows as the file's problem.
      reply = { id: m.id, result: { ok: false, errors: [unrollError('E483', `${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`)] } };
    }
  }
  (self as unknown as Worker).postMessage(reply);
};
