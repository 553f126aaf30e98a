/**
 * What the checkpoint list reads from a checkpoint file without the worker: the safetensors
 * metadata (step, task), checked against files written by the runtime's own writer; and the
 * panel's time-left format. (Storing in IndexedDB is checked in the browser: e2e/training-panel.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../runtime/weights/safetensors.ts';
import { formatEta } from '../components/training/PanelRunBar.tsx';
import { safetensorsMetadata } from './checkpoints.ts';

describe('safetensorsMetadata', () => {
  it('reads the metadata strings the runtime writes', () => {
    const meta = { format: 'unroll-checkpoint', step: '137', task: 'brackets', graph: 'LSTM “brackets” ✓' };
    const bytes = writeSafetensors([{ name: 'lstm.weight_hh', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }], meta);
    expect(safetensorsMetadata(bytes)).toEqual(meta);
    // The same bytes at an offset inside a larger buffer (as a stored Uint8Array view may be).
    const inside = new Uint8Array(bytes.length + 16);
    inside.set(bytes, 16);
    expect(safetensorsMetadata(inside.subarray(16))).toEqual(meta);
  });

  it('gives an empty object for a file without metadata, a short file, a header longer than the file, or one that is not JSON', () => {
    expect(safetensorsMetadata(writeSafetensors([{ name: 'w', shape: [1], data: Float32Array.of(1) }]))).toEqual({});
    expect(safetensorsMetadata(new Uint8Array(5))).toEqual({});
    const long = new Uint8Array(16);
    new DataView(long.buffer).setBigUint64(0, 1000n, true);
    expect(safetensorsMetadata(long)).toEqual({});
    const bad = new Uint8Array(8 + 3);
    new DataView(bad.buffer).setBigUint64(0, 3n, true);
    bad.set([0x7b, 0x7b, 0x7d], 8);
    expect(safetensorsMetadata(bad)).toEqual({});
  });
});

describe('formatEta', () => {
  it('writes minutes and seconds, hours when needed, and a dash for no estimate', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(64)).toBe('1:04');
    expect(formatEta(59.6)).toBe('1:00');
    expect(formatEta(3600 * 2 + 5 * 60 + 9)).toBe('2:05:09');
    expect(formatEta(Infinity)).toBe('–');
    expect(formatEta(-1)).toBe('–');
  });
});
