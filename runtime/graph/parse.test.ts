/** parseGraph and checkGraphObject: accepting valid documents exactly as written, and each refusal's code and path. */
import { describe, expect, it } from 'vitest';
import { CATALOGUE, type UnrollError } from '../errors/catalogue.ts';
import { MAX_ERRORS, checkGraphObject, parseGraph } from './parse.ts';
import { fixtureText, tinyRnn } from './testing/fixtures.ts';

/** The errors of a refused document (fails the test if it was accepted). */
function errorsOf(input: unknown): readonly UnrollError[] {
  const r = typeof input === 'string' || input instanceof Uint8Array ? parseGraph(input) : checkGraphObject(input);
  if (r.ok) throw new Error('expected the document to be refused');
  for (const e of r.errors) {
    expect(Object.keys(CATALOGUE)).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.path?.startsWith('$')).toBe(true);
  }
  return r.errors;
}

/** Both entry points refuse `doc` with an error of `code` at `path`; returns that error. */
function refused(doc: unknown, code: string, path: string): UnrollError {
  const fromText = errorsOf(JSON.stringify(doc));
  const fromObject = errorsOf(doc);
  expect(fromObject).toEqual(fromText);
  const hit = fromText.find((e) => e.code === code && e.path === path);
  expect(hit, `want ${code} at ${path}, got ${JSON.stringify(fromText)}`).toBeDefined();
  return hit!;
}

describe('accepting', () => {
  it('returns the fixture exactly as written: no defaults added, nothing dropped', () => {
    const r = parseGraph(fixtureText('tiny-rnn.json'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual(tinyRnn());
    expect(r.value.nodes[3]!.params).toEqual({ init: 'zeros' }); // no `size`, no defaults filled in
  });

  it('reads UTF-8 bytes the same as text', () => {
    const r = parseGraph(new TextEncoder().encode(fixtureText('tiny-rnn.json')));
    expect(r.ok && r.value).toEqual(tinyRnn());
  });

  it('accepts BOM-prefixed UTF-8 bytes and strings', () => {
    const body = new TextEncoder().encode(fixtureText('tiny-rnn.json'));
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...body]);
    expect(parseGraph(bytes)).toEqual({ ok: true, value: tinyRnn() });
    expect(parseGraph(`\ufeff${fixtureText('tiny-rnn.json')}`)).toEqual({ ok: true, value: tinyRnn() });
  });

  it('accepts the minimal document and keeps node and loop ids in separate namespaces', () => {
    const min = { format: 'unroll-graph', version: 1, name: '', nodes: [], edges: [] };
    expect(checkGraphObject(min)).toEqual({ ok: true, value: min });
    const doc = tinyRnn(); // loop "enc" and node "enc" share an id
    expect(doc.loops[0].id).toBe(doc.nodes[2].id);
    expect(checkGraphObject(doc).ok).toBe(true);
  });

  it('checkGraphObject returns a fresh copy, and accepts objects without a prototype and undefined (absent) keys', () => {
    const doc = tinyRnn();
    const r = checkGraphObject(doc);
    expect(r.ok && r.value).not.toBe(doc);
    expect(r.ok && r.value.nodes[0]).not.toBe(doc.nodes[0]);
    const bare = Object.assign(Object.create(null), doc, { task: undefined });
    const r2 = checkGraphObject(bare);
    expect(r2.ok && Object.getPrototypeOf(r2.value)).toBe(Object.prototype);
    expect(r2.ok && 'task' in r2.value).toBe(false);
  });

  it('keeps a param named like an Object method as plain data', () => {
    const doc = tinyRnn();
    doc.task.params = { toString: 3, hasOwnProperty: 'x', valueOf: true };
    const r = checkGraphObject(doc);
    expect(r.ok && r.value.task).toEqual(doc.task);
  });
});

