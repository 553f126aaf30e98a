/**
 * `unroll export G --to pytorch`: one readable, self-contained PyTorch file for a graph. One
 * `nn.Module` whose state-dict keys are Unroll's safetensors names (`<node>.<weight>`, one
 * sub-module per node named by its id), one method per node computing that node's block in the
 * primitive ops Unroll runs, and a `forward` whose time loops are Python `for` loops over the
 * nodes of each loop in the unrolled DAG's order. Delays are state variables carried from one step
 * to the next; `take: all` collects every step, `take: last` reads the final step.
 */
import { splitEndpoint, type GraphEdge } from '../graph/types.ts';
import { unrollError, type Result, type UnrollError } from '../errors/catalogue.ts';
import type { GraphAnalysis } from '../validate/types.ts';
import type { ValueType } from '../../blocks/types.ts';
import { moduleName, NameTable, pyFloat, pyIdent, pyString } from './names.ts';
import { LengthDependentError, pyBlock, type PyBlock } from './py-block.ts';
import { ExportOpError } from './py-ops.ts';
import { exportOutputs, type ExportOutput } from './outputs.ts';
import { lossLines } from './py-loss.ts';

const SOURCES = new Set(['input', 'target']);

/** The generated file and what it takes and gives. */
export interface PytorchExport {
  /** `model.py`. */
  readonly code: string;
  /** Input sources, in the order `forward` takes them. */
  readonly inputs: readonly string[];
  /** Target sources, in the order `loss` takes them after `outputs`. */
  readonly targets: readonly string[];
  readonly outputs: readonly ExportOutput[];
}

interface Ctx {
  readonly a: GraphAnalysis;
  readonly names: NameTable;
  readonly edgeIndex: Map<string, number>;
  readonly typeOf: Map<string, string>;
  /** `node.port` values some consumer needs as a per-position list or a stacked sequence. */
  readonly needAll: Set<string>;
  readonly needSeq: Set<string>;
  /** Length variable of each axis. */
  readonly axisVar: Map<string, string>;
  readonly errors: UnrollError[];
}

const varOf = (c: Ctx, endpoint: string): string => c.names.name(`v:${endpoint}`, endpoint.replace('.', '_'));
const allOf = (c: Ctx, endpoint: string): string => c.names.name(`all:${endpoint}`, `${endpoint.replace('.', '_')}_all`);
const seqOf = (c: Ctx, endpoint: string): string => c.names.name(`seq:${endpoint}`, `${endpoint.replace('.', '_')}_seq`);
const stateOf = (c: Ctx, delay: string): string => c.names.name(`state:${delay}`, `${delay}_state`);
const sourceVar = (c: Ctx, id: string): string => c.names.name(`src:${id}`, id);
const methodOf = (c: Ctx, id: string): string => c.names.name(`m:${id}`, `node_${pyIdent(id)}`);

/** How the module reaches node `id`'s weights. */
function weightsExpr(id: string): string {
  const m = moduleName(id);
  // `self.in` would be a syntax error and `self.my-rnn` a subtraction: those go through getattr.
  return pyIdent(m) === m ? `self.${m}` : `getattr(self, ${pyString(m)})`;
}

/** The expression a consumer in `loop` (or outside loops) reads for edge `e`; `t` is the position. */
function edgeExpr(c: Ctx, e: GraphEdge, loop: string | undefined): string {
  const from = splitEndpoint(e.from)!;
  const i = c.edgeIndex.get(e.to)!;
  const delivered = c.a.edgeTypes[i];
  if (SOURCES.has(c.typeOf.get(from.node) ?? '')) {
    const produced = c.a.outputTypes.get(e.from);
    const v = sourceVar(c, from.node);
    return loop !== undefined && produced?.seq !== undefined && delivered?.seq === undefined ? `${v}[:, t]` : v;
  }
  const fromLoop = c.a.nodeLoop.get(from.node);
  if (fromLoop === undefined || fromLoop === loop || e.take === 'last') return varOf(c, e.from);
  if (loop !== undefined && delivered?.seq === undefined) return `${allOf(c, e.from)}[t]`;
  return seqOf(c, e.from);
}

