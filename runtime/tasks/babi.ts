/**
 * `babi`: bAbI tasks 1–3 (Weston et al. 2015) for memory networks. Each example is one question:
 * the story's statements before it (the memory: a sequence of sentences, each a bag of word ids),
 * the question (a bag of word ids) and the answer (one word, a location).
 *
 * Against the released 1k data (en, tasks 1–3), this generator keeps: the world (six locations,
 * four actors, three objects), the actions and their validity (no move to where one is; get only an
 * object lying where one is, so never one someone holds; drop only what one holds), resampling of
 * invalid actions, the reader's knowledge (only stated facts; a drop by an actor whose place was
 * never stated leaves the object's place unknown), the story shapes (task 1: "move, move, question"
 * five times, 15 lines; tasks 2–3: random actions, a question with probability ½ once more than two
 * lines passed since the last, five questions per story), the question forms, the answers and
 * supporting facts, the verbs (went / journeyed / travelled / moved / went back to; got / grabbed /
 * picked up / took; discarded / dropped / put down / left; optional "there"), 1,000 questions per
 * split. It differs in: start places are random (the Lua world file fixes them; the released data
 * does not follow them); task 2 also asks about dropped objects whose place is known (the released
 * data does; the Lua code asks only about carried ones); each wording is drawn uniformly (the
 * released proportions are not documented); text is lower-case without punctuation, as MemN2N reads
 * it; questions of task 3 can be about an object that returned to a place ("before the kitchen"
 * then means the last time), as in the generator; train and test stories are drawn independently,
 * so a short story can occur in both, as in the released data. Not the released files themselves.
 */
import { babiSchema } from './babi-schema.ts';
import { BABI_ACTORS, BABI_DROP_VERBS, BABI_GET_VERBS, BABI_LOCATIONS, BABI_MOVE_VERBS, BABI_OBJECTS, makeBabiSet, type BabiExample } from './babi-world.ts';
import { argmax, assertBatchSize, batchRange } from './batch.ts';
import { taskRng } from './task-rng.ts';
import type { Batch, EvalSplit, Metric, RandomSource, Task, TaskDef, TaskParams } from './types.ts';

/** Ids per bag: the longest sentence or question has 7 words; a story sentence's time word takes the last slot. */
export const BABI_WORDS = 7;

/** Every word of tasks 1–3, lower-case, after `<pad>` (id 0, the empty slot of a bag). */
export const BABI_VOCAB: readonly string[] = [
  '<pad>',
  ...BABI_ACTORS.map((a) => a.toLowerCase()),
  ...BABI_LOCATIONS,
  ...BABI_OBJECTS,
  ...new Set([...BABI_MOVE_VERBS, ...BABI_GET_VERBS, ...BABI_DROP_VERBS].flatMap((v) => v.split(' '))),
  ...['to', 'the', 'there', 'where', 'is', 'was', 'before'],
];

/** Tokens of a task: the words, then with time words `t1` (the most recent sentence) … `t<memory>`. */
export function babiTokens(memory: number, timeWords: boolean): string[] {
  return [...BABI_VOCAB, ...(timeWords ? Array.from({ length: memory }, (_, i) => `t${i + 1}`) : [])];
}

const wordId = new Map(BABI_VOCAB.map((w, i) => [w, i]));
const idOf = (w: string): number => {
  const id = wordId.get(w.toLowerCase());
  if (id === undefined) throw new Error(`babi: word "${w}" is not in the vocabulary`);
  return id;
};

export interface BabiLayout {
  /** Statements kept: the most recent ones (MemN2N's memory size). */
  readonly memory: number;
  readonly timeWords: boolean;
}

/** The memory of an example: its statements with blank ones (undefined) inserted at `blanks`, the last `memory` of them. */
function memoryOf(e: BabiExample, layout: BabiLayout, blanks: readonly number[] = []): (readonly string[] | undefined)[] {
  const slots: (readonly string[] | undefined)[] = [...e.story];
  // Insert from the last index down so earlier indices stay valid.
  for (const at of [...blanks].sort((a, b) => b - a)) slots.splice(at, 0, undefined);
  return slots.slice(-layout.memory);
}

/**
 * `story` `[B, T, 7]` (T = the most sentences in the batch; sentence words from slot 0, the time
 * word in slot 6), `question` `[B, 7]`, `answer` `[B]`; `lengths` the sentences of each story.
 * `blanks[b]` inserts empty memories (MemN2N's random noise) into example b.
 */
