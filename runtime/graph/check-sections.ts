/** Checking `loops`, `task` and `training`: the sections of a graph besides nodes and edges. */
import { DIRECTIONS, LOOP_KEYS, LOOP_STEPS, TASK_KEYS, TRAINING_FIELDS, TRAINING_KEYS, checkTrainingValue, typeName } from './fields.ts';
import { asArray, asObject, asString, checkId, checkKeys, isParamValue, own, required, setOwn, type Obj } from './check-util.ts';
import { quote, type ErrorList, type PathSegments } from './report.ts';
import type { GraphLoop, TaskSpec, TrainingSpec } from './types.ts';

/** The checked loops, their ids, and the `over` references to check once nodes are known. */
export function checkLoops(
  value: unknown,
  errors: ErrorList,
): { loops: readonly GraphLoop[] | undefined; ids: ReadonlySet<string>; overRefs: readonly { id: string; path: PathSegments }[] } {
  const ids = new Set<string>();
  const overRefs: { id: string; path: PathSegments }[] = [];
  const list = asArray(value, ['loops'], 'loops', errors);
  if (list === undefined) return { loops: undefined, ids, overRefs };
  const firstAt = new Map<string, number>();
  const out: GraphLoop[] = [];
  for (let i = 0; i < list.length && !errors.full; i++) {
    const path = ['loops', i];
    const loop = asObject(list[i], path, 'a loop', errors);
    if (loop === undefined) continue;
    checkKeys(loop, LOOP_KEYS, path, 'a loop', errors);
    const idValue = required(loop, 'id', path, 'a loop', errors);
    const id = idValue === undefined ? undefined : asString(idValue, [...path, 'id'], 'a loop id', errors);
    if (id !== undefined) {
      checkId(id, [...path, 'id'], 'loop id', errors);
      const first = firstAt.get(id);
      if (first !== undefined) errors.add('E112', `loop id ${quote(id)} is already used by $.loops[${first}]`, [...path, 'id']);
      else firstAt.set(id, i);
      ids.add(id);
    }
    const over = own(loop, 'over');
    const steps = own(loop, 'steps');
    if ((over === undefined) === (steps === undefined)) {
      const why = over === undefined ? 'gives neither' : 'gives both';
      errors.add('E121', `a loop runs over a sequence ("over": node id) or a fixed number of "steps"; this one ${why}`, path);
    }
    const result: Obj = {};
    for (const k of Object.keys(loop)) {
      const v = loop[k];
      if (v === undefined) continue;
      const at = [...path, k];
      if (k === 'id') result.id = v;
      else if (k === 'over') {
        if (asString(v, at, 'loop over', errors) !== undefined) {
          overRefs.push({ id: v as string, path: at });
          result.over = v;
        }
      } else if (k === 'steps') {
        if (typeof v !== 'number') errors.add('E106', `loop steps must be a number, got ${typeName(v)}`, at);
        else if (!Number.isInteger(v) || v < LOOP_STEPS.min || v > LOOP_STEPS.max) {
          errors.add('E115', `loop steps must be an integer between ${LOOP_STEPS.min} and ${LOOP_STEPS.max}, got ${v}`, at);
        } else result.steps = v;
      } else if (k === 'direction') {
        if (typeof v === 'string' && (DIRECTIONS as readonly string[]).includes(v)) result.direction = v;
        else errors.add('E106', `direction must be "forward" or "reverse", got ${typeof v === 'string' ? quote(v) : JSON.stringify(v)}`, at);
      }
    }
    out.push(result as unknown as GraphLoop);
  }
  return { loops: out, ids, overRefs };
}

/** `task`: a name and optional params of numbers, strings and booleans (checked by the task registry later). */
export function checkTask(value: unknown, errors: ErrorList): TaskSpec | undefined {
  const path = ['task'];
  const task = asObject(value, path, 'task', errors);
  if (task === undefined) return undefined;
  checkKeys(task, TASK_KEYS, path, 'task', errors);
  const nameValue = required(task, 'name', path, 'task', errors);
  if (nameValue !== undefined) asString(nameValue, [...path, 'name'], 'task name', errors);
  const out: Obj = {};
  for (const k of Object.keys(task)) {
    const v = task[k];
    if (v === undefined) continue;
    if (k === 'name') out.name = v;
    else if (k === 'params') {
      const params = asObject(v, [...path, 'params'], 'task params', errors);
      if (params === undefined) continue;
      const copy: Obj = {};
      for (const name of Object.keys(params)) {
        const pv = own(params, name);
        if (pv === undefined) continue;
        if (isParamValue(pv)) setOwn(copy, name, pv);
        else errors.add('E106', `a task param must be a number, string or boolean, got ${typeName(pv)}`, [...path, 'params', name]);
      }
      out.params = copy;
    }
  }
  return out as unknown as TaskSpec;
}

/** `training`: only `TrainingSpec`'s keys, each of its type and in its range. */
export function checkTraining(value: unknown, errors: ErrorList): TrainingSpec | undefined {
  const path = ['training'];
  const training = asObject(value, path, 'training', errors);
  if (training === undefined) return undefined;
  checkKeys(training, TRAINING_KEYS, path, 'training', errors);
  const out: Obj = {};
  for (const k of Object.keys(training)) {
    const v = training[k];
    if (v === undefined || !Object.hasOwn(TRAINING_FIELDS, k)) continue;
    const problem = checkTrainingValue(TRAINING_FIELDS[k as keyof typeof TRAINING_FIELDS], v);
    if (problem === undefined) out[k] = v;
    else errors.add(problem.wrongType ? 'E106' : 'E115', `training ${k} ${problem.why}`, [...path, k]);
  }
  return out as TrainingSpec;
}
