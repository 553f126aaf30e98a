/**
 * What the mapping dialog shows, as plain data for browser tests (`window.__unroll.training.dataDialog()`)
 * and the console: the same state the dialog draws, without reading the DOM.
 */
import type { ColumnType } from '../../runtime/data/columns.ts';
import type { ColumnMapping } from '../../runtime/data/mapping.ts';
import { currentDoc } from '../store.ts';
import { getDataDialog, useBlocker, type DialogStage } from './dialog-store.ts';
import { nodeUpdates, type NodeUpdate, type StreamNodes } from './use-data.ts';

export interface DataDialogInfo {
  readonly stage: DialogStage;
  readonly busy: boolean;
  readonly file: { readonly name: string; readonly size: number } | undefined;
  /** Why the file cannot be used (shown instead of the preview). */
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly reader: 'csv' | 'text' | undefined;
  /** CSV: the columns with their inferred types. */
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** CSV: the preview's rows with their line numbers. */
  readonly rows: readonly { readonly line: number; readonly fields: readonly string[] }[];
  readonly rowCount: number | undefined;
  readonly mapping: ColumnMapping | undefined;
  readonly inferred: readonly string[];
  /** Problems of the mapping or the values (the preview stands; Use is disabled). */
  readonly problems: readonly { readonly code: string; readonly message: string }[];
  /** The data's streams as the graph's nodes must carry them. */
  readonly streams: readonly { readonly name: string; readonly role: string; readonly kind: string; readonly size?: number; readonly vocab?: number; readonly sequence: boolean }[];
  readonly sequences: number | undefined;
  readonly classes: readonly string[] | undefined;
  readonly lengths: readonly [number, number] | undefined;
  readonly tokens: number | undefined;
  readonly nodes: StreamNodes;
  /** What "Use this data" would change in the graph's nodes. */
  readonly updates: readonly NodeUpdate[];
  /** Why "Use this data" is disabled, or undefined. */
  readonly blocked: string | undefined;
}

const err = (e: { code: string; message: string }) => ({ code: e.code, message: e.message });

export function dataDialogInfo(): DataDialogInfo {
  const s = getDataDialog();
  const p = s.preview;
  const summary = p?.summary;
  return {
    stage: s.stage,
    busy: s.busy,
    file: s.file,
    errors: s.errors.map(err),
    reader: p?.reader,
    columns: p?.reader === 'csv' ? p.columns.map((c) => ({ name: c.name, type: c.type })) : [],
    rows: p?.reader === 'csv' ? p.rows.map((r) => ({ line: r.line, fields: [...r.fields] })) : [],
    rowCount: p?.reader === 'csv' ? p.rowCount : undefined,
    mapping: s.mapping,
    inferred: [...s.inferred],
    problems: (p?.problems ?? []).map(err),
    streams: (summary?.streams ?? []).map((st) => ({ name: st.name, role: st.role, kind: st.kind, ...(st.size !== undefined ? { size: st.size } : {}), ...(st.vocab !== undefined ? { vocab: st.vocab } : {}), sequence: st.sequence })),
    sequences: summary?.reader === 'csv' ? summary.sequences : undefined,
    classes: summary?.reader === 'csv' ? summary.classes : undefined,
    lengths: summary?.reader === 'csv' ? summary.lengths : undefined,
    tokens: summary?.reader === 'text' ? summary.tokens : undefined,
    nodes: s.nodes,
    updates: summary !== undefined ? nodeUpdates(currentDoc(), summary.streams, s.nodes) : [],
    blocked: s.stage === 'closed' ? undefined : useBlocker(s),
  };
}
