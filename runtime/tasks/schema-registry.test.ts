import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../blocks/params.ts';
import { CHARLM_TEXT } from './charlm.ts';
import { CHARLM_TEXT_LENGTH } from './charlm-schema.ts';
import { taskRegistry } from './registry.ts';
import { getTaskSchema, taskSchemas } from './schema-registry.ts';
import type { TaskParams } from './types.ts';

describe('task schema registry', () => {
  it('lists the tasks of taskRegistry, in its order, with the same docs, param schemas and checks', () => {
    expect(Object.keys(taskSchemas)).toEqual(Object.keys(taskRegistry));
    for (const [name, def] of Object.entries(taskRegistry)) {
      const schema = taskSchemas[name]!;
      expect(schema.name).toBe(name);
      expect(schema.name).toBe(def.name);
      expect(schema.doc).toBe(def.doc);
      expect(schema.params).toEqual(def.params);
      expect(schema.check).toBe(def.check);
      expect(Object.keys(schema)).not.toContain('create');
    }
  });

  it('looks tasks up by own name only', () => {
    expect(getTaskSchema('charlm')).toBe(taskSchemas.charlm);
    expect(getTaskSchema('constructor')).toBeUndefined();
    expect(getTaskSchema('nope')).toBeUndefined();
  });

  it('accepts every task’s defaults', () => {
    for (const s of Object.values(taskSchemas)) expect(s.check?.(resolveParams(s.params, {}) as TaskParams) ?? []).toEqual([]);
  });

  it('knows the length of charlm’s text without importing it', () => {
    expect(CHARLM_TEXT_LENGTH).toBe(CHARLM_TEXT.length);
    const check = taskSchemas.charlm!.check!;
    // The test text at 10% holds 32,033 characters: a window of 32,032 fits, one of 32,033 does not.
    expect(check({ length: 32_032, test_fraction: 0.1 })).toEqual([]);
    expect(check({ length: 32_033, test_fraction: 0.1 }).map((p) => p.param)).toEqual(['length']);
  });

  it('imports no generator: the schema files import only types and other schema files', () => {
    const dir = new URL('./', import.meta.url);
    const files = ['schema-registry.ts', ...readdirSync(dir).filter((f) => f.endsWith('-schema.ts'))];
    expect(files.length).toBe(Object.keys(taskSchemas).length + 1);
    for (const f of files) {
      const from = [...readFileSync(new URL(f, dir), 'utf8').matchAll(/^import\b[^;]*?from '([^']+)'/gms)].map((m) => m[1]);
      for (const spec of from) expect(spec, `${f} imports ${spec}`).toMatch(/^\.\/(types|[a-z]+-schema)\.ts$/);
    }
  });
});
