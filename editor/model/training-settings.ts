/**
 * The training settings as the panel shows them, read from the open graph: the `training`
 * section with the trainer's defaults filled in, and the initialiser of the recurrent cells (a
 * param of each rnn, gru and lstm block), which the panel sets for all of them in one undo step.
 */
import { paramDefault } from '../../blocks/params.ts';
import { getBlock } from '../../blocks/registry.ts';
import { recurrentInitParam, type RecurrentInit } from '../../blocks/cell-common.ts';
import type { GraphDoc, TrainingSpec } from '../../runtime/graph/types.ts';
import { TRAINING_DEFAULTS } from '../../runtime/train/training-defaults.ts';
import type { Change } from './changes.ts';

/** Every training setting of `doc`: its own values, the trainer's defaults for the rest. */
export const trainingSettings = (doc: GraphDoc): Required<TrainingSpec> => ({ ...TRAINING_DEFAULTS, ...doc.training });

/** Node ids of the recurrent cells: blocks whose `init` param is the recurrent initialiser choice. */
export function recurrentCells(doc: GraphDoc): string[] {
  return doc.nodes.filter((n) => getBlock(n.type)?.params.init === recurrentInitParam).map((n) => n.id);
}

/** The initialiser every recurrent cell uses, `mixed` when they differ, undefined without cells. */
export function commonInit(doc: GraphDoc): RecurrentInit | 'mixed' | undefined {
  const cells = new Set(recurrentCells(doc));
  const inits = new Set(doc.nodes.filter((n) => cells.has(n.id)).map((n) => String(n.params?.init ?? paramDefault(recurrentInitParam))));
  if (inits.size === 0) return undefined;
  return inits.size === 1 ? ([...inits][0] as RecurrentInit) : 'mixed';
}

/** One undo step setting every recurrent cell's initialiser (the default is written as no param). */
export function setInitChange(doc: GraphDoc, init: RecurrentInit): Change {
  const value = init === recurrentInitParam.default ? undefined : init;
  return { type: 'batch', label: `set initialiser ${init}`, changes: recurrentCells(doc).map((node) => ({ type: 'setParam', node, param: 'init', value })) };
}
