import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { readSafetensors } from '../weights/safetensors.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'unroll-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: root });
  return { code, out, err };
}

describe('unroll export and export-data', () => {
  it('--to pytorch writes model.py and train.py beside it', async () => {
    const r = await run('export', 'examples/gru.json', '--to', 'pytorch', '--out', join(dir, 'py', 'model.py'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ ok: true, file: 'examples/gru.json', to: 'pytorch', written: [join(dir, 'py', 'model.py'), join(dir, 'py', 'train.py')] });
    expect(readFileSync(join(dir, 'py', 'model.py'), 'utf8')).toContain('class Model(nn.Module):');
    expect(readFileSync(join(dir, 'py', 'train.py'), 'utf8')).toContain('DistributedDataParallel');
  });

  it('--to onnx writes an ONNX model for the lengths given and needs them', async () => {
    const file = join(dir, 'm.onnx');
    expect((await run('export', 'examples/seq2seq-attention.json', '--to', 'onnx', '--steps', 'src=3,y=2', '--out', file)).code).toBe(0);
    const bytes = readFileSync(file);
    expect(bytes[0]).toBe(0x08); // ModelProto field 1 (ir_version), a varint
    expect(bytes.includes(Buffer.from('enc.weight_ih'))).toBe(true);
    const missing = await run('export', 'examples/seq2seq-attention.json', '--to', 'onnx');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--steps is required');
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await run('export', 'examples/gru.json')).code).toBe(2);
    expect((await run('export', 'examples/gru.json', '--to', 'tflite')).code).toBe(2);
    expect((await run('export', 'examples/gru.json', '--to', 'pytorch', '--steps', '3')).code).toBe(2);
  });

  it('export-data writes the training batches and every split in the documented format', async () => {
    const r = await run('export-data', 'examples/lstm.json', '--steps', '3', '--out', join(dir, 'data'));
    expect(r.code).toBe(0);
    const train = readSafetensors(readFileSync(join(dir, 'data', 'train.safetensors')));
    if (!train.ok) throw new Error('unreadable');
    expect(train.value.metadata).toEqual({ format: 'unroll-task-data', version: '1', batches: '3', task: 'brackets' });
    const x = train.value.tensors.get('batch2.x')!;
    const lengths = train.value.tensors.get('batch2.lengths')!;
    expect(x.shape[0]).toBe(32);
    expect(lengths.shape).toEqual([32]);
    expect(Math.max(...lengths.data)).toBe(x.shape[1]);
    expect(train.value.tensors.get('batch2.y')!.shape).toEqual([32]);
    const test = readSafetensors(readFileSync(join(dir, 'data', 'test.safetensors')));
    if (!test.ok) throw new Error('unreadable');
    expect(test.value.metadata.batches).toBe(String(Math.ceil(1000 / 32)));
  });

  it('export-data refuses a graph that names no task (E440), and a decoder input it cannot fill yet (E441)', async () => {
    const doc = JSON.parse(readFileSync(join(root, 'examples/seq2seq-attention.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'no-task.json'), JSON.stringify({ ...doc, task: undefined }));
    const r = await run('export-data', join(dir, 'no-task.json'), '--steps', '1', '--out', join(dir, 'd2'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).errors.map((e: { code: string }) => e.code)).toEqual(['E440']);
    const s2s = await run('export-data', 'examples/seq2seq-attention.json', '--steps', '1', '--out', join(dir, 'd3'), '--json');
    expect(s2s.code).toBe(1);
    expect(JSON.parse(s2s.out).errors.map((e: { code: string }) => e.code)).toEqual(['E441']);
  });
});
