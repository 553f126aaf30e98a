/**
 * The CSV reader of the dataset task: one sequence per id, its rows in time order, features
 * normalised with the training split's mean and standard deviation, a target per sequence or per
 * step (classes or numbers). Sequences of different lengths are padded with zeros; `Batch.lengths`
 * says where each ends. The train/test split is by sequence, shuffled by the task's own seed.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { argmax, assertBatchSize, batchRange } from '../tasks/batch.ts';
import { taskRng } from '../tasks/task-rng.ts';
import type { Batch, Metric, StreamSpec, Task, TaskParams } from '../tasks/types.ts';
import { inferColumns, parseNumber, type ColumnInfo } from './columns.ts';
import { MAX_LISTED_ERRORS, type CsvTable } from './csv-parse.ts';
import { formatMapping, MAX_CLASSES, resolveMapping, type ColumnMapping, type ResolvedMapping } from './mapping.ts';

export interface CsvOptions {
  readonly mapping: ColumnMapping;
  /** Fraction of the sequences held out for the test split (at least one, at most all but one). */
  readonly testFraction: number;
  /** Seed of the split (not the training seed). */
  readonly seed: number;
  /** Scale each feature to mean 0, standard deviation 1 on the training split. */
  readonly normalize: boolean;
}

/** One sequence read from the file, before normalisation. */
export interface CsvSequence {
  readonly id: string;
  /** Line of its first row in the file. */
  readonly line: number;
  readonly length: number;
  /** `[T, F]` feature values as read. */
  readonly features: Float32Array;
  /** `[T]` per step or `[1]` per sequence: class ids or numbers. */
  readonly target: Float32Array;
}

export interface CsvSummary {
  readonly reader: 'csv';
  readonly rows: number;
  readonly columns: readonly ColumnInfo[];
  readonly mapping: ResolvedMapping;
  readonly sequences: number;
  readonly trainSequences: number;
  readonly testSequences: number;
  /** Shortest and longest sequence, in steps. */
  readonly lengths: readonly [number, number];
  /** Class names (index = class id), for a target of classes. */
  readonly classes?: readonly string[];
  /** Per feature, from the training split (0 and 1 when normalisation is off). */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** The task's streams: what the graph's input and target nodes must carry. */
  readonly streams: readonly StreamSpec[];
}

/** E485 errors for values that are not numbers, in line order: the first few in full, then a count with lines. */
class ValueErrors {
  private readonly found: { line: number; message: string }[] = [];
  private total = 0;
  constructor(private readonly file: string) {}
  add(line: number, column: string, raw: string, why = 'is not a number', empty = 'empty, but a number is needed'): void {
    this.total++;
    // Enough kept to list the first ones by line, whatever order the sequences are read in.
    if (this.found.length >= 100_000) return;
    const what = raw.trim() === '' ? empty : `${JSON.stringify(raw.trim().slice(0, 40))} ${why}`;
    this.found.push({ line, message: `${this.file} line ${line}, column ${JSON.stringify(column)}: ${what}` });
  }
  get errors(): UnrollError[] {
    const sorted = [...this.found].sort((a, b) => a.line - b.line);
    const listed = sorted.slice(0, MAX_LISTED_ERRORS).map((f) => unrollError('E485', f.message));
    const more = this.total - listed.length;
    if (more === 0) return listed;
    const lines = sorted.slice(MAX_LISTED_ERRORS, MAX_LISTED_ERRORS + 20).map((f) => f.line);
    return [...listed, unrollError('E485', `${this.file}: ${more} more values are not numbers, on lines ${lines.join(', ')}${more > lines.length ? ', …' : ''}`)];
  }
}

