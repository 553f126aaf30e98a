import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types.ts';
import { analyzeGraph } from '../validate/validate.ts';
import { makeBabiSet, type BabiExample } from './babi-world.ts';
import { babiAccuracy, BABI_VOCAB, BABI_WORDS } from './babi.ts';
import { bindTask } from './bind.ts';
import { createTask } from './registry.ts';
import { taskRng } from './task-rng.ts';
import { Lcg } from './test-helpers.ts';
import type { Batch, Task } from './types.ts';

function babi(params: Record<string, number | boolean> = {}): Task {
  const r = createTask({ name: 'babi', params });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const LOCATIONS = ['bedroom', 'kitchen', 'garden', 'hallway', 'bathroom', 'office'];

/**
 * An independent reader: parses each sentence with its own patterns, checks that the actions obey
 * bAbI's rules as far as the text shows them, and answers the question from stated facts only.
 */
function readStory(e: BabiExample): { answer: string | undefined; violations: string[] } {
  const at = new Map<string, string>(); // actor → stated place
  const holder = new Map<string, string>(); // object → actor carrying it
  const left = new Map<string, string | undefined>(); // object → place it was dropped (undefined: unknown place)
  const violations: string[] = [];
  const history = new Map<string, string[]>();
  const where = (o: string): string | undefined => (holder.has(o) ? at.get(holder.get(o)!) : left.get(o));
  for (const words of e.story) {
    const s = words.join(' ').toLowerCase();
    let m;
    if ((m = /^(\w+) (?:went|journeyed|travelled|moved|went back) to the (\w+)$/.exec(s))) {
      if (at.get(m[1]!) === m[2]) violations.push(`${s}: already there`);
      at.set(m[1]!, m[2]!);
    } else if ((m = /^(\w+) (?:got|grabbed|picked up|took) the (\w+)(?: there)?$/.exec(s))) {
      const [, actor, object] = m as unknown as [string, string, string];
      if (holder.has(object)) violations.push(`${s}: ${holder.get(object)} holds it`);
      const place = left.get(object);
      if (place !== undefined && at.has(actor) && at.get(actor) !== place) violations.push(`${s}: it is in the ${place}`);
      holder.set(object, actor);
      left.delete(object);
    } else if ((m = /^(\w+) (?:discarded|dropped|put down|left) the (\w+)(?: there)?$/.exec(s))) {
      const [, actor, object] = m as unknown as [string, string, string];
      if (holder.get(object) !== actor) violations.push(`${s}: not held by ${actor}`);
      holder.delete(object);
      left.set(object, at.get(actor));
    } else violations.push(`${s}: not a bAbI sentence`);
    for (const o of ['apple', 'football', 'milk']) {
      const w = where(o);
      const h = history.get(o) ?? [];
      if (w !== undefined && h.at(-1) !== w) history.set(o, [...h, w]);
    }
  }
  const q = e.question.join(' ').toLowerCase();
  let m;
  if ((m = /^where is (john|mary|sandra|daniel)$/.exec(q))) return { answer: at.get(m[1]!), violations };
  if ((m = /^where is the (\w+)$/.exec(q))) return { answer: where(m[1]!), violations };
  if ((m = /^where was the (\w+) before the (\w+)$/.exec(q))) {
    const h = history.get(m[1]!) ?? [];
    return { answer: h.at(-1) === m[2] ? h.at(-2) : undefined, violations };
  }
  return { answer: undefined, violations: [...violations, `${q}: not a bAbI question`] };
}

describe('babi generator', () => {
  it.each([1, 2, 3] as const)('task %i: every answer follows from the stated facts, and every action obeys the rules', (task) => {
    const set = makeBabiSet(taskRng(5, 'babi-test', task), task, 1000);
    expect(set).toHaveLength(1000);
    for (const e of set) {
      const r = readStory(e);
      expect(r.violations, e.story.map((l) => l.join(' ')).join('. ')).toEqual([]);
      expect(r.answer, `${e.question.join(' ')} in ${e.story.map((l) => l.join(' ')).join('. ')}`).toBe(e.answer);
      expect(LOCATIONS).toContain(e.answer);
      for (const i of e.support) expect(i).toBeLessThan(e.story.length);
    }
  });

  it('task 1 asks after every two moves, five times per 15-line story', () => {
    const set = makeBabiSet(taskRng(1, 'x'), 1, 10);
    expect(set.map((e) => e.story.length)).toEqual([2, 4, 6, 8, 10, 2, 4, 6, 8, 10]);
    expect(set.every((e) => e.support.length === 1 && e.question[0] === 'Where' && e.question[1] === 'is')).toBe(true);
  });

  it('tasks 2 and 3 need two and three or more supporting facts, and use the released verbs', () => {
    const two = makeBabiSet(taskRng(1, 'x'), 2, 500);
    const three = makeBabiSet(taskRng(1, 'y'), 3, 500);
    // Task 2 asks about carried objects (get + move) and dropped ones (drop + move).
    expect(two.every((e) => e.support.length === 2)).toBe(true);
    expect(three.every((e) => e.support.length >= 3)).toBe(true);
    const sentences = [...two, ...three].flatMap((e) => e.story.map((l) => l.join(' ')));
    for (const v of ['went to', 'journeyed', 'travelled', 'moved', 'went back to', 'got', 'grabbed', 'picked up', 'took', 'discarded', 'dropped', 'put down', 'left']) {
      expect(sentences.some((x) => x.includes(` ${v} `)), v).toBe(true);
    }
    expect(sentences.some((x) => x.endsWith(' there'))).toBe(true);
    const dropped = two.filter((e) => /discarded|dropped|put|left/.test(e.story[e.support[1]! > e.support[0]! ? e.support[1]! : e.support[0]!]!.join(' ')));
    expect(dropped.length).toBeGreaterThan(0);
  });
});

describe('babi task', () => {
  it('writes stories as bags of word ids with time words, the question as a bag, the answer as a word', () => {
    const task = babi();
    const batch = task.evalBatch('test', 0, 32)!;
    const tokens = task.streams[0]!.tokens!;
    expect(tokens).toHaveLength(BABI_VOCAB.length + 50);
    expect(task.streams.map((s) => [s.name, s.kind, s.vocab, s.size, s.sequence])).toEqual([
      ['story', 'bag', tokens.length, BABI_WORDS, true],
      ['question', 'bag', tokens.length, BABI_WORDS, false],
      ['answer', 'tokens', tokens.length, undefined, false],
    ]);
    const W = BABI_WORDS;
    for (let b = 0; b < batch.size; b++) {
      const n = batch.lengths[b]!;
      for (let i = 0; i < batch.length; i++) {
        const bag = Array.from(batch.data.story!.subarray((b * batch.length + i) * W, (b * batch.length + i + 1) * W), (id) => tokens[id]!);
        if (i >= n) expect(bag.every((w) => w === '<pad>')).toBe(true);
        else expect(bag[W - 1]).toBe(`t${n - i}`);
      }
      const answer = tokens[batch.data.answer![b]!]!;
      expect(LOCATIONS).toContain(answer);
    }
    const d = task.describe(batch, 0);
    expect(d.input).toMatch(/^(\w+( \w+)*\. )+where is \w+\?$/);
    expect(LOCATIONS).toContain(d.target);
  });

  it('keeps only the last `memory` statements, numbering time words from the latest', () => {
    const task = babi({ task: 3, memory: 5, time_words: false });
    const full = makeBabiSet(taskRng(1, 'babi', 3, 'test'), 3, 1000);
    const batch = task.evalBatch('test', 0, 1000)!;
    expect(batch.length).toBe(5);
    expect(task.evalSplits[0]!.lengths[1]).toBe(5);
    const tokens = task.streams[0]!.tokens!;
    expect(tokens).toEqual(BABI_VOCAB);
    const b = full.findIndex((e) => e.story.length > 5);
    const row = (i: number) => Array.from(batch.data.story!.subarray((b * 5 + i) * 7, (b * 5 + i + 1) * 7), (id) => tokens[id]).filter((w) => w !== '<pad>');
    expect(row(4)).toEqual(full[b]!.story.at(-1)!.map((w) => w.toLowerCase()));
    expect(row(0)).toEqual(full[b]!.story.at(-5)!.map((w) => w.toLowerCase()));
  });

  it('is deterministic in its seed, and the test split does not depend on the batch size', () => {
    expect(babi().evalBatch('test', 3, 10)).toEqual(babi().evalBatch('test', 3, 10));
    const whole = babi().evalBatch('test', 0, 40)!;
    const part = babi().evalBatch('test', 3, 10)!;
    expect(part.data.answer).toEqual(whole.data.answer!.subarray(30, 40));
    expect(babi({ seed: 2 }).evalBatch('test', 0, 40)!.data.question).not.toEqual(whole.data.question);
    expect(babi().trainBatch(new Lcg(1), 8)).toEqual(babi().trainBatch(new Lcg(1), 8));
    expect(babi({ task: 2 }).evalSplits[0]!.count).toBe(1000);
  });

  it('inserts empty memories in training only when noise is set', () => {
    const plain = babi({ task: 2 }).trainBatch(new Lcg(3), 64);
    const noisy = babi({ task: 2, noise: 0.5 }).trainBatch(new Lcg(3), 64);
    const blanks = (batch: Batch) => {
      let n = 0;
      for (let b = 0; b < batch.size; b++) {
        for (let i = 0; i < batch.lengths[b]!; i++) if (batch.data.story![(b * batch.length + i) * 7] === 0) n++;
      }
      return n;
    };
    expect(blanks(plain)).toBe(0);
    expect(blanks(noisy)).toBeGreaterThan(64);
  });

  it('scores accuracy on the answer word', () => {
    const task = babi();
    const batch = task.evalBatch('test', 0, 10)!;
    const V = task.streams[2]!.vocab!;
    const pred = new Float32Array(10 * V);
    for (let b = 0; b < 10; b++) pred[b * V + batch.data.answer![b]!] = 1;
    expect(babiAccuracy(V).score(batch, pred)).toEqual({ total: 10, count: 10 });
    pred[3 * V + ((batch.data.answer![3]! + 1) % V)] = 2;
    expect(babiAccuracy(V).score(batch, pred)).toEqual({ total: 9, count: 10 });
  });

  it('refuses a task other than 1–3 and a noise above 1', () => {
    const r = createTask({ name: 'babi', params: { task: 4, noise: 2 } });
    expect(!r.ok && r.errors.map((e) => [e.code, e.path])).toEqual([
      ['E422', '$.task.params.task'],
      ['E422', '$.task.params.noise'],
    ]);
  });

  it('binds to the memory-network example, and refuses a vocab or bag size other than the task’s', () => {
    const task = babi();
    const V = task.streams[0]!.vocab!;
    const doc = JSON.parse(readFileSync(new URL('../../examples/memory-network.json', import.meta.url), 'utf8')) as GraphDoc;
    const analysis = analyzeGraph(doc);
    expect(analysis.errors).toEqual([]);
    const r = bindTask(task, analysis);
    expect(r.ok && r.value.streams.map((s) => [s.stream.name, s.node])).toEqual([
      ['story', 'story'],
      ['question', 'question'],
      ['answer', 'answer'],
    ]);
    expect(r.ok && r.value.axis).toBe('story');
    expect(doc.nodes.find((n) => n.id === 'story')!.params).toMatchObject({ vocab: V, size: BABI_WORDS });
    // The sources with another vocabulary are refused with the values to set.
    const vocab40 = (n: GraphDoc['nodes'][number]) => (['story', 'question', 'answer'].includes(n.id) ? { ...n, params: { ...n.params, vocab: 40 } } : n);
    const asIs = bindTask(task, analyzeGraph({ ...doc, nodes: doc.nodes.map(vocab40) }));
    expect(!asIs.ok && asIs.errors.map((e) => [e.code, e.path])).toEqual([
      ['E426', '$.nodes[0].params.vocab'],
      ['E426', '$.nodes[1].params.vocab'],
      ['E426', '$.nodes[2].params.vocab'],
    ]);
    const bagSize = bindTask(task, analyzeGraph({ ...doc, nodes: doc.nodes.map((n) => (n.id === 'question' ? { ...n, params: { ...n.params, size: 8 } } : n)) }));
    expect(!bagSize.ok && bagSize.errors.map((e) => [e.code, e.path])).toEqual([['E427', '$.nodes[1].params.size']]);
  });
});
