/** Messages: short notices (dismissable), the autosave banner, and the errors of a refused file. */
import { CATALOGUE } from '../../runtime/errors/catalogue.ts';
import { retryAutosave } from '../persist.ts';
import { clearImportProblem, dismissNotice } from '../store.ts';
import { useEditor } from '../use-editor.ts';

export function Notices() {
  const { notices, storage, importProblem } = useEditor();
  return (
    <>
      {storage.status === 'error' ? (
        <div className="banner banner-error" role="alert" data-testid="storage-banner">
          <span>{storage.message}</span>
          <button type="button" onClick={retryAutosave}>
            Retry now
          </button>
        </div>
      ) : null}
      {importProblem !== undefined ? (
        <div className="import-errors" role="alertdialog" aria-labelledby="import-errors-heading" data-testid="import-errors">
          <h2 id="import-errors-heading">
            Could not open {importProblem.file}: {importProblem.errors.length} problem{importProblem.errors.length === 1 ? '' : 's'}. The open graph is unchanged.
          </h2>
          <ul className="issues">
            {importProblem.errors.map((e, i) => (
              <li key={i} className="issue">
                <code className="issue-code">{e.code}</code> <span className="issue-name">{CATALOGUE[e.code].name}</span>
                {e.path !== undefined ? <code className="issue-path" data-testid="import-error-path">{e.path}</code> : null}
                <div className="issue-message">{e.message}</div>
              </li>
            ))}
          </ul>
          <button type="button" onClick={clearImportProblem} autoFocus>
            Close
          </button>
        </div>
      ) : null}
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
            <span>{n.text}</span>
            <button type="button" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}
