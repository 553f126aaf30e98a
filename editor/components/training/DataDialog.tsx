/**
 * The mapping dialog for a data file of the user's: the first rows with their line numbers and
 * each column's inferred type, the mapping (sequence id, time order, features, target, class or
 * number, per sequence or per step), which graph nodes the data feeds and what they get, and the
 * reader options. "Use this data" stores the file in this browser and changes the graph in one
 * undoable step; a bad file shows its messages (with line numbers) and changes nothing.
 *
 * `DataDialogHost` is mounted once by the app: the hidden file input behind "Use my data…", the
 * page-wide drop of data files (a drop outside the canvas would otherwise open the file in the
 * tab, leaving the editor), and the dialog itself when a file is open.
 */
import { useEffect, useId, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { CsvPreview, DataPreview, TextPreview } from '../../../runtime/data/dataset.ts';
import { describeDataStream } from '../../../runtime/data/dataset-schema.ts';
import type { ColumnMapping } from '../../../runtime/data/mapping.ts';
import type { ParamValueJson } from '../../../runtime/graph/types.ts';
import type { StreamSpec } from '../../../runtime/tasks/types.ts';
import { closeDataDialog, getDataDialog, openDataFile, pickDataFile, registerDataPicker, setDataOption, setMappingParts, setStreamNode, subscribeDataDialog, useBlocker, useThisData, type DataDialogState } from '../../data/dialog-store.ts';
import { graphSources, nodeUpdates, type NodeUpdate } from '../../data/use-data.ts';
import { openFile } from '../../files.ts';
import { useEditor } from '../../use-editor.ts';
import { trapTab, useModalFocus } from '../modal-focus.ts';
import './DataDialog.css';

const count = new Intl.NumberFormat('en-US');

/** `41.3 KiB`. */
export function shortBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

const DELIMITER_NAMES: Readonly<Record<string, string>> = { ',': 'comma-separated', ';': 'semicolon-separated', '\t': 'tab-separated' };

function Field({ label, children, inferred, hint }: { label: string; children: ReactNode; inferred?: boolean; hint?: string }) {
  return (
    <div className="dd-field" title={hint}>
      <span className="dd-label">
        {label}
        {inferred === true ? <span className="dd-inferred">inferred</span> : null}
      </span>
      {children}
    </div>
  );
}

function Select({ value, options, onChange, testId, label }: { value: string; options: readonly { value: string; label: string }[]; onChange: (v: string) => void; testId: string; label: string }) {
  return (
    <select className="dd-select" value={value} data-testid={testId} aria-label={label} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** Two or three choices side by side (radio buttons). */
function Segmented({ value, options, onChange, name, testId, label }: { value: string; options: readonly { value: string; label: string }[]; onChange: (v: string) => void; name: string; testId: string; label: string }) {
  return (
    <div className="dd-segmented" role="radiogroup" aria-label={label} data-testid={testId}>
      {options.map((o) => (
        <label key={o.value} className={o.value === value ? 'dd-on' : undefined}>
          <input type="radio" name={name} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </div>
  );
}

/** The part a column plays in the mapping, for the table's header. */
function roleOf(m: ColumnMapping | undefined, column: string): string | undefined {
  if (m === undefined) return undefined;
  if (m.id === column) return 'id';
  if (m.time === column) return 'time';
  if (m.target === column) return 'target';
  if (m.features?.includes(column) === true) return 'feature';
  return undefined;
}

function PreviewTable({ preview, mapping }: { preview: CsvPreview; mapping: ColumnMapping | undefined }) {
  return (
    <div className="dd-table-wrap">
      <table className="dd-table" data-testid="data-preview-table">
        <thead>
          <tr>
            <th className="dd-line" scope="col">
              line
            </th>
            {preview.columns.map((c) => {
              const role = roleOf(mapping, c.name);
              return (
                <th key={c.index} scope="col" data-column={c.name}>
                  <span className="dd-colname">{c.name}</span>
                  <span className="dd-coltags">
                    {/* An id column mapped as the id needs no second "id" tag. */}
                    {c.type === 'id' && role === 'id' ? null : (
                      <span className={`dd-type dd-type-${c.type}`} title={`${count.format(c.distinct)} distinct values${c.numeric ? `, ${c.integer ? 'whole ' : ''}numbers` : ''}`}>
                        {c.type === 'numeric' ? (c.integer ? 'integer' : 'number') : c.type === 'id' ? 'id-like' : 'text'}
                      </span>
                    )}
                    {role !== undefined ? <span className={`dd-role dd-role-${role}`}>{role}</span> : null}
                  </span>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r) => (
            <tr key={r.line}>
              <td className="dd-line">{r.line}</td>
              {r.fields.map((f, i) => (
                <td key={i} className={preview.columns[i]?.numeric === true ? 'dd-num' : undefined} data-role={roleOf(mapping, preview.columns[i]?.name ?? '')}>
                  {f}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CsvMapping({ s, preview }: { s: DataDialogState; preview: CsvPreview }) {
  const m = s.mapping ?? {};
  const cols = preview.columns.map((c) => ({ value: c.name, label: c.name }));
  // A part nothing decided yet shows as a choice to make.
  const choose = (v: string | undefined) => (v === undefined ? [{ value: '', label: '(choose a column)' }, ...cols] : cols);
  const inferred = (k: keyof ColumnMapping) => s.inferred.includes(k);
  const features = m.features ?? [];
  return (
    <section className="dd-section dd-mapping" aria-label="Columns">
      <h3>Columns</h3>
      <Field label="Sequence id" inferred={inferred('id')} hint="the column whose value tells the sequences apart">
        <Select label="Sequence id column" testId="data-map-id" value={m.id ?? ''} options={choose(m.id)} onChange={(v) => setMappingParts({ id: v })} />
      </Field>
      <Field label="Time order" inferred={inferred('time')} hint="the column that orders the steps of a sequence, or the rows' order in the file">
        <Select
          label="Time column"
          testId="data-map-time"
          value={m.time ?? ''}
          options={[{ value: '', label: m.time === undefined ? '(inferred)' : '(row order)' }, ...cols]}
          onChange={(v) => setMappingParts({ time: v === '' ? null : v })}
        />
      </Field>
      <Field label="Features" inferred={inferred('features')} hint="the columns of numbers the input reads at each step, in this order">
        <div className="dd-chips" role="group" aria-label="Feature columns" data-testid="data-map-features">
          {preview.columns.map((c) => {
            const on = features.includes(c.name);
            return (
              <label key={c.index} className={`dd-chip${on ? ' dd-on' : ''}${c.numeric ? '' : ' dd-chip-text'}`} title={c.numeric ? undefined : 'not a column of numbers'}>
                <input
                  type="checkbox"
                  checked={on}
                  data-testid={`data-map-feature-${c.name}`}
                  onChange={() => setMappingParts({ features: on ? features.filter((f) => f !== c.name) : preview.columns.map((x) => x.name).filter((n) => n === c.name || features.includes(n)) })}
                />
                {c.name}
              </label>
            );
          })}
        </div>
      </Field>
      <Field label="Target" inferred={inferred('target')} hint="the column to predict">
        <Select label="Target column" testId="data-map-target" value={m.target ?? ''} options={choose(m.target)} onChange={(v) => setMappingParts({ target: v })} />
      </Field>
      <Field label="Target is" inferred={inferred('kind')} hint="classes: cross-entropy and accuracy; numbers: mean squared error">
        <Segmented
          label="Target kind"
          name="dd-kind"
          testId="data-map-kind"
          value={m.kind ?? 'class'}
          options={[
            { value: 'class', label: 'a class' },
            { value: 'number', label: 'a number' },
          ]}
          onChange={(v) => setMappingParts({ kind: v as 'class' | 'number' })}
        />
      </Field>
      <Field label="One target" inferred={inferred('per')} hint="per sequence: its value on the sequence's rows (the last step is predicted); per step: one per row">
        <Segmented
          label="Targets per"
          name="dd-per"
          testId="data-map-per"
          value={m.per ?? 'sequence'}
          options={[
            { value: 'sequence', label: 'per sequence' },
            { value: 'step', label: 'per step' },
          ]}
          onChange={(v) => setMappingParts({ per: v as 'sequence' | 'step' })}
        />
      </Field>
    </section>
  );
}

const fmtValue = (v: ParamValueJson | undefined, fallback: ParamValueJson | undefined): string => (v === undefined ? `${String(fallback)} (default)` : String(v));

function Updates({ updates }: { updates: readonly NodeUpdate[] }) {
  if (updates.length === 0) return <p className="dd-fits">✓ The graph's nodes already fit this data.</p>;
  return (
    <ul className="dd-updates" data-testid="data-updates" aria-label="Changes to the graph">
      {updates.map((u) => (
        <li key={`${u.node}.${u.param}`}>
          <code>
            {u.node}.{u.param}
          </code>{' '}
          <span className="dd-from">{fmtValue(u.from, u.fallback)}</span> → <b>{fmtValue(u.to, u.fallback)}</b>
        </li>
      ))}
    </ul>
  );
}

/** One stream: which node it feeds (a select of the graph's nodes of its kind) and what it carries. */
function StreamRow({ s, stream, preview, nodes }: { s: DataDialogState; stream: StreamSpec; preview: DataPreview; nodes: readonly string[] }) {
  const role = stream.role;
  const chosen = role === 'input' ? s.nodes.input : s.nodes.target;
  return (
    <div className="dd-stream" data-testid={`data-stream-${role}`}>
      <span className={`dd-arrow dd-arrow-${role}`}>{role === 'input' ? 'features' : 'target'}</span>
      {nodes.length > 0 ? (
        <Select
          label={role === 'input' ? 'Input node the features feed' : 'Target node the target feeds'}
          testId={`data-node-${role}`}
          value={chosen ?? ''}
          options={nodes.map((n) => ({ value: n, label: `${role} ${n}` }))}
          onChange={(v) => setStreamNode(role, v)}
        />
      ) : (
        <span className="dd-missing">the graph has no {role} node: add one</span>
      )}
      <span className="dd-stream-text">{preview.summary !== undefined ? describeDataStream(preview.summary, stream) : ''}</span>
    </div>
  );
}

function Shapes({ s, preview }: { s: DataDialogState; preview: DataPreview }) {
  const { history } = useEditor();
  const summary = preview.summary;
  const sources = graphSources(history.doc);
  const updates = summary !== undefined ? nodeUpdates(history.doc, summary.streams, s.nodes) : [];
  return (
    <section className="dd-section dd-result" aria-label="What the graph gets" data-testid="data-shapes">
      <h3>What the graph gets</h3>
      {summary === undefined ? (
        <p className="dd-muted">{s.busy ? 'Reading…' : 'Fix the mapping to see the shapes.'}</p>
      ) : (
        <>
          {summary.streams.map((st) => (
            <StreamRow key={st.role} s={s} stream={st} preview={preview} nodes={st.role === 'input' ? sources.inputs : sources.targets} />
          ))}
          <dl className="dd-stats">
            {summary.reader === 'csv' ? (
              <>
                <dt>Sequences</dt>
                <dd data-testid="data-sequences">
                  {count.format(summary.sequences)} <span className="dd-muted">({count.format(summary.trainSequences)} train, {count.format(summary.testSequences)} test)</span>
                </dd>
                <dt>Lengths</dt>
                <dd>
                  {summary.lengths[0] === summary.lengths[1] ? summary.lengths[0] : `${summary.lengths[0]}–${summary.lengths[1]}`} steps
                  {summary.lengths[0] !== summary.lengths[1] ? <span className="dd-muted"> (padded, masked)</span> : null}
                </dd>
                {summary.classes !== undefined ? (
                  <>
                    <dt>Classes</dt>
                    <dd className="dd-classes">{summary.classes.join(', ')}</dd>
                  </>
                ) : null}
                <dt>Scaling</dt>
                <dd className="dd-muted">
                  {summary.mean.every((v, i) => v === 0 && summary.std[i] === 1)
                    ? 'none'
                    : summary.mapping.features.map((f, i) => `${f} ${summary.mean[i]!.toPrecision(3)} ± ${summary.std[i]!.toPrecision(3)}`).join('; ')}
                </dd>
              </>
            ) : (
              <>
                <dt>Tokens</dt>
                <dd data-testid="data-tokens">
                  {count.format(summary.tokens)} <span className="dd-muted">({count.format(summary.trainTokens)} train, {count.format(summary.validationTokens)} validation)</span>
                </dd>
                <dt>Vocabulary</dt>
                <dd>
                  {count.format(summary.vocab)} ids <span className="dd-muted">({count.format(summary.distinct)} distinct tokens; padding and unknown included)</span>
                </dd>
              </>
            )}
          </dl>
          <h4>Changes to the graph</h4>
          <Updates updates={updates} />
        </>
      )}
    </section>
  );
}

function NumberOption({ label, k, value, min, max, step, hint }: { label: string; k: string; value: number; min: number; max: number; step: number; hint: string }) {
  const id = useId();
  return (
    <div className="dd-option" title={hint}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        defaultValue={value}
        key={value}
        min={min}
        max={max}
        step={step}
        data-testid={`data-option-${k}`}
        onBlur={(e) => {
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v) && v >= min && v <= max && v !== value) setDataOption(k, v);
          else e.target.value = String(value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur();
        }}
      />
    </div>
  );
}

/** The reader's options, from the graph's dataset params, the dialog's choices and the defaults. */
function Options({ s, preview }: { s: DataDialogState; preview: DataPreview }) {
  const { history } = useEditor();
  const graph = history.doc.task?.name === 'dataset' ? (history.doc.task.params ?? {}) : {};
  const value = (k: string, fallback: ParamValueJson): ParamValueJson => s.options[k] ?? graph[k] ?? fallback;
  return (
    <details className="dd-section dd-options">
      <summary>Reader options</summary>
      <div className="dd-options-grid">
        {preview.reader === 'csv' ? (
          <>
            <div className="dd-option">
              <span>Delimiter</span>
              <Select
                label="Delimiter"
                testId="data-option-delimiter"
                value={String(value('delimiter', 'auto'))}
                options={['auto', 'comma', 'semicolon', 'tab'].map((v) => ({ value: v, label: v }))}
                onChange={(v) => setDataOption('delimiter', v)}
              />
            </div>
            <div className="dd-option dd-option-check">
              <label>
                <input type="checkbox" checked={value('normalize', true) === true} data-testid="data-option-normalize" onChange={(e) => setDataOption('normalize', e.target.checked)} /> Normalise features
              </label>
            </div>
            <NumberOption label="Test fraction" k="test_fraction" value={Number(value('test_fraction', 0.2))} min={0.01} max={0.5} step={0.05} hint="whole sequences held out for evaluation" />
            <NumberOption label="Split seed" k="seed" value={Number(value('seed', 1))} min={0} max={4_294_967_295} step={1} hint="seed of the train/test split of the sequences (not the training seed)" />
          </>
        ) : (
          <>
            <div className="dd-option">
              <span>Tokens</span>
              <Select
                label="Token unit"
                testId="data-option-unit"
                value={String(value('unit', 'char'))}
                options={[
                  { value: 'char', label: 'characters' },
                  { value: 'word', label: 'words' },
                ]}
                onChange={(v) => setDataOption('unit', v)}
              />
            </div>
            <NumberOption label="Length" k="length" value={Number(value('length', 100))} min={2} max={10_000} step={1} hint="tokens per example (steps of backprop through time)" />
            <NumberOption label="Vocabulary cap" k="vocab_size" value={Number(value('vocab_size', 1000))} min={3} max={65_536} step={1} hint="most token ids; the rarest tokens become unknown" />
            <NumberOption label="Validation fraction" k="test_fraction" value={Number(value('test_fraction', 0.1))} min={0.01} max={0.5} step={0.05} hint="the last part of the file, by position" />
          </>
        )}
      </div>
    </details>
  );
}

function Problems({ errors, testId }: { errors: readonly { code: string; message: string }[]; testId: string }) {
  if (errors.length === 0) return null;
  return (
    <div className="dd-problems" role="alert" data-testid={testId}>
      {errors.slice(0, 8).map((e, i) => (
        <p key={i}>
          <code>{e.code}</code> {e.message}
        </p>
      ))}
      {errors.length > 8 ? <p className="dd-muted">…and {errors.length - 8} more</p> : null}
    </div>
  );
}

function TextSample({ preview }: { preview: TextPreview }) {
  return (
    <section className="dd-section" aria-label="Sample">
      <h3>
        Sample <span className="dd-muted">the first tokens as the model reads them</span>
      </h3>
      <pre className="dd-sample" data-testid="data-sample">
        {preview.summary?.sample ?? ''}
      </pre>
    </section>
  );
}

function fileLine(s: DataDialogState): string {
  const parts = [s.file !== undefined ? shortBytes(s.file.size) : ''];
  const p = s.preview;
  if (p?.reader === 'csv') parts.push(`${count.format(p.rowCount)} rows`, `${p.columns.length} columns`, DELIMITER_NAMES[p.delimiter] ?? 'CSV');
  if (p?.reader === 'text') parts.push('UTF-8 text');
  return parts.filter((x) => x !== '').join(' · ');
}

/** The dialog while a file is open (it mounts when one opens: the focus moves in, and back out when it closes). */
export function DataDialog() {
  const s = useSyncExternalStore(subscribeDataDialog, getDataDialog);
  return s.stage === 'closed' ? null : <DialogBox s={s} />;
}

function DialogBox({ s }: { s: DataDialogState }) {
  // The editor's state too: a run starting or ending locks or frees the graph, which Use depends on.
  useEditor();
  const box = useRef<HTMLDivElement>(null);
  useModalFocus(box, '.dd-close');
  const p = s.preview;
  const blocked = useBlocker(s);
  return (
    <div className="dd-overlay" onClick={closeDataDialog}>
      <div
        className="dd-box"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dd-title"
        data-testid="data-dialog"
        data-stage={s.stage}
        data-busy={s.busy}
        ref={box}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          // Keys typed here are the dialog's: the editor's shortcuts (Delete, Ctrl Z…) must not act on the
          // graph behind. So they stop here, and Tab is kept inside here too (the document never sees it).
          trapTab(e, box.current);
          e.stopPropagation();
          if (e.key === 'Escape') closeDataDialog();
        }}
      >
        <header className="dd-head">
          <div className="dd-titles">
            <h2 id="dd-title">Use your data</h2>
            <p className="dd-file">
              <span className="dd-filename" data-testid="data-file-name">
                {s.file?.name}
              </span>
              <span className="dd-muted">{fileLine(s)}</span>
            </p>
          </div>
          <button type="button" className="dd-close" aria-label="Close" onClick={closeDataDialog}>
            ×
          </button>
        </header>
        <div className="dd-body">
          {s.stage === 'reading' ? <p className="dd-reading">Reading {s.file?.name}…</p> : null}
          {s.stage === 'failed' ? (
            <>
              <p className="dd-failed-lead">This file cannot be used; the graph is unchanged.</p>
              <Problems errors={s.errors} testId="data-errors" />
            </>
          ) : null}
          {s.stage === 'ready' && p !== undefined ? (
            <>
              {p.reader === 'csv' ? (
                <section className="dd-section" aria-label="Preview">
                  <h3>
                    Preview <span className="dd-muted">first {p.rows.length} of {count.format(p.rowCount)} rows</span>
                  </h3>
                  <PreviewTable preview={p} mapping={s.mapping} />
                </section>
              ) : (
                <TextSample preview={p} />
              )}
              <div className="dd-columns">
                {p.reader === 'csv' ? <CsvMapping s={s} preview={p} /> : null}
                <div className="dd-right">
                  <Shapes s={s} preview={p} />
                  <Options s={s} preview={p} />
                </div>
              </div>
              <Problems errors={p.problems} testId="data-problems" />
            </>
          ) : null}
        </div>
        <footer className="dd-foot">
          <span className="dd-privacy">The file stays in this browser (IndexedDB); nothing is uploaded.</span>
          {s.useError !== undefined ? (
            <span className="dd-use-error" role="alert">
              {s.useError}
            </span>
          ) : s.stage === 'ready' && blocked !== undefined && !s.busy ? (
            <span className="dd-blocked">{blocked}</span>
          ) : null}
          {s.stage === 'failed' ? (
            <button type="button" onClick={pickDataFile} data-testid="data-another">
              Choose another file…
            </button>
          ) : null}
          <button type="button" onClick={closeDataDialog} data-testid="data-cancel">
            Cancel
          </button>
          <button type="button" className="dd-primary" disabled={blocked !== undefined || s.saving} onClick={() => void useThisData()} data-testid="data-use">
            {s.saving ? 'Storing…' : 'Use this data'}
          </button>
        </footer>
      </div>
    </div>
  );
}

/**
 * Mounted once: the hidden data-file input, the page-wide drop of files, and the dialog. A data
 * file dropped anywhere opens the dialog; a graph file dropped outside the canvas opens as the
 * canvas's drop would (the canvas handles its own drops first).
 */
export function DataDialogHost() {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    registerDataPicker(input.current);
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files') === true) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (e.defaultPrevented || file === undefined) return;
      e.preventDefault();
      // files.ts sends a data file to this dialog and opens a graph file as a graph.
      void openFile(file);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      registerDataPicker(null);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".csv,.tsv,.txt,.text,.md,text/csv,text/plain"
        hidden
        data-testid="data-file-input"
        aria-label="Pick a data file (CSV or text)"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file !== undefined) void openDataFile(file);
          e.target.value = '';
        }}
      />
      <DataDialog />
    </>
  );
}
