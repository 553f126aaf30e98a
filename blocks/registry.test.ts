import { describe, expect, it } from 'vitest';
import type { AnyBlockDef, Init, PortTypes, ValueType, WeightDef } from './types.ts';
import { OpBuilder } from './ops.ts';
import type { Sym } from './ops.ts';
import { ShapeIssue, elementKind, formatType, scalar, tokens, vector } from './shape.ts';
import { checkParam, paramDefault, resolveParams } from './params.ts';
import { blockRegistry, blockTypes, getBlock } from './registry.ts';

const seq = (axis: string, t: ValueType): ValueType => ({ ...t, seq: axis });
const bag = (words: number, vocab: number): ValueType => ({ dtype: 'int', shape: [words], vocab });
const T = 3;

interface Sample {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly ins: PortTypes;
}
/** Inputs a block must refuse, and the ports the refusal must name. */
interface Refusal extends Sample {
  readonly ports: readonly string[];
}
interface Cases {
  readonly valid: readonly Sample[];
  /** A wrong kind at a port (empty only for blocks without inputs). */
  readonly wrongKind: readonly Refusal[];
  /** A size that disagrees with another port or a param; 'none' for blocks that take any sizes. */
  readonly wrongSize: readonly Refusal[] | 'none';
}

const unary: Cases = { valid: [{ ins: { in: vector(4) } }, { ins: { in: vector(1) } }], wrongKind: [{ ins: { in: tokens(5) }, ports: ['in'] }], wrongSize: 'none' };

