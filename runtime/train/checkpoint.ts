/**
 * Checkpoints: a trainer's whole state (weights, optimiser slots and step, both random streams,
 * the step count) in one safetensors file, so that restoring it continues the run bit for bit.
 *
 * Layout: weights under their own names (`<nodeId>.<weightName>`, so the file also loads as a
 * plain weights file after removing the rest), optimiser slots as `optimizer.<slot>.<weight key>`
 * (torch's slot names: `exp_avg`, `exp_avg_sq`, `momentum_buffer`), and in the header's metadata:
 * `format: unroll-checkpoint`, `version`, `step`, `optimizer` (kind), `optimizer_step`, `rng`
 * (JSON of both generator states), `graph`, `task` and `config` (JSON) to refuse a checkpoint of
 * another run. Float32 only, like every Unroll weights file.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../weights/safetensors.ts';
import { matchWeights } from '../weights/match.ts';
import type { Trainer, TrainerState } from './trainer.ts';
import { lrSchedule } from './lr-schedule.ts';
import { progress } from '../progress.ts';

const FORMAT = 'unroll-checkpoint';
const VERSION = '1';
const SLOT_PREFIX = 'optimizer.';

/**
 * Settings that must agree for a checkpoint to continue the same run. The learning-rate decay is
 * listed only when it changes the lr (`lrSchedule`), so checkpoints of constant-lr runs written
 * before the schedule existed still fit, and so do settings that all mean "no decay".
 */
const runIdentity = (t: Trainer): string => {
  const decay = lrSchedule(t.config);
  return JSON.stringify({
    task: t.task.name,
    params: t.task.params,
    dtype: t.model.dtype,
    optimizer: t.config.optimizer,
    lr: t.config.lr,
    momentum: t.config.momentum,
    beta1: t.config.beta1,
    beta2: t.config.beta2,
    weightDecay: t.config.weightDecay,
    batch: t.config.batch,
    clip: t.config.clip,
    truncate: t.config.truncate,
    seed: t.config.seed,
    ...(decay !== undefined ? { lrDecayStart: decay.start, lrDecayEnd: decay.end, lrDecayFactor: decay.factor } : {}),
  });
};

/**
 * The graph's computation as a short hash: nodes (id, type, params, loop), edges and loops, but not
 * positions or the name, so a checkpoint survives tidying the drawing but not rewiring it.
 */
export function graphFingerprint(t: Trainer): string {
  const d = t.analysis.doc;
  const text = JSON.stringify([d.nodes.map((n) => [n.id, n.type, n.params ?? {}, n.loop ?? null]), d.edges, d.loops ?? []]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The trainer's state as checkpoint bytes. */
export function checkpointBytes(trainer: Trainer): Uint8Array {
  const state = trainer.getState();
  const specs = trainer.model.weightSpecs;
  const tensors: NamedTensor[] = specs.map((w) => ({ name: w.key, shape: w.shape, data: Float32Array.from(state.weights.get(w.key)!) }));
  for (const [slot, arrays] of Object.entries(state.optimizer.slots)) {
    arrays.forEach((a, i) => {
      progress();
      tensors.push({ name: `${SLOT_PREFIX}${slot}.${specs[i]!.key}`, shape: specs[i]!.shape, data: Float32Array.from(a) });
    });
  }
  return writeSafetensors(tensors, {
    format: FORMAT,
    version: VERSION,
    step: String(state.step),
    optimizer: trainer.config.optimizer,
    optimizer_step: String(state.optimizer.step),
    rng: JSON.stringify({ data: state.dataRng, state: state.stateRng }),
    graph: trainer.analysis.doc.name,
    graph_hash: graphFingerprint(trainer),
    task: trainer.task.name,
    config: runIdentity(trainer),
  });
}

const bad = (message: string): Result<never> => ({ ok: false, errors: [unrollError('E448', message)] });

const isRngState = (v: unknown): v is number[] => Array.isArray(v) && v.length === 6 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Parse checkpoint bytes against `trainer` (same graph, task and settings); nothing is changed. */
export function readCheckpoint(trainer: Trainer, bytes: Uint8Array): Result<TrainerState> {
  const file = readSafetensors(bytes);
  if (!file.ok) return file;
  const meta = file.value.metadata ?? {};
  if (meta.format !== FORMAT) return bad(`not an Unroll checkpoint (its format is ${JSON.stringify(meta.format ?? null)}, not "${FORMAT}"); a plain weights file loads with setWeights`);
  if (meta.version !== VERSION) return bad(`checkpoint version ${JSON.stringify(meta.version ?? null)} is not ${VERSION}`);
  if (meta.graph_hash !== graphFingerprint(trainer)) {
    return bad(`the checkpoint is of another graph (${JSON.stringify(meta.graph ?? '')}, fingerprint ${meta.graph_hash ?? 'none'}; this graph's is ${graphFingerprint(trainer)}): its nodes, params or wiring differ`);
  }
  if (meta.task !== trainer.task.name) return bad(`the checkpoint is of a run on task ${JSON.stringify(meta.task ?? null)}, this run trains on ${trainer.task.name}`);
  if (meta.config !== runIdentity(trainer)) return bad(`the checkpoint's training settings ${meta.config ?? '(none)'} differ from this run's ${runIdentity(trainer)}: it would not continue the same run`);
  const step = Number(meta.step);
  const optimizerStep = Number(meta.optimizer_step);
  if (!Number.isInteger(step) || step < 0 || !Number.isInteger(optimizerStep) || optimizerStep < 0) return bad(`the checkpoint's step ${JSON.stringify(meta.step ?? null)} is not a whole number`);
  let rng: { data?: unknown; state?: unknown };
  try {
    rng = JSON.parse(meta.rng ?? '') as typeof rng;
  } catch {
    return bad('the checkpoint has no readable random-generator state (metadata "rng")');
  }
  if (!isRngState(rng.data) || !isRngState(rng.state)) return bad('the checkpoint has no readable random-generator state (metadata "rng")');

  const specs = trainer.model.weightSpecs;
  const weightFile = new Map([...file.value.tensors].filter(([name]) => !name.startsWith(SLOT_PREFIX)));
  const weights = matchWeights(new Map(specs.map((w) => [w.key, { key: w.key, shape: w.shape }])), weightFile);
  if (!weights.ok) return weights;
  const slots: Record<string, Float32Array[]> = {};
  const slotNames = trainer.optimizerSlots;
  for (const slot of slotNames) {
    const arrays: Float32Array[] = [];
    for (const w of specs) {
      const t = file.value.tensors.get(`${SLOT_PREFIX}${slot}.${w.key}`);
      if (t === undefined || t.data.length !== w.shape.reduce((a, b) => a * b, 1)) return bad(`the checkpoint lacks optimiser slot ${slot} for weight ${w.key} (or has it in another shape)`);
      arrays.push(t.data);
    }
    slots[slot] = arrays;
  }
  const extra = [...file.value.tensors.keys()].filter((n) => n.startsWith(SLOT_PREFIX) && !slotNames.some((s) => n.startsWith(`${SLOT_PREFIX}${s}.`)));
  if (extra.length > 0) return bad(`the checkpoint has optimiser slots this run's ${trainer.config.optimizer} does not use: ${extra.slice(0, 3).join(', ')}`);
  return { ok: true, value: { step, dataRng: rng.data, stateRng: rng.state, optimizer: { step: optimizerStep, slots }, weights: weights.value } };
}
