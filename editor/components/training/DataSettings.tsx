/**
 * The training panel's "Data" entry: for a graph of task `dataset`, the file it trains on (kept in
 * this browser) with Change and Remove, or what to do when there is none; for any other task, the
 * way in ("Use my data…"). Dropping a .csv or .txt on the editor does the same as Change.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { GraphDoc } from '../../../runtime/graph/types.ts';
import { DATASET_TASK } from '../../data/dataset-params.ts';
import { pickDataFile } from '../../data/dialog-store.ts';
import { getDataIndex, loadDataIndex, removeDataFile, subscribeDataIndex } from '../../data/data-store.ts';
import { notify } from '../../store.ts';
import { shortBytes } from './DataDialog.tsx';
import './DataSettings.css';

export function DataSettings({ doc, locked }: { doc: GraphDoc; locked: boolean }) {
  const index = useSyncExternalStore(subscribeDataIndex, getDataIndex);
  useEffect(() => void loadDataIndex(), []);
  if (doc.task?.name !== DATASET_TASK) {
    return (
      <div className="ds ds-offer ts-wide">
        <button type="button" onClick={pickDataFile} disabled={locked} data-testid="data-use-mine">
          Use my data…
        </button>
        <span>a CSV of sequences or a text file</span>
      </div>
    );
  }
  const meta = index.files.get(doc.name);
  const map = doc.task.params?.map;
  return (
    <div className="ds ts-wide" data-testid="data-settings">
      {meta !== undefined ? (
        <p className="ds-file" data-testid="data-status" title={`${meta.file}: ${shortBytes(meta.size)}, stored in this browser ${new Date(meta.savedAt).toLocaleString()}`}>
          data: <b>{meta.file}</b> ({meta.holds})
        </p>
      ) : (
        <p className="ds-missing" data-testid="data-status">
          {index.loaded ? 'No data file in this browser for this graph: pick one (or drop a .csv or .txt on the editor).' : 'Looking for the data file…'}
        </p>
      )}
      {typeof map === 'string' ? (
        <p className="ds-map" title="the column mapping, as the CLI's --map takes it">
          map <code>{map}</code>
        </p>
      ) : null}
      {index.problem !== undefined ? <p className="ds-missing">This browser's storage cannot be used: {index.problem}</p> : null}
      <div className="ds-buttons">
        <button type="button" onClick={pickDataFile} disabled={locked} data-testid="data-change">
          {meta !== undefined ? 'Change…' : 'Use my data…'}
        </button>
        {meta !== undefined ? (
          <button
            type="button"
            disabled={locked}
            data-testid="data-remove"
            onClick={() => {
              removeDataFile(doc.name).catch((e: unknown) => notify('error', `Could not remove the data file: ${e instanceof Error ? e.message : String(e)}`));
            }}
          >
            Remove
          </button>
        ) : null}
      </div>
    </div>
  );
}