const cases: Record<string, Cases> = {
  input: {
    valid: [{ ins: {} }, { params: { kind: 'vector', size: 5 }, ins: {} }, { params: { kind: 'bag', size: 6, vocab: 40 }, ins: {} }],
    wrongKind: [],
    wrongSize: 'none',
  },
  target: { valid: [{ ins: {} }, { params: { kind: 'vector', size: 5 }, ins: {} }], wrongKind: [], wrongSize: 'none' },
  encoder: {
    valid: [
      { ins: { in: tokens(12) } },
      { params: { kind: 'linear' }, ins: { in: vector(5) } },
      { params: { kind: 'linear', bias: false, size: 7 }, ins: { in: vector(5) } },
      { params: { kind: 'bag' }, ins: { in: bag(6, 40) } },
      { params: { kind: 'bag', position_encoding: true }, ins: { in: bag(6, 40) } },
    ],
    wrongKind: [
      { ins: { in: vector(5) }, ports: ['in'] },
      { params: { kind: 'linear' }, ins: { in: tokens(12) }, ports: ['in'] },
      { params: { kind: 'bag' }, ins: { in: tokens(12) }, ports: ['in'] },
      { params: { kind: 'embedding' }, ins: { in: bag(6, 40) }, ports: ['in'] },
    ],
    wrongSize: 'none',
  },
  decoder: {
    valid: [{ ins: { in: vector(8) } }, { params: { bias: false, size: 3 }, ins: { in: vector(8) } }],
    wrongKind: [{ ins: { in: tokens(12) }, ports: ['in'] }],
    wrongSize: 'none',
  },
  rnn: {
    valid: [
      { ins: { x: vector(3), h_prev: vector(64) } },
      { params: { hidden: 4, nonlinearity: 'relu', bias: false }, ins: { x: vector(3), h_prev: vector(4) } },
    ],
    wrongKind: [{ params: { hidden: 4 }, ins: { x: tokens(3), h_prev: vector(4) }, ports: ['x'] }],
    wrongSize: [{ params: { hidden: 4 }, ins: { x: vector(3), h_prev: vector(5) }, ports: ['h_prev'] }],
  },
  gru: {
    valid: [
      { ins: { x: vector(3), h_prev: vector(64) } },
      { params: { hidden: 4, reset: 'before' }, ins: { x: vector(3), h_prev: vector(4) } },
      { params: { hidden: 4, reset: 'after', bias: false }, ins: { x: vector(3), h_prev: vector(4) } },
      { params: { hidden: 4, reset: 'before', bias: false }, ins: { x: vector(3), h_prev: vector(4) } },
    ],
    wrongKind: [
      { params: { hidden: 4 }, ins: { x: vector(3), h_prev: tokens(4) }, ports: ['h_prev'] },
      { params: { hidden: 4 }, ins: { x: seq('s', vector(3)), h_prev: vector(4) }, ports: ['x'] },
    ],
    wrongSize: [{ params: { hidden: 4 }, ins: { x: vector(3), h_prev: vector(5) }, ports: ['h_prev'] }],
  },
  lstm: {
    valid: [
      { ins: { x: vector(3), h_prev: vector(64), c_prev: vector(64) } },
      { params: { hidden: 4, bias: false }, ins: { x: vector(3), h_prev: vector(4), c_prev: vector(4) } },
      { params: { hidden: 4, forget_bias: 1 }, ins: { x: vector(3), h_prev: vector(4), c_prev: vector(4) } },
    ],
    wrongKind: [{ params: { hidden: 4 }, ins: { x: vector(3), h_prev: vector(4), c_prev: bag(2, 4) }, ports: ['c_prev'] }],
    wrongSize: [
      { params: { hidden: 4 }, ins: { x: vector(3), h_prev: vector(4), c_prev: vector(5) }, ports: ['c_prev'] },
      { params: { hidden: 4 }, ins: { x: vector(3), h_prev: vector(3), c_prev: vector(4) }, ports: ['h_prev'] },
    ],
  },
  delay: {
    valid: [
      // Validation always hands a delay the type at `in` (resolved from init, size or consumers).
      { ins: { in: vector(4) } },
      { ins: { in: vector(4), init: vector(4) } },
      { params: { init: 'learned', size: 4 }, ins: { in: vector(4) } },
    ],
    wrongKind: [{ ins: { in: tokens(4) }, ports: ['in'] }],
    wrongSize: [
      { ins: { in: vector(4), init: vector(5) }, ports: ['in', 'init'] },
      { params: { size: 3 }, ins: { in: vector(4) }, ports: ['in'] },
    ],
  },
  linear: {
    valid: [{ ins: { in: vector(5) } }, { params: { bias: false, size: 2 }, ins: { in: vector(5) } }],
    wrongKind: [{ ins: { in: tokens(5) }, ports: ['in'] }],
    wrongSize: 'none',
  },
  gate: {
    valid: [{ ins: { in: vector(5) } }, { params: { bias: false, size: 2 }, ins: { in: vector(5) } }],
    wrongKind: [{ ins: { in: seq('s', vector(5)) }, ports: ['in'] }],
    wrongSize: 'none',
  },
  multiply: {
    valid: [{ ins: { a: vector(4), b: vector(4) } }],
    wrongKind: [{ ins: { a: tokens(4), b: vector(4) }, ports: ['a'] }],
    wrongSize: [{ ins: { a: vector(4), b: vector(5) }, ports: ['a', 'b'] }],
  },
  add: {
    valid: [{ ins: { a: vector(4), b: vector(4) } }, { ins: { a: vector(4), b: vector(4), c: vector(4) } }],
    wrongKind: [{ ins: { a: vector(4), b: vector(4), c: tokens(4) }, ports: ['c'] }],
    wrongSize: [
      { ins: { a: vector(4), b: vector(5) }, ports: ['a', 'b'] },
      { ins: { a: vector(4), b: vector(4), c: vector(5) }, ports: ['a', 'c'] },
    ],
  },
  one_minus: unary,
  tanh: unary,
  sigmoid: unary,
  relu: unary,
  softmax: unary,
  concat: {
    valid: [{ ins: { a: vector(2), b: vector(3) } }, { ins: { a: vector(2), b: vector(3), c: vector(4) } }],
    wrongKind: [{ ins: { a: vector(2), b: bag(3, 5) }, ports: ['b'] }],
    wrongSize: 'none',
  },
  bilinear: {
    valid: [{ ins: { x: vector(3), z: vector(5) } }, { params: { size: 2, bias: false }, ins: { x: vector(3), z: vector(5) } }],
    wrongKind: [{ ins: { x: vector(3), z: tokens(5) }, ports: ['z'] }],
    wrongSize: 'none',
  },
  attention: {
    valid: [
      { ins: { query: vector(6), keys: seq('src', vector(4)), values: seq('src', vector(5)) } },
      { params: { score: 'dot' }, ins: { query: vector(4), keys: seq('src', vector(4)), values: seq('src', vector(5)) } },
      { params: { score: 'scaled_dot' }, ins: { query: vector(4), keys: seq('src', vector(4)), values: seq('src', vector(4)) } },
    ],
    wrongKind: [
      { ins: { query: vector(6), keys: vector(4), values: seq('src', vector(5)) }, ports: ['keys'] },
      { ins: { query: seq('src', vector(6)), keys: seq('src', vector(4)), values: seq('src', vector(5)) }, ports: ['query'] },
    ],
    wrongSize: [
      { params: { score: 'dot' }, ins: { query: vector(3), keys: seq('src', vector(4)), values: seq('src', vector(5)) }, ports: ['query', 'keys'] },
      { params: { score: 'scaled_dot' }, ins: { query: vector(5), keys: seq('src', vector(4)), values: seq('src', vector(5)) }, ports: ['query', 'keys'] },
      { ins: { query: vector(6), keys: seq('src', vector(4)), values: seq('tgt', vector(5)) }, ports: ['keys', 'values'] },
    ],
  },
  memory: {
    valid: [{ ins: { query: vector(4), keys: seq('m', vector(4)), values: seq('m', vector(6)) } }],
    wrongKind: [{ ins: { query: vector(4), keys: seq('m', vector(4)), values: seq('m', tokens(6)) }, ports: ['values'] }],
    wrongSize: [
      { ins: { query: vector(3), keys: seq('m', vector(4)), values: seq('m', vector(6)) }, ports: ['query', 'keys'] },
      { ins: { query: vector(4), keys: seq('m', vector(4)), values: seq('n', vector(6)) }, ports: ['keys', 'values'] },
    ],
  },
  loss: {
    valid: [
      { ins: { pred: vector(12), target: tokens(12) } },
      { ins: { pred: seq('y', vector(12)), target: seq('y', tokens(12)) } },
      { params: { at: 'last', reduction: 'sum' }, ins: { pred: seq('y', vector(12)), target: seq('y', tokens(12)) } },
      { params: { kind: 'mse' }, ins: { pred: vector(4), target: vector(4) } },
      { params: { kind: 'bce', at: 'last' }, ins: { pred: seq('y', vector(4)), target: seq('y', vector(4)) } },
    ],
    wrongKind: [
      { ins: { pred: tokens(12), target: tokens(12) }, ports: ['pred'] },
      { ins: { pred: vector(12), target: vector(12) }, ports: ['target'] },
    ],
    wrongSize: [
      { ins: { pred: vector(5), target: tokens(12) }, ports: ['pred', 'target'] },
      { params: { kind: 'mse' }, ins: { pred: vector(4), target: vector(5) }, ports: ['pred', 'target'] },
    ],
  },
};

