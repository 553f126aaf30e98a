import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from './onnx.ts';
import { CHECKED_EXAMPLES, exportCase } from './check-support.ts';
import { maxError } from './reference.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('export to ONNX, run in onnxruntime-node', () => {
  for (const name of CHECKED_EXAMPLES) {
    it(`${name}: onnxruntime's outputs equal Unroll's within 1e-5`, async () => {
      const c = exportCase(ROOT, name);
      const r = exportOnnx(c.analysis, c.lengths, { weights: c.model.weights });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const session = await ort.InferenceSession.create(r.value.bytes);
      const feeds: Record<string, ort.Tensor> = {};
      for (const info of r.value.inputs) {
        const s = c.inputs.get(info.name)!;
        feeds[info.name] = s.dtype === 'int' ? new ort.Tensor('int64', BigInt64Array.from(s.data, (v) => BigInt(v)), s.shape) : new ort.Tensor('float32', Float32Array.from(s.data), s.shape);
      }
      const got = await session.run(feeds);
      expect(Object.keys(got).sort()).toEqual([...c.expected.keys()].sort());
      for (const [key, want] of c.expected) {
        const t = got[key]!;
        expect(t.dims, key).toEqual(want.shape);
        expect(maxError(t.data as Float32Array, want.data).abs, key).toBeLessThan(1e-5);
      }
      await session.release();
    });
  }

  it('has a symbolic batch: one model runs batches of 1 and of 5', async () => {
    const c = exportCase(ROOT, 'lstm', 5);
    const r = exportOnnx(c.analysis, c.lengths, { weights: c.model.weights });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.inputs).toEqual([{ name: 'x', type: 7, dims: ['batch', 5] }]);
    const session = await ort.InferenceSession.create(r.value.bytes);
    const x = c.inputs.get('x')!;
    const all = await session.run({ x: new ort.Tensor('int64', BigInt64Array.from(x.data, (v) => BigInt(v)), [5, 5]) });
    const one = await session.run({ x: new ort.Tensor('int64', BigInt64Array.from(x.data.subarray(10, 15), (v) => BigInt(v)), [1, 5]) });
    expect(Array.from(one['dec.out']!.data as Float32Array)).toEqual(Array.from((all['dec.out']!.data as Float32Array).subarray(4, 6)));
    await session.release();
  });
});
