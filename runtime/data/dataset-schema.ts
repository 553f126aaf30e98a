/**
 * What the editor's page needs of the dataset task without its readers (which the preview and
 * training workers run): the task's name and params, the reader a file name implies, the params
 * of the nodes a stream feeds, and the streams in words. `dataset.ts` re-exports all of it; the
 * page imports this file so that it does not bundle the text reader's neighbours (charlm's text).
 */
import type { ParamSchema } from '../../blocks/types.ts';
import type { ParamValueJson } from '../graph/types.ts';
import type { StreamSpec } from '../tasks/types.ts';
import type { CsvSummary } from './csv-task.ts';
import type { TextSummary } from './text-task.ts';

export type DatasetSummary = CsvSummary | TextSummary;

/** The task name a graph's task section uses for a file of the user's. */
export const DATASET_TASK = 'dataset';

/** The dataset task's params, besides `map` (a string in the `--map` syntax). */
export const DATASET_PARAMS: ParamSchema = {
  reader: { kind: 'enum', doc: 'how to read the file: by its extension (.csv/.tsv: csv; .txt/.text/.md: text), or csv, or text', values: ['auto', 'csv', 'text'], default: 'auto' },
  unit: { kind: 'enum', doc: 'text: tokens are characters or whitespace-separated words', values: ['char', 'word'], default: 'char' },
  length: { kind: 'int', doc: 'text: tokens per example (steps of backprop through time)', default: 100, min: 2, max: 10_000 },
  vocab_size: { kind: 'int', doc: 'text: most token ids, padding (0) and the unknown token (1) included; the rarest tokens of the training part become unknown', default: 1000, min: 3, max: 65_536 },
  test_fraction: { kind: 'number', doc: 'held out for evaluation: text, the last part by position (default 0.1); csv, whole sequences (default 0.2)', default: 0.1, min: 0.01, max: 0.5 },
  seed: { kind: 'int', doc: 'csv: seed of the train/test split of the sequences (not the training seed)', default: 1, min: 0, max: 4_294_967_295 },
  delimiter: { kind: 'enum', doc: 'csv: the field separator, or auto (the most frequent of comma, semicolon and tab in the header)', values: ['auto', 'comma', 'semicolon', 'tab'], default: 'auto' },
  normalize: { kind: 'bool', doc: 'csv: scale each feature to mean 0, standard deviation 1 with the training split’s statistics', default: true },
};

/** The reader a file name implies: `.csv`/`.tsv` csv, `.txt`/`.text`/`.md` text, else undefined. */
export function readerOfName(name: string): 'csv' | 'text' | undefined {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext === 'csv' || ext === 'tsv' ? 'csv' : ext === 'txt' || ext === 'text' || ext === 'md' ? 'text' : undefined;
}

/**
 * The params an `input` or `target` node needs to carry a stream: what the editor writes into the
 * nodes the data feeds (so their sizes follow the file), and what the CLI's messages suggest.
 */
export function sourceParamsFor(stream: StreamSpec): Record<string, ParamValueJson> {
  const out: Record<string, ParamValueJson> = { kind: stream.kind };
  if (stream.kind !== 'vector') out.vocab = stream.vocab!;
  if (stream.kind !== 'tokens') out.size = stream.size!;
  if (!stream.sequence) out.sequence = false;
  return out;
}

/** One stream of a dataset in words: `2 features (f1, f2), a sequence`, `2 classes of label (vocab 2), one per sequence`. */
export function describeDataStream(summary: DatasetSummary, s: StreamSpec): string {
  if (summary.reader === 'text') return `${summary.unit === 'char' ? 'characters' : 'words'} (vocab ${s.vocab}), a sequence`;
  if (s.role === 'input') return `${s.size} feature${s.size === 1 ? '' : 's'} (${summary.mapping.features.join(', ')}), a sequence`;
  const what = s.kind === 'tokens' ? `${s.vocab} classes of ${summary.mapping.target} (vocab ${s.vocab})` : `the number ${summary.mapping.target} (size 1)`;
  return `${what}, ${s.sequence ? 'one per step' : 'one per sequence'}`;
}

/** A dataset's streams in words, for messages: `x: 2 features (f1, f2), a sequence; y: 2 classes of label (vocab 2), one per sequence`. */
export function describeDataStreams(summary: DatasetSummary): string {
  return summary.streams.map((s) => `${s.name}: ${describeDataStream(summary, s)}`).join('; ');
}
