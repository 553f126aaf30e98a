/**
 * The schemas of the generated tasks (name, documentation, params, checks across params), for code
 * that validates or edits a graph's `task` section without building the task: the editor's page.
 * It imports no generator, so the page does not bundle them (charlm's text alone is ~320 KB); the
 * worker and the CLI build tasks through `registry.ts`, whose `taskRegistry` lists the same tasks
 * in the same order (registry.test.ts checks it).
 */
import { addingSchema } from './adding-schema.ts';
import { babiSchema } from './babi-schema.ts';
import { bracketsSchema } from './brackets-schema.ts';
import { charlmSchema } from './charlm-schema.ts';
import { copySchema } from './copy-schema.ts';
import { dyckSchema } from './dyck-schema.ts';
import { reverseSchema } from './reverse-schema.ts';
import type { TaskSchema } from './types.ts';

/** Every task a graph's `task.name` may name, by name. */
export const taskSchemas: Readonly<Record<string, TaskSchema>> = {
  brackets: bracketsSchema,
  copy: copySchema,
  adding: addingSchema,
  reverse: reverseSchema,
  dyck: dyckSchema,
  charlm: charlmSchema,
  babi: babiSchema,
};

/** The schema of a task, or undefined for a name the registry does not have. */
export function getTaskSchema(name: string): TaskSchema | undefined {
  return Object.hasOwn(taskSchemas, name) ? taskSchemas[name] : undefined;
}
