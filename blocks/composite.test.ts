import { describe, expect, it } from 'vitest';
import type { AnyBlockDef, CompositeDef, PortTypes, ValueType, WeightDef } from './types.ts';
import { vector } from './shape.ts';
import { resolveParams } from './params.ts';
import { blockRegistry, getBlock } from './registry.ts';

const H = 4;
const outerIns: PortTypes = { x: vector(3), h_prev: vector(H), c_prev: vector(H) };

const cells: readonly [string, Record<string, unknown>][] = [
  ['gru', { hidden: H, reset: 'after' }],
  ['gru', { hidden: H, reset: 'before' }],
  ['gru', { hidden: H, reset: 'after', bias: false }],
  ['gru', { hidden: H, reset: 'before', bias: false, init: 'orthogonal' }],
  ['lstm', { hidden: H }],
  ['lstm', { hidden: H, bias: false }],
  ['lstm', { hidden: H, forget_bias: 1 }],
];

const split = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return [ref.slice(0, dot), ref.slice(dot + 1)];
};

interface Inner {
  readonly def: CompositeDef;
  readonly outer: AnyBlockDef;
  readonly outerParams: Record<string, unknown>;
  readonly connected: PortTypes;
}

function open(type: string, params: Record<string, unknown>): Inner {
  const outer = getBlock(type)!;
  const outerParams = resolveParams(outer.params, params);
  const connected = Object.fromEntries(outer.inputs.map((p) => [p.name, outerIns[p.name]!]));
  return { def: outer.composite!(connected, outerParams), outer, outerParams, connected };
}

/** Inner port → where it reads from (`"x"` for an outer input, `"node.port"` for an inner output). */
function sources(def: CompositeDef): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const add = (to: string, from: string): void => void m.set(to, [...(m.get(to) ?? []), from]);
  for (const [outer, tos] of Object.entries(def.inputs)) for (const to of tos) add(to, outer);
  for (const e of def.edges) add(e.to, e.from);
  return m;
}

