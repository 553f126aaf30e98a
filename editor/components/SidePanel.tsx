/** The right-hand panel: what is open, the inspector, and the problems validation found. */
import { CATALOGUE, type UnrollError } from '../../runtime/errors/catalogue.ts';
import { canvas } from '../canvas-bridge.ts';
import { focusNodeOf } from '../flow-model.ts';
import { getState, select } from '../store.ts';
import { useEditor } from '../use-editor.ts';
import { Inspector } from './Inspector.tsx';

function Problem({ e, warning }: { e: UnrollError; warning?: boolean }) {
  const focus = () => {
    const doc = getState().history.doc;
    const id = focusNodeOf(e, doc);
    if (id !== undefined) canvas()?.focusNode(id);
    else {
      const loop = e.path !== undefined ? /^\$\.loops\[(\d+)\]/.exec(e.path) : null;
      const l = loop ? doc.loops?.[Number(loop[1])] : undefined;
      if (l !== undefined) select({ nodes: [], edges: [], loops: [l.id] });
    }
  };
  return (
    <li className={`issue${warning ? ' is-warning' : ''}`}>
      <button type="button" className="issue-button" onClick={focus} title="Show it on the canvas" data-testid="problem">
        <span>
          <code className="issue-code">{e.code}</code> <span className="issue-name">{CATALOGUE[e.code].name}</span>
          {e.path !== undefined ? <code className="issue-path">{e.path}</code> : null}
        </span>
        <span className="issue-message">{e.message}</span>
      </button>
    </li>
  );
}

function Problems() {
  const { history, analysis, failure } = useEditor();
  const current = analysis?.doc === history.doc ? analysis : undefined;
  const errors = current?.errors ?? [];
  const warnings = current?.warnings ?? [];
  return (
    <section className="panel-section" aria-labelledby="problems-heading" data-testid="problems">
      <h2 id="problems-heading">Problems</h2>
      {failure !== undefined ? (
        <p className="status status-bad">{failure}</p>
      ) : errors.length === 0 ? (
        <p className="status status-ok">✓ Valid</p>
      ) : (
        <p className="status status-bad">
          ✗ {errors.length} {errors.length === 1 ? 'error' : 'errors'}
        </p>
      )}
      {errors.length > 0 ? (
        <ul className="issues" aria-label="Errors">
          {errors.map((e, i) => (
            <Problem key={i} e={e} />
          ))}
        </ul>
      ) : null}
      {warnings.length > 0 ? (
        <>
          <h3>Warnings</h3>
          <ul className="issues warnings" aria-label="Warnings">
            {warnings.map((e, i) => (
              <Problem key={i} e={e} warning />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function SidePanel() {
  const { history } = useEditor();
  const src = history.source;
  return (
    <aside className="side-panel" aria-label="Graph details">
      <section className="panel-section" aria-labelledby="graph-name">
        <h2 id="graph-name" data-testid="graph-name">
          {history.doc.name}
        </h2>
        <p className="muted">{src.kind === 'example' ? `examples/${src.name}.json` : src.kind === 'file' ? src.name : src.kind === 'draft' ? 'restored draft' : 'new graph'}</p>
      </section>
      <Inspector />
      <Problems />
    </aside>
  );
}
