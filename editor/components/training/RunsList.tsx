/**
 * The session's runs: label, task, last test metric (else the last train metric), how it ended,
 * its colour, show/hide on the charts and remove. Runs stay while other graphs are opened, so a
 * previous graph's curves can be compared with the open one's.
 */
import { memo, useSyncExternalStore } from 'react';
import { primaryEvals } from '../../training/chart-model.ts';
import { getRuns, removeRun, setRunShown, subscribeRuns, type RunRecord } from '../../training/runs.ts';

function lastMetric(r: RunRecord): string {
  const ev = primaryEvals(r).at(-1);
  if (ev !== undefined) return `${ev.split} ${r.metricName} ${ev.metric.toFixed(3)} @${ev.step}`;
  const n = r.series.length;
  return n > 0 ? `train ${r.metricName} ${r.series.metric[n - 1]!.toFixed(3)}` : '–';
}

const stateText = (r: RunRecord, current: boolean): string => r.ended ?? (current ? 'running' : '–');

/**
 * One run's row. A metrics batch replaces only the current run's record, so the other rows (every
 * previous run of the session) keep their props and do not re-render.
 */
const RunRow = memo(function RunRow({ run: r, current }: { run: RunRecord; current: boolean }) {
  const going = current && r.ended === undefined;
  return (
    <li data-testid={`run-${r.id}`} className={current ? 'charts-run-current' : undefined}>
      <label title={`${r.label} on ${r.task}`}>
        <input type="checkbox" checked={r.shown} onChange={(e) => setRunShown(r.id, e.target.checked)} aria-label={`Show ${r.label}`} />
        <span className="charts-swatch" style={{ background: r.colour }} aria-hidden="true" />
        <span className="charts-run-label">{r.label}</span>
      </label>
      <span className="charts-run-meta">
        {r.task} · {r.series.length} steps · {lastMetric(r)} · {stateText(r, current)}
      </span>
      <button type="button" onClick={() => removeRun(r.id)} disabled={going} aria-label={`Remove ${r.label}`} title={going ? 'Stop the run to remove it' : 'Remove this run'}>
        ×
      </button>
    </li>
  );
});

export function RunsList() {
  const { runs, current } = useSyncExternalStore(subscribeRuns, getRuns);
  return (
    <section className="charts-cell charts-runs" aria-label="Runs" data-testid="charts-runs">
      <header className="charts-head">
        <h3>Runs</h3>
        <span className="charts-readout">{runs.length === 0 ? '' : 'shown runs are overlaid'}</span>
      </header>
      {runs.length === 0 ? (
        <p className="charts-note">Each run of this tab is kept here, to compare (an Elman RNN’s curves against an LSTM’s).</p>
      ) : (
        <ul className="charts-runs-list">
          {[...runs].reverse().map((r) => (
            <RunRow key={r.id} run={r} current={r.id === current} />
          ))}
        </ul>
      )}
    </section>
  );
}
