/**
 * `unroll train G --data FILE [--map …]`: the example LSTM classifier trained on the CSV fixture
 * in the worker thread (accuracy far above chance, the recorded first losses), a text file, and
 * every kind of bad file exiting 1 with its message and line.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import type { FirstLosses } from '../data/fixtures/two-feature-sequences.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'unroll-train-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE = join(root, 'examples/lstm-csv-classifier.json');
const DATA = join(root, 'runtime/data/fixtures/two-feature-sequences.csv');
const record = JSON.parse(readFileSync(join(root, 'runtime/data/fixtures/first-losses.json'), 'utf8')) as FirstLosses;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), cwd: dir });
  return { code, out, err };
}
const jsonLines = (text: string): Record<string, unknown>[] => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const file = (name: string, content: string | Uint8Array): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

describe('unroll train --data', () => {
  it('trains the LSTM classifier on a CSV of two-feature sequences: test accuracy far above chance', async () => {
    const r = await run('train', EXAMPLE, '--data', DATA, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.out);
    const start = lines[0]!;
    expect(start).toMatchObject({ type: 'start', task: 'dataset', splits: ['test'], config: { steps: 300, seed: 1, batch: 16 } });
    expect(start.data).toMatchObject({ reader: 'csv', rows: 1717, sequences: 160, trainSequences: 128, testSequences: 32, classes: ['neg', 'pos'] });
    const steps = lines.filter((l) => l.type === 'step');
    expect(steps[0]).toMatchObject({ step: 1 });
    expect(steps[0]!.loss as number).toBeCloseTo(record.losses[0]!, 6);
    const final = lines.find((l) => l.type === 'eval' && l.final === true)!;
    expect(final).toMatchObject({ split: 'test', count: 32 });
    expect(final.metric as number).toBeGreaterThan(0.85);
  });

  it('gives the first losses recorded for seed 1 (what the editor’s run must match)', async () => {
    const r = await run('train', EXAMPLE, '--data', DATA, '--json', '--steps', '10', '--seed', String(record.seed));
    expect(r.code).toBe(0);
    const steps = jsonLines(r.out).filter((l) => l.type === 'step');
    expect(steps.map((s) => s.step)).toEqual([1, 10]);
    expect(steps[0]!.loss as number).toBeCloseTo(record.losses[0]!, 6);
    expect(steps[1]!.loss as number).toBeCloseTo(record.losses[9]!, 6);
  });

  it('says what it read, and takes a --map over the graph’s', async () => {
    const r = await run('train', EXAMPLE, '--data', DATA, '--steps', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `data ${DATA}: 1,717 rows, 160 sequences (128 train, 32 test), lengths 6–16; map id=seq,time=t,features=f1+f2@x,target=label@y,per=sequence,kind=class; ` +
        'x: 2 features (f1, f2), a sequence; y: 2 classes of label (vocab 2), one per sequence',
    );
    const one = await run('train', EXAMPLE, '--data', DATA, '--map', 'id=seq,features=f1', '--steps', '2');
    expect(one.code).toBe(1);
    expect(one.err).toContain("E427 task-size-mismatch at $.nodes[0].params.size: input x has size 2, but task dataset's stream x has 1 features: set size to 1 (port x.out:");
    expect(one.err).toContain('gives 1 feature (f1), a sequence)');
  });

  it('trains on a text file: next character, bits per character on the validation part', async () => {
    const g = JSON.parse(readFileSync(join(root, 'examples/lstm-charlm.json'), 'utf8')) as { nodes: { id: string; params: Record<string, unknown> }[]; task: unknown; training: unknown };
    for (const n of g.nodes) {
      if (n.id === 'x' || n.id === 'y') n.params.vocab = 12;
      if (n.id === 'dec') n.params.size = 12;
      if (n.id === 'lstm') n.params.hidden = 16;
    }
    g.task = { name: 'dataset', params: { length: 16, vocab_size: 12 } };
    g.training = { batch: 8, steps: 5, seed: 1 };
    const graph = file('text.json', JSON.stringify(g));
    const text = file('story.txt', 'the quick brown fox jumps over the lazy dog.\n'.repeat(30));
    const r = await run('train', graph, '--data', text);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('data story.txt: 1,350 characters (1,215 train, 135 validation), vocab 12; x: characters (vocab 12), a sequence');
    expect(r.out).toMatch(/final validation \(lengths 16–16\): loss [\d.]+ bpc [\d.]+ on 8 examples/);
  });

  it('exits 1 with a message and the line for each kind of bad file, training nothing', async () => {
    const bad = async (name: string, content?: string | Uint8Array): Promise<string> => {
      const r = await run('train', EXAMPLE, '--data', content === undefined ? name : file(name, content));
      expect(r.code, r.err).toBe(1);
      expect(r.out).toBe('');
      return r.err;
    };
    expect(await bad('ragged.csv', 'seq,t,f1,f2,label\ns1,0,1,2,a\ns1,1,1,2\n')).toBe(
      `${EXAMPLE}: E484 data-ragged-row: ragged.csv line 3: 4 fields, but the header (line 1) has 5\n`,
    );
    expect(await bad('words.csv', 'seq,t,f1,f2,label\ns1,0,1,2,a\ns1,1,1,abc,a\ns2,0,1,2,b\n')).toBe(
      `${EXAMPLE}: E485 data-not-numeric: words.csv line 3, column "f2": "abc" is not a number\n`,
    );
    const latin1 = Uint8Array.from([...new TextEncoder().encode('seq,t,f1,f2,label\ns1,0,1,2,caf'), 0xe9, 0x0a]);
    expect(await bad('latin1.csv', latin1)).toContain('E482 data-not-utf8: latin1.csv is not UTF-8 text: line 2 has the byte 0xE9 at byte 13 of the line');
    expect(await bad('empty.csv', '')).toBe(`${EXAMPLE}: E481 data-empty: empty.csv is empty (0 bytes)\n`);
    expect(await bad('header.csv', 'seq,t,f1,f2,label\n')).toBe(`${EXAMPLE}: E481 data-empty: header.csv has a header (line 1) but no rows of data\n`);
    expect(await bad('quote.csv', 'seq,t,f1,f2,label\ns1,0,1,2,a\ns1,1,"1,2,a\n')).toContain('E483 data-bad-csv: quote.csv line 3: a quoted field opens here and is never closed');
    // 65 MiB without a byte written (a sparse file): refused by its size before it is read.
    truncateSync(join(dir, file('huge.csv', '')), 65 * 2 ** 20);
    expect(await bad('huge.csv')).toBe(
      `${EXAMPLE}: E480 data-too-large: huge.csv is 68,157,440 bytes (65.0 MiB); a data file may be at most 67,108,864 bytes (64.0 MiB): use a sample of it, or split it\n`,
    );
    const missing = await run('train', EXAMPLE, '--data', 'nope.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`${EXAMPLE}: E125 unreadable-file: cannot read data file nope.csv: no such file\n`);
    const unknown = await run('train', EXAMPLE, '--data', file('data.json', '{}'));
    expect(unknown.err).toContain('E488 no-data-file: cannot tell how to read data.json');
  });

  it('exits 1 for a bad mapping, and with --json prints the errors as JSON', async () => {
    const r = await run('train', EXAMPLE, '--data', DATA, '--map', 'id=sequence');
    expect(r.code).toBe(1);
    expect(r.err).toContain('E486 data-bad-mapping: ');
    expect(r.err).toContain('has no column "sequence" (the id of the mapping); its columns are "seq", "t", "f1", "f2", "label"');
    const j = await run('train', EXAMPLE, '--data', DATA, '--map', 'per=always', '--json');
    expect(j.code).toBe(1);
    expect(jsonLines(j.out)[0]).toMatchObject({ type: 'error', ok: false, errors: [{ code: 'E486' }] });
  });

  it('needs --data for a graph whose task is dataset, and refuses --map without --data or --data with --task', async () => {
    const r = await run('train', EXAMPLE);
    expect(r.code).toBe(1);
    expect(r.err).toContain('E488 no-data-file at $.task.name: the graph trains on a data file of yours (task "dataset"), and none was given: pass --data FILE.csv or FILE.txt');
    const m = await run('train', EXAMPLE, '--map', 'id=seq');
    expect(m.code).toBe(2);
    expect(m.err).toContain('unroll: --map maps the columns of a --data file: give --data FILE.csv too');
    const t = await run('train', EXAMPLE, '--data', DATA, '--task', 'brackets');
    expect(t.code).toBe(2);
    expect(t.err).toContain('--data and --task both say what to train on: give one of them');
    const v = await run('validate', EXAMPLE, '--data', DATA);
    expect(v.code).toBe(2);
  });

  it('documents --data and the --map syntax in the help', async () => {
    const r = await run('--help');
    expect(r.out).toContain('train G --data FILE.csv|FILE.txt [--map SPEC]');
    expect(r.out).toContain('features=A+B@x');
    expect(r.out).toContain('per=sequence|step');
    expect(r.out).toContain('kind=class|number');
  });
});
