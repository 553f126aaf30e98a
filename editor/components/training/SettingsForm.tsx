/**
 * The training settings of the open graph, read from it and written to it as changes (so they
 * save with the file and undo like any edit): the task and its params (a form generated from the
 * task's schema), the optimiser and its numbers, the recurrent cells' initialiser, truncation,
 * seed and evaluation interval; and the backend, a preference of this browser kept apart from the
 * graph. A value the file's schema refuses is not written: the field says why, naming the setting,
 * and shows the old value again.
 */
import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { checkParam, paramDefault, resolveParams } from '../../../blocks/params.ts';
import { recurrentInitParam, type RecurrentInit } from '../../../blocks/cell-common.ts';
import type { ParamDef } from '../../../blocks/types.ts';
import { checkTrainingValue, TRAINING_FIELDS } from '../../../runtime/graph/fields.ts';
import type { GraphDoc, ParamValueJson, TrainingSpec } from '../../../runtime/graph/types.ts';
import { getTaskSchema, taskSchemas } from '../../../runtime/tasks/schema-registry.ts';
import type { TaskParams } from '../../../runtime/tasks/types.ts';
import type { TrainingPatch } from '../../model/changes.ts';
import { commonInit, recurrentCells, setInitChange, trainingSettings } from '../../model/training-settings.ts';
import { dispatch } from '../../store.ts';
import { DATASET_TASK } from '../../data/dataset-params.ts';
import { pickDataFile } from '../../data/dialog-store.ts';
import { BACKEND_CHOICES, BACKEND_LABELS, getBackendChoice, setBackendChoice, subscribeBackendChoice, type BackendChoice } from '../../training/backend-choice.ts';
import { DataSettings } from './DataSettings.tsx';
import './SettingsForm.css';

const number = new Intl.NumberFormat('en-US');

/**
 * A number typed and committed on Enter or on leaving the field. `check` says why a value is
 * refused (the message names the setting); a refused value is not committed, the old one comes
 * back into the field and the message stays until the next edit.
 */