/** Which looped values are read as lists or sequences; fills `needAll`/`needSeq`. */
function scanNeeds(c: Ctx, outputs: readonly ExportOutput[]): void {
  c.a.doc.edges.forEach((e, i) => {
    const from = splitEndpoint(e.from)!;
    const to = splitEndpoint(e.to)!;
    const fromLoop = c.a.nodeLoop.get(from.node);
    if (fromLoop === undefined || e.take === 'last' || fromLoop === c.a.nodeLoop.get(to.node)) return;
    if (c.typeOf.get(to.node) === 'loss') return; // the loss reads the exported outputs
    c.needAll.add(e.from);
    if (c.a.nodeLoop.get(to.node) === undefined || c.a.edgeTypes[i]?.seq !== undefined) c.needSeq.add(e.from);
  });
  for (const o of outputs) {
    if (o.take === 'all') {
      c.needAll.add(o.name);
      c.needSeq.add(o.name);
    }
  }
}

/** The method of node `id` (its block computed at two lengths must read the same: no length is baked in). */
function blockMethod(c: Ctx, id: string): PyBlock | undefined {
  const type = c.typeOf.get(id)!;
  const delivered = new Map<string, ValueType>();
  for (const e of c.a.doc.edges) {
    const to = splitEndpoint(e.to)!;
    const t = c.a.edgeTypes[c.edgeIndex.get(e.to)!];
    if (to.node === id && t !== undefined) delivered.set(to.port, t);
  }
  const shapes = new Map((c.a.weights.get(id) ?? []).map((w) => [w.name, w.shape] as const));
  // Weights borrowed with `share` are the owner's parameters: one tensor in the state_dict, as in Unroll.
  const borrowed = new Map<string, string>();
  for (const [name, key] of Object.entries(c.a.shares.get(id) ?? {})) {
    const owner = key.slice(0, key.lastIndexOf('.'));
    shapes.set(name, c.a.weights.get(owner)!.find((w) => w.name === name)!.shape);
    borrowed.set(name, `${weightsExpr(owner)}.${name}`);
  }
  const params = c.a.params.get(id) ?? {};
  try {
    return pyBlock(type, params, delivered, shapes, weightsExpr(id), borrowed);
  } catch (e) {
    if (e instanceof LengthDependentError) {
      c.errors.push(unrollError('E461', `node ${id} (${type}) computes differently for each sequence length; it cannot be written as one PyTorch loop body`, { nodes: [id] }));
      return undefined;
    }
    if (!(e instanceof ExportOpError)) throw e;
    c.errors.push(unrollError('E460', `node ${id} (${type}) cannot be exported to PyTorch: ${e.message}`, { nodes: [id] }));
    return undefined;
  }
}

function shapeDoc(dtype: string, dims: readonly (string | number)[]): string {
  return `${dtype === 'int' ? 'int64' : 'float32'} [${dims.join(', ')}]`;
}

/** The first state of delay `d` (before its loop): its init wire, a learned vector, zeros or noise. */
function delayInit(c: Ctx, d: string, loop: string): string | undefined {
  const initEdge = c.a.doc.edges.find((e) => e.to === `${d}.init`);
  const size = c.a.outputTypes.get(`${d}.out`)?.shape[0] ?? 0;
  if (initEdge !== undefined) {
    const expr = edgeExpr(c, initEdge, loop);
    if (expr.includes('[t]') || expr.includes('[:, t]')) {
      c.errors.push(unrollError('E460', `delay ${d} starts from one step of a sequence; PyTorch export needs a value that is the same for the whole loop`, { nodes: [d] }));
      return undefined;
    }
    return expr;
  }
  const init = c.a.params.get(d)?.init;
  if (init === 'learned') return `torch.zeros(B, ${size}) + ${weightsExpr(d)}.init`;
  if (init === 'random') return `0.1 * torch.randn(B, ${size})  # a random first state, as Unroll draws it (other numbers)`;
  return `torch.zeros(B, ${size})`;
}

