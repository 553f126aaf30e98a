/**
 * What the export checks share (the unit tests and scripts/check-pytorch-export.ts): an example
 * graph with seeded weights, random inputs for given lengths, Unroll's outputs for them, and the
 * files a Python run of the exported model reads.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGraph } from '../graph/parse.ts';
import { analyzeGraph } from '../validate/validate.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { GraphDoc } from '../graph/types.ts';
import { Model } from '../train/model.ts';
import { Rng } from '../train/prng.ts';
import { weightBytes } from '../train/model-weights.ts';
import { exportOutputs, type ExportOutput } from './outputs.ts';
import { randomInputs, referenceOutputs, type OutputTensor, type SourceTensor } from './reference.ts';

/** The examples the acceptance names, with the lengths they are checked at. */
export const CHECKED_EXAMPLES = ['elman-rnn', 'gru', 'lstm', 'seq2seq-attention', 'memory-network', 'bilstm', 'seq2seq', 'bilinear-rnn', 'gru-from-primitives'] as const;

export interface ExportCase {
  readonly name: string;
  readonly analysis: GraphAnalysis;
  readonly model: Model;
  readonly lengths: Record<string, number>;
  readonly inputs: Map<string, SourceTensor>;
  readonly outputs: readonly ExportOutput[];
  readonly expected: Map<string, OutputTensor>;
  readonly losses: Map<string, Float32Array>;
}

/** Example `name` from examples/, weights from seed `seed`, every axis a different length (5, 4, …). */
export function exportCase(root: string, name: string, batch = 3, seed = 7): ExportCase {
  const parsed = parseGraph(readFileSync(join(root, 'examples', `${name}.json`)));
  if (!parsed.ok) throw new Error(`${name}: ${parsed.errors[0]?.message}`);
  return exportCaseOf(name, parsed.value, batch, seed);
}

/** The same for a graph document. */
export function exportCaseOf(name: string, doc: GraphDoc, batch = 3, seed = 7): ExportCase {
  const analysis = analyzeGraph(doc, { purpose: 'inference' });
  if (!analysis.ok) throw new Error(`${name}: ${analysis.errors[0]?.message}`);
  const model = new Model(analysis, { dtype: 'float32' });
  model.initialise(new Rng(seed));
  const lengths = Object.fromEntries(analysis.axes.map((ax, i) => [ax, 5 - (i % 3)]));
  const inputs = randomInputs(analysis, lengths, batch, seed + 1);
  const outputs = exportOutputs(analysis);
  const ref = referenceOutputs(model, inputs, lengths, outputs);
  if (!ref.ok) throw new Error(`${name}: ${ref.errors[0]?.message}`);
  return { name, analysis, model, lengths, inputs, outputs, expected: ref.value.outputs, losses: ref.value.losses };
}

/** `weights.safetensors` and `inputs.json` of a case in `dir`, for run_export.py. */
export async function writeCaseFiles(c: ExportCase, dir: string): Promise<{ weights: string; inputs: string }> {
  const weights = join(dir, 'weights.safetensors');
  const inputs = join(dir, 'inputs.json');
  await writeFile(weights, weightBytes(c.model));
  const json = Object.fromEntries([...c.inputs].map(([id, s]) => [id, { dtype: s.dtype, shape: s.shape, data: Array.from(s.data) }]));
  await writeFile(inputs, JSON.stringify({ inputs: json }));
  return { weights, inputs };
}

/** The output of run_export.py. */
export interface PythonRun {
  readonly state_dict_keys: string[];
  readonly outputs: Record<string, { shape: number[]; data: number[] }>;
  readonly losses?: Record<string, { shape: number[]; data: number[] }>;
}