const REGISTRY_ORDER = [
  'input', 'target',
  'encoder', 'decoder',
  'rnn', 'gru', 'lstm', 'delay',
  'linear', 'gate', 'multiply', 'add', 'one_minus', 'tanh', 'sigmoid', 'relu', 'softmax', 'concat', 'bilinear',
  'attention', 'memory',
  'loss',
];
const CATEGORY_ORDER = ['sources', 'encdec', 'recurrent', 'elementwise', 'attention', 'loss'];

const block = (type: string): AnyBlockDef => getBlock(type)!;
const paramsOf = (def: AnyBlockDef, s: Sample): Record<string, unknown> => resolveParams(def.params, s.params);
const label = (s: Sample): string => JSON.stringify(s.params ?? {});

/** The ShapeIssue `f` throws (fails the test if it throws nothing or something else). */
function issueOf(f: () => unknown): ShapeIssue {
  try {
    f();
  } catch (e) {
    if (e instanceof ShapeIssue) return e;
    throw e;
  }
  throw new Error('expected a ShapeIssue, nothing was thrown');
}

/** Each refusal is a ShapeIssue with `reason`, exactly its ports, and a message naming each port and its type. */
function expectRefusals(def: AnyBlockDef, refusals: readonly Refusal[], reason: ShapeIssue['reason']): void {
  for (const s of refusals) {
    const issue = issueOf(() => def.shape(s.ins, paramsOf(def, s)));
    expect(issue.reason, issue.message).toBe(reason);
    expect([...issue.ports].sort(), issue.message).toEqual([...s.ports].sort());
    for (const port of s.ports) {
      expect(issue.message).toContain(port);
      expect(issue.message).toContain(formatType(s.ins[port]!));
    }
  }
}