/** The call of node `id`'s method, assigning its outputs. */
function callLines(c: Ctx, id: string, m: PyBlock, loop: string | undefined): string[] {
  const args = m.ports.map((p) => edgeExpr(c, c.a.doc.edges[c.edgeIndex.get(`${id}.${p}`)!]!, loop));
  const lhs = m.outputs.map((o) => varOf(c, `${id}.${o}`)).join(', ');
  const lines = [`${lhs} = self.${methodOf(c, id)}(${args.join(', ')})`];
  if (loop !== undefined) for (const o of m.outputs) if (c.needAll.has(`${id}.${o}`)) lines.push(`${allOf(c, `${id}.${o}`)}[t] = ${varOf(c, `${id}.${o}`)}`);
  return lines;
}

function loopLines(c: Ctx, loopId: string, methods: Map<string, PyBlock>): string[] {
  const l = c.a.loops.get(loopId)!;
  const len = l.steps !== undefined ? String(l.steps) : c.axisVar.get(l.axis)!;
  const lines: string[] = [`# loop ${loopId}: ${l.steps !== undefined ? `${l.steps} steps` : `over ${l.axis}`}, ${l.direction}${l.direction === 'reverse' ? ' (the first step works on the last position)' : ''}`];
  const delays = l.nodes.filter((n) => c.typeOf.get(n) === 'delay');
  for (const d of delays) {
    const init = delayInit(c, d, loopId);
    if (init !== undefined) lines.push(`${stateOf(c, d)} = ${init}`);
  }
  for (const n of l.nodes) for (const [key] of c.a.outputTypes) if (key.startsWith(`${n}.`) && c.needAll.has(key)) lines.push(`${allOf(c, key)} = [None] * ${len}`);
  lines.push(`for t in ${l.direction === 'reverse' ? `reversed(range(${len}))` : `range(${len})`}:`);
  const body: string[] = [];
  for (const n of l.nodes) {
    if (c.typeOf.get(n) === 'delay') {
      const inEdge = c.a.doc.edges.find((e) => e.to === `${n}.in`)!;
      body.push(`${varOf(c, `${n}.out`)} = ${stateOf(c, n)}  # z⁻¹: ${inEdge.from} of the previous step`);
      if (c.needAll.has(`${n}.out`)) body.push(`${allOf(c, `${n}.out`)}[t] = ${varOf(c, `${n}.out`)}`);
      continue;
    }
    const m = methods.get(n);
    if (m !== undefined) body.push(...callLines(c, n, m, loopId));
  }
  for (const d of delays) {
    const inEdge = c.a.doc.edges.find((e) => e.to === `${d}.in`)!;
    body.push(`${stateOf(c, d)} = ${edgeExpr(c, inEdge, loopId)}`);
  }
  lines.push(...body.map((s) => `    ${s}`));
  for (const n of l.nodes) {
    for (const [key] of c.a.outputTypes) if (key.startsWith(`${n}.`) && c.needSeq.has(key)) lines.push(`${seqOf(c, key)} = torch.stack(${allOf(c, key)}, dim=1)  # [B, T, …] in position order`);
  }
  return lines;
}

