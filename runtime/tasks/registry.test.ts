import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../errors/catalogue.ts';
import { createTask, getTask, taskRegistry } from './registry.ts';

const errorsOf = (r: ReturnType<typeof createTask>) => (r.ok ? [] : r.errors.map((e) => ({ code: e.code, path: e.path })));

describe('task registry', () => {
  it('holds brackets, copy, adding, reverse, dyck, charlm and babi, each documented, with defaults its own checks accept', () => {
    expect(Object.keys(taskRegistry)).toEqual(['brackets', 'copy', 'adding', 'reverse', 'dyck', 'charlm', 'babi']);
    for (const def of Object.values(taskRegistry)) {
      expect(def.doc.length).toBeGreaterThan(20);
      for (const p of Object.values(def.params)) expect(p.doc.length).toBeGreaterThan(5);
      const r = createTask({ name: def.name, params: { ...(def.name === 'brackets' ? { train_size: 10, test_size: 2 } : {}) } });
      expect(r.ok).toBe(true);
      // Every task says which way its metric improves, and names each stream's kind the binder knows.
      if (r.ok) {
        expect(['higher', 'lower']).toContain(r.value.metric.better);
        for (const s of r.value.streams) expect(['tokens', 'vector', 'bag']).toContain(s.kind);
      }
    }
    expect(getTask('constructor')).toBeUndefined();
    expect(CATALOGUE.E420.name).toBe('unknown-task');
  });

  it('fills in defaults', () => {
    const r = createTask({ name: 'copy' });
    expect(r.ok && r.value.params).toEqual({ T: 100, symbols: 10, seed: 1 });
    const b = createTask({ name: 'brackets', params: { nesting: true } });
    expect(b.ok && b.value.params).toMatchObject({ nesting: true, min_length: 2, max_length: 50, test_min_length: 52, test_max_length: 100, train_size: 20000, test_size: 1000, seed: 1 });
  });

  it('refuses an unknown task, listing the known ones (E420)', () => {
    const r = createTask({ name: 'bracket' });
    expect(errorsOf(r)).toEqual([{ code: 'E420', path: '$.task.name' }]);
    expect(!r.ok && r.errors[0]!.message).toContain('brackets, copy, adding, reverse, dyck, charlm, babi');
    expect(errorsOf(createTask({ name: 'toString' }))).toEqual([{ code: 'E420', path: '$.task.name' }]);
  });

  it('refuses unknown params (E421) and bad values (E422) with paths to each', () => {
    const r = createTask({ name: 'copy', params: { T: 0, length: 5, symbols: 2.5, 'odd key': 1 } });
    expect(errorsOf(r)).toEqual([
      { code: 'E422', path: '$.task.params.T' },
      { code: 'E421', path: '$.task.params.length' },
      { code: 'E422', path: '$.task.params.symbols' },
      { code: 'E421', path: '$.task.params["odd key"]' },
    ]);
    expect(!r.ok && r.errors[1]!.message).toContain('T, symbols, seed');
    expect(errorsOf(createTask({ name: 'adding', params: { T: 1 } }))).toEqual([{ code: 'E422', path: '$.task.params.T' }]);
    expect(errorsOf(createTask({ name: 'adding', params: { T: '100' } }))).toEqual([{ code: 'E422', path: '$.task.params.T' }]);
    expect(errorsOf(createTask({ name: 'brackets', params: { nesting: 'yes' } }))).toEqual([{ code: 'E422', path: '$.task.params.nesting' }]);
    expect(errorsOf(createTask({ name: 'copy', params: { T: 10_001 } }))).toEqual([{ code: 'E422', path: '$.task.params.T' }]);
  });

  it('refuses contradicting params (E422) and uses the given path prefix', () => {
    expect(errorsOf(createTask({ name: 'brackets', params: { min_length: 30, max_length: 20 } }))).toEqual([{ code: 'E422', path: '$.task.params.min_length' }]);
    expect(errorsOf(createTask({ name: 'brackets', params: { test_min_length: 120 } }, '$.runs[2].task'))).toEqual([
      { code: 'E422', path: '$.runs[2].task.params.test_min_length' },
    ]);
  });
});
