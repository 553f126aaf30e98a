/**
 * The training panel's Inspect tab: one evaluation example of the loaded run with the weights of
 * its attention (a heatmap, decoder step × encoder step) and memory reads (per hop, over the
 * story's sentences), beside a paged predictions table. Reads come from the worker through the
 * inspect store, which refreshes when the run pauses or ends; Refresh reads at any time.
 */
import { Fragment, useEffect, useState, useSyncExternalStore } from 'react';
import type { ExampleView } from '../../../runtime/train/inspect.ts';
import { getInspect, refreshInspect, selectExample, showPage, subscribeInspect } from '../../training/inspect-store.ts';
import { getTraining, subscribeTraining } from '../../training/session.ts';
import { InspectHeatmap } from './InspectHeatmap.tsx';
import { InspectMemory } from './InspectMemory.tsx';
import { InspectPredictions } from './InspectPredictions.tsx';
import './InspectView.css';

/** The example index box: typed freely, applied on Enter or when it loses focus. */
function IndexInput({ index, count, onChange }: { index: number; count: number | undefined; onChange: (i: number) => void }) {
  const [text, setText] = useState(String(index));
  useEffect(() => setText(String(index)), [index]);
  const apply = (): void => {
    const n = Number(text);
    if (Number.isInteger(n) && n !== index) onChange(n);
    else setText(String(index));
  };
  return (
    <input
      type="number"
      className="inspect-index"
      aria-label="example index"
      min={0}
      max={count !== undefined ? count - 1 : undefined}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === 'Enter') apply();
      }}
    />
  );
}

/** The example in one line: input, target, prediction, and right or wrong. */
function ExampleLine({ example }: { example: ExampleView }) {
  const mark = example.correct === null ? `score ${example.score.toPrecision(3)}` : example.correct ? '✓' : '✗';
  return (
    <dl className="inspect-example" data-testid="inspect-example">
      <dt>input</dt>
      <dd title={example.text.input}>{example.text.input}</dd>
      {/* With several inputs (a story and a question), each one-per-example input on its own line. */}
      {example.inputs.length > 1 &&
        example.inputs
          .filter((v) => !v.sequence)
          .map((v) => (
            <Fragment key={v.stream}>
              <dt>{v.stream}</dt>
              <dd title={v.labels[0]}>{v.labels[0]}</dd>
            </Fragment>
          ))}
      <dt>target</dt>
      <dd title={example.text.target}>{example.text.target}</dd>
      <dt>prediction</dt>
      <dd title={example.text.prediction} className={example.correct === false ? 'inspect-wrong' : undefined}>
        {example.text.prediction} <span className={example.correct === false ? 'inspect-wrong' : 'inspect-right'}>{mark}</span>
      </dd>
    </dl>
  );
}

export function InspectView() {
  const s = useSyncExternalStore(subscribeInspect, getInspect);
  const training = useSyncExternalStore(subscribeTraining, getTraining);
  const loaded = training.loaded;
  // First showing, or a run loaded while the tab was closed: read what is there.
  useEffect(() => {
    if (loaded !== undefined && getInspect().report === undefined && getInspect().status !== 'reading') void refreshInspect();
  }, [loaded]);

  if (loaded === undefined) {
    return (
      <div className="inspect-view" data-testid="inspect-view">
        <p className="inspect-message" data-testid="inspect-message">
          No trained model to inspect yet. Press Train (or Step) to load the graph into the worker; its attention weights, memory addressing and predictions show here.
        </p>
      </div>
    );
  }
  const report = s.report;
  const count = report?.count ?? s.page?.count;
  const going = training.state === 'running' || training.state === 'loading';
  const noMaps = report !== undefined && report.attention.length === 0 && report.memory.length === 0;
  return (
    <div className="inspect-view" data-testid="inspect-view">
      <div className="inspect-bar" role="toolbar" aria-label="choose the example">
        <label>
          split{' '}
          <select value={s.split ?? loaded.splits[0]} onChange={(e) => void selectExample(e.target.value, 0)} aria-label="evaluation split">
            {loaded.splits.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <span className="inspect-stepper">
          <button type="button" onClick={() => void selectExample(undefined, s.index - 1)} disabled={s.index <= 0} aria-label="previous example">
            ◀
          </button>
          example <IndexInput index={s.index} count={count} onChange={(i) => void selectExample(undefined, i)} />
          {count !== undefined && <span className="inspect-muted">of {count}</span>}
          <button type="button" onClick={() => void selectExample(undefined, s.index + 1)} disabled={count !== undefined && s.index >= count - 1} aria-label="next example">
            ▶
          </button>
        </span>
        <button type="button" onClick={() => void refreshInspect()} title="read the example and the predictions again with the weights the worker has now">
          ↻ Refresh
        </button>
        <span className="inspect-status inspect-muted" data-testid="inspect-status">
          {s.status === 'reading'
            ? 'reading…'
            : report !== undefined
              ? `weights of step ${report.step}${going ? ' · training goes on: Refresh to read again' : ''}`
              : going
                ? 'training: the view reads when the run pauses or ends, or on Refresh'
                : ''}
        </span>
      </div>
      {s.errors.length > 0 && (
        <p className="inspect-error" role="alert">
          {s.errors.map((e) => `${e.code}: ${e.message}`).join(' · ')}
        </p>
      )}
      <div className="inspect-body">
        <div className="inspect-pane" data-testid="inspect-weights">
          {report !== undefined && <ExampleLine example={report.example} />}
          {noMaps && (
            <p className="inspect-message" data-testid="inspect-message">
              This graph has no attention or memory block, so there are no weights over time steps to show. Its predictions are in the table.
            </p>
          )}
          {report?.attention.map((m) => <InspectHeatmap key={m.node} map={m} />)}
          {report !== undefined && report.memory.length > 0 && <InspectMemory maps={report.memory} />}
        </div>
        <div className="inspect-pane">
          {s.page !== undefined && (
            <InspectPredictions page={s.page} selected={s.index} onSelect={(i) => void selectExample(undefined, i)} onPage={(o) => void showPage(o)} />
          )}
        </div>
      </div>
    </div>
  );
}
