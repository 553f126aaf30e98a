/**
 * The registry of generated tasks and `createTask`, which turns a graph's `task` section into a
 * task or into catalogue errors (E420–E422) with JSON paths into the document.
 */
import { checkParam, resolveParams } from '../../blocks/params.ts';
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath, type TaskSpec } from '../graph/types.ts';
import { addingTask } from './adding.ts';
import { babiTask } from './babi.ts';
import { bracketsTask } from './brackets.ts';
import { charlmTask } from './charlm.ts';
import { copyTask } from './copy.ts';
import { dyckTask } from './dyck.ts';
import { reverseTask } from './reverse.ts';
import type { Task, TaskDef, TaskParams } from './types.ts';

/** Every task a graph's `task.name` may name. */
export const taskRegistry: Readonly<Record<string, TaskDef>> = {
  brackets: bracketsTask,
  copy: copyTask,
  adding: addingTask,
  reverse: reverseTask,
  dyck: dyckTask,
  charlm: charlmTask,
  babi: babiTask,
};

/** The definition of a task, or undefined for a name the registry does not have. */
export function getTask(name: string): TaskDef | undefined {
  return Object.hasOwn(taskRegistry, name) ? taskRegistry[name] : undefined;
}

/** `prefix` + a path below it, e.g. `$.task` + `params.T`; keys that are not identifiers are quoted. */
const below = (prefix: string, ...segments: (string | number)[]): string => prefix + jsonPath(segments).slice(1);

/**
 * Check a task section and build its task. Errors: E420 for an unknown name (listing the known
 * ones), E421 for a param the task does not have, E422 for a value outside a param's type or
 * range, or params that contradict each other (e.g. `min_length` above `max_length`). Paths are
 * below `pathPrefix`: `$.task.name`, `$.task.params.T`.
 */
export function createTask(spec: TaskSpec, pathPrefix = '$.task'): Result<Task> {
  const def = getTask(spec.name);
  if (def === undefined) {
    const known = Object.keys(taskRegistry).join(', ');
    return fail([unrollError('E420', `there is no task "${spec.name}": the tasks are ${known}`, { path: below(pathPrefix, 'name') })]);
  }
  const errors: UnrollError[] = [];
  const given = spec.params ?? {};
  for (const [key, value] of Object.entries(given)) {
    const pd = Object.hasOwn(def.params, key) ? def.params[key] : undefined;
    const path = below(pathPrefix, 'params', key);
    if (pd === undefined) {
      const known = Object.keys(def.params).join(', ');
      errors.push(unrollError('E421', `task ${def.name} has no param "${key}": its params are ${known}`, { path }));
      continue;
    }
    const why = checkParam(pd, value);
    if (why !== undefined) errors.push(unrollError('E422', `task ${def.name} param ${key} ${why}`, { path }));
  }
  if (errors.length > 0) return fail(errors);
  const params = resolveParams(def.params, given) as TaskParams;
  for (const p of def.check?.(params) ?? []) {
    errors.push(unrollError('E422', `task ${def.name}: ${p.message}`, { path: below(pathPrefix, 'params', p.param) }));
  }
  if (errors.length > 0) return fail(errors);
  return { ok: true, value: def.create(params) };
}

const fail = (errors: readonly UnrollError[]): Result<Task> => ({ ok: false, errors });
