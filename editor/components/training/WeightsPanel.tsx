/**
 * The Weights tab: download the trained weights (safetensors), load a weights file into the open
 * graph, and keep checkpoints of the run in this browser to restore and resume later.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { UnrollError } from '../../../runtime/errors/catalogue.ts';
import { currentDoc } from '../../store.ts';
import type { CheckpointMeta } from '../../training/checkpoints.ts';
import { deleteCheckpoint, onCheckpointsChanged } from '../../training/checkpoints.ts';
import { checkpointMisfit } from '../../training/checkpoint-fit.ts';
import { checkpointFitOf, getTraining, isGoing, subscribeTraining } from '../../training/session.ts';
import { checkpointsOf, downloadWeights, loadWeightsFrom, restoreCheckpointById, saveCheckpointOf, weightsFileName } from '../../training/weights-actions.ts';
import { useEditor } from '../../use-editor.ts';
import './WeightsPanel.css';

const number = new Intl.NumberFormat('en-US');
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What the last action said: done, or the catalogue's errors. */
type Said = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly errors: readonly UnrollError[] };

function Message({ said, testId }: { said: Said | undefined; testId: string }) {
  if (said === undefined) return null;
  return said.ok ? (
    <p className="wp-message" role="status" data-testid={testId}>
      {said.text}
    </p>
  ) : (
    <div className="wp-message wp-failed" role="alert" data-testid={testId}>
      {said.errors.map((e, i) => (
        <p key={i}>
          <code>{e.code}</code> {e.message}
        </p>
      ))}
    </div>
  );
}

const kib = (n: number): string => (n < 1024 * 1024 ? `${number.format(Math.ceil(n / 1024))} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

export function WeightsPanel() {
  const t = useSyncExternalStore(subscribeTraining, getTraining);
  const { history } = useEditor();
  const name = history.doc.name;
  const fileInput = useRef<HTMLInputElement>(null);
  const [weightsSaid, setWeightsSaid] = useState<Said>();
  const [checkSaid, setCheckSaid] = useState<Said>();
  const [list, setList] = useState<readonly CheckpointMeta[]>([]);
  const running = t.state === 'running' || t.state === 'loading';
  const busy = t.busy !== undefined;
  // What a checkpoint must be of to restore into the open graph (its computation and settings).
  const here = useMemo(() => checkpointFitOf(history.doc), [history.doc]);

  const refresh = useCallback(async () => {
    const r = await checkpointsOf(currentDoc());
    if (r.ok) setList(r.value);
    else setCheckSaid(r);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh, name]);
  useEffect(() => onCheckpointsChanged(() => void refresh()), [refresh]);

  return (
    <div className="wp" data-testid="weights-panel">
      <section className="wp-section" aria-labelledby="wp-weights">
        <h3 id="wp-weights">Weights</h3>
        <p className="wp-note">
          {t.loaded !== undefined ? (
            <>
              <b>{t.loaded.graphName}</b> on {t.loaded.task} · {number.format(t.loaded.parameters)} parameters · step {number.format(t.step)}
            </>
          ) : (
            'The worker holds no weights yet: downloading gives freshly initialised ones, loading a file loads the graph first.'
          )}
        </p>
        <div className="wp-buttons">
          <button
            type="button"
            disabled={busy}
            data-testid="download-weights"
            title={`Save the weights as ${weightsFileName(history.doc)} (safetensors, float32)`}
            onClick={async () => {
              const r = await downloadWeights(currentDoc());
              setWeightsSaid(r.ok ? { ok: true, text: `Downloaded ${r.value}.` } : r);
            }}
          >
            ⤓ Download weights
          </button>
          <button type="button" disabled={busy || running} title="Load a safetensors file into the open graph’s weights" onClick={() => fileInput.current?.click()}>
            ⤒ Load weights…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".safetensors,application/octet-stream"
            hidden
            data-testid="weights-file-input"
            aria-label="Load a weights file"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file === undefined) return;
              const r = await loadWeightsFrom(currentDoc(), file);
              setWeightsSaid(r.ok ? { ok: true, text: `Loaded ${r.value} weight tensors from ${file.name}. Evaluate to see how they do; Start trains on from them.` } : r);
            }}
          />
        </div>
        <Message said={weightsSaid} testId="weights-message" />
      </section>
      <section className="wp-section" aria-labelledby="wp-checkpoints">
        <h3 id="wp-checkpoints">Checkpoints in this browser</h3>
        <p className="wp-note">A checkpoint holds the weights, the optimiser’s state, the step and the random state: restored, Start goes on exactly where it left off.</p>
        <div className="wp-buttons">
          <button
            type="button"
            disabled={busy || t.state === 'loading'}
            data-testid="save-checkpoint"
            onClick={async () => {
              const r = await saveCheckpointOf(currentDoc());
              setCheckSaid(r.ok ? { ok: true, text: `Saved a checkpoint at step ${number.format(r.value.step)}.` } : r);
            }}
          >
            Save checkpoint
          </button>
        </div>
        <Message said={checkSaid} testId="checkpoint-message" />
        {list.length === 0 ? (
          <p className="wp-note wp-empty">No checkpoints of “{name}” yet.</p>
        ) : (
          <table className="wp-table" data-testid="checkpoint-list">
            <thead>
              <tr>
                <th scope="col" className="num">
                  Step
                </th>
                <th scope="col">Task</th>
                <th scope="col">Saved</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => {
                const misfit = checkpointMisfit(c.fit, here);
                return (
                  <tr key={c.id} data-testid={`checkpoint-${c.id}`} data-fit={misfit === undefined ? 'yes' : 'no'} className={misfit === undefined ? undefined : 'wp-misfit'}>
                    <td className="num">{number.format(c.step)}</td>
                    <td>
                      {c.task}
                      {misfit !== undefined ? (
                        <span className="wp-misfit-note" data-testid={`checkpoint-misfit-${c.id}`} title={`The open graph cannot restore this checkpoint: it is ${misfit}.`}>
                          {' '}
                          ⚠ {misfit}
                        </span>
                      ) : null}
                    </td>
                    <td>{date.format(c.savedAt)}</td>
                    <td className="num">{kib(c.bytes)}</td>
                    <td className="wp-actions">
                      <button
                        type="button"
                        disabled={busy || isGoing(t) || misfit !== undefined}
                        title={misfit !== undefined ? `Not restorable into the open graph: it is ${misfit}` : 'Restore: Start goes on from its step'}
                        aria-label={`Restore the checkpoint at step ${c.step}`}
                        onClick={async () => {
                          const r = await restoreCheckpointById(currentDoc(), c.id);
                          setCheckSaid(r.ok ? { ok: true, text: `Restored step ${number.format(r.value)}: Start goes on from there.` } : r);
                        }}
                      >
                        Restore
                      </button>
                      <button
                        type="button"
                        className="wp-delete"
                        aria-label={`Delete the checkpoint at step ${c.step}`}
                        onClick={async () => {
                          await deleteCheckpoint(c.id).catch((e: unknown) => setCheckSaid({ ok: false, errors: [{ code: 'E448', message: `the browser's checkpoint store failed: ${String(e)}` }] }));
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
