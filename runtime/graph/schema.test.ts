/**
 * The published JSON Schema is kept true: the committed file is what the registry builds today, every
 * example and every generated graph validates, and each kind of structural damage the parser refuses
 * the schema refuses too.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockRegistry } from '../../blocks/registry.ts';
import { checkGraphObject, parseGraph } from './parse.ts';
import { PORT_PATTERN, SCHEMA_PATH, buildGraphSchema, schemaText } from './schema/build-schema.ts';
import { arbGraphDoc } from './testing/arbitrary.ts';
import { STRUCTURAL_CLASSES, arbStructuralMutation } from './testing/mutate.ts';
import { tinyRnn } from './testing/fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(buildGraphSchema());
const why = () => ajv.errorsText(validate.errors);

describe('the published schema', () => {
  it('is up to date with the block registry', () => {
    const committed = readFileSync(root + SCHEMA_PATH, 'utf8');
    expect(committed === schemaText(), `${SCHEMA_PATH} is out of date: run npm run schema`).toBe(true);
  });

  it('compiles in strict mode and describes every block type', () => {
    const schema = buildGraphSchema() as { $defs: Record<string, { properties?: Record<string, unknown> }> };
    expect(schema.$defs.node!.properties!.type).toEqual({ enum: Object.keys(blockRegistry) });
    for (const [type, block] of Object.entries(blockRegistry)) {
      expect(Object.keys(schema.$defs[`params-${type}`]!.properties!)).toEqual(Object.keys(block.params));
    }
  });

  it('has an endpoint pattern that every port of every block matches', () => {
    for (const block of Object.values(blockRegistry)) {
      for (const port of [...block.inputs, ...block.outputs]) expect(port.name).toMatch(PORT_PATTERN);
    }
  });
});

describe('valid documents validate', () => {
  it('every examples/*.json file (parsed and schema-checked)', () => {
    // Picks up whatever examples exist; the generated graphs below cover the format when there are none.
    const files = readdirSync(root + 'examples').filter((f) => f.endsWith('.json'));
    const failures: string[] = [];
    for (const f of files) {
      const text = readFileSync(`${root}examples/${f}`, 'utf8');
      if (!validate(JSON.parse(text))) failures.push(`${f}: schema: ${why()}`);
      const parsed = parseGraph(text);
      if (!parsed.ok) failures.push(`${f}: parseGraph: ${JSON.stringify(parsed.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('the hand-written fixture', () => {
    expect(validate(tinyRnn()), why()).toBe(true);
  });

  it('generated graphs', () => {
    fc.assert(
      fc.property(arbGraphDoc(), (g) => {
        expect(validate(g), why()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('what the parser refuses, the schema refuses', () => {
  for (const cls of STRUCTURAL_CLASSES) {
    it(cls, () => {
      fc.assert(
        fc.property(arbStructuralMutation(cls), (m) => {
          const r = checkGraphObject(m.doc);
          expect(r.ok, `parseGraph accepted ${m.where}`).toBe(false);
          expect(!r.ok && r.errors.map((e) => e.code), m.where).toContain(m.code);
          expect(parseGraph(JSON.stringify(m.doc))).toEqual(r);
          expect(validate(m.doc), `schema accepted ${m.where}`).toBe(false);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('a loop with both over and steps, or neither (E121)', () => {
    const both = tinyRnn();
    both.loops[0].steps = 2;
    const neither = tinyRnn();
    delete neither.loops[0].over;
    for (const d of [both, neither]) {
      expect(checkGraphObject(d)).toMatchObject({ ok: false, errors: [{ code: 'E121' }] });
      expect(validate(d)).toBe(false);
    }
  });

  it('counts characters, not UTF-16 units, in string limits (as JSON Schema does)', () => {
    const d = tinyRnn();
    d.name = '🙂'.repeat(200); // 400 UTF-16 units, 200 characters
    expect(checkGraphObject(d).ok).toBe(true);
    expect(validate(d), why()).toBe(true);
    d.name += '🙂';
    expect(checkGraphObject(d)).toMatchObject({ ok: false, errors: [{ code: 'E122', path: '$.name' }] });
    expect(validate(d)).toBe(false);
  });

  it('a malformed endpoint, a too-long name, out-of-range training (E116, E122, E115)', () => {
    const cases = [
      (d: ReturnType<typeof tinyRnn>) => (d.edges[0].from = 'x'),
      (d: ReturnType<typeof tinyRnn>) => (d.name = 'n'.repeat(201)),
      (d: ReturnType<typeof tinyRnn>) => (d.training.lr = 0),
      (d: ReturnType<typeof tinyRnn>) => (d.training.seed = 2 ** 32),
      (d: ReturnType<typeof tinyRnn>) => (d.loops[0].direction = 'sideways'),
      (d: ReturnType<typeof tinyRnn>) => (d.version = 2),
    ];
    for (const change of cases) {
      const d = tinyRnn();
      change(d);
      expect(checkGraphObject(d).ok).toBe(false);
      expect(validate(d)).toBe(false);
    }
  });
});