export function babiBatch(examples: readonly BabiExample[], layout: BabiLayout, blanks?: readonly (readonly number[])[]): Batch {
  const size = examples.length;
  const memories = examples.map((e, b) => memoryOf(e, layout, blanks?.[b]));
  const length = memories.reduce((m, s) => Math.max(m, s.length), 0);
  const W = BABI_WORDS;
  const story = new Float32Array(size * length * W);
  const question = new Float32Array(size * W);
  const answer = new Float32Array(size);
  const lengths = new Int32Array(size);
  const timeBase = BABI_VOCAB.length;
  examples.forEach((e, b) => {
    const mem = memories[b]!;
    mem.forEach((sentence, i) => {
      const at = (b * length + i) * W;
      sentence?.forEach((w, j) => (story[at + j] = idOf(w)));
      // t1 is the most recent sentence: the same word marks "just before the question" in every story.
      if (layout.timeWords) story[at + W - 1] = timeBase + (mem.length - 1 - i);
    });
    e.question.forEach((w, j) => (question[b * W + j] = idOf(w)));
    answer[b] = idOf(e.answer);
    lengths[b] = mem.length;
  });
  return { size, length, lengths, data: { story, question, answer } };
}

/** `accuracy`: argmax of the answer logits `[B, V]` against the answer word. */
export function babiAccuracy(vocab: number): Metric {
  return {
    name: 'accuracy',
    better: 'higher',
    doc: 'fraction of questions whose largest logit is the answer word',
    score(batch, pred) {
      const y = batch.data.answer!;
      let right = 0;
      for (let b = 0; b < batch.size; b++) if (argmax(pred, b * vocab, vocab) === y[b]) right++;
      return { total: right, count: batch.size };
    },
  };
}

/** Random-noise blanks for one training example: ⌈noise·n⌉ empty memories at random places among its n statements. */
function drawBlanks(rng: RandomSource, e: BabiExample, noise: number): number[] {
  const n = e.story.length;
  return Array.from({ length: Math.ceil(noise * n) }, () => rng.int(n + 1));
}

function createBabi(params: TaskParams): Task {
  const task = Number(params.task) as 1 | 2 | 3;
  const seed = Number(params.seed);
  const layout: BabiLayout = { memory: Number(params.memory), timeWords: params.time_words === true };
  const noise = Number(params.noise);
  const tokens = babiTokens(layout.memory, layout.timeWords);
  let sets: { train: BabiExample[]; test: BabiExample[] } | undefined;
  const data = () =>
    (sets ??= {
      train: makeBabiSet(taskRng(seed, 'babi', task, 'train'), task, Number(params.train_size)),
      test: makeBabiSet(taskRng(seed, 'babi', task, 'test'), task, Number(params.test_size)),
    });
  const range = (set: readonly BabiExample[], extra: number): readonly [number, number] => {
    const ns = set.map((e) => Math.min(layout.memory, e.story.length + Math.ceil(extra * e.story.length)));
    return [Math.min(...ns), Math.max(...ns)];
  };
  const questionWord = ['is', 'is', 'was'][task - 1];
  return {
    name: 'babi',
    params,
    streams: [
      { name: 'story', role: 'input', kind: 'bag', vocab: tokens.length, size: BABI_WORDS, sequence: true, tokens },
      { name: 'question', role: 'input', kind: 'bag', vocab: tokens.length, size: BABI_WORDS, sequence: false, tokens },
      { name: 'answer', role: 'target', kind: 'tokens', vocab: tokens.length, sequence: false, tokens },
    ],
    // Getters: the ranges are known once the sets exist.
    get trainLengths() {
      return range(data().train, noise);
    },
    get evalSplits(): readonly EvalSplit[] {
      return [{ name: 'test', count: data().test.length, lengths: range(data().test, 0), doc: `${data().test.length} questions "where ${questionWord} …" of task ${task} (task seed ${seed})` }];
    },
    trainBatch(rng, size) {
      assertBatchSize(size);
      const train = data().train;
      const examples = Array.from({ length: size }, () => train[rng.int(train.length)]!);
      const blanks = noise > 0 ? examples.map((e) => drawBlanks(rng, e, noise)) : undefined;
      return babiBatch(examples, layout, blanks);
    },
    evalBatch(split, index, size) {
      const set = split === 'test' ? data().test : undefined;
      const r = set && batchRange(set.length, index, size);
      return r && babiBatch(set.slice(r.start, r.end), layout);
    },
    metric: babiAccuracy(tokens.length),
    describe(batch, b) {
      const W = BABI_WORDS;
      const words = (row: Float32Array) => Array.from(row, (id) => tokens[id]!).filter((w) => w !== '<pad>' && !/^t\d+$/.test(w)).join(' ');
      const lines: string[] = [];
      for (let i = 0; i < batch.lengths[b]!; i++) lines.push(`${words(batch.data.story!.subarray((b * batch.length + i) * W, (b * batch.length + i + 1) * W))}.`);
      const q = `${words(batch.data.question!.subarray(b * W, (b + 1) * W))}?`;
      return { input: `${lines.join(' ')} ${q}`, target: tokens[batch.data.answer![b]!]! };
    },
  };
}

/**
 * Task `babi`: streams `story` (a sequence of sentences, each a bag of 7 word ids; the memory),
 * `question` (one bag of 7 ids) and `answer` (one word id); one vocabulary for all three.
 */
export const babiTask: TaskDef = { ...babiSchema, create: createBabi };