/** The concrete per-example shape forward sees for a port type: sequences become [T, ...element]. */
const concrete = (t: ValueType): number[] => (t.seq !== undefined ? [T, ...t.shape] : [...t.shape]);

function runForward(def: AnyBlockDef, s: Sample): { outs: Readonly<Record<string, Sym>>; weights: readonly WeightDef[] } {
  const p = paramsOf(def, s);
  const g = new OpBuilder();
  const ins: Record<string, Sym> = {};
  for (const [port, t] of Object.entries(s.ins)) ins[port] = g.input(port, concrete(t), t.dtype);
  const weights = def.weights(s.ins, p);
  const w: Record<string, Sym> = {};
  for (const wd of weights) w[wd.name] = g.weight(wd.name, wd.shape);
  return { outs: def.forward(g, ins, w, p), weights };
}

/** Problems with an Init for a weight of `shape` (rows that do not add up, blocks that do not divide). */
function initProblems(init: Init, shape: readonly number[]): string[] {
  switch (init.kind) {
    case 'rows': {
      const total = init.parts.reduce((a, part) => a + part.rows, 0);
      const own = total === shape[0] ? [] : [`rows add up to ${total}, not ${shape[0]}`];
      return [...own, ...init.parts.flatMap((part) => initProblems(part.init, [part.rows, ...shape.slice(1)]))];
    }
    case 'orthogonal':
    case 'identity':
      return shape.length === 2 && shape[0]! % init.blocks === 0 ? [] : [`${init.blocks} blocks do not divide [${shape}]`];
    case 'uniform':
      return init.bound > 0 ? [] : ['non-positive bound'];
    case 'normal':
      return init.std > 0 ? [] : ['non-positive std'];
    default:
      return [];
  }
}

describe('block registry', () => {
  it('holds every block type in palette order, each under its own type name', () => {
    expect(blockTypes).toEqual(REGISTRY_ORDER);
    for (const [key, def] of Object.entries(blockRegistry)) expect(def.type).toBe(key);
    const cats = blockTypes.map((t) => CATEGORY_ORDER.indexOf(block(t).category));
    expect(cats.every((c) => c >= 0)).toBe(true);
    expect(cats).toEqual([...cats].sort((a, b) => a - b));
  });

  it('has test cases for exactly the registered blocks', () => {
    expect(Object.keys(cases).sort()).toEqual([...blockTypes].sort());
  });

  it('documents every block, port and param', () => {
    for (const def of Object.values(blockRegistry)) {
      expect(def.doc.length, def.type).toBeGreaterThan(10);
      expect(def.title.length, def.type).toBeGreaterThan(0);
      for (const port of [...def.inputs, ...def.outputs]) expect(port.doc.length, `${def.type}.${port.name}`).toBeGreaterThan(3);
      for (const [name, param] of Object.entries(def.params)) expect(param.doc.length, `${def.type}.${name}`).toBeGreaterThan(3);
      const names = [...def.inputs, ...def.outputs].map((p) => p.name);
      expect(new Set(names).size, `${def.type} port names`).toBe(names.length);
    }
  });

  it('has every param default inside its own range or enum', () => {
    for (const def of Object.values(blockRegistry)) {
      for (const [name, param] of Object.entries(def.params)) {
        const d = paramDefault(param);
        if (d === undefined) continue;
        expect(checkParam(param, d), `${def.type}.${name} default ${String(d)}`).toBeUndefined();
      }
    }
  });

  it('refuses 2**31 for every integer param (hidden sizes included)', () => {
    for (const type of ['rnn', 'gru', 'lstm']) expect(checkParam(block(type).params.hidden!, 2 ** 31)).toMatch(/between/);
    for (const def of Object.values(blockRegistry)) {
      for (const [name, param] of Object.entries(def.params)) {
        if (param.kind === 'int' || param.kind === 'optionalInt') expect(checkParam(param, 2 ** 31), `${def.type}.${name}`).toBeDefined();
      }
    }
  });
});

