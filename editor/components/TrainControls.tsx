/**
 * Train / Pause / Step / Stop for the open graph, with the run's step, loss, metric and speed.
 * Training runs in a Web Worker; this component only shows what the session store holds.
 */
import { useSyncExternalStore } from 'react';
import { currentDoc, setView } from '../store.ts';
import { getTraining, pauseTraining, resumeTraining, startTraining, stepTraining, stopTraining, subscribeTraining } from '../training/session.ts';
import { useEditor } from '../use-editor.ts';

const fmt = (x: number | undefined, digits: number): string => (x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(digits) : String(x));

export function TrainControls() {
  const t = useSyncExternalStore(subscribeTraining, getTraining);
  const { analysis, history } = useEditor();
  const valid = analysis !== undefined && analysis.doc === history.doc && analysis.ok;
  const going = t.state === 'running' || t.state === 'paused' || t.state === 'loading';
  const summary =
    t.state === 'empty'
      ? ''
      : t.state === 'loading'
        ? 'starting…'
        : t.state === 'failed' || t.state === 'halted'
          ? (t.errors[0]?.message ?? 'failed')
          : `step ${t.step}/${t.steps} · loss ${fmt(t.loss, 4)} · ${t.metricName ?? 'metric'} ${fmt(t.metric, 3)}` +
            `${t.lastEval !== undefined ? ` · ${t.lastEval.split} ${fmt(t.lastEval.metric, 3)}` : ''}` +
            `${t.state === 'running' ? ` · ${t.stepsPerSecond.toFixed(1)} steps/s` : t.state === 'paused' ? ' · paused' : t.ended === 'stopped' ? ' · stopped' : t.ended === 'done' ? ' · done' : ''}`;
  return (
    <div className="train-controls" role="group" aria-label="Training">
      {going ? null : (
        <button
          type="button"
          onClick={() => {
            // The panel shows the run: its progress, charts and the evaluation before the first step.
            setView({ training: true });
            void startTraining(currentDoc());
          }}
          // Not offered while a command is under way (a Step loading the graph, a restore): the button comes back when it is done.
          disabled={!valid || t.busy !== undefined}
          title={!valid ? 'Fix the graph’s errors to train it' : t.busy !== undefined ? 'Wait for the command under way (see the training panel)' : 'Train the open graph on its task in a background worker'}>
          ▶ Train
        </button>
      )}
      {t.state === 'running' ? (
        <button type="button" onClick={() => void pauseTraining()}>
          ❚❚ Pause
        </button>
      ) : null}
      {t.state === 'paused' ? (
        <button type="button" onClick={() => void resumeTraining()}>
          ▶ Resume
        </button>
      ) : null}
      {t.state === 'paused' ? (
        <button type="button" onClick={() => void stepTraining()}>
          Step
        </button>
      ) : null}
      {t.state === 'running' || t.state === 'paused' ? (
        <button type="button" onClick={() => void stopTraining()}>
          ■ Stop
        </button>
      ) : null}
      <output className={`train-summary${t.state === 'failed' || t.state === 'halted' ? ' train-error' : ''}`} aria-live="polite" data-testid="train-summary" title={summary}>
        {summary}
      </output>
    </div>
  );
}
