/**
 * The inspector: a form generated from the selected block's params (types, ranges, choices,
 * defaults) with inline errors, its name, its loop, its weights and parameter count; or the
 * selected wire (its shape, take) or loop frame (over/steps, direction); or the graph itself.
 * Edits are committed on Enter, on leaving a field, or at once for choices, as one undo step each.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { checkParam, paramDefault } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { formatType } from '../../blocks/shape.ts';
import type { ParamDef } from '../../blocks/types.ts';
import { CATALOGUE, type UnrollError } from '../../runtime/errors/catalogue.ts';
import type { GraphDoc, GraphLoop, GraphNode, ParamValueJson } from '../../runtime/graph/types.ts';
import { LOOP_STEPS } from '../../runtime/graph/fields.ts';
import type { GraphAnalysis } from '../../runtime/validate/types.ts';
import { deleteSelection, duplicateSelection, outsideLoopsOnly, tidyUp, wrapInLoop } from '../actions.ts';
import { loopResolver, nodesNamedBy } from '../flow-model.ts';
import { edgeKey } from '../model/changes.ts';
import { idProblem } from '../model/ids.ts';
import { dispatch, edgeEnds, select, setView } from '../store.ts';
import { useEditor } from '../use-editor.ts';

const number = new Intl.NumberFormat('en-US');

/** A text field committed on Enter or blur, with an inline error while its text is not acceptable. */
function CommitField(props: {
  label: string;
  value: string;
  validate: (text: string) => string | undefined;
  commit: (text: string) => void;
  testId: string;
  type?: 'text' | 'number';
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number | 'any';
  hint?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(props.value);
  // A number field holding text that is not a number (`32e`): the browser reports its value as ''
  // (which would read as "cleared", i.e. back to the default), so it is refused here instead.
  const [bad, setBad] = useState(false);
  useEffect(() => setText(props.value), [props.value]);
  const error = bad ? `${props.label}: not a number (fix it, or press Escape to undo the typing)` : text === props.value ? undefined : props.validate(text);
  const done = () => {
    if (input.current?.validity.badInput === true) {
      setBad(true);
      return;
    }
    if (text === props.value) return;
    if (props.validate(text) === undefined) props.commit(text);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        ref={input}
        id={id}
        type={props.type ?? 'text'}
        value={text}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        step={props.step}
        data-testid={props.testId}
        aria-invalid={error !== undefined}
        aria-describedby={error !== undefined ? `${id}-error` : props.hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setBad(e.target.validity.badInput);
        }}
        // `32e` → `32ee` leaves the reported value '' and fires no change: read validity on every input.
        onInput={(e) => setBad(e.currentTarget.validity.badInput)}
        onBlur={done}
        onKeyDown={(e) => {
          if (e.key === 'Enter') done();
          if (e.key === 'Escape') {
            setText(props.value);
            setBad(false);
            // The text the browser could not read is not React's value: put the committed one back by hand.
            if (input.current !== null) input.current.value = props.value;
          }
        }}
      />
      {error !== undefined ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : props.hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

function ParamField({ node, name, def, doc }: { node: GraphNode; name: string; def: ParamDef; doc: GraphDoc }) {
  const id = useId();
  const given = node.params !== undefined && Object.hasOwn(node.params, name) ? node.params[name] : undefined;
  const fallback = paramDefault(def);
  const set = (value: ParamValueJson | undefined) => dispatch({ type: 'setParam', node: node.id, param: name, value });
  const hint = `${def.doc}${fallback !== undefined ? ` (default ${String(fallback)})` : ''}`;
  switch (def.kind) {
    case 'int':
    case 'optionalInt':
    case 'number': {
      const parse = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
      return (
        <CommitField
          label={name}
          type="number"
          value={given === undefined ? '' : String(given)}
          placeholder={fallback !== undefined ? String(fallback) : 'inferred'}
          min={def.min}
          max={def.max}
          step={def.kind === 'number' ? 'any' : 1}
          testId={`param-${name}`}
          hint={`${hint}; ${def.min} to ${number.format(def.max)}`}
          validate={(text) => {
            const v = parse(text);
            if (v === undefined) return undefined;
            const why = checkParam(def, v);
            return why !== undefined ? `${name} ${why}` : undefined;
          }}
          commit={(text) => set(parse(text))}
        />
      );
    }
    case 'bool':
      return (
        <div className="field field-check">
          <input
            id={id}
            type="checkbox"
            data-testid={`param-${name}`}
            checked={(given ?? fallback) === true}
            onChange={(e) => set(e.target.checked)}
          />
          <label htmlFor={id}>{name}</label>
          <p className="field-hint">{hint}</p>
        </div>
      );
    case 'enum':
      return (
        <div className="field">
          <label htmlFor={id}>{name}</label>
          <select id={id} data-testid={`param-${name}`} value={String(given ?? fallback)} onChange={(e) => set(e.target.value)}>
            {def.values.map((v) => (
              <option key={v} value={v}>
                {v}
                {v === fallback ? ' (default)' : ''}
              </option>
            ))}
          </select>
          <p className="field-hint">{def.doc}</p>
        </div>
      );
    case 'nodeRef':
      return (
        <div className="field">
          <label htmlFor={id}>{name}</label>
          <select id={id} data-testid={`param-${name}`} value={typeof given === 'string' ? given : ''} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)}>
            <option value="">(none)</option>
            {doc.nodes
              .filter((n) => n.id !== node.id)
              .map((n) => (
                <option key={n.id} value={n.id}>
                  {n.id} ({n.type})
                </option>
              ))}
          </select>
          <p className="field-hint">{def.doc}</p>
        </div>
      );
  }
}

function InlineErrors({ errors, warnings }: { errors: readonly UnrollError[]; warnings?: boolean }) {
  if (errors.length === 0) return null;
  return (
    <ul className={warnings ? 'inline-errors inline-warnings' : 'inline-errors'} aria-label={warnings ? 'Warnings of this selection' : 'Errors of this selection'}>
      {errors.map((e, i) => (
        <li key={i}>
          <code>{e.code}</code> {e.message}
        </li>
      ))}
    </ul>
  );
}

function NodeInspector({ node, doc, analysis }: { node: GraphNode; doc: GraphDoc; analysis: GraphAnalysis | undefined }) {
  const block = getBlock(node.type);
  const loops = doc.loops ?? [];
  const current = analysis?.doc === doc ? analysis : undefined;
  const errors = (current?.errors ?? []).filter((e) => nodesNamedBy([e]).has(node.id));
  const warnings = (current?.warnings ?? []).filter((e) => nodesNamedBy([e]).has(node.id));
  const weights = current?.weights.get(node.id) ?? [];
  // Weights this node reads but another node owns (`share`): stored and trained once, with the owner.
  const borrowed = Object.entries(current?.shares.get(node.id) ?? {});
  const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const total = weights.reduce((s, w) => s + count(w.shape), 0);
  const effectiveLoop = loopResolver(doc, current)(node.id);
  const loopId = useId();
  return (
    <section className="panel-section inspector" aria-label={`Inspector: ${node.id}`} data-testid="inspector">
      <h2>
        {block?.title ?? node.type} <code className="muted">{node.type}</code>
      </h2>
      <p className="muted">{block?.doc}</p>
      <CommitField
        label="name"
        value={node.id}
        testId="node-name"
        validate={(text) => idProblem(text, (id) => id !== node.id && doc.nodes.some((n) => n.id === id))}
        commit={(text) => dispatch({ type: 'renameNode', from: node.id, to: text })}
      />
      <div className="field">
        <label htmlFor={loopId}>loop</label>
        {loops.length === 0 ? (
          <p className="field-hint" id={loopId}>
            {effectiveLoop !== undefined ? 'in the implicit loop over the first sequence input' : 'outside loops'} (no loop declared; select blocks and press Ctrl+G to make one)
          </p>
        ) : (
          <select
            id={loopId}
            data-testid="node-loop"
            value={node.loop ?? ''}
            disabled={outsideLoopsOnly(node.type) && node.loop === undefined}
            onChange={(e) => dispatch({ type: 'setLoop', nodes: [node.id], loop: e.target.value === '' ? undefined : e.target.value })}
          >
            <option value="">(outside loops)</option>
            {loops.map((l) => (
              <option key={l.id} value={l.id}>
                {l.id}
              </option>
            ))}
          </select>
        )}
      </div>
      <InlineErrors errors={errors} />
      {block !== undefined && Object.keys(block.params).length > 0 ? (
        <fieldset className="params">
          <legend>Parameters</legend>
          {Object.entries(block.params).map(([name, def]) => (
            <ParamField key={`${node.id}.${name}`} node={node} name={name} def={def} doc={doc} />
          ))}
        </fieldset>
      ) : null}
      <h3>Weights</h3>
      {weights.length === 0 ? (
        <p className="muted">{current?.weights.has(node.id) === false && errors.length > 0 ? 'not known until the errors are fixed' : borrowed.length > 0 ? 'none of its own' : 'none'}</p>
      ) : (
        <table className="weights" data-testid="weights">
          <tbody>
            {weights.map((w) => (
              <tr key={w.name} title={w.doc}>
                <td>
                  <code>{w.name}</code>
                </td>
                <td>
                  <code>[{w.shape.join(', ')}]</code>
                </td>
                <td className="num">{number.format(count(w.shape))}</td>
              </tr>
            ))}
            <tr className="total">
              <td colSpan={2}>parameters</td>
              <td className="num" data-testid="node-parameters">
                {number.format(total)}
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {borrowed.length > 0 ? (
        <p className="muted" data-testid="borrowed-weights">
          {'shares '}
          {borrowed.map(([name, key], i) => (
            <span key={name}>
              {i > 0 ? ', ' : ''}
              <code>{key}</code> as its <code>{name}</code>
            </span>
          ))}
          : one tensor, trained with every node that reads it
        </p>
      ) : null}
      {warnings.length > 0 ? <InlineErrors errors={warnings} warnings /> : null}
      <div className="button-row">
        {block?.composite !== undefined ? (
          <button type="button" onClick={() => setView({ composite: node.id })}>
            Open inside
          </button>
        ) : null}
        <button type="button" onClick={duplicateSelection}>
          Duplicate
        </button>
        <button type="button" className="danger" onClick={deleteSelection}>
          Delete
        </button>
      </div>
    </section>
  );
}

function EdgeInspector({ index, doc, analysis }: { index: number; doc: GraphDoc; analysis: GraphAnalysis | undefined }) {
  const e = doc.edges[index]!;
  const current = analysis?.doc === doc ? analysis : undefined;
  const t = current?.edgeTypes[index];
  const loopOf = loopResolver(doc, current);
  const fromLoop = loopOf(e.from.split('.')[0]!);
  const leaving = fromLoop !== undefined && fromLoop !== loopOf(e.to.split('.')[0]!);
  const errors = (current?.errors ?? []).filter((x) => x.edges?.includes(index));
  const takeId = useId();
  return (
    <section className="panel-section inspector" aria-label="Inspector: wire" data-testid="inspector">
      <h2>Wire</h2>
      <p>
        <code>{e.from}</code> → <code>{e.to}</code>
      </p>
      <p>
        carries <code>{t !== undefined ? formatType(t) : 'unknown (fix the errors upstream)'}</code>
        {current?.recurrentEdges.includes(index) ? <span className="z-badge">z⁻¹</span> : null}
      </p>
      {leaving || e.take !== undefined ? (
        <div className="field">
          <label htmlFor={takeId}>take (leaving loop {fromLoop})</label>
          <select id={takeId} data-testid="edge-take" value={e.take ?? 'all'} onChange={(ev) => dispatch({ type: 'setTake', edge: e, take: ev.target.value === 'last' ? 'last' : 'all' })}>
            <option value="all">all: every step’s value, a sequence</option>
            <option value="last">last: the final step’s value</option>
          </select>
        </div>
      ) : null}
      <InlineErrors errors={errors} />
      <div className="button-row">
        <button type="button" className="danger" onClick={() => dispatch({ type: 'deleteElements', edges: [e] })}>
          Delete wire
        </button>
      </div>
    </section>
  );
}

function LoopInspector({ loop, doc, analysis }: { loop: GraphLoop; doc: GraphDoc; analysis: GraphAnalysis | undefined }) {
  const sources = doc.nodes.filter((n) => n.type === 'input' || n.type === 'target');
  const members = doc.nodes.filter((n) => n.loop === loop.id);
  const k = (doc.loops ?? []).indexOf(loop);
  const errors = (analysis?.doc === doc ? analysis.errors : []).filter((e) => e.path?.startsWith(`$.loops[${k}]`));
  const overId = useId();
  const dirId = useId();
  return (
    <section className="panel-section inspector" aria-label={`Inspector: loop ${loop.id}`} data-testid="inspector">
      <h2>Loop</h2>
      <CommitField
        label="name"
        value={loop.id}
        testId="loop-name"
        validate={(text) => idProblem(text, (id) => id !== loop.id && (doc.loops ?? []).some((l) => l.id === id))}
        commit={(text) => dispatch({ type: 'renameLoop', from: loop.id, to: text })}
      />
      <div className="field">
        <label htmlFor={overId}>runs</label>
        <select
          id={overId}
          data-testid="loop-over"
          value={'over' in loop ? `over:${loop.over}` : 'steps'}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'steps') dispatch({ type: 'editLoop', id: loop.id, steps: 3 });
            else dispatch({ type: 'editLoop', id: loop.id, over: v.slice('over:'.length) });
          }}
        >
          {sources.map((s) => (
            <option key={s.id} value={`over:${s.id}`}>
              over {s.id} (one step per element)
            </option>
          ))}
          <option value="steps">a fixed number of steps</option>
        </select>
      </div>
      {'steps' in loop ? (
        <CommitField
          label="steps"
          type="number"
          min={LOOP_STEPS.min}
          max={LOOP_STEPS.max}
          value={String(loop.steps)}
          testId="loop-steps"
          validate={(text) => {
            const v = Number(text);
            return Number.isInteger(v) && v >= LOOP_STEPS.min && v <= LOOP_STEPS.max ? undefined : `steps must be a whole number from ${LOOP_STEPS.min} to ${number.format(LOOP_STEPS.max)}`;
          }}
          commit={(text) => dispatch({ type: 'editLoop', id: loop.id, steps: Number(text) })}
        />
      ) : null}
      <div className="field">
        <label htmlFor={dirId}>direction</label>
        <select id={dirId} data-testid="loop-direction" value={loop.direction ?? 'forward'} onChange={(e) => dispatch({ type: 'editLoop', id: loop.id, direction: e.target.value === 'reverse' ? 'reverse' : 'forward' })}>
          <option value="forward">forward (first element first)</option>
          <option value="reverse">reverse (last element first)</option>
        </select>
      </div>
      <InlineErrors errors={errors} />
      <p className="muted">
        {members.length === 0 ? 'No blocks yet: drag blocks into the frame.' : `Repeats ${members.map((m) => m.id).join(', ')}.`} Drag blocks in and out of the frame to change
        this.
      </p>
      <div className="button-row">
        <button type="button" className="danger" onClick={() => dispatch({ type: 'deleteElements', loops: [loop.id] })}>
          Delete loop (keep its blocks)
        </button>
      </div>
    </section>
  );
}