/** Runs inner shape rules in topological order; returns every inner output's type and each node's input types. */
function innerTypes(inner: Inner): { outs: Map<string, ValueType>; nodeIns: Map<string, PortTypes> } {
  const src = sources(inner.def);
  const outs = new Map<string, ValueType>(Object.entries(inner.connected));
  const nodeIns = new Map<string, PortTypes>();
  const pending = [...inner.def.nodes];
  while (pending.length > 0) {
    const k = pending.findIndex((n) => [...src].every(([to, from]) => split(to)[0] !== n.id || outs.has(from[0]!)));
    if (k < 0) throw new Error(`cycle among ${pending.map((n) => n.id).join(', ')}`);
    const node = pending.splice(k, 1)[0]!;
    const block = getBlock(node.type)!;
    const ins: Record<string, ValueType> = {};
    for (const [to, from] of src) if (split(to)[0] === node.id) ins[split(to)[1]] = outs.get(from[0]!)!;
    nodeIns.set(node.id, ins);
    for (const [port, t] of Object.entries(block.shape(ins, resolveParams(block.params, node.params)))) outs.set(`${node.id}.${port}`, t);
  }
  return { outs, nodeIns };
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

describe.each(cells)('%s composite %j', (type, params) => {
  const inner = open(type, params);
  const { def, outer } = inner;
  const nodes = new Map(def.nodes.map((n) => [n.id, n]));

  it('is wired only from registered, non-composite primitive blocks with valid params', () => {
    expect(nodes.size).toBe(def.nodes.length);
    for (const n of def.nodes) {
      expect(n.id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      const block = getBlock(n.type);
      expect(block, n.type).toBeDefined();
      expect(block!.composite, n.type).toBeUndefined();
      for (const key of Object.keys(n.params)) expect(Object.keys(block!.params), `${n.id}.${key}`).toContain(key);
    }
    const used = new Set(def.nodes.map((n) => n.type));
    expect([...used].every((t) => ['linear', 'add', 'sigmoid', 'tanh', 'multiply', 'one_minus'].includes(t))).toBe(true);
  });

  it('names existing ports on every wire and feeds each inner input exactly once', () => {
    const inPort = (ref: string): boolean => {
      const [id, port] = split(ref);
      return nodes.has(id) && getBlock(nodes.get(id)!.type)!.inputs.some((p) => p.name === port);
    };
    const outPort = (ref: string): boolean => {
      const [id, port] = split(ref);
      return nodes.has(id) && getBlock(nodes.get(id)!.type)!.outputs.some((p) => p.name === port);
    };
    for (const e of def.edges) {
      expect(outPort(e.from), e.from).toBe(true);
      expect(inPort(e.to), e.to).toBe(true);
    }
    expect(Object.keys(def.inputs).sort()).toEqual(outer.inputs.map((p) => p.name).sort());
    for (const tos of Object.values(def.inputs)) for (const to of tos) expect(inPort(to), to).toBe(true);
    expect(Object.keys(def.outputs).sort()).toEqual(outer.outputs.map((p) => p.name).sort());
    for (const ref of Object.values(def.outputs)) expect(outPort(ref), ref).toBe(true);

    const src = sources(def);
    for (const [to, from] of src) expect(from, to).toHaveLength(1);
    for (const n of def.nodes) {
      for (const port of getBlock(n.type)!.inputs) {
        if (!port.optional) expect(src.has(`${n.id}.${port.name}`), `${n.id}.${port.name}`).toBe(true);
      }
    }
  });

  it('gives the outer block’s output types when its inner shape rules run in order', () => {
    const { outs } = innerTypes(inner);
    const expected = outer.shape(inner.connected, inner.outerParams);
    for (const [port, ref] of Object.entries(def.outputs)) expect(outs.get(ref), port).toEqual(expected[port]);
  });

  it('maps every inner weight to rows of an outer weight, tiling each outer weight exactly', () => {
    const { nodeIns } = innerTypes(inner);
    const innerWeights = new Map<string, WeightDef>();
    for (const n of def.nodes) {
      const block = getBlock(n.type)!;
      for (const w of block.weights(nodeIns.get(n.id)!, resolveParams(block.params, n.params))) innerWeights.set(`${n.id}.${w.name}`, w);
    }
    const outerWeights = outer.weights(inner.connected, inner.outerParams);
    expect(def.weights.map((l) => l.inner).sort()).toEqual([...innerWeights.keys()].sort());

    for (const ow of outerWeights) {
      const links = def.weights.filter((l) => l.outer === ow.name).sort((a, b) => a.rows[0] - b.rows[0]);
      expect(links.length, ow.name).toBeGreaterThan(0);
      let next = 0;
      for (const l of links) {
        expect(l.rows[0], `${l.inner} starts where the previous range ended`).toBe(next);
        const iw = innerWeights.get(l.inner)!;
        expect(iw.shape, l.inner).toEqual([l.rows[1] - l.rows[0], ...ow.shape.slice(1)]);
        next = l.rows[1];
      }
      expect(next, `${ow.name} covered to its last row`).toBe(ow.shape[0]);
    }
    for (const l of def.weights) expect(outerWeights.map((w) => w.name), l.outer).toContain(l.outer);
    const innerTotal = [...innerWeights.values()].reduce((a, w) => a + count(w.shape), 0);
    expect(innerTotal).toBe(outerWeights.reduce((a, w) => a + count(w.shape), 0));
  });

  it('gives its inner linears a bias exactly when the cell has one', () => {
    const linears = def.nodes.filter((n) => n.type === 'linear');
    expect(linears.length).toBe(type === 'gru' ? 6 : 8);
    for (const n of linears) expect(n.params.bias, n.id).toBe(inner.outerParams.bias);
  });
});

describe('composites', () => {
  it('exist exactly for the gated cells', () => {
    expect(Object.values(blockRegistry).filter((b) => b.composite !== undefined).map((b) => b.type)).toEqual(['gru', 'lstm']);
  });

  it('draw the GRU reset gate where the reset param says', () => {
    const feeds = (reset: string): string[] => {
      const { def } = open('gru', { hidden: H, reset });
      return [...sources(def)].filter(([to]) => split(to)[0] === 'h_n').map(([, from]) => from[0]!);
    };
    expect(feeds('after')).toEqual(['h_prev']);
    expect(feeds('before')).toEqual(['r_h.out']);
  });

  it('use readable LSTM ids', () => {
    const { def } = open('lstm', { hidden: H });
    for (const id of ['x_i', 'h_i', 'i', 'f', 'g', 'o', 'c_f', 'c_i', 'c', 'tanh_c', 'h']) expect(def.nodes.map((n) => n.id)).toContain(id);
    expect(def.outputs).toEqual({ h: 'h.out', c: 'c.out' });
  });
});
