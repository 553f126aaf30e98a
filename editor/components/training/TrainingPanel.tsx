/**
 * The training panel, docked below the workspace (so it never covers the canvas or its controls):
 * the run bar across the top, the settings of the open graph on the left, and tabs on the right:
 * live charts, the inspect views (attention, memory, predictions) and weights & checkpoints.
 * Its height is dragged at the top edge and kept in localStorage.
 */
import { useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent, type PointerEvent } from 'react';
import { setView } from '../../store.ts';
import { backendChange, getTraining, isGoing, staleAgainst, subscribeTraining } from '../../training/session.ts';
import { getBackendChoice, subscribeBackendChoice } from '../../training/backend-choice.ts';
import { useEditLock } from '../../use-edit-lock.ts';
import { useEditor } from '../../use-editor.ts';
import { ErrorBoundary } from '../ErrorBoundary.tsx';
import { InspectView } from './InspectView.tsx';
import { PanelRunBar } from './PanelRunBar.tsx';
import { SettingsForm } from './SettingsForm.tsx';
import { TrainingCharts } from './TrainingCharts.tsx';
import { WeightsPanel } from './WeightsPanel.tsx';
import './TrainingPanel.css';

const TABS = [
  { id: 'charts', label: 'Charts' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'weights', label: 'Weights' },
] as const;
type Tab = (typeof TABS)[number]['id'];

const HEIGHT_KEY = 'unroll.trainingPanel.height';
const MIN_HEIGHT = 180;
const DEFAULT_HEIGHT = 330;
/** The workspace keeps at least this much above the panel. */
const KEEP_ABOVE = 200;

const clampHeight = (h: number): number => Math.round(Math.max(MIN_HEIGHT, Math.min(h, window.innerHeight - KEEP_ABOVE - 70)));

function storedHeight(): number {
  try {
    const v = Number(localStorage.getItem(HEIGHT_KEY));
    return Number.isFinite(v) && v > 0 ? v : DEFAULT_HEIGHT;
  } catch {
    return DEFAULT_HEIGHT;
  }
}

/** The drag handle on the panel's top edge (also moved by the arrow keys). */
function Resizer({ height, setHeight }: { height: number; setHeight: (h: number) => void }) {
  const drag = useRef<{ y: number; h: number } | undefined>(undefined);
  return (
    <div
      className="tp-resizer"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the training panel"
      aria-valuenow={height}
      aria-valuemin={MIN_HEIGHT}
      tabIndex={0}
      onPointerDown={(e: PointerEvent<HTMLDivElement>) => {
        drag.current = { y: e.clientY, h: height };
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (drag.current !== undefined) setHeight(clampHeight(drag.current.h + drag.current.y - e.clientY));
      }}
      onPointerUp={() => (drag.current = undefined)}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
          e.preventDefault();
          setHeight(clampHeight(height + (e.key === 'ArrowUp' ? 24 : -24)));
        }
      }}
    />
  );
}

/** Why Start will not simply go on: the graph changed since the worker loaded it. */
function StaleNote() {
  const t = useSyncExternalStore(subscribeTraining, getTraining);
  const { history } = useEditor();
  // The backend is chosen outside the document: its changes re-render the note too.
  useSyncExternalStore(subscribeBackendChoice, getBackendChoice);
  if (isGoing(t) || t.loaded === undefined) return null;
  const stale = staleAgainst(history.doc);
  if (stale === 'same' || stale === 'nothing loaded') return null;
  const backend = backendChange();
  return (
    <p className="tp-note" data-testid="stale-note">
      {stale === 'graph'
        ? 'The graph or its task changed since the weights were made: Start trains it afresh.'
        : stale === 'settings'
          ? 'The training settings changed since the weights were made: Start initialises them afresh and begins a new run (to train these weights on under the new settings, download them now and load them after).'
          : stale === 'backend'
            ? `The backend changed since the weights were made (${backend?.from ?? '?'} → ${backend?.to ?? '?'}): Start initialises them afresh and begins a new run on it (to train these weights on there, download them now and load them after).`
            : 'Steps or evaluate-every changed: Start goes on with the run (Reset starts afresh).'}
    </p>
  );
}

function Errors() {
  const t = useSyncExternalStore(subscribeTraining, getTraining);
  if (t.errors.length === 0) return null;
  return (
    <div className="tp-errors" role="alert" data-testid="training-errors">
      {t.errors.slice(0, 3).map((e, i) => (
        <p key={i}>
          <code>{e.code}</code> {e.message}
        </p>
      ))}
    </div>
  );
}

export function TrainingPanel() {
  const { history } = useEditor();
  const editLock = useEditLock();
  const [tab, setTab] = useState<Tab>('charts');
  const [height, setHeightState] = useState(storedHeight);
  const setHeight = (h: number) => {
    setHeightState(h);
    try {
      localStorage.setItem(HEIGHT_KEY, String(h));
    } catch {
      // A private window may refuse: the height just is not remembered.
    }
  };
  // Keep the panel within a window that was made smaller.
  useEffect(() => {
    const fit = () => setHeightState((h) => clampHeight(h));
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, []);
  const tabs = useRef<HTMLDivElement>(null);
  return (
    <section className="tp" style={{ height }} aria-label="Training panel" data-testid="training-panel">
      <Resizer height={height} setHeight={setHeight} />
      <header className="tp-header">
        <h2 className="tp-title">Training</h2>
        <PanelRunBar />
        {editLock !== undefined ? (
          <span className="tp-lock" title={editLock} data-testid="graph-locked">
            graph locked
          </span>
        ) : null}
        <button type="button" className="tp-close" aria-label="Close the training panel" title="Close (the run goes on)" onClick={() => setView({ training: false })}>
          ×
        </button>
      </header>
      <Errors />
      <div className="tp-body">
        <aside className="tp-settings" aria-label="Settings">
          <StaleNote />
          <SettingsForm doc={history.doc} locked={editLock !== undefined} />
        </aside>
        <div className="tp-main">
          <div
            className="tp-tabs"
            role="tablist"
            aria-label="Training views"
            ref={tabs}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const i = TABS.findIndex((x) => x.id === tab);
              const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
              setTab(next.id);
              tabs.current?.querySelector<HTMLButtonElement>(`#tp-tab-${next.id}`)?.focus();
            }}
          >
            {TABS.map((x) => (
              <button
                key={x.id}
                id={`tp-tab-${x.id}`}
                type="button"
                role="tab"
                aria-selected={tab === x.id}
                aria-controls={`tp-panel-${x.id}`}
                tabIndex={tab === x.id ? 0 : -1}
                className="tp-tab"
                onClick={() => setTab(x.id)}
              >
                {x.label}
              </button>
            ))}
          </div>
          <div className="tp-tabpanel" role="tabpanel" id={`tp-panel-${tab}`} aria-labelledby={`tp-tab-${tab}`}>
            <ErrorBoundary key={tab} what={`the ${tab} view`} resetKey={tab}>
              {tab === 'charts' ? <TrainingCharts /> : tab === 'inspect' ? <InspectView /> : <WeightsPanel />}
            </ErrorBoundary>
          </div>
        </div>
      </div>
    </section>
  );
}