describe.each(REGISTRY_ORDER)('block %s', (type) => {
  const def = block(type);
  const c = cases[type]!;

  it('samples connect existing ports, every required one, with a form the port accepts', () => {
    for (const s of [...c.valid, ...c.wrongKind, ...(c.wrongSize === 'none' ? [] : c.wrongSize)]) {
      for (const port of Object.keys(s.ins)) expect(def.inputs.map((p) => p.name), port).toContain(port);
    }
    for (const s of c.valid) {
      for (const port of def.inputs) {
        const t = s.ins[port.name];
        if (t === undefined) {
          expect(port.optional, `${port.name} unconnected in ${label(s)}`).toBe(true);
          continue;
        }
        expect(port.accepts, `${port.name} ${formatType(t)}`).toContainEqual({ kind: elementKind(t), seq: t.seq !== undefined });
      }
    }
  });

  it('forward returns, for every output port, the shape the shape rule gives', () => {
    for (const s of c.valid) {
      const types = def.shape(s.ins, paramsOf(def, s));
      const { outs } = runForward(def, s);
      expect(Object.keys(outs).sort(), label(s)).toEqual(def.outputs.map((o) => o.name).sort());
      expect(Object.keys(types).sort(), label(s)).toEqual(def.outputs.map((o) => o.name).sort());
      for (const [port, t] of Object.entries(types)) {
        const sym = outs[port]!;
        expect({ shape: sym.shape, dtype: sym.dtype, batched: sym.batched }, `${port} of ${label(s)}`).toEqual({
          shape: concrete(t),
          dtype: t.dtype,
          batched: true,
        });
      }
    }
  });

  it('declares weights with positive sizes, unique names and well-formed inits', () => {
    for (const s of c.valid) {
      const { weights } = runForward(def, s);
      expect(new Set(weights.map((w) => w.name)).size).toBe(weights.length);
      for (const w of weights) {
        expect(w.shape.every((d) => Number.isInteger(d) && d > 0), `${w.name} [${w.shape}]`).toBe(true);
        expect(initProblems(w.init, w.shape), w.name).toEqual([]);
        expect(w.doc.length, w.name).toBeGreaterThan(3);
      }
    }
  });

  if (def.inputs.length === 0) {
    it('has no input to refuse', () => expect(c.wrongKind).toEqual([]));
  } else {
    it('refuses a wrong kind with reason "kind", naming the port and what it got', () => {
      expect(c.wrongKind.length).toBeGreaterThan(0);
      expectRefusals(def, c.wrongKind, 'kind');
    });
  }

  const wrongSize = c.wrongSize;
  if (wrongSize === 'none') {
    it('takes any sizes', () => {
      for (const s of c.valid) {
        const grown: Record<string, ValueType> = {};
        for (const [port, t] of Object.entries(s.ins)) grown[port] = t.shape.length > 0 ? { ...t, shape: [t.shape[0]! + 2, ...t.shape.slice(1)] } : t;
        expect(() => def.shape(grown, paramsOf(def, s)), label(s)).not.toThrow();
      }
    });
  } else {
    it('refuses a wrong size with reason "mismatch", naming every port involved and its shape', () => {
      expect(wrongSize.length).toBeGreaterThan(0);
      expectRefusals(def, wrongSize, 'mismatch');
    });
  }

  const expects = def.expects;
  if (expects !== undefined) {
    it('expects exactly what its shape rule accepts', () => {
      for (const s of c.valid) {
        const p = paramsOf(def, s);
        const expected = expects(p);
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        const ok = { ...s.ins, ...expected };
        expect(() => def.shape(ok, p), label(s)).not.toThrow();
        for (const [port, t] of Object.entries(expected)) {
          const off = { ...ok, [port]: { ...t, shape: [t.shape[0]! + 1] } };
          const issue = issueOf(() => def.shape(off, p));
          expect(issue.reason).toBe('mismatch');
          expect(issue.ports).toContain(port);
        }
      }
    });
  }
});

