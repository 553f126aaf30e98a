/** `unroll unroll G --steps T`: print the DAG a graph becomes for given lengths. */
import { formatError, type UnrollError } from '../../errors/catalogue.ts';
import { unrollGraph } from '../../unroll/unroll.ts';
import type { UnrolledGraph, UnrolledSource } from '../../unroll/types.ts';
import { EXIT, UsageError, printable, type CliIo } from '../io.ts';
import { readGraphFile } from '../read-graph.ts';

/** `--steps 5` sets every axis; `--steps src=5,y=6` sets each axis by name. */
export function parseSteps(spec: string | undefined, axes: readonly string[]): Record<string, number> {
  if (spec === undefined) {
    if (axes.length > 0) throw new UsageError(`--steps is required: this graph has sequence${axes.length > 1 ? 's' : ''} ${axes.join(', ')}`);
    return {};
  }
  const asNumber = (s: string, what: string): number => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--steps: ${what} must be a whole number, got "${s}"`);
    return Number(s);
  };
  if (!spec.includes('=')) {
    const n = asNumber(spec, 'the length');
    return Object.fromEntries(axes.map((a) => [a, n]));
  }
  const out: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const [axis, value, extra] = part.split('=');
    if (axis === undefined || value === undefined || extra !== undefined || axis === '') throw new UsageError(`--steps: "${part}" is not axis=length`);
    if (!axes.includes(axis)) throw new UsageError(`--steps: this graph has no sequence "${axis}" (it has ${axes.join(', ') || 'none'})`);
    if (Object.hasOwn(out, axis)) throw new UsageError(`--steps: the length of ${axis} is given twice`);
    out[axis] = asNumber(value, `the length of ${axis}`);
  }
  return out;
}

function describeSource(s: UnrolledSource): string {
  switch (s.kind) {
    case 'node':
      return `${s.key}.${s.port}`;
    case 'slice':
      return `${s.key}.${s.port}[${s.index}]`;
    case 'stack':
      return `stack(${s.items.length} × ${s.items[0] ? s.items[0].key.split('@')[0] : '?'})`;
    case 'init':
      return s.weight !== undefined ? `learned ${s.weight.key} [${s.size}]` : `${s.init} [${s.size}]`;
  }
}

/**
 * Machine-readable form: weight references become their keys, and each whole sequence gathered
 * from a loop (`take: "all"`) is written once in `stacks` and referred to by index, so the output
 * grows with the number of copies, not with its square (attention reads every encoder step at
 * every decoder step).
 */
export function unrolledToJson(u: UnrolledGraph): unknown {
  const copies = new Map<string, string[]>();
  for (const n of u.nodes) for (const w of Object.values(n.weights)) (copies.get(w.key) ?? copies.set(w.key, []).get(w.key)!).push(n.key);
  const stacks = new Map<UnrolledSource, number>();
  const source = (s: UnrolledSource): unknown => {
    if (s.kind === 'init') return { ...s, weight: s.weight?.key };
    if (s.kind !== 'stack') return s;
    let k = stacks.get(s);
    if (k === undefined) stacks.set(s, (k = stacks.size));
    return { kind: 'stack', stack: k };
  };
  const nodes = u.nodes.map((n) => ({
    key: n.key,
    node: n.node,
    type: n.type,
    ...(n.loop !== undefined ? { loop: n.loop, step: n.step, position: n.position } : {}),
    inputs: Object.fromEntries(Object.entries(n.inputs).map(([p, s]) => [p, source(s)])),
    weights: Object.fromEntries(Object.entries(n.weights).map(([name, w]) => [name, w.key])),
  }));
  return {
    lengths: u.lengths,
    counts: { nodes: u.nodes.length, weights: u.weights.size },
    loops: u.loops.map((l) => ({ ...l, copies: l.length * l.nodes.length })),
    delays: u.nodes.filter((n) => n.type === 'delay').map((n) => ({ key: n.key, in: n.inputs.in ? describeSource(n.inputs.in) : null })),
    weights: [...u.weights.values()].map((w) => ({ key: w.key, shape: w.shape, copies: copies.get(w.key) ?? [] })),
    nodes,
    stacks: [...stacks.keys()].map((s) => (s.kind === 'stack' ? s.items : [])),
  };
}

function printSummary(io: CliIo, name: string, u: UnrolledGraph): void {
  const lens = Object.entries(u.lengths).map(([a, n]) => `${a}=${n}`).join(', ');
  io.out(`unrolled "${printable(name)}"${lens ? ` for ${lens}` : ''}: ${u.nodes.length} nodes\n`);
  io.out('loops\n');
  const inLoop = new Set<string>();
  for (const l of u.loops) {
    l.nodes.forEach((n) => inLoop.add(n));
    io.out(`  ${l.id}: ${l.direction}, ${l.length} steps × ${l.nodes.length} nodes = ${l.length * l.nodes.length} copies (${l.nodes.join(', ')})\n`);
  }
  const outside = u.nodes.filter((n) => n.loop === undefined).map((n) => n.key);
  io.out(`  outside loops: ${outside.length} nodes${outside.length ? ` (${outside.join(', ')})` : ''}\n`);

  const delays = u.nodes.filter((n) => n.type === 'delay');
  if (delays.length > 0) {
    io.out('delays (step t reads step t−1)\n');
    const byNode = new Map<string, typeof delays>();
    for (const d of delays) (byNode.get(d.node) ?? byNode.set(d.node, []).get(d.node)!).push(d);
    for (const [node, copies] of byNode) {
      const first = copies[0]!;
      const second = copies[1];
      const init = first.inputs.in ? describeSource(first.inputs.in) : '?';
      const later = second?.inputs.in ? describeSource(second.inputs.in).replace(/@\d+/, '@t−1') : undefined;
      io.out(`  ${node}@0.in ← ${init}${later ? `; ${node}@t.in ← ${later} for t = 1..${copies.length - 1}` : ''}\n`);
    }
  }
  io.out('weights (one tensor each, shared by every copy)\n');
  const copies = new Map<string, number>();
  for (const n of u.nodes) for (const w of Object.values(n.weights)) copies.set(w.key, (copies.get(w.key) ?? 0) + 1);
  for (const w of u.weights.values()) io.out(`  ${w.key} [${w.shape.join(', ')}] used by ${copies.get(w.key) ?? 0} cop${copies.get(w.key) === 1 ? 'y' : 'ies'}\n`);
}

export async function unrollCommand(io: CliIo, file: string, steps: string | undefined, json: boolean): Promise<number> {
  const r = await readGraphFile(io.cwd, file, { purpose: 'inference' });
  const refuse = (errors: readonly UnrollError[]): number => {
    if (json) io.out(JSON.stringify({ ok: false, file, errors }) + '\n');
    else for (const e of errors) io.err(`${formatError(e)}\n`);
    return EXIT.userError;
  };
  if (!r.ok) return refuse(r.errors);
  const lengths = parseSteps(steps, r.analysis.axes);
  const u = unrollGraph(r.analysis, lengths);
  if (!u.ok) return refuse(u.errors);
  if (json) io.out(JSON.stringify({ ok: true, file, ...(unrolledToJson(u.value) as object) }) + '\n');
  else printSummary(io, r.doc.name, u.value);
  return EXIT.ok;
}