describe('hostile input', () => {
  /** The fixture's text with `"key": value` added as the first key of the object at `at`. */
  function withKey(at: (d: ReturnType<typeof tinyRnn>) => object, key: string, value: string): string {
    const d = tinyRnn();
    const marker = 'MARKER_0123456789';
    Object.assign(at(d), { [marker]: 0 });
    return JSON.stringify(d).replace(`"${marker}":0`, `${JSON.stringify(key)}:${value}`);
  }

  const places: [string, (d: ReturnType<typeof tinyRnn>) => object, string][] = [
    ['at the top level', (d) => d, '$'],
    ['in a node', (d) => d.nodes[1], '$.nodes[1]'],
    ['in params', (d) => d.nodes[2].params, '$.nodes[2].params'],
    ['in a position', (d) => d.nodes[0].position, '$.nodes[0].position'],
    ['in task.params', (d) => d.task.params, '$.task.params'],
    ['in training', (d) => d.training, '$.training'],
    ['in an edge', (d) => d.edges[4], '$.edges[4]'],
  ];
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const [where, at, path] of places) {
      it(`refuses ${key} ${where} (E103), polluting nothing`, () => {
        const text = withKey(at, key, '{"polluted": true}');
        const errors = errorsOf(text);
        expect(errors).toContainEqual(expect.objectContaining({ code: 'E103', path: `${path}.${key}` }));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        // The same object after JSON.parse (own __proto__ property) through checkGraphObject.
        expect(errorsOf(JSON.parse(text))).toEqual(errors);
      });
    }
  }

  it('refuses 1e999 (E104) at its path', () => {
    const text = JSON.stringify(tinyRnn()).replace('"x":40', '"x":1e999');
    expect(errorsOf(text)).toEqual([expect.objectContaining({ code: 'E104', path: '$.nodes[0].position.x' })]);
    const d = tinyRnn();
    d.training.lr = NaN;
    expect(errorsOf(d)).toEqual([expect.objectContaining({ code: 'E104', path: '$.training.lr' })]);
  });

  it('refuses a 20 MB file (E100) before reading it, as text and as bytes', () => {
    const big = `{"name": "${'a'.repeat(20 * 1024 * 1024)}"}`;
    const [e] = errorsOf(big);
    expect(e).toMatchObject({ code: 'E100', path: '$' });
    expect(e!.message).toContain(String(8 * 1024 * 1024));
    expect(e!.message).toContain(String(big.length));
    expect(errorsOf(new Uint8Array(20 * 1024 * 1024))[0]!.code).toBe('E100');
  });

  it('counts UTF-8 bytes, not characters, against the size cap', () => {
    const text = `{"name": "${'é'.repeat(5 * 1024 * 1024)}"}`; // 5 Mi characters, 10 MiB of UTF-8
    expect(text.length).toBeLessThan(8 * 1024 * 1024);
    expect(errorsOf(text)[0]!.code).toBe('E100');
  });

  it('refuses a million nodes as text (E100)', () => {
    const nodes = new Array(1_000_000).fill('{"id":"a","type":"rnn"}').join(',');
    const text = `{"format":"unroll-graph","version":1,"name":"n","nodes":[${nodes}],"edges":[]}`;
    expect(errorsOf(text)).toEqual([expect.objectContaining({ code: 'E100' })]);
  });

  it('refuses a million nodes as an object (E119) without looking at them', () => {
    let reads = 0;
    const items = new Array(1_000_000).fill({ id: 'a', type: 'rnn' });
    const nodes = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const errors = errorsOf({ format: 'unroll-graph', version: 1, name: 'n', nodes, edges: [] });
    expect(errors).toEqual([expect.objectContaining({ code: 'E119', path: '$.nodes' })]);
    expect(errors[0]!.message).toContain('1000000');
    expect(reads).toBe(0);
  });

  it('refuses more edges than allowed (E119) from text too', () => {
    const d = tinyRnn();
    d.edges = new Array(40_001).fill({ from: 'x.out', to: 'enc.x' });
    expect(errorsOf(JSON.stringify(d))).toEqual([expect.objectContaining({ code: 'E119', path: '$.edges' })]);
  });

  it('refuses 5,000-deep nesting (E102) at the spot where it goes too deep', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const d32 = '$' + '[0]'.repeat(32);
    expect(errorsOf(deep)).toEqual([expect.objectContaining({ code: 'E102', path: d32 })]);
    const inTask = `{"format":"unroll-graph","version":1,"name":"d","nodes":[],"edges":[],"task":{"name":"t","params":{"p":${deep}}}}`;
    expect(errorsOf(inTask)).toEqual([expect.objectContaining({ code: 'E102', path: '$.task.params.p' + '[0]'.repeat(29) })]);
    // The same depth built in memory, and a cycle, through checkGraphObject.
    let v: unknown[] = [];
    const root = v;
    for (let i = 0; i < 5000; i++) {
      const next: unknown[] = [];
      v.push(next);
      v = next;
    }
    expect(errorsOf(root)[0]).toMatchObject({ code: 'E106', path: '$' }); // an array root is refused first
    const doc = { format: 'unroll-graph', version: 1, name: 'd', nodes: [], edges: [], task: { name: 't', params: { p: root } } };
    expect(errorsOf(doc)).toEqual([expect.objectContaining({ code: 'E102', path: '$.task.params.p' + '[0]'.repeat(29) })]);
    const cyclic: Record<string, unknown> = { format: 'unroll-graph', version: 1, name: 'c', nodes: [], edges: [] };
    cyclic.task = { name: 't', params: { self: cyclic } };
    expect(errorsOf(cyclic)[0]!.code).toBe('E102');
  });

  it('refuses hidden 2**31 (E115) at $.nodes[i].params.hidden', () => {
    const d = tinyRnn();
    d.nodes[2].params.hidden = 2 ** 31;
    const e = refused(d, 'E115', '$.nodes[2].params.hidden');
    expect(e.message).toContain('must be between 1 and 16384, got 2147483648');
  });

  it('refuses a dangling edge (E117) naming the edge', () => {
    const d = tinyRnn();
    d.edges[3].to = 'nowhere.in';
    const e = refused(d, 'E117', '$.edges[3].to');
    expect(e.message).toContain('$.edges[3]');
    expect(e.message).toContain('"nowhere"');
    d.edges[3].to = 'out.in';
    d.edges[0].from = 'xx.out';
    expect(refused(d, 'E117', '$.edges[0].from').message).toContain('did you mean "x"?');
  });

  it('refuses a port the block does not have (E118), listing the ports it has', () => {
    const d = tinyRnn();
    d.edges[0].to = 'enc.input';
    expect(refused(d, 'E118', '$.edges[0].to').message).toContain('x, h_prev');
    const wrongWay = tinyRnn();
    wrongWay.edges[0].from = 'enc.x'; // an input port used as the start of an edge
    expect(refused(wrongWay, 'E118', '$.edges[0].from').message).toMatch(/input port.*output ports are h/);
    const into = tinyRnn();
    into.edges[0].to = 'x.out'; // a source has no inputs
    expect(refused(into, 'E118', '$.edges[0].to').message).toContain('no input ports');
  });

  it('refuses version 99 (E109): made by a newer version of Unroll', () => {
    const d = tinyRnn();
    d.version = 99;
    d.futureKey = { anything: true }; // a newer format's keys are not reported as unknown
    const errors = errorsOf(d);
    expect(errors).toEqual([expect.objectContaining({ code: 'E109', path: '$.version' })]);
    expect(errors[0]!.message).toBe('made by a newer version of Unroll (file version 99; this build reads up to version 1)');
  });

  it('refuses a key written twice in one object (E124) instead of keeping the last silently', () => {
    const text = fixtureText('tiny-rnn.json');
    const twice = text.replace('"name": ', '"name": "first", "name": ');
    expect(twice).not.toBe(text);
    const [e] = errorsOf(twice);
    expect(e).toMatchObject({ code: 'E124', path: '$.name' });
    expect(e!.message).toMatch(/"name" appears twice .*line \d+, column \d+/);
    // an escaped spelling of the same key is the same key
    const nested = text.replace('"hidden": ', '"hidd\\u0065n": 3, "hidden": ');
    expect(nested).not.toBe(text);
    expect(errorsOf(nested)[0]).toMatchObject({ code: 'E124', path: expect.stringMatching(/^\$\.nodes\[\d+\]\.params\.hidden$/) });
    // paths name keys as decoded, not as escaped in the file
    const escapedPath = text.replace('"nodes": [', '"no\\u0064es": [').replace('"hidden": ', '"hidden": 1, "hidden": ');
    expect(errorsOf(escapedPath)[0]).toMatchObject({ code: 'E124', path: expect.stringMatching(/^\$\.nodes\[/) });
    // equal keys in different objects are fine
    expect(parseGraph(text).ok).toBe(true);
  });

  it('refuses duplicate node ids and duplicate loop ids (E112)', () => {
    const d = tinyRnn();
    d.nodes[4].id = 'x';
    d.edges[3].to = 'x.in';
    expect(refused(d, 'E112', '$.nodes[4].id').message).toContain('$.nodes[0]');
    const l = tinyRnn();
    l.loops.push({ id: 'enc', steps: 3 });
    expect(refused(l, 'E112', '$.loops[1].id').message).toContain('$.loops[0]');
  });

  it('refuses ids that break the pattern or are too long (E111)', () => {
    for (const bad of ['1x', 'has space', 'a.b', '', 'é', 'x'.repeat(65)]) {
      const d = tinyRnn();
      d.nodes[5].id = bad;
      refused(d, 'E111', '$.nodes[5].id');
      const l = tinyRnn();
      l.loops[0].id = bad;
      refused(l, 'E111', '$.loops[0].id');
    }
    const ok = tinyRnn();
    ok.nodes[5].id = `_a-B9${'x'.repeat(59)}`; // 64 characters
    ok.edges[4].to = `${ok.nodes[5].id}.pred`;
    ok.edges[5].to = `${ok.nodes[5].id}.target`;
    expect(checkGraphObject(ok).ok).toBe(true);
  });

  it('refuses an unknown block type (E113), suggesting a close match', () => {
    const d = tinyRnn();
    d.nodes[2].type = 'rnm';
    expect(refused(d, 'E113', '$.nodes[2].type').message).toContain('did you mean "rnn"?');
    d.nodes[2].type = 'transformer';
    expect(refused(d, 'E113', '$.nodes[2].type').message).not.toContain('did you mean');
    // Its params and ports cannot be checked, so they add no errors of their own.
    expect(errorsOf(d).map((e) => e.code)).toEqual(['E113']);
  });

  it('refuses an unknown param (E114), listing the block params', () => {
    const d = tinyRnn();
    d.nodes[2].params.hiden = 8;
    const e = refused(d, 'E114', '$.nodes[2].params.hiden');
    expect(e.message).toContain('did you mean "hidden"?');
    expect(e.message).toContain('hidden, nonlinearity');
  });

  it('refuses a non-object root (E106)', () => {
    for (const root of ['[]', '42', 'null', '"graph"', 'true']) {
      expect(errorsOf(root)).toEqual([expect.objectContaining({ code: 'E106', path: '$' })]);
    }
    expect(errorsOf(new Date())[0]!.code).toBe('E106');
  });

  it('refuses empty input (E101)', () => {
    for (const empty of ['', '   \n\t', '\ufeff', new Uint8Array(0), new Uint8Array([0xef, 0xbb, 0xbf])]) {
      expect(errorsOf(empty)).toEqual([expect.objectContaining({ code: 'E101', path: '$' })]);
    }
  });

  it('refuses bytes that are not UTF-8 (E101), naming the offset', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"name": "'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
    const [e] = errorsOf(bytes);
    expect(e).toMatchObject({ code: 'E101', path: '$' });
    expect(e!.message).toContain('offset 10');
  });

  it('refuses bad JSON (E101) with its line and column', () => {
    const [e] = errorsOf('{\n  "format": "unroll-graph",\n  "version": 1,\n}');
    expect(e).toMatchObject({ code: 'E101', path: '$' });
    expect(e!.message).toContain('line 4, column 1');
    expect(errorsOf('{"a": tru}')[0]!.message).toContain('line 1, column 7');
  });

  it('never throws on exotic objects: getters that throw, proxies, functions, bigints', () => {
    const getter = tinyRnn();
    Object.defineProperty(getter.nodes[0], 'type', { get: () => { throw new Error('boom'); }, enumerable: true });
    expect(errorsOf(getter)[0]!.message).toContain('boom');
    const proxy = new Proxy(tinyRnn(), { ownKeys: () => { throw new Error('no keys'); } });
    expect(errorsOf(proxy).length).toBe(1);
    const fn = tinyRnn();
    fn.task.params.f = () => 1;
    fn.task.params.b = 10n;
    expect(errorsOf(fn).map((e) => [e.code, e.path])).toEqual([
      ['E106', '$.task.params.f'],
      ['E106', '$.task.params.b'],
    ]);
    expect(checkGraphObject(undefined).ok).toBe(false);
  });
});