function NumberSetting(props: {
  label: string;
  testId: string;
  value: number | undefined;
  placeholder?: string;
  integer: boolean;
  min?: number;
  max?: number;
  hint: string;
  check: (v: number) => string | undefined;
  commit: (v: number | undefined) => void;
  /** Empty text: remove the value (the default applies); without it, empty is refused. */
  clearable?: boolean;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const shown = props.value === undefined ? '' : String(props.value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setText(shown), [shown]);
  const done = () => {
    if (input.current?.validity.badInput === true) {
      setError(`${props.label}: not a number; kept ${shown || 'the default'}`);
      setText(shown);
      if (input.current !== null) input.current.value = shown;
      return;
    }
    if (text === shown) return;
    if (text.trim() === '') {
      if (props.clearable === true) props.commit(undefined);
      else {
        setError(`${props.label}: give a value; kept ${shown}`);
        setText(shown);
      }
      return;
    }
    const v = Number(text);
    const why = Number.isFinite(v) ? props.check(v) : 'must be a finite number';
    if (why !== undefined) {
      setError(`${props.label} ${why}; kept ${shown || 'the default'}`);
      setText(shown);
      return;
    }
    setError(undefined);
    props.commit(v);
  };
  return (
    <div className="ts-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        ref={input}
        id={id}
        type="number"
        inputMode={props.integer ? 'numeric' : 'decimal'}
        value={text}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        step={props.integer ? 1 : 'any'}
        title={props.hint}
        data-testid={props.testId}
        aria-invalid={error !== undefined}
        aria-describedby={error !== undefined ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setError(undefined);
        }}
        onBlur={done}
        onKeyDown={(e) => {
          if (e.key === 'Enter') done();
          if (e.key === 'Escape') {
            setText(shown);
            setError(undefined);
            if (input.current !== null) input.current.value = shown;
          }
        }}
      />
      {error !== undefined ? (
        <p className="ts-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ChoiceSetting(props: { label: string; testId: string; value: string; options: readonly { value: string; label: string; disabled?: boolean }[]; hint: string; onChange: (v: string) => void; wide?: boolean; disabled?: boolean }) {
  const id = useId();
  return (
    <div className={`ts-field${props.wide ? ' ts-wide' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} title={props.hint} data-testid={props.testId} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Human names of the settings, as the messages name them. */
const LABELS: Readonly<Record<keyof TrainingSpec, string>> = {
  optimizer: 'Optimiser',
  lr: 'Learning rate',
  momentum: 'Momentum',
  beta1: 'Adam β1',
  beta2: 'Adam β2',
  weightDecay: 'Weight decay',
  batch: 'Batch size',
  steps: 'Steps',
  clip: 'Clip norm',
  truncate: 'Truncation',
  seed: 'Seed',
  evalEvery: 'Evaluate every',
  linearStart: 'Linear start',
  lrDecayStart: 'LR decay from step',
  lrDecayEnd: 'LR decay to step',
  lrDecayFactor: 'LR decay factor',
};

type NumericKey = { [K in keyof TrainingSpec]-?: NonNullable<TrainingSpec[K]> extends number ? K : never }[keyof TrainingSpec];

function TrainingNumber({ doc, k, hint }: { doc: GraphDoc; k: NumericKey; hint?: string }) {
  const field = TRAINING_FIELDS[k];
  const resolved = trainingSettings(doc)[k];
  const own = doc.training?.[k];
  const set = (patch: TrainingPatch) => dispatch({ type: 'setTraining', training: patch });
  return (
    <NumberSetting
      label={LABELS[k]}
      testId={`setting-${k}`}
      value={own ?? resolved}
      integer={field.kind === 'integer'}
      min={field.min}
      max={'max' in field ? field.max : undefined}
      hint={`${hint ?? field.doc}${own === undefined ? ` (default ${resolved})` : ''}`}
      check={(v) => checkTrainingValue(field, v)?.why}
      commit={(v) => set({ [k]: v })}
    />
  );
}

function TaskParam({ task, name, def, given }: { task: string; name: string; def: ParamDef; given: Readonly<Record<string, ParamValueJson>> }) {
  const own = Object.hasOwn(given, name) ? given[name] : undefined;
  const fallback = paramDefault(def);
  const set = (value: ParamValueJson | undefined) => {
    const params: Record<string, ParamValueJson> = { ...given };
    if (value === undefined) delete params[name];
    else params[name] = value;
    dispatch({ type: 'setTask', name: task, params });
  };
  const id = useId();
  switch (def.kind) {
    case 'int':
    case 'optionalInt':
    case 'number':
      return (
        <NumberSetting
          label={name}
          testId={`task-param-${name}`}
          value={typeof own === 'number' ? own : undefined}
          placeholder={fallback !== undefined ? String(fallback) : ''}
          integer={def.kind !== 'number'}
          min={def.min}
          max={def.max}
          hint={`${def.doc}; ${number.format(def.min)} to ${number.format(def.max)}${fallback !== undefined ? `, default ${String(fallback)}` : ''}`}
          check={(v) => checkParam(def, v)}
          commit={set}
          clearable
        />
      );
    case 'bool':
      return (
        <div className="ts-field ts-check" title={def.doc}>
          <input id={id} type="checkbox" data-testid={`task-param-${name}`} checked={(own ?? fallback) === true} onChange={(e) => set(e.target.checked)} />
          <label htmlFor={id}>{name}</label>
        </div>
      );
    case 'enum':
      return (
        <ChoiceSetting
          label={name}
          testId={`task-param-${name}`}
          value={String(own ?? fallback)}
          options={def.values.map((v) => ({ value: v, label: v }))}
          hint={def.doc}
          onChange={set}
        />
      );
    case 'nodeRef':
      return null;
  }
}

/** Problems across a task's params (e.g. min_length above max_length): training refuses them. */
function crossProblems(task: string, given: Readonly<Record<string, ParamValueJson>>): string[] {
  const def = getTaskSchema(task);
  if (def?.check === undefined) return [];
  if (Object.entries(given).some(([k, v]) => !Object.hasOwn(def.params, k) || checkParam(def.params[k]!, v) !== undefined)) return [];
  return def.check(resolveParams(def.params, given) as TaskParams).map((p) => `${p.param}: ${p.message}`);
}

const OPTIMIZERS = [
  { value: 'adam', label: 'Adam' },
  { value: 'sgd', label: 'SGD' },
  { value: 'momentum', label: 'SGD + momentum' },
] as const;

const INITS: readonly { value: RecurrentInit; label: string }[] = [
  { value: 'pytorch', label: 'PyTorch' },
  { value: 'orthogonal', label: 'Orthogonal' },
  { value: 'identity', label: 'Identity (IRNN)' },
  { value: 'glorot', label: 'Glorot' },
];

/** What each backend choice does (the select's hint, and the line under it for the one chosen). */
const BACKEND_HINTS: Readonly<Record<BackendChoice, string>> = {
  auto: 'Auto: a hardware GPU through WebGPU when this browser has one, else the CPU.',
  webgpu: 'WebGPU: any WebGPU adapter, a software one too (slower than the CPU); without one, the CPU with a notice.',
  cpu: 'CPU: the CPU kernels in a Web Worker (the reference the GPU is tested against).',
};

/**
 * Where to train: a preference of this browser (backend-choice.ts), not a setting of the graph,
 * so it is no document change and has no undo. A change shows at the next Start, which loads afresh.
 */
function BackendSetting() {
  const choice = useSyncExternalStore(subscribeBackendChoice, getBackendChoice);
  return (
    <>
      <ChoiceSetting
        label="Backend"
        testId="setting-backend"
        value={choice}
        options={BACKEND_CHOICES.map((c) => ({ value: c, label: BACKEND_LABELS[c] }))}
        hint={`${BACKEND_CHOICES.map((c) => BACKEND_HINTS[c]).join(' ')} Kept in this browser, not in the graph file; a change starts the next run afresh.`}
        onChange={(v) => setBackendChoice(v as BackendChoice)}
      />
      <p className="ts-doc ts-wide" data-testid="setting-backend-hint">
        {BACKEND_HINTS[choice]}
      </p>
    </>
  );
}

export function SettingsForm({ doc, locked }: { doc: GraphDoc; locked: boolean }) {
  const settings = trainingSettings(doc);
  const task = doc.task;
  const def = task !== undefined ? getTaskSchema(task.name) : undefined;
  const given = task?.params ?? {};
  const problems = task !== undefined ? crossProblems(task.name, given) : [];
  const init = commonInit(doc);
  const cells = recurrentCells(doc).length;
  return (
    <form className="ts-form" aria-label="Training settings" data-testid="training-settings" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={locked} className="ts-fieldset">
        {locked ? <p className="ts-locked">Settings are locked while the run goes: stop it to change them.</p> : null}
        <h3 className="ts-heading">Task</h3>
        <div className="ts-grid">
          <ChoiceSetting
            label="Task"
            testId="setting-task"
            wide
            value={task?.name ?? ''}
            options={[
              ...(task === undefined ? [{ value: '', label: '(none: pick one)' }] : []),
              ...Object.values(taskSchemas).map((t) => ({ value: t.name, label: t.name })),
              { value: DATASET_TASK, label: 'dataset (a file of yours)' },
            ]}
            hint={def?.doc ?? 'the generated task the graph trains on'}
            // The dataset task needs a file: picking it opens the file picker (then the mapping dialog).
            onChange={(name) => (name === DATASET_TASK ? pickDataFile() : dispatch({ type: 'setTask', name }))}
          />
          {task !== undefined && def === undefined && task.name !== DATASET_TASK ? <p className="ts-error ts-wide">There is no task “{task.name}” in this build.</p> : null}
          {def !== undefined ? (
            <p className="ts-doc ts-wide" title={def.doc}>
              {def.doc}
            </p>
          ) : null}
          {def !== undefined ? Object.entries(def.params).map(([name, pd]) => <TaskParam key={`${def.name}.${name}`} task={def.name} name={name} def={pd} given={given} />) : null}
          {problems.map((p) => (
            <p key={p} className="ts-error ts-wide" role="alert">
              {p}
            </p>
          ))}
          <DataSettings doc={doc} locked={locked} />
        </div>
        <h3 className="ts-heading">Optimisation</h3>
        <div className="ts-grid">
          <ChoiceSetting
            label="Optimiser"
            testId="setting-optimizer"
            value={settings.optimizer}
            options={OPTIMIZERS}
            hint={TRAINING_FIELDS.optimizer.doc}
            onChange={(v) => dispatch({ type: 'setTraining', training: { optimizer: v as TrainingSpec['optimizer'] } })}
          />
          <TrainingNumber doc={doc} k="lr" />
          <TrainingNumber doc={doc} k="batch" />
          <TrainingNumber doc={doc} k="steps" />
          <TrainingNumber doc={doc} k="clip" hint="clip gradients to this global norm; 0: off" />
          <TrainingNumber doc={doc} k="truncate" hint="truncated BPTT window in steps; 0: full backpropagation through time" />
          <TrainingNumber doc={doc} k="lrDecayStart" hint="the learning rate falls linearly after this step" />
          <TrainingNumber doc={doc} k="lrDecayEnd" hint="…reaching lr × factor at this step; no decay unless greater than the start" />
          <TrainingNumber doc={doc} k="lrDecayFactor" hint="the final learning rate as a fraction of the learning rate, in (0, 1]" />
          <ChoiceSetting
            label="Initialiser"
            testId="setting-init"
            value={init ?? ''}
            disabled={cells === 0}
            options={[
              ...(init === undefined ? [{ value: '', label: '(no recurrent cell)' }] : []),
              ...(init === 'mixed' ? [{ value: 'mixed', label: 'mixed', disabled: true }] : []),
              ...INITS,
            ]}
            hint={`${recurrentInitParam.doc}; sets the ${cells} recurrent cell${cells === 1 ? '' : 's'} of the graph at once`}
            onChange={(v) => dispatch(setInitChange(doc, v as RecurrentInit))}
          />
          <TrainingNumber doc={doc} k="seed" />
          <TrainingNumber doc={doc} k="evalEvery" hint="evaluate the first split every this many steps" />
          <BackendSetting />
        </div>
      </fieldset>
    </form>
  );
}
