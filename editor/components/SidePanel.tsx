/** What the open graph is, whether it is valid and why not, and the block palette. */
import { CATALOGUE } from '../../runtime/errors/catalogue.ts';
import type { UnrollError } from '../../runtime/errors/catalogue.ts';
import { analysisCounts } from '../counts.ts';
import type { OpenGraph } from '../store.ts';
import { Palette } from './Palette.tsx';

const number = new Intl.NumberFormat('en-US');

function ErrorItem({ e }: { e: UnrollError }) {
  return (
    <li className="issue">
      <div>
        <code className="issue-code">{e.code}</code> <span className="issue-name">{CATALOGUE[e.code].name}</span>
        {e.path !== undefined ? <code className="issue-path">{e.path}</code> : null}
      </div>
      <div className="issue-message">{e.message}</div>
    </li>
  );
}

function Status({ graph }: { graph: OpenGraph }) {
  if (graph.failure !== undefined) return <p className="status status-bad">{graph.failure}</p>;
  if (graph.doc === undefined) return <p className="status status-bad">Refused: the file could not be read</p>;
  const n = graph.errors.length;
  return n === 0 ? (
    <p className="status status-ok">✓ Valid</p>
  ) : (
    <p className="status status-bad">
      ✗ {n} {n === 1 ? 'error' : 'errors'}
    </p>
  );
}

export function SidePanel({ graph }: { graph: OpenGraph | undefined }) {
  const counts = graph ? analysisCounts(graph) : undefined;
  // Weights and parameters are only known after validation; say so rather than show 0.
  const sized = graph?.analysis !== undefined;
  const warnings = graph?.analysis?.warnings ?? [];
  return (
    <aside className="side-panel" aria-label="Graph details">
      {graph === undefined ? (
        <section className="panel-section">
          <p>No example graphs were found in examples/.</p>
        </section>
      ) : (
        <section className="panel-section" aria-labelledby="graph-heading">
          <h2 id="graph-heading" data-testid="graph-name">
            {graph.doc?.name ?? graph.name}
          </h2>
          <p className="muted">examples/{graph.name}.json</p>
          <dl className="counts">
            <dt>Nodes</dt>
            <dd>{number.format(counts?.nodes ?? 0)}</dd>
            <dt>Edges</dt>
            <dd>{number.format(counts?.edges ?? 0)}</dd>
            <dt>Weights</dt>
            <dd>{sized && counts ? number.format(counts.weights) : '–'}</dd>
            <dt>Parameters</dt>
            <dd>{sized && counts ? number.format(counts.parameters) : '–'}</dd>
          </dl>
          <Status graph={graph} />
          {graph.errors.length > 0 ? (
            <ul className="issues" aria-label="Errors">
              {graph.errors.map((e, i) => (
                <ErrorItem key={i} e={e} />
              ))}
            </ul>
          ) : null}
          {warnings.length > 0 ? (
            <>
              <h3>Warnings</h3>
              <ul className="issues warnings" aria-label="Warnings">
                {warnings.map((e, i) => (
                  <ErrorItem key={i} e={e} />
                ))}
              </ul>
            </>
          ) : null}
        </section>
      )}
      <Palette />
    </aside>
  );
}
