/**
 * The `dataset` task's section as a graph edit writes it: `{ name: 'dataset', params }` with the
 * reader params of `DATASET_PARAMS` and `map` (a column mapping in the `--map` syntax). The task is
 * not in the schema registry (no params alone make it: it needs a file), so the `setTask` change
 * checks its params here, as the trainer's `resolveDatasetParams` will (E421/E422/E486 there).
 */
import { checkParam } from '../../blocks/params.ts';
import { DATASET_PARAMS, DATASET_TASK } from '../../runtime/data/dataset-schema.ts';
import { parseMapping } from '../../runtime/data/mapping.ts';
import type { ParamValueJson } from '../../runtime/graph/types.ts';

export { DATASET_TASK };

/** Why `params` cannot be the dataset task's params, or undefined when each one is fine. */
export function datasetParamsProblem(params: Readonly<Record<string, ParamValueJson>> | undefined): string | undefined {
  for (const [key, value] of Object.entries(params ?? {})) {
    if (key === 'map') {
      if (typeof value !== 'string') return `task dataset param map must be a string like "id=seq,features=a+b,target=label", got ${JSON.stringify(value)}`;
      const parsed = parseMapping(value);
      if (!parsed.ok) return `task dataset param map: ${parsed.errors[0]!.message}`;
      continue;
    }
    const def = Object.hasOwn(DATASET_PARAMS, key) ? DATASET_PARAMS[key]! : undefined;
    if (def === undefined) return `task dataset has no param "${key}": its params are ${[...Object.keys(DATASET_PARAMS), 'map'].join(', ')}`;
    const why = checkParam(def, value);
    if (why !== undefined) return `task dataset param ${key} ${why}`;
  }
  return undefined;
}
