/**
 * `unroll export-data`: a task's data in files a PyTorch script reads. One safetensors file per
 * part (`train`, then each evaluation split), float32 (token ids are whole numbers, exact below
 * 2²⁴), tensors named `batch<k>.<source node id>` (`[B, T, …]` or `[B, …]`, padded with 0) and
 * `batch<k>.lengths` (`[B]`, each example's real length; absent for tasks without sequences). The
 * header's metadata says `format: unroll-task-data`, `version: 1`, `batches` and `task`.
 */
import { unrollError, type Result } from '../errors/catalogue.ts';
import { bindTask } from '../tasks/bind.ts';
import type { Batch, Task } from '../tasks/types.ts';
import { Rng } from '../train/prng.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import { writeSafetensors, type NamedTensor } from '../weights/safetensors.ts';

export interface TaskDataOptions {
  /** Training batches to draw. */
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
}

/** One file's bytes by part name: `train` and every evaluation split of the task. */
export function taskDataFiles(a: GraphAnalysis, task: Task, o: TaskDataOptions): Result<Map<string, Uint8Array>> {
  const bound = bindTask(task, a);
  if (!bound.ok) return bound;
  const decoder = a.doc.nodes.find((n) => n.type === 'input' && !bound.value.streams.some((s) => s.node === n.id));
  if (decoder !== undefined) {
    return { ok: false, errors: [unrollError('E441', `input ${decoder.id} is a decoder input (fed back while generating), which no task stream fills yet; its data cannot be exported`, { nodes: [decoder.id] })] };
  }
  const files = new Map<string, Uint8Array>();
  const toTensors = (b: Batch, k: number): NamedTensor[] => {
    const out: NamedTensor[] = bound.value.streams.map(({ stream, node }) => {
      const elem = stream.kind === 'vector' ? [stream.size!] : [];
      return { name: `batch${k}.${node}`, shape: [b.size, ...(stream.sequence ? [b.length] : []), ...elem], data: b.data[stream.name]! };
    });
    if (b.length > 0) out.push({ name: `batch${k}.lengths`, shape: [b.size], data: Float32Array.from(b.lengths) });
    return out;
  };
  const meta = (batches: number): Record<string, string> => ({ format: 'unroll-task-data', version: '1', batches: String(batches), task: task.name });
  const rng = new Rng(o.seed).fork('export-data');
  const train: NamedTensor[] = [];
  for (let k = 0; k < o.steps; k++) train.push(...toTensors(task.trainBatch(rng, o.batch), k));
  files.set('train', writeSafetensors(train, meta(o.steps)));
  for (const split of task.evalSplits) {
    const tensors: NamedTensor[] = [];
    let k = 0;
    for (let b = task.evalBatch(split.name, 0, o.batch); b !== undefined; b = task.evalBatch(split.name, ++k, o.batch)) tensors.push(...toTensors(b, k));
    files.set(split.name, writeSafetensors(tensors, meta(k)));
  }
  return { ok: true, value: files };
}
