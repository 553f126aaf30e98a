import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

const root = resolve(import.meta.dirname, '../..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json')).sort();

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: root });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'unroll-cli-'));
function tmpFile(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('unroll validate', () => {
  it('finds the nine example graphs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each(examples)('accepts examples/%s with counts', async (file) => {
    const r = await run('validate', `examples/${file}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok examples\/\S+ \(.+\): \d+ nodes, \d+ edges, \d+ weights, [\d,]+ parameters\n/);
  });

  it('counts the LSTM example exactly', async () => {
    const r = await run('validate', 'examples/lstm.json', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // emb [26,16]; lstm weight_ih [128,16], weight_hh [128,32], two biases [128]; dec [2,32] + [2]
    expect(j.counts).toEqual({ nodes: 8, edges: 9, weights: 7, parameters: 26 * 16 + 128 * 16 + 128 * 32 + 2 * 128 + 2 * 32 + 2 });
  });

  it('reports every error with code and path, exit 1', async () => {
    const f = tmpFile('bad.json', JSON.stringify({ format: 'unroll-graph', version: 1, name: 'bad', nodes: [{ id: 'a', type: 'rnn', params: { hidden: 2 ** 31 } }], edges: [{ from: 'a.h', to: 'b.x' }] }));
    const r = await run('validate', f);
    expect(r.code).toBe(1);
    expect(r.err).toContain('E115');
    expect(r.err).toContain('$.nodes[0].params.hidden');
    expect(r.err).toContain('E117');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the nodes of a delay-free cycle', async () => {
    const doc = {
      format: 'unroll-graph', version: 1, name: 'cycle',
      nodes: [
        { id: 'x', type: 'input', params: { kind: 'vector', size: 4 } },
        { id: 'g', type: 'rnn', params: { hidden: 4 } },
        { id: 'y', type: 'target', params: { kind: 'vector', size: 4 } },
        { id: 'l', type: 'loss', params: { kind: 'mse' } },
      ],
      edges: [{ from: 'x.out', to: 'g.x' }, { from: 'g.h', to: 'g.h_prev' }, { from: 'g.h', to: 'l.pred' }, { from: 'y.out', to: 'l.target' }],
    };
    const r = await run('validate', tmpFile('cycle.json', JSON.stringify(doc)));
    expect(r.code).toBe(1);
    expect(r.err).toContain('E202');
    expect(r.err).toContain('g');
  });

  it('refuses a missing file, a directory and an oversized file as user errors', async () => {
    const missing = await run('validate', 'no/such/file.json');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E125 unreadable-file');
    const folder = await run('validate', 'examples');
    expect(folder.code).toBe(1);
    expect(folder.err).toContain('it is a folder');
    const big = tmpFile('big.json', ' '.repeat(9 * 1024 * 1024));
    const r = await run('validate', big);
    expect(r.code).toBe(1);
    expect(r.err).toContain('E100');
  });

  it('checks several files in one call; exit 1 when any is refused', async () => {
    const ok = await run('validate', 'examples/gru.json', 'examples/lstm.json');
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(2);
    const mixed = await run('validate', 'examples/gru.json', 'no/such.json', '--json');
    expect(mixed.code).toBe(1);
    expect(mixed.out.trim().split('\n').map((l) => JSON.parse(l).ok)).toEqual([true, false]);
  });

  it('escapes control characters of a graph name so a file cannot forge terminal output', async () => {
    const doc = JSON.parse(readFileSync(join(root, 'examples/gru.json'), 'utf8'));
    doc.name = 'evil\u001b[31m\nok fake.json';
    const r = await run('validate', tmpFile('evil.json', JSON.stringify(doc)));
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.out).not.toContain('\u001b');
    expect(r.out).toContain('evil\\u001b[31m\\u000aok fake.json');
  });

  it('prints JSON errors with --json', async () => {
    const r = await run('validate', tmpFile('v99.json', JSON.stringify({ format: 'unroll-graph', version: 99, name: 'x', nodes: [], edges: [] })), '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(false);
    expect(j.errors[0].code).toBe('E109');
    expect(j.errors[0].message).toContain('made by a newer version of Unroll');
  });
});

describe('unroll unroll', () => {
  it('prints loops, delay wiring and shared weights', async () => {
    const r = await run('unroll', 'examples/lstm.json', '--steps', '4');
    expect(r.code).toBe(0);
    expect(r.out).toContain('t: forward, 4 steps × 5 nodes = 20 copies');
    expect(r.out).toContain('h@t.in ← lstm@t−1.h for t = 1..3');
    expect(r.out).toMatch(/lstm\.weight_hh \[128, 32\] used by 4 copies/);
  });

  it('gives the DAG as JSON: node count = Σ length × loop size + outside nodes', async () => {
    const r = await run('unroll', 'examples/seq2seq-attention.json', '--steps', 'src=5,y=6', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const enc = j.loops.find((l: { id: string }) => l.id === 'enc');
    const dec = j.loops.find((l: { id: string }) => l.id === 'dec');
    expect(enc.length).toBe(5);
    expect(dec.length).toBe(6);
    const outside = j.nodes.filter((n: { loop?: string }) => n.loop === undefined).length;
    expect(j.counts.nodes).toBe(5 * enc.nodes.length + 6 * dec.nodes.length + outside);
    const dh0 = j.nodes.find((n: { key: string }) => n.key === 'dh@0');
    expect(dh0.inputs.in).toEqual({ kind: 'node', key: 'enc@4', port: 'h' });
  });

  it('needs --steps for a graph with sequences (usage, exit 2)', async () => {
    const r = await run('unroll', 'examples/lstm.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--steps is required');
  });

  it('refuses a malformed --steps, an unknown axis, and a length given twice', async () => {
    for (const bad of [['x'], ['nope=3'], ['-1'], ['1e3'], ['x='], ['=3'], ['x=3,x=4'], ['3', '--steps', '4']]) {
      const r = await run('unroll', 'examples/lstm.json', '--steps', ...bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err).toContain('usage: unroll');
    }
  });

  it('answers in JSON on every failure when --json is given', async () => {
    const zero = await run('unroll', 'examples/lstm.json', '--steps', '0', '--json');
    expect(zero.code).toBe(1);
    expect(JSON.parse(zero.out)).toMatchObject({ ok: false, errors: [{ code: 'E301' }] });
    const empty = await run('unroll', tmpFile('empty.json', ''), '--steps', '3', '--json');
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.out).errors[0].code).toBe('E101');
    const usage = await run('unroll', 'examples/lstm.json', '--json');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.out)).toMatchObject({ ok: false, usage: expect.stringContaining('--steps is required') });
  });

  it('writes each gathered sequence once, so --json grows linearly with the length', async () => {
    const size = async (n: number): Promise<number> => {
      const r = await run('unroll', 'examples/seq2seq-attention.json', '--steps', String(n), '--json');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      const att = j.nodes.find((x: { key: string }) => x.key === 'att@0');
      expect(att.inputs.keys).toEqual({ kind: 'stack', stack: expect.any(Number) });
      expect(j.stacks[att.inputs.keys.stack]).toHaveLength(n);
      return r.out.length;
    };
    const small = await size(100);
    const large = await size(400);
    expect(large / small).toBeLessThan(4 * 1.2); // quadratic output would be ~16×
  });

  it('refuses a length past the limit as a user error', async () => {
    const r = await run('unroll', 'examples/lstm.json', '--steps', '1000000000');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E30[12]/);
  });
});

describe('usage', () => {
  it('exits 2 on an unknown command or option and 0 on --help', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('validate', 'examples/lstm.json', '--bogus')).code).toBe(2);
    expect((await run()).code).toBe(2);
    const v = await run('--version');
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^unroll \d+\.\d+\.\d+ \(graph format unroll-graph version 1\)/);
    const h = await run('--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain('usage: unroll');
  });

  it('runs as a real process through the package bin', async () => {
    const exec = promisify(execFile);
    const { stdout } = await exec(process.execPath, [join(root, 'bin/unroll.mjs'), 'validate', 'examples/gru.json'], { cwd: root });
    expect(stdout).toMatch(/^ok examples\/gru\.json/);
    const failed = await exec(process.execPath, [join(root, 'bin/unroll.mjs'), 'validate', 'missing.json'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain('no such file');
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