/** The PyTorch module file for graph `a` (valid, for inference). */
export function exportPytorch(a: GraphAnalysis): Result<PytorchExport> {
  const names = new NameTable(['self', 'torch', 'nn', 'F', 'B', 't', 'w', 'outputs', 'losses', 'Model', 'Weights']);
  const c: Ctx = {
    a,
    names,
    edgeIndex: new Map(a.doc.edges.map((e, i) => [e.to, i])),
    typeOf: new Map(a.doc.nodes.map((n) => [n.id, n.type])),
    needAll: new Set(),
    needSeq: new Set(),
    axisVar: new Map(),
    errors: [],
  };
  const outputs = exportOutputs(a);
  scanNeeds(c, outputs);
  const inputs = a.doc.nodes.filter((n) => n.type === 'input').map((n) => n.id);
  const targets = a.doc.nodes.filter((n) => n.type === 'target').map((n) => n.id);
  for (const s of [...inputs, ...targets]) sourceVar(c, s);

  const methods = new Map<string, PyBlock>();
  for (const n of a.doc.nodes) {
    if (SOURCES.has(n.type) || n.type === 'delay' || n.type === 'loss') continue;
    const m = blockMethod(c, n.id);
    if (m !== undefined) methods.set(n.id, m);
  }

  // Lengths of the time axes: read off an input on that axis, or passed in when only a target has it.
  const extraArgs: string[] = [];
  const header: string[] = [];
  const firstInput = inputs[0];
  if (firstInput !== undefined) header.push(`B = ${sourceVar(c, firstInput)}.shape[0]`);
  for (const l of a.loops.values()) {
    if (l.steps !== undefined || c.axisVar.has(l.axis)) continue;
    const on = inputs.find((s) => a.outputTypes.get(`${s}.out`)?.seq === l.axis);
    const v = names.name(`axis:${l.axis}`, `T_${l.axis}`);
    c.axisVar.set(l.axis, v);
    if (on !== undefined) header.push(`${v} = ${sourceVar(c, on)}.shape[1]`);
    else extraArgs.push(v);
  }

  const body: string[] = [...header];
  const doneLoops = new Set<string>();
  for (const id of a.order) {
    const loopId = a.nodeLoop.get(id);
    const type = c.typeOf.get(id)!;
    if (loopId === undefined) {
      const m = methods.get(id);
      if (m !== undefined) body.push(...callLines(c, id, m, undefined));
      continue;
    }
    if (doneLoops.has(loopId)) continue;
    doneLoops.add(loopId);
    body.push(...loopLines(c, loopId, methods));
    void type;
  }
  body.push(`return {${outputs.map((o) => `${pyString(o.name)}: ${o.take === 'all' ? seqOf(c, o.name) : varOf(c, o.name)}`).join(', ')}}`);

  const loss = lossLines(a, outputs, (id) => sourceVar(c, id), c.errors);
  if (c.errors.length > 0) return { ok: false, errors: c.errors };

  const code = fileText(c, methods, body, loss, inputs, targets, outputs, extraArgs);
  return { ok: true, value: { code, inputs, targets, outputs } };
}

