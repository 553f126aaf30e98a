/** Files: save (download) the open graph, read a graph file the user picked or dropped. */
import { serializeGraph } from '../runtime/graph/serialize.ts';
import { LIMITS, type GraphDoc } from '../runtime/graph/types.ts';
import { isDataFileName, openDataFile } from './data/dialog-store.ts';
import { openText } from './store.ts';

/** `LSTM classifier` → `lstm-classifier.json`. */
export function fileNameFor(doc: GraphDoc, fallback: string): string {
  const stem = (doc.name || fallback)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${stem || 'graph'}.json`;
}

/** Hand `data` to the browser as a download called `name` (the link is revoked once the download has it). */
export function downloadBlob(data: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Download `doc` as a graph file: pretty-printed, keys in the format's stable order. */
export function downloadGraph(doc: GraphDoc, fileName: string): void {
  downloadBlob(serializeGraph(doc), fileName, 'application/json');
}

/**
 * Open a picked or dropped file; its size is checked before it is read. A data file (.csv, .tsv,
 * .txt, .text, .md) opens the mapping dialog instead of being read as a graph.
 */
export async function openFile(file: File): Promise<boolean> {
  if (isDataFileName(file.name)) {
    await openDataFile(file);
    return false;
  }
  if (file.size > LIMITS.fileBytes) return openText(file.name, '', file.size);
  const bytes = new Uint8Array(await file.arrayBuffer());
  return openText(file.name, bytes, bytes.length);
}
