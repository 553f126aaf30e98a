/**
 * Binding a task's streams to a graph's sources: which `input` / `target` node carries which
 * stream, checked against the task (E423–E429), and the time axis the task's sequences run along.
 */
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import { jsonPath } from '../graph/types.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { StreamSpec, Task } from './types.ts';

/** Which node carries each stream, in the task's stream order. */
export interface TaskBinding {
  readonly streams: readonly { readonly stream: StreamSpec; readonly node: string }[];
  /** The graph's time-axis id the task's main-axis sequences run along; undefined when the task has none. */
  readonly axis: string | undefined;
  /** The graph's time-axis id of each secondary task axis (`StreamSpec.axis`), by task axis name. */
  readonly axes: Readonly<Record<string, string>>;
}

interface Source {
  readonly index: number;
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A task stream and the source node that carries it. */
type Pair = { stream: StreamSpec; source: Source };

const paramPath = (s: Source, param: string): string => jsonPath(['nodes', s.index, 'params', param]);

/** A stream in words: `tokens (vocab 26), a sequence`. */
function streamText(s: StreamSpec): string {
  const what =
    s.kind === 'tokens' ? `tokens (vocab ${s.vocab})` : s.kind === 'bag' ? `bags of ${s.size} ids (vocab ${s.vocab})` : `vectors (size ${s.size})`;
  return `${what}, ${s.sequence ? 'a sequence' : 'one per example'}`;
}

/** The graph's sources of one role. Decoder inputs (`feedback` or `teacher` set) carry a target
 *  shifted by one step, made by the trainer, so no task stream binds to them. */
function sourcesOf(analysis: GraphAnalysis, role: 'input' | 'target'): Source[] {
  const out: Source[] = [];
  analysis.doc.nodes.forEach((n, index) => {
    if (n.type !== role) return;
    const params = analysis.params.get(n.id) ?? n.params ?? {};
    if (role === 'input' && (typeof params.feedback === 'string' || typeof params.teacher === 'string')) return;
    out.push({ index, id: n.id, params });
  });
  return out;
}

/** Pair the task's streams of one role with the graph's sources of that role. */
function pairRole(task: Task, analysis: GraphAnalysis, role: 'input' | 'target', errors: UnrollError[]): Pair[] {
  const streams = task.streams.filter((s) => s.role === role);
  const sources = sourcesOf(analysis, role);
  if (streams.length === 1 && sources.length === 1) return [{ stream: streams[0]!, source: sources[0]! }];
  const pairs: Pair[] = [];
  const names = streams.map((s) => s.name).join(', ') || 'none';
  for (const stream of streams) {
    const source = sources.find((s) => s.id === stream.name);
    if (source !== undefined) pairs.push({ stream, source });
    else {
      const why = sources.length === 0 ? `the graph has no ${role} node` : `no ${role} node has id "${stream.name}"`;
      errors.push(
        unrollError('E423', `task ${task.name} has ${role} stream "${stream.name}" (${streamText(stream)}), but ${why}: add a ${role} node with id "${stream.name}"`, {
          path: '$.nodes',
        }),
      );
    }
  }
  for (const source of sources) {
    if (streams.some((s) => s.name === source.id)) continue;
    errors.push(
      unrollError('E424', `${role} ${source.id} has no stream in task ${task.name} (its ${role} streams: ${names}): rename it to one of them or remove it`, {
        path: jsonPath(['nodes', source.index]),
        nodes: [source.id],
      }),
    );
  }
  return pairs;
}

/** Kind, vocab, size and sequence flag of one source against its stream; false if any differs. */
function checkPair(task: Task, stream: StreamSpec, s: Source, errors: UnrollError[]): boolean {
  const before = errors.length;
  const at = (param: string) => ({ path: paramPath(s, param), nodes: [s.id] });
  const role = stream.role;
  if (s.params.kind !== stream.kind) {
    errors.push(unrollError('E425', `${role} ${s.id} has kind "${String(s.params.kind)}", but task ${task.name}'s stream ${stream.name} is ${streamText(stream)}: set kind to "${stream.kind}"`, at('kind')));
  } else if (stream.kind !== 'vector' && s.params.vocab !== stream.vocab) {
    errors.push(unrollError('E426', `${role} ${s.id} has vocab ${String(s.params.vocab)}, but task ${task.name}'s stream ${stream.name} has ${stream.vocab} token ids: set vocab to ${stream.vocab}`, at('vocab')));
  } else if (stream.kind !== 'tokens' && s.params.size !== stream.size) {
    const what = stream.kind === 'bag' ? 'ids per bag' : 'features';
    errors.push(unrollError('E427', `${role} ${s.id} has size ${String(s.params.size)}, but task ${task.name}'s stream ${stream.name} has ${stream.size} ${what}: set size to ${stream.size}`, at('size')));
  }
  if ((s.params.sequence !== false) !== stream.sequence) {
    const is = stream.sequence ? 'a sequence' : 'one value per example';
    errors.push(unrollError('E428', `${role} ${s.id} has sequence ${String(s.params.sequence !== false)}, but task ${task.name}'s stream ${stream.name} is ${is}: set sequence to ${stream.sequence}`, at('sequence')));
  }
  return errors.length === before;
}

/**
 * The graph axis of each task axis ('' the main one), from its lead source (the first input on it,
 * else the first target); every other sequence of that task axis must run along the same graph axis
 * (E429), and no two task axes may share one, since their lengths differ (E429).
 */
function bindAxes(task: Task, analysis: GraphAnalysis, good: readonly Pair[], errors: UnrollError[]): Map<string, string> {
  const axisOf = (s: Source): string => analysis.outputTypes.get(`${s.id}.out`)?.seq ?? s.id;
  const byTaskAxis = new Map<string, Pair[]>();
  for (const p of good.filter((q) => q.stream.sequence)) {
    const key = p.stream.axis ?? '';
    byTaskAxis.set(key, [...(byTaskAxis.get(key) ?? []), p]);
  }
  const bound = new Map<string, string>();
  const leads = new Map<string, Pair>();
  for (const [key, pairs] of byTaskAxis) {
    // An input sets the axis (a target is what gets aligned with an input).
    const lead = pairs.find((p) => p.stream.role === 'input') ?? pairs[0]!;
    const axis = axisOf(lead.source);
    const clash = [...bound].find(([, a]) => a === axis);
    if (clash !== undefined) {
      const other = leads.get(clash[0])!;
      errors.push(
        unrollError(
          'E429',
          `${lead.stream.role} ${lead.source.id} runs along the same time axis as ${other.stream.role} ${other.source.id} ("${axis}"), ` +
            `but task ${task.name}'s streams ${other.stream.name} and ${lead.stream.name} have lengths of their own: remove align_with from ${lead.source.id} so it has its own axis`,
          { path: paramPath(lead.source, 'align_with'), nodes: [lead.source.id, other.source.id] },
        ),
      );
      continue;
    }
    bound.set(key, axis);
    leads.set(key, lead);
    for (const p of pairs) {
      if (p === lead || axisOf(p.source) === axis) continue;
      errors.push(
        unrollError(
          'E429',
          `${p.stream.role} ${p.source.id} runs along time axis "${axisOf(p.source)}", not along ${lead.stream.role} ${lead.source.id}'s ("${axis}"), ` +
            `but task ${task.name}'s sequences run step for step: set align_with to "${lead.source.id}" on ${p.source.id}`,
          { path: paramPath(p.source, 'align_with'), nodes: [p.source.id, lead.source.id] },
        ),
      );
    }
  }
  return bound;
}

/**
 * Bind a task to a validated graph. Task inputs bind to `input` nodes that are not decoder inputs,
 * targets to `target` nodes: directly when the task and the graph each have exactly one of a role,
 * else by node id = stream name. Refused: a stream without a source (E423), a source without a
 * stream (E424), a different kind (E425), vocab (E426), size (E427) or sequence flag (E428), and
 * sequence sources of one task axis on different time axes of the graph (E429: the others must
 * `align_with` the first input), or of two task axes on one graph axis (E429).
 */
export function bindTask(task: Task, analysis: GraphAnalysis): Result<TaskBinding> {
  const errors: UnrollError[] = [];
  const pairs = [...pairRole(task, analysis, 'input', errors), ...pairRole(task, analysis, 'target', errors)];
  const good = pairs.filter((p) => checkPair(task, p.stream, p.source, errors));
  const bound = bindAxes(task, analysis, good, errors);
  if (errors.length > 0) return { ok: false, errors };
  // Task order, so the trainer can zip streams and batch data by stream name.
  const nodeOf = new Map(pairs.map((p) => [p.stream.name, p.source.id]));
  const axes = Object.fromEntries([...bound].filter(([key]) => key !== ''));
  return { ok: true, value: { streams: task.streams.map((stream) => ({ stream, node: nodeOf.get(stream.name)! })), axis: bound.get(''), axes } };
}