function fileText(
  c: Ctx,
  methods: Map<string, PyBlock>,
  forward: readonly string[],
  loss: readonly string[],
  inputs: readonly string[],
  targets: readonly string[],
  outputs: readonly ExportOutput[],
  extraArgs: readonly string[],
): string {
  const a = c.a;
  const srcDoc = (id: string): string => {
    const t = a.outputTypes.get(`${id}.out`)!;
    const p = a.params.get(id) ?? {};
    const what = t.dtype === 'int' ? `token ids below ${t.vocab ?? p.vocab}` : 'values';
    return `    ${sourceVar(c, id)}: ${shapeDoc(t.dtype, ['B', ...(t.seq !== undefined ? [`T_${t.seq}`] : []), ...t.shape])}, ${what}`;
  };
  const weights = a.doc.nodes.flatMap((n) => (a.weights.get(n.id) ?? []).map((w) => `    ${n.id}.${w.name} [${w.shape.join(', ')}]`));
  const mangled = a.doc.nodes.filter((n) => (a.weights.get(n.id) ?? []).length > 0 && moduleName(n.id) !== n.id);
  const lines: string[] = [
    '"""' + `${a.doc.name.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}: exported from Unroll (graph format ${a.doc.version}).`,
    '',
    'Inputs of forward() (batch first):',
    ...inputs.map(srcDoc),
    ...(extraArgs.length > 0 ? [`    ${extraArgs.join(', ')}: int, length of a time axis no input runs along`] : []),
    'Outputs of forward(), a dict by "<node>.<port>":',
    ...outputs.map((o) => `    ${pyString(o.name)}: float32 [${['B', ...(o.take === 'all' ? [`T_${o.axis}`] : []), ...o.shape].join(', ')}]${o.take !== undefined ? ` (${o.take === 'all' ? 'every step' : 'last step'})` : ''}`),
    ...(targets.length > 0 ? ['Targets of loss(outputs, ...):', ...targets.map(srcDoc)] : []),
    'Weights (state_dict keys are Unroll\'s safetensors names):',
    ...weights,
    '',
    'Load weights trained by Unroll:',
    '    from safetensors.torch import load_file',
    '    model = Model()',
    '    model.load_state_dict(load_file("weights.safetensors"))',
    'and save them for Unroll with safetensors.torch.save_file(model.state_dict(), ...).',
    '"""',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
    '',
  ];
  if (mangled.length > 0) {
    lines.push(
      '# Node ids that are attributes of nn.Module are stored as unroll_<id>; state_dict keys keep the id.',
      `_MANGLED = {${mangled.map((n) => `${pyString(moduleName(n.id))}: ${pyString(n.id)}`).join(', ')}}`,
      '',
      '',
      'def _rename(state_dict, prefix, table):',
      '    for key in list(state_dict):',
      '        for old, new in table.items():',
      '            if key.startswith(prefix + old + "."):',
      '                state_dict[prefix + new + key[len(prefix + old):]] = state_dict.pop(key)',
      '',
      '',
      'def _save_hook(module, state_dict, prefix, local_metadata):',
      '    _rename(state_dict, prefix, _MANGLED)',
      '    return state_dict',
      '',
      '',
      'def _load_hook(state_dict, prefix, *args):',
      '    _rename(state_dict, prefix, {new: old for old, new in _MANGLED.items()})',
      '',
      '',
    );
  }
  lines.push(
    'class Weights(nn.Module):',
    '    """The weights of one node, named as in Unroll (<node>.<weight>)."""',
    '',
    '    def __init__(self, shapes):',
    '        super().__init__()',
    '        for name, shape in shapes.items():',
    '            # PyTorch\'s default for recurrent cells, uniform(±1/√fan_in); learned first states start at 0.',
    '            bound = 0.0 if name == "init" else shape[-1] ** -0.5',
    '            self.register_parameter(name, nn.Parameter((torch.rand(*shape) * 2 - 1) * bound))',
    '',
    '',
    'class Model(nn.Module):',
    `    """${a.doc.name.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}"""`,
    '',
    `    GRAPH = ${pyString(a.doc.name)}`,
    `    INPUTS = (${inputs.map(pyString).join(', ')}${inputs.length === 1 ? ',' : ''})`,
    `    TARGETS = (${targets.map(pyString).join(', ')}${targets.length === 1 ? ',' : ''})`,
    '    WEIGHTS = {',
    ...a.doc.nodes
      .filter((n) => (a.weights.get(n.id) ?? []).length > 0)
      .map((n) => `        ${pyString(n.id)}: {${a.weights.get(n.id)!.map((w) => `${pyString(w.name)}: (${w.shape.join(', ')}${w.shape.length === 1 ? ',' : ''})`).join(', ')}},`),
    '    }',
    '',
    '    def __init__(self):',
    '        super().__init__()',
    '        for node, shapes in self.WEIGHTS.items():',
    `        ${mangled.length > 0 ? '    self.add_module(next((m for m, n in _MANGLED.items() if n == node), node), Weights(shapes))' : '    self.add_module(node, Weights(shapes))'}`,
  );
  if (mangled.length > 0) lines.push('        self._register_state_dict_hook(_save_hook)', '        self._register_load_state_dict_pre_hook(_load_hook)');
  for (const n of a.doc.nodes) {
    const m = methods.get(n.id);
    if (m === undefined) continue;
    const p = a.params.get(n.id) ?? {};
    const pDoc = Object.entries(p).map(([k, v]) => `${k} ${typeof v === 'number' ? pyFloat(v).replace(/\.0$/, '') : String(v)}`).join(', ');
    lines.push('', `    def ${methodOf(c, n.id)}(self${m.params.map((x) => `, ${x}`).join('')}):`, `        """${n.type} ${n.id}${pDoc !== '' ? ` (${pDoc})` : ''}: ${m.ports.join(', ') || 'nothing'} -> ${m.outputs.join(', ')}."""`);
    lines.push(...m.lines.map((s) => `        ${s}`));
  }
  lines.push('', `    def forward(self${inputs.map((s) => `, ${sourceVar(c, s)}`).join('')}${extraArgs.map((x) => `, ${x}`).join('')}):`);
  lines.push(...forward.map((s) => `        ${s}`));
  lines.push('', `    def loss(self, outputs${targets.map((s) => `, ${sourceVar(c, s)}`).join('')}):`);
  lines.push('        """Each loss node\'s loss per example ([B]), as Unroll computes it; train on the batch mean of their sum."""');
  lines.push(...loss.map((s) => `        ${s}`));
  return lines.join('\n') + '\n';
}
