/**
 * A generator for bAbI tasks 1–3 (Weston et al. 2015) after the public facebook bAbI generator
 * (Lua; `WhereIsActor`, `WhereIsObject`, `WhereWasObject` on `world_basic`): a world of six
 * locations, four actors and three portable objects; teleport, get and drop actions drawn by
 * resampling until valid; a reader's knowledge built only from stated facts, which questions are
 * asked about and answered from. Differences from the released data are listed in babi.ts.
 */
import { progress } from '../progress.ts';
import type { RandomSource } from './types.ts';

export const BABI_ACTORS = ['John', 'Mary', 'Sandra', 'Daniel'] as const;
export const BABI_LOCATIONS = ['bedroom', 'kitchen', 'garden', 'hallway', 'bathroom', 'office'] as const;
export const BABI_OBJECTS = ['apple', 'football', 'milk'] as const;

/** The released data's wordings: moves, gets and drops (a get or drop may end in "there"). */
export const BABI_MOVE_VERBS = ['went', 'journeyed', 'travelled', 'moved', 'went back'] as const;
export const BABI_GET_VERBS = ['got', 'grabbed', 'picked up', 'took'] as const;
export const BABI_DROP_VERBS = ['discarded', 'dropped', 'put down', 'left'] as const;

/** One question with its answer, asked after `story` (the statements before it in its story). */
export interface BabiExample {
  /** The statements before the question, as words (sentences of 3–6 words, no punctuation). */
  readonly story: readonly (readonly string[])[];
  readonly question: readonly string[];
  /** A location. */
  readonly answer: string;
  /** Indices into `story` of the supporting statements, as the generator tracks them. */
  readonly support: readonly number[];
}

type Clause = { kind: 'move'; actor: string; to: string } | { kind: 'get' | 'drop'; actor: string; object: string };

/** What the reader knows of an object: who carries it, or where it was left, with the lines that say so. */
type ObjectFact = { holder: string; lines: number[] } | { at: string; lines: number[] };

