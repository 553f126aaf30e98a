/**
 * The training panel's run bar: Start / Pause / Resume, Step, Stop, Reset, Evaluate (with the
 * split), a progress bar (step of total, steps per second, time left), the backend the run is on,
 * and the evaluated metric against its value before the run.
 */
import { useState, useSyncExternalStore } from 'react';
import { currentDoc } from '../../store.ts';
import {
  evaluateTraining,
  getTraining,
  isGoing,
  pauseTraining,
  resetTraining,
  resumeTraining,
  startTraining,
  stepTraining,
  stopTraining,
  subscribeTraining,
  type TrainingView,
} from '../../training/session.ts';
import { useEditor } from '../../use-editor.ts';

const number = new Intl.NumberFormat('en-US');

/** `1:04`, `12:30`, `2:05:09`: the time left at the current speed. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

const fmt = (x: number | undefined, digits = 3): string => (x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(digits) : String(x));

function stateText(t: TrainingView): string {
  switch (t.state) {
    case 'loading':
      return 'starting…';
    case 'running':
      return 'training';
    case 'paused':
      return 'paused';
    case 'halted':
      return 'halted: not finite';
    case 'failed':
      return 'failed';
    case 'idle':
      return t.ended === 'done' ? 'done' : t.ended === 'stopped' ? 'stopped' : t.loaded !== undefined ? 'ready' : 'idle';
    case 'empty':
      return 'not started';
  }
}

function Progress({ t }: { t: TrainingView }) {
  const fraction = t.steps > 0 ? Math.min(1, t.step / t.steps) : 0;
  const eta = t.state === 'running' && t.stepsPerSecond > 0 ? (t.steps - t.step) / t.stepsPerSecond : undefined;
  return (
    <div className="tp-progress" data-testid="training-progress">
      <div
        className={`tp-bar tp-bar-${t.state}`}
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={t.steps}
        aria-valuenow={t.step}
        aria-valuetext={`step ${t.step} of ${t.steps}`}
      >
        <div className="tp-bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <div className="tp-progress-text">
        <span className={`tp-state tp-state-${t.state}`}>{stateText(t)}</span>
        <span data-testid="progress-steps">
          step {number.format(t.step)}
          {t.steps > 0 ? ` / ${number.format(t.steps)}` : ''}
        </span>
        {t.state === 'running' || t.stepsPerSecond > 0 ? <span data-testid="progress-speed">{t.stepsPerSecond.toFixed(1)} steps/s</span> : null}
        {eta !== undefined ? <span data-testid="progress-eta">ETA {formatEta(eta)}</span> : null}
      </div>
    </div>
  );
}

/**
 * Where the loaded run trains now: `WebGPU` (the adapter in its tooltip) or `CPU`. It follows every
 * metrics batch, so a GPU lost mid-run turns it to CPU at once; a notice (also shown in the app's
 * notices) marks it and is its tooltip.
 */
export function BackendBadge({ t }: { t: TrainingView }) {
  const b = t.backend;
  if (b === undefined) return null;
  const gpu = b.name === 'webgpu';
  const where = gpu ? `Training on WebGPU: ${b.adapter ?? 'an unnamed adapter'}` : 'Training on the CPU (a Web Worker)';
  const title = b.notice !== undefined ? `${where}. ${b.notice}` : where;
  return (
    <span className={`tp-backend tp-backend-${b.name}${b.notice !== undefined ? ' has-notice' : ''}`} title={title} data-testid="backend-badge" data-backend={b.name}>
      {gpu ? 'WebGPU' : 'CPU'}
    </span>
  );
}

/** The last evaluation, with the run's initial value beside it. */
function EvalReadout({ t }: { t: TrainingView }) {
  const e = t.lastEval;
  if (e === undefined) return <span className="tp-eval tp-eval-none">no evaluation yet</span>;
  const name = t.metricName ?? t.loaded?.metricName ?? 'metric';
  const first = t.initialEval;
  const better = first !== undefined && e.split === first.split && e.step !== first.step ? (t.loaded?.higherIsBetter === false ? e.metric < first.metric : e.metric > first.metric) : undefined;
  return (
    <span className="tp-eval" data-testid="eval-readout" title={`${e.split} split at step ${e.step}: loss ${fmt(e.loss, 4)}`}>
      <span className="tp-eval-label">
        {e.split} {name}
      </span>{' '}
      <b data-testid="eval-metric">{fmt(e.metric)}</b>
      <span className="tp-eval-step"> @ {number.format(e.step)}</span>
      {first !== undefined && e.split === first.split && e.step !== first.step ? (
        <span className={`tp-eval-initial${better === true ? ' is-better' : better === false ? ' is-worse' : ''}`}> (initial {fmt(first.metric)})</span>
      ) : null}
    </span>
  );
}

export function PanelRunBar() {
  const t = useSyncExternalStore(subscribeTraining, getTraining);
  const { analysis, history } = useEditor();
  const [split, setSplit] = useState<string>('');
  const valid = analysis !== undefined && analysis.doc === history.doc && analysis.ok;
  const going = isGoing(t);
  const busy = t.busy !== undefined;
  const splits = t.loaded?.splits ?? [];
  const chosen = splits.includes(split) ? split : splits[0];
  return (
    <div className="tp-runbar" role="toolbar" aria-label="Training run">
      <div className="tp-buttons">
        {t.state === 'running' ? (
          <button type="button" className="tp-primary" aria-label="Pause training" onClick={() => void pauseTraining()}>
            ❚❚ Pause
          </button>
        ) : t.state === 'paused' ? (
          <button type="button" className="tp-primary" aria-label="Resume training" onClick={() => void resumeTraining()}>
            ▶ Resume
          </button>
        ) : (
          <button
            type="button"
            className="tp-primary"
            aria-label="Start training"
            disabled={!valid || going || busy}
            title={valid ? 'Train the open graph on its task (after Stop, Start goes on with the run unless settings other than Steps and Evaluate every changed)' : 'Fix the graph’s errors to train it'}
            onClick={() => void startTraining(currentDoc())}
          >
            ▶ Start
          </button>
        )}
        <button type="button" aria-label="Step once" title="Take one optimiser step" disabled={!valid || t.state === 'running' || t.state === 'loading' || busy} onClick={() => void stepTraining(currentDoc())}>
          Step
        </button>
        <button type="button" aria-label="Stop training" disabled={!going} onClick={() => void stopTraining()}>
          ■ Stop
        </button>
        <button type="button" aria-label="Reset training" title="Drop the trained weights and the run: the next Start initialises afresh" disabled={busy || (t.state === 'empty' && t.loaded === undefined)} onClick={() => void resetTraining()}>
          ↺ Reset
        </button>
      </div>
      <Progress t={t} />
      <BackendBadge t={t} />
      <div className="tp-evaluate">
        <button type="button" aria-label="Evaluate" title="Evaluate the weights on the chosen split now" disabled={!valid || busy || t.state === 'loading'} onClick={() => void evaluateTraining(currentDoc(), chosen)}>
          {t.busy === 'evaluating' ? 'Evaluating…' : 'Evaluate'}
        </button>
        {splits.length > 1 ? (
          <select aria-label="Split to evaluate" value={chosen} onChange={(e) => setSplit(e.target.value)} data-testid="evaluate-split">
            {splits.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        ) : null}
        <EvalReadout t={t} />
      </div>
    </div>
  );
}