describe('recurrent cells use PyTorch weight names and layouts', () => {
  const ins = { x: vector(3), h_prev: vector(4), c_prev: vector(4) };
  const shapes = (type: string, params: Record<string, unknown>): Record<string, readonly number[]> => {
    const def = block(type);
    const connected = Object.fromEntries(def.inputs.map((p) => [p.name, ins[p.name as keyof typeof ins]]));
    return Object.fromEntries(def.weights(connected, resolveParams(def.params, params)).map((w) => [w.name, w.shape]));
  };

  it.each([
    ['rnn', 1],
    ['gru', 3],
    ['lstm', 4],
  ] as const)('%s stacks %i gate(s)', (type, gates) => {
    expect(shapes(type, { hidden: 4 })).toEqual({ weight_ih: [gates * 4, 3], weight_hh: [gates * 4, 4], bias_ih: [gates * 4], bias_hh: [gates * 4] });
    expect(shapes(type, { hidden: 4, bias: false })).toEqual({ weight_ih: [gates * 4, 3], weight_hh: [gates * 4, 4] });
  });

  it('lstm forget_bias sets the forget rows of bias_ih and zeroes those of bias_hh', () => {
    const def = block('lstm');
    const byName = (forget: number): Record<string, Init> =>
      Object.fromEntries(def.weights(ins, resolveParams(def.params, { hidden: 4, forget_bias: forget })).map((w) => [w.name, w.init]));
    const pytorch: Init = { kind: 'uniform', bound: 0.5 };
    expect(byName(0).bias_ih).toEqual(pytorch);
    expect(byName(0).bias_hh).toEqual(pytorch);
    const rows = (forget: Init): Init => ({ kind: 'rows', parts: [{ rows: 4, init: pytorch }, { rows: 4, init: forget }, { rows: 8, init: pytorch }] });
    expect(byName(1).bias_ih).toEqual(rows({ kind: 'constant', value: 1 }));
    expect(byName(1).bias_hh).toEqual(rows({ kind: 'zeros' }));
    expect(byName(1).weight_ih).toEqual(pytorch);
  });
});

describe('outputs of particular blocks', () => {
  it('attention and memory weights are a sequence of scalars along the keys’ axis', () => {
    const ins = { query: vector(4), keys: seq('src', vector(4)), values: seq('src', vector(6)) };
    expect(block('attention').shape(ins, resolveParams(block('attention').params, { score: 'dot' }))).toEqual({
      context: vector(6),
      weights: seq('src', scalar),
    });
    expect(block('memory').shape(ins, {})).toEqual({ read: vector(6), weights: seq('src', scalar) });
  });

  it('attention has weights only for the additive score', () => {
    const def = block('attention');
    const ins = { query: vector(6), keys: seq('src', vector(4)), values: seq('src', vector(5)) };
    const names = (score: string): string[] => def.weights(ins, resolveParams(def.params, { score, size: 7 })).map((w: WeightDef) => `${w.name}[${w.shape}]`);
    expect(names('additive')).toEqual(['W_q[7,6]', 'W_k[7,4]', 'v[7]']);
    expect(() => names('dot')).toThrow(ShapeIssue);
    const square = { ...ins, query: vector(4) };
    expect(def.weights(square, resolveParams(def.params, { score: 'scaled_dot' }))).toEqual([]);
  });

  it('bilinear weight is nn.Bilinear’s [m, n, d], encoder tables are [vocab, size]', () => {
    const bil = block('bilinear');
    expect(bil.weights({ x: vector(3), z: vector(5) }, resolveParams(bil.params, { size: 2 })).map((w: WeightDef) => w.shape)).toEqual([[2, 3, 5], [2]]);
    const enc = block('encoder');
    expect(enc.weights({ in: tokens(12) }, resolveParams(enc.params, {})).map((w: WeightDef) => [w.name, w.shape, w.init])).toEqual([
      ['weight', [12, 32], { kind: 'normal', std: 1 }],
    ]);
    expect(enc.weights({ in: vector(9) }, resolveParams(enc.params, { kind: 'linear', size: 2 })).map((w: WeightDef) => [w.name, w.shape, w.init])).toEqual([
      ['weight', [2, 9], { kind: 'uniform', bound: 1 / 3 }],
      ['bias', [2], { kind: 'uniform', bound: 1 / 3 }],
    ]);
  });
});