const pick = <T>(rng: RandomSource, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
/** Lua's `sample_valid`: up to 100 random draws of the clause's parts, the first valid one wins. */
const TRIES = 100;

/** The true world and the reader's knowledge of it, advanced one statement at a time. */
class Story {
  /** True places: actor → location, object → location or actor. */
  private readonly actorAt = new Map<string, string>();
  private readonly objectIn = new Map<string, string>();
  /** The reader's knowledge: where each actor was last said to go (and the line), what each object's last fact was. */
  private readonly knownActor = new Map<string, { at: string; line: number }>();
  private readonly knownObject = new Map<string, ObjectFact>();
  /** Per object, the distinct successive places the reader could tell it was in (task 3). */
  readonly history = new Map<string, { at: string; lines: number[] }[]>();
  readonly lines: string[][] = [];

  constructor(private readonly rng: RandomSource) {
    // The released data starts from places the reader is never told (its first lines may get an
    // object anywhere), so every actor and object starts at a random location.
    for (const a of BABI_ACTORS) this.actorAt.set(a, pick(rng, BABI_LOCATIONS));
    for (const o of BABI_OBJECTS) this.objectIn.set(o, pick(rng, BABI_LOCATIONS));
  }

  sampleMove(): Clause | undefined {
    for (let k = 0; k < TRIES; k++) {
      const actor = pick(this.rng, BABI_ACTORS);
      const to = pick(this.rng, BABI_LOCATIONS);
      if (this.actorAt.get(actor) !== to) return { kind: 'move', actor, to };
    }
    return undefined;
  }

  /** A get (the object lies where the actor is) or a drop (the actor carries it). */
  sampleGetDrop(): Clause | undefined {
    for (let k = 0; k < TRIES; k++) {
      const actor = pick(this.rng, BABI_ACTORS);
      const kind = pick(this.rng, ['get', 'drop'] as const);
      const object = pick(this.rng, BABI_OBJECTS);
      const place = this.objectIn.get(object);
      if (kind === 'get' ? place === this.actorAt.get(actor) : place === actor) return { kind, actor, object };
    }
    return undefined;
  }

  /** Perform a valid clause, write its sentence, and update the reader's knowledge. */
  perform(c: Clause): void {
    const line = this.lines.length;
    if (c.kind === 'move') {
      this.actorAt.set(c.actor, c.to);
      this.knownActor.set(c.actor, { at: c.to, line });
      this.lines.push([c.actor, ...pick(this.rng, BABI_MOVE_VERBS).split(' '), 'to', 'the', c.to]);
    } else {
      const verbs = c.kind === 'get' ? BABI_GET_VERBS : BABI_DROP_VERBS;
      const there = this.rng.int(2) === 0 ? ['there'] : [];
      this.lines.push([c.actor, ...pick(this.rng, verbs).split(' '), 'the', c.object, ...there]);
      if (c.kind === 'get') {
        this.objectIn.set(c.object, c.actor);
        this.knownObject.set(c.object, { holder: c.actor, lines: [line] });
      } else {
        this.objectIn.set(c.object, this.actorAt.get(c.actor)!);
        // Dropped where the dropper was last said to be; if that was never said, the place is unknown.
        const known = this.knownActor.get(c.actor);
        if (known) this.knownObject.set(c.object, { at: known.at, lines: [line, known.line] });
        else this.knownObject.delete(c.object);
      }
    }
    this.recordHistory();
  }

  /** Where the reader can tell an actor is, with the supporting line. */
  actor(a: string): { at: string; lines: number[] } | undefined {
    const k = this.knownActor.get(a);
    return k && { at: k.at, lines: [k.line] };
  }

  /** Where the reader can tell an object is: where it was left, or where its carrier was last said to go. */
  object(o: string): { at: string; lines: number[] } | undefined {
    const f = this.knownObject.get(o);
    if (f === undefined) return undefined;
    if ('at' in f) return f;
    const carrier = this.knownActor.get(f.holder);
    return carrier && { at: carrier.at, lines: [...f.lines, carrier.line] };
  }

  /** Lua's `get_value_history`: append an object's known place whenever it differs from the last one. */
  private recordHistory(): void {
    for (const o of BABI_OBJECTS) {
      const now = this.object(o);
      if (now === undefined) continue;
      const h = this.history.get(o) ?? [];
      if (h.at(-1)?.at !== now.at) h.push(now);
      this.history.set(o, h);
    }
  }

  /** An example for a question asked now. */
  ask(question: string[], answer: string, support: readonly number[]): BabiExample {
    return { story: this.lines.map((l) => [...l]), question, answer, support: [...new Set(support)].sort((a, b) => a - b) };
  }
}

/** Task 1 (WhereIsActor): 15 lines, "move, move, Where is X?" five times; X an actor whose place is known. */
function storyTask1(rng: RandomSource): BabiExample[] {
  const s = new Story(rng);
  const out: BabiExample[] = [];
  for (let i = 1; i <= 15; i++) {
    if (i % 3 !== 0) {
      s.perform(s.sampleMove()!);
      continue;
    }
    const known = BABI_ACTORS.filter((a) => s.actor(a) !== undefined);
    const actor = pick(rng, known);
    const k = s.actor(actor)!;
    out.push(s.ask(['Where', 'is', actor], k.at, k.lines));
  }
  return out;
}

/**
 * Tasks 2 (WhereIsObject) and 3 (WhereWasObject): a random action (teleport, or get/drop, each
 * resampled until valid) per line; after more than two lines since the last question, with
 * probability ½ a question, if one can be answered; five questions per story.
 */
function storyTask23(rng: RandomSource, task: 2 | 3): BabiExample[] {
  const s = new Story(rng);
  const out: BabiExample[] = [];
  let sinceQuestion = 0;
  while (out.length < 5) {
    progress();
    let clause: Clause | undefined;
    while (clause === undefined) clause = rng.int(3) === 2 ? s.sampleMove() : s.sampleGetDrop();
    s.perform(clause);
    sinceQuestion++;
    if (sinceQuestion <= 2 || rng.int(2) !== 0) continue;
    if (task === 2) {
      const known = BABI_OBJECTS.filter((o) => s.object(o) !== undefined);
      if (known.length === 0) continue;
      const object = pick(rng, known);
      const k = s.object(object)!;
      out.push(s.ask(['Where', 'is', 'the', object], k.at, k.lines));
    } else {
      const known = BABI_OBJECTS.filter((o) => (s.history.get(o)?.length ?? 0) > 1);
      if (known.length === 0) continue;
      const object = pick(rng, known);
      const h = s.history.get(object)!;
      const [before, last] = [h.at(-2)!, h.at(-1)!];
      out.push(s.ask(['Where', 'was', 'the', object, 'before', 'the', last.at], before.at, [...before.lines, ...last.lines]));
    }
    sinceQuestion = 0;
  }
  return out;
}

/** `count` questions of a task, story after story (the last story may be cut short), all from `rng`. */
export function makeBabiSet(rng: RandomSource, task: 1 | 2 | 3, count: number): BabiExample[] {
  const out: BabiExample[] = [];
  while (out.length < count) {
    const story = task === 1 ? storyTask1(rng) : storyTask23(rng, task);
    out.push(...story.slice(0, count - out.length));
  }
  return out;
}