function GraphInspector({ doc, analysis }: { doc: GraphDoc; analysis: GraphAnalysis | undefined }) {
  const current = analysis?.doc === doc ? analysis : undefined;
  return (
    <section className="panel-section inspector" aria-label="Inspector: graph" data-testid="inspector">
      <CommitField
        label="graph name"
        value={doc.name}
        testId="graph-name-field"
        validate={(t) => (t.length > 200 ? 'at most 200 characters' : undefined)}
        commit={(t) => dispatch({ type: 'setName', name: t })}
      />
      <h3>Loops</h3>
      {(doc.loops ?? []).length === 0 ? (
        <p className="muted">
          {current !== undefined && current.loops.size > 0 ? 'None declared: one implicit loop over the first sequence input. ' : 'None. '}
          Select blocks and press Ctrl+G (Edit ▸ Wrap in loop) to declare one.
        </p>
      ) : (
        <ul className="plain-list">
          {(doc.loops ?? []).map((l) => (
            <li key={l.id}>
              <button type="button" className="link" onClick={() => select({ nodes: [], edges: [], loops: [l.id] })}>
                {l.id}
              </button>{' '}
              {'over' in l ? `over ${l.over}` : `${l.steps} steps`} · {l.direction ?? 'forward'}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Select a block, wire or loop frame to edit it.</p>
    </section>
  );
}

function MultiInspector({ count }: { count: number }) {
  return (
    <section className="panel-section inspector" aria-label="Inspector: selection" data-testid="inspector">
      <h2>{count} selected</h2>
      <div className="button-row">
        <button type="button" onClick={duplicateSelection}>
          Duplicate
        </button>
        <button type="button" onClick={wrapInLoop}>
          Wrap in loop
        </button>
        <button type="button" onClick={tidyUp}>
          Auto-layout
        </button>
        <button type="button" className="danger" onClick={deleteSelection}>
          Delete
        </button>
      </div>
    </section>
  );
}

export function Inspector() {
  const { history, analysis, selection } = useEditor();
  const doc = history.doc;
  const n = selection.nodes.length + selection.edges.length + selection.loops.length;
  if (n === 0) return <GraphInspector doc={doc} analysis={analysis} />;
  if (n > 1) return <MultiInspector count={n} />;
  if (selection.nodes.length === 1) {
    const node = doc.nodes.find((x) => x.id === selection.nodes[0]);
    if (node !== undefined) return <NodeInspector key={node.id} node={node} doc={doc} analysis={analysis} />;
  }
  if (selection.edges.length === 1) {
    const ends = edgeEnds(selection.edges[0]!);
    const index = ends ? doc.edges.findIndex((e) => edgeKey(e) === edgeKey(ends)) : -1;
    if (index >= 0) return <EdgeInspector index={index} doc={doc} analysis={analysis} />;
  }
  if (selection.loops.length === 1) {
    const loop = (doc.loops ?? []).find((l) => l.id === selection.loops[0]);
    if (loop !== undefined) return <LoopInspector loop={loop} doc={doc} analysis={analysis} />;
  }
  return <GraphInspector doc={doc} analysis={analysis} />;
}

/** Catalogue name of an error code, for lists. */
export const codeName = (e: UnrollError): string => CATALOGUE[e.code].name;