describe('structure', () => {
  it('refuses unknown keys at every level (E105), suggesting the key meant', () => {
    const cases: [(d: ReturnType<typeof tinyRnn>) => void, string][] = [
      [(d) => (d.nmae = 'x'), '$.nmae'],
      [(d) => (d.nodes[1].postion = {}), '$.nodes[1].postion'],
      [(d) => (d.nodes[0].position.z = 1), '$.nodes[0].position.z'],
      [(d) => (d.edges[1].tkae = 'all'), '$.edges[1].tkae'],
      [(d) => (d.loops[0].over_ = 'x'), '$.loops[0].over_'],
      [(d) => (d.task.parms = {}), '$.task.parms'],
      [(d) => (d.training.learningRate = 1), '$.training.learningRate'],
    ];
    for (const [change, path] of cases) {
      const d = tinyRnn();
      change(d);
      refused(d, 'E105', path);
    }
    const d = tinyRnn();
    d.nodes[1].postion = {};
    expect(refused(d, 'E105', '$.nodes[1].postion').message).toContain('did you mean "position"?');
  });

  it('refuses wrong types (E106)', () => {
    const cases: [(d: ReturnType<typeof tinyRnn>) => void, string][] = [
      [(d) => (d.name = 3), '$.name'],
      [(d) => (d.nodes = {}), '$.nodes'],
      [(d) => (d.edges = 'x'), '$.edges'],
      [(d) => (d.loops = {}), '$.loops'],
      [(d) => (d.nodes[0] = 'x'), '$.nodes[0]'],
      [(d) => (d.nodes[0].id = 1), '$.nodes[0].id'],
      [(d) => (d.nodes[0].type = null), '$.nodes[0].type'],
      [(d) => (d.nodes[0].params = []), '$.nodes[0].params'],
      [(d) => (d.nodes[0].position = [1, 2]), '$.nodes[0].position'],
      [(d) => (d.nodes[0].position.y = '2'), '$.nodes[0].position.y'],
      [(d) => (d.nodes[2].loop = 1), '$.nodes[2].loop'],
      [(d) => (d.edges[0].from = 5), '$.edges[0].from'],
      [(d) => (d.edges[0].take = 'first'), '$.edges[0].take'],
      [(d) => (d.loops[0].direction = 'backward'), '$.loops[0].direction'],
      [(d) => (d.loops[0] = { id: 'enc', steps: '3' }), '$.loops[0].steps'],
      [(d) => (d.task = 'copy'), '$.task'],
      [(d) => (d.task.name = 1), '$.task.name'],
      [(d) => (d.task.params.length = [5]), '$.task.params.length'],
      [(d) => (d.training = []), '$.training'],
      [(d) => (d.training.lr = '0.1'), '$.training.lr'],
      [(d) => (d.version = '1'), '$.version'],
    ];
    for (const [change, path] of cases) {
      const d = tinyRnn();
      change(d);
      refused(d, 'E106', path);
    }
  });

  it('refuses missing required keys (E107), reporting all of them', () => {
    const d = tinyRnn();
    delete d.name;
    delete d.edges;
    delete d.nodes[1].type;
    delete d.nodes[0].position.y;
    delete d.task.name;
    delete d.loops[0].id;
    const errors = errorsOf(d).filter((e) => e.code === 'E107').map((e) => e.path);
    // Top-level keys first, then loops, nodes, edges, task, training, each in document order.
    expect(errors).toEqual(['$.name', '$.edges', '$.loops[0].id', '$.nodes[0].position.y', '$.nodes[1].type', '$.task.name']);
    const e = tinyRnn();
    delete e.edges[2].from;
    refused(e, 'E107', '$.edges[2].from');
    const f = tinyRnn();
    delete f.format;
    delete f.version;
    refused(f, 'E107', '$.format');
    refused(f, 'E107', '$.version');
  });

  it('refuses another format (E108) without further noise', () => {
    const errors = errorsOf({ format: 'something-else', name: 'x', lots: 1, of: 2, keys: 3 });
    expect(errors).toEqual([expect.objectContaining({ code: 'E108', path: '$.format' })]);
  });

  it('refuses versions that are not positive integers (E110)', () => {
    for (const v of [0, -1, 1.5]) {
      const d = tinyRnn();
      d.version = v;
      expect(errorsOf(d)).toEqual([expect.objectContaining({ code: 'E110', path: '$.version' })]);
    }
  });

  it('refuses endpoints that are not "node.port" (E116)', () => {
    for (const bad of ['x', '.out', 'x.', '']) {
      const d = tinyRnn();
      d.edges[0].from = bad;
      refused(d, 'E116', '$.edges[0].from');
    }
  });

  it('refuses a nodeRef param naming no node, and a loop over no node (E117)', () => {
    const d = tinyRnn();
    d.nodes[0].params.feedback = 'ghost';
    refused(d, 'E117', '$.nodes[0].params.feedback');
    d.nodes[0].params.feedback = 'out';
    expect(checkGraphObject(d).ok).toBe(true);
    const l = tinyRnn();
    l.loops[0].over = 'ghost';
    refused(l, 'E117', '$.loops[0].over');
  });

  it('refuses a node in a loop that does not exist (E120)', () => {
    const d = tinyRnn();
    d.nodes[4].loop = 'dec';
    refused(d, 'E120', '$.nodes[4].loop');
    delete d.loops;
    refused(d, 'E120', '$.nodes[2].loop');
  });

  it('refuses a loop with both or neither of over and steps (E121), and steps out of range (E115)', () => {
    const both = tinyRnn();
    both.loops[0].steps = 3;
    refused(both, 'E121', '$.loops[0]');
    const neither = tinyRnn();
    delete neither.loops[0].over;
    refused(neither, 'E121', '$.loops[0]');
    for (const steps of [0, 100_001, 2.5]) {
      const d = tinyRnn();
      d.loops[0] = { id: 'enc', steps };
      refused(d, 'E115', '$.loops[0].steps');
    }
    const ok = tinyRnn();
    ok.loops[0] = { id: 'enc', steps: 100_000, direction: 'reverse' };
    expect(checkGraphObject(ok).ok).toBe(true);
  });

  it('refuses strings that are too long (E122): any string, and a name over 200 characters', () => {
    const d = tinyRnn();
    d.name = 'n'.repeat(201);
    refused(d, 'E122', '$.name');
    const t = tinyRnn();
    t.task.params.text = 's'.repeat(10_001);
    expect(errorsOf(t)).toEqual([expect.objectContaining({ code: 'E122', path: '$.task.params.text' })]);
    const k = tinyRnn();
    k.task.params['k'.repeat(10_001)] = 1;
    expect(errorsOf(k)).toEqual([expect.objectContaining({ code: 'E122', path: '$.task.params' })]);
  });

  it('checks every training key against its type and range', () => {
    const bad: [string, unknown, string][] = [
      ['lr', 0, 'E115'], ['lr', 10.5, 'E115'], ['lr', -1, 'E115'],
      ['batch', 0, 'E115'], ['batch', 65_537, 'E115'], ['batch', 1.5, 'E115'],
      ['steps', 1e8 + 1, 'E115'], ['clip', -0.1, 'E115'], ['truncate', 100_001, 'E115'],
      ['seed', -1, 'E115'], ['seed', 2 ** 32, 'E115'], ['seed', 0.5, 'E115'],
      ['momentum', 1, 'E115'], ['beta1', -0.1, 'E115'], ['beta2', 1, 'E115'],
      ['weightDecay', -1, 'E115'], ['evalEvery', 0, 'E115'],
      ['optimizer', 'rmsprop', 'E115'], ['optimizer', 1, 'E106'], ['steps', true, 'E106'],
    ];
    for (const [key, value, code] of bad) {
      const d = tinyRnn();
      d.training[key] = value;
      refused(d, code, `$.training.${key}`);
    }
    const good = tinyRnn();
    good.training = { optimizer: 'momentum', lr: 10, momentum: 0, beta1: 0.9, beta2: 0.999, weightDecay: 0, batch: 65_536, steps: 1e8, clip: 0, truncate: 0, seed: 2 ** 32 - 1, evalEvery: 1 };
    expect(checkGraphObject(good)).toEqual({ ok: true, value: good });
  });

  it('checks the learning-rate decay keys: whole steps ≥ 0, a factor in (0, 1]', () => {
    const bad: [string, unknown, string, string][] = [
      ['lrDecayStart', -1, 'E115', '≥ 0'], ['lrDecayStart', 1.5, 'E115', 'integer'], ['lrDecayStart', 1e8 + 1, 'E115', '≤ 100000000'],
      ['lrDecayEnd', -5, 'E115', '≥ 0'], ['lrDecayEnd', 2.5, 'E115', 'integer'], ['lrDecayEnd', '3000', 'E106', 'number'],
      ['lrDecayFactor', 0, 'E115', '> 0'], ['lrDecayFactor', -0.1, 'E115', '> 0'], ['lrDecayFactor', 1.5, 'E115', '≤ 1'], ['lrDecayFactor', null, 'E106', 'number'],
    ];
    for (const [key, value, code, why] of bad) {
      const d = tinyRnn();
      d.training[key] = value;
      const errors = errorsOf(d);
      expect(errors).toEqual([expect.objectContaining({ code, path: `$.training.${key}` })]);
      expect(errors[0]!.message).toContain(why);
    }
    // An end at or before the start is no decay, not an error (the lr stays constant).
    for (const training of [{ lrDecayStart: 1500, lrDecayEnd: 3000, lrDecayFactor: 0.1 }, { lrDecayStart: 0, lrDecayEnd: 1, lrDecayFactor: 1 }, { lrDecayStart: 3000, lrDecayEnd: 1500 }, { lrDecayFactor: 1e-6 }]) {
      const good = tinyRnn();
      good.training = { ...good.training, ...training };
      expect(checkGraphObject(good)).toEqual({ ok: true, value: good });
    }
  });

  it('reports several independent errors at once', () => {
    const d = tinyRnn();
    d.nodes[2].params.hidden = 0;
    d.nodes[3].type = 'dealy';
    d.edges[1].to = 'ghost.in';
    d.training.batch = 0;
    expect(errorsOf(d).map((e) => e.code)).toEqual(['E115', 'E113', 'E117', 'E115']);
  });

  it(`caps the list at ${MAX_ERRORS} errors`, () => {
    const d = tinyRnn();
    d.nodes = Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, type: 'nope' }));
    d.edges = [];
    expect(errorsOf(d)).toHaveLength(MAX_ERRORS);
  });
});