/** Class names of a target column: its distinct non-empty values, numbers in numeric order, else in code-point order. */
function classNames(table: CsvTable, col: number): string[] {
  const set = new Set<string>();
  for (const row of table.rows) {
    const v = row[col]!.trim();
    if (v !== '') set.add(v);
  }
  const values = [...set];
  if (values.every((v) => parseNumber(v) !== undefined)) return values.sort((a, b) => parseNumber(a)! - parseNumber(b)! || (a < b ? -1 : a > b ? 1 : 0));
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Group a table's rows into sequences by the mapping. E485 for a feature, a numeric target or a
 * numeric time that is not a number (line, column, value); E486 for a target that changes within a
 * sequence when it is per sequence, or too many classes.
 */
export function readSequences(file: string, table: CsvTable, columns: readonly ColumnInfo[], m: ResolvedMapping): Result<{ sequences: CsvSequence[]; classes?: string[] }> {
  const col = (name: string): number => table.columns.indexOf(name);
  const idCol = col(m.id);
  const targetCol = col(m.target);
  const timeCol = m.time !== null ? col(m.time) : -1;
  const featureCols = m.features.map(col);
  const F = featureCols.length;
  const bad = new ValueErrors(file);
  const classes = m.kind === 'class' ? classNames(table, targetCol) : undefined;
  if (classes !== undefined && classes.length > MAX_CLASSES) {
    return { ok: false, errors: [unrollError('E486', `${file}: target ${JSON.stringify(m.target)} has ${classes.length} different values, more than the ${MAX_CLASSES} classes Unroll takes; if they are numbers to predict, map it with kind=number`)] };
  }
  if (classes !== undefined && classes.length < 2) {
    return { ok: false, errors: [unrollError('E487', `${file}: target ${JSON.stringify(m.target)} has ${classes.length === 0 ? 'no values' : `one class only (${JSON.stringify(classes[0])})`}; a classifier needs two at least`)] };
  }
  const classOf = new Map(classes?.map((c, i) => [c, i]));
  const timeNumeric = timeCol >= 0 && columns[timeCol]!.numeric;

  // Rows of each sequence, in order of first appearance.
  const groups = new Map<string, number[]>();
  table.rows.forEach((row, r) => {
    const key = row[idCol]!.trim();
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(r);
  });
  const sequences: CsvSequence[] = [];
  const errors: UnrollError[] = [];
  for (const [id, rows] of groups) {
    if (timeCol >= 0) {
      const key = rows.map((r) => {
        const raw = table.rows[r]![timeCol]!;
        if (!timeNumeric) return raw.trim();
        const v = parseNumber(raw);
        if (v === undefined) bad.add(table.lines[r]!, m.time!, raw);
        return v ?? 0;
      });
      const order = rows.map((_, i) => i).sort((a, b) => (key[a]! < key[b]! ? -1 : key[a]! > key[b]! ? 1 : a - b));
      const sorted = order.map((i) => rows[i]!);
      rows.splice(0, rows.length, ...sorted);
    }
    const T = rows.length;
    const features = new Float32Array(T * F);
    rows.forEach((r, t) => {
      const row = table.rows[r]!;
      featureCols.forEach((c, f) => {
        const v = parseNumber(row[c]!);
        if (v === undefined) bad.add(table.lines[r]!, m.features[f]!, row[c]!);
        else features[t * F + f] = v;
      });
    });
    const readTarget = (r: number): number | undefined => {
      const raw = table.rows[r]![targetCol]!;
      if (classes !== undefined) {
        const k = classOf.get(raw.trim());
        if (k === undefined) bad.add(table.lines[r]!, m.target, raw, 'is not a label', 'empty, but every row needs a label');
        return k;
      }
      const v = parseNumber(raw);
      if (v === undefined) bad.add(table.lines[r]!, m.target, raw);
      return v;
    };
    let target: Float32Array;
    if (m.per === 'step') {
      target = new Float32Array(T);
      rows.forEach((r, t) => (target[t] = readTarget(r) ?? 0));
    } else {
      // One value per sequence: empty cells are skipped; the others must agree.
      const filled = rows.filter((r) => table.rows[r]![targetCol]!.trim() !== '');
      if (filled.length === 0) {
        bad.add(table.lines[rows[0]!]!, m.target, '', '', `empty on every row of sequence ${JSON.stringify(id)}, which needs a ${m.kind === 'class' ? 'label' : 'value'}`);
        target = new Float32Array(1);
      } else {
        const first = filled[0]!;
        const firstRaw = table.rows[first]![targetCol]!.trim();
        const other = filled.find((r) => table.rows[r]![targetCol]!.trim() !== firstRaw && (classes !== undefined || parseNumber(table.rows[r]![targetCol]!) !== parseNumber(firstRaw)));
        if (other !== undefined && errors.length < MAX_LISTED_ERRORS) {
          errors.push(
            unrollError(
              'E486',
              `${file}: the target ${JSON.stringify(m.target)} of sequence ${JSON.stringify(id)} changes within it (line ${table.lines[first]}: ${JSON.stringify(firstRaw)}, line ${table.lines[other]}: ${JSON.stringify(table.rows[other]![targetCol]!.trim())}); ` +
                'a target per sequence is one value on every row: map it with per=step for one target per row',
            ),
          );
        }
        target = Float32Array.of(readTarget(first) ?? 0);
      }
    }
    sequences.push({ id, line: table.lines[rows[0]!]!, length: T, features, target });
  }
  const all = [...bad.errors, ...errors];
  if (all.length > 0) return { ok: false, errors: all };
  return { ok: true, value: classes !== undefined ? { sequences, classes } : { sequences } };
}

/**
 * Indices of the test sequences and of the training ones, each in file order: a shuffle from the
 * task seed picks `max(1, round(n · fraction))` for test (at most n − 1).
 */
export function splitSequences(n: number, fraction: number, seed: number): { train: number[]; test: number[] } {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = taskRng(seed, 'dataset', 'split');
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const testCount = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const test = order.slice(0, testCount).sort((a, b) => a - b);
  const train = order.slice(testCount).sort((a, b) => a - b);
  return { train, test };
}

/** Mean and standard deviation of each feature over every step of `sequences` (std 1 where it is 0). */
export function featureStats(sequences: readonly CsvSequence[], F: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  let n = 0;
  for (const s of sequences) {
    for (let t = 0; t < s.length; t++) {
      for (let f = 0; f < F; f++) sum[f]! += s.features[t * F + f]!;
      n++;
    }
  }
  const mean = Array.from(sum, (x) => x / n);
  for (const s of sequences) for (let t = 0; t < s.length; t++) for (let f = 0; f < F; f++) sq[f]! += (s.features[t * F + f]! - mean[f]!) ** 2;
  const std = Array.from(sq, (x) => {
    const sd = Math.sqrt(x / n);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

/** The metric: accuracy of the argmax for classes, squared error for numbers; per step over real steps only. */
function csvMetric(m: ResolvedMapping, K: number): Metric {
  const y = m.output;
  if (m.kind === 'class') {
    return {
      name: 'accuracy',
      better: 'higher',
      doc: m.per === 'sequence' ? `fraction of sequences whose largest logit is their ${m.target}` : `fraction of steps whose largest logit is their ${m.target}, over real steps`,
      score(batch, pred) {
        const target = batch.data[y]!;
        let right = 0;
        let count = 0;
        for (let b = 0; b < batch.size; b++) {
          if (m.per === 'sequence') {
            if (argmax(pred, b * K, K) === target[b]) right++;
            count++;
          } else {
            for (let t = 0; t < batch.lengths[b]!; t++) {
              const at = b * batch.length + t;
              if (argmax(pred, at * K, K) === target[at]) right++;
              count++;
            }
          }
        }
        return { total: right, count };
      },
    };
  }
  return {
    name: 'mse',
    better: 'lower',
    doc: m.per === 'sequence' ? `mean squared error of the predicted ${m.target}` : `mean squared error of the predicted ${m.target}, over real steps`,
    score(batch, pred) {
      const target = batch.data[y]!;
      let total = 0;
      let count = 0;
      for (let b = 0; b < batch.size; b++) {
        if (m.per === 'sequence') {
          total += (pred[b]! - target[b]!) ** 2;
          count++;
        } else {
          for (let t = 0; t < batch.lengths[b]!; t++) {
            const at = b * batch.length + t;
            total += (pred[at]! - target[at]!) ** 2;
            count++;
          }
        }
      }
      return { total, count };
    },
  };
}

/** What a model that learned nothing reaches on the test split: the training split's class frequencies, or its mean. */
function csvBaseline(m: ResolvedMapping, train: readonly CsvSequence[], test: readonly CsvSequence[], K: number): { value: number; doc: string } {
  const values = (set: readonly CsvSequence[]): number[] => set.flatMap((s) => Array.from(s.target));
  const trainValues = values(train);
  const testValues = values(test);
  if (m.kind === 'class') {
    const counts = new Float64Array(K).fill(1);
    for (const v of trainValues) counts[v]!++;
    const total = counts.reduce((a, c) => a + c, 0);
    const nats = testValues.reduce((a, v) => a - Math.log(counts[v]! / total), 0) / testValues.length;
    const majority = counts.indexOf(Math.max(...counts));
    const acc = testValues.filter((v) => v === majority).length / testValues.length;
    return { value: nats, doc: `cross-entropy of the training split's class frequencies on the test split: ${nats.toFixed(3)} nats; always the most frequent class scores accuracy ${acc.toFixed(3)}` };
  }
  const mean = trainValues.reduce((a, v) => a + v, 0) / trainValues.length;
  const mse = testValues.reduce((a, v) => a + (v - mean) ** 2, 0) / testValues.length;
  return { value: mse, doc: `MSE of always predicting the training split's mean ${m.target} (${mean.toPrecision(4)}): ${mse.toPrecision(4)}` };
}

/**
 * Build the task from a parsed table. Errors: those of `resolveMapping` and `readSequences`, and
 * E487 for fewer than two sequences (one for training, one for the test split).
 */
export function createCsvTask(file: string, table: CsvTable, o: CsvOptions, params: TaskParams, columns: readonly ColumnInfo[] = inferColumns(table)): Result<{ task: Task; summary: CsvSummary }> {
  const mapped = resolveMapping(file, table, columns, o.mapping);
  if (!mapped.ok) return mapped;
  const m = mapped.value;
  const read = readSequences(file, table, columns, m);
  if (!read.ok) return read;
  const { sequences, classes } = read.value;
  if (sequences.length < 2) {
    return { ok: false, errors: [unrollError('E487', `${file} holds ${sequences.length} sequence (id column ${JSON.stringify(m.id)}); training and testing need two at least: is id the right column?`)] };
  }
  const F = m.features.length;
  const K = classes?.length ?? 1;
  const split = splitSequences(sequences.length, o.testFraction, o.seed);
  const { mean, std } = o.normalize ? featureStats(split.train.map((i) => sequences[i]!), F) : { mean: new Array<number>(F).fill(0), std: new Array<number>(F).fill(1) };
  // Normalised copies, so the sequences as read stay available for the baseline and the summary.
  const ready = sequences.map((s) => {
    const x = new Float32Array(s.features.length);
    for (let t = 0; t < s.length; t++) for (let f = 0; f < F; f++) x[t * F + f] = (s.features[t * F + f]! - mean[f]!) / std[f]!;
    return { ...s, features: x };
  });
  const train = split.train.map((i) => ready[i]!);
  const test = split.test.map((i) => ready[i]!);
  const range = (set: readonly CsvSequence[]): [number, number] => set.reduce<[number, number]>(([lo, hi], s) => [Math.min(lo, s.length), Math.max(hi, s.length)], [Infinity, 0]);
  const perStep = m.per === 'step';

  const batchOf = (set: readonly CsvSequence[]): Batch => {
    const size = set.length;
    const T = set.reduce((a, s) => Math.max(a, s.length), 0);
    const x = new Float32Array(size * T * F);
    const y = new Float32Array(perStep ? size * T : size);
    const lengths = new Int32Array(size);
    set.forEach((s, b) => {
      x.set(s.features, b * T * F);
      if (perStep) y.set(s.target, b * T);
      else y[b] = s.target[0]!;
      lengths[b] = s.length;
    });
    return { size, length: T, lengths, data: { [m.input]: x, [m.output]: y } };
  };

  const target: StreamSpec =
    m.kind === 'class'
      ? { name: m.output, role: 'target', kind: 'tokens', vocab: K, sequence: perStep, tokens: classes! }
      : { name: m.output, role: 'target', kind: 'vector', size: 1, sequence: perStep };
  const streams: StreamSpec[] = [{ name: m.input, role: 'input', kind: 'vector', size: F, sequence: true }, target];
  let baseline: { value: number; doc: string } | undefined;
  const task: Task = {
    name: 'dataset',
    // The mapping in full, inferred parts included, so a run says exactly how it read the file.
    params: { ...params, map: formatMapping(m) },
    streams,
    trainLengths: range(train),
    evalSplits: [
      { name: 'test', count: test.length, lengths: range(test), doc: `${test.length} of the ${sequences.length} sequences of ${file}, drawn by the task seed ${o.seed}; none is trained on` },
    ],
    trainBatch(rng, size) {
      assertBatchSize(size);
      return batchOf(Array.from({ length: size }, () => train[rng.int(train.length)]!));
    },
    evalBatch(split, index, size) {
      const r = split === 'test' ? batchRange(test.length, index, size) : undefined;
      return r && batchOf(test.slice(r.start, r.end));
    },
    metric: csvMetric(m, K),
    get baseline() {
      baseline ??= csvBaseline(m, train, test, K);
      return baseline;
    },
    describe(batch, b) {
      const T = batch.length;
      const n = batch.lengths[b]!;
      const x = batch.data[m.input]!;
      const steps: string[] = [];
      for (let t = 0; t < Math.min(n, 4); t++) steps.push(`(${Array.from(x.subarray((b * T + t) * F, (b * T + t + 1) * F), (v) => v.toFixed(2)).join(', ')})`);
      const name = (v: number): string => (classes !== undefined ? (classes[v] ?? `#${v}`) : v.toPrecision(4));
      const y = batch.data[m.output]!;
      const targetText = perStep ? Array.from(y.subarray(b * T, b * T + Math.min(n, 8)), name).join(' ') + (n > 8 ? ' …' : '') : name(y[b]!);
      return { input: `${n} steps: ${steps.join(' ')}${n > 4 ? ' …' : ''}`, target: targetText };
    },
  };
  const summary: CsvSummary = {
    reader: 'csv',
    rows: table.rows.length,
    columns,
    mapping: m,
    sequences: sequences.length,
    trainSequences: train.length,
    testSequences: test.length,
    lengths: range(sequences),
    ...(classes !== undefined ? { classes } : {}),
    mean,
    std,
    streams,
  };
  return { ok: true, value: { task, summary } };
}
