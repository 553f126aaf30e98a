/** Totals of the open graph, its validity, the selection and the autosave state. */
import { analysisCounts } from '../counts.ts';
import { useEditor } from '../use-editor.ts';

const number = new Intl.NumberFormat('en-US');

export function StatusBar() {
  const { history, analysis, selection, storage } = useEditor();
  const doc = history.doc;
  const current = analysis?.doc === doc ? analysis : undefined;
  const c = analysisCounts(doc, current);
  const errors = current?.errors.length ?? 0;
  const selected = selection.nodes.length + selection.edges.length + selection.loops.length;
  const saved =
    storage.status === 'loading'
      ? 'loading…'
      : storage.status === 'saved'
        ? 'draft saved'
        : storage.status === 'pending'
          ? 'saving…'
          : storage.status === 'off'
            ? 'autosave off'
            : 'autosave failing';
  return (
    <footer className="status-bar" data-testid="status-bar" aria-label="Graph totals">
      <span className={errors === 0 ? 'status-ok' : 'status-bad'}>{errors === 0 ? '✓ valid' : `✗ ${errors} error${errors === 1 ? '' : 's'}`}</span>
      <span>
        <b data-testid="total-nodes">{number.format(c.nodes)}</b> nodes
      </span>
      <span>
        <b>{number.format(c.edges)}</b> wires
      </span>
      <span>
        <b>{number.format(current?.loops.size ?? doc.loops?.length ?? 0)}</b> loops
      </span>
      <span>
        <b>{current ? number.format(c.weights) : '–'}</b> weights
      </span>
      <span>
        <b data-testid="total-parameters">{current ? number.format(c.parameters) : '–'}</b> parameters
      </span>
      {selected > 0 ? <span>{selected} selected</span> : null}
      <span className="status-save">{saved}</span>
    </footer>
  );
}
