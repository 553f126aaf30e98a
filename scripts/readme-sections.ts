/**
 * The README's generated tables: the examples with their sizes, and the error catalogue. Each lives
 * between `<!-- name:start -->` and `<!-- name:end -->` markers; `npm run readme` rewrites them and a
 * test fails when the README is stale.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { CATALOGUE, type ErrorCode } from '../runtime/errors/catalogue.ts';
import { parseGraph } from '../runtime/graph/parse.ts';
import { analyzeGraph } from '../runtime/validate/validate.ts';

const root = new URL('../', import.meta.url);
const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function examplesTable(): string {
  const dir = new URL('examples/', root);
  const rows = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = parseGraph(readFileSync(new URL(f, dir)));
      if (!parsed.ok) throw new Error(`examples/${f} does not parse`);
      const a = analyzeGraph(parsed.value);
      const loops = [...a.loops.values()]
        .map((l) => (l.implicit ? `implicit over ${l.axis}` : `${l.id}: ${l.steps !== undefined ? `${l.steps} steps` : `over ${l.axis}`}${l.direction === 'reverse' ? ', reverse' : ''}`))
        .join('; ');
      const c = a.counts;
      return `| [\`${f}\`](examples/${f}) | ${parsed.value.name} | ${loops} | ${c.nodes} | ${c.edges} | ${c.weights} | ${group(c.parameters)} |`;
    });
  return ['| file | graph | loops | nodes | edges | weights | parameters |', '| --- | --- | --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

function errorsTable(): string {
  const rows = (Object.keys(CATALOGUE) as ErrorCode[]).map((code) => `| ${code} | \`${CATALOGUE[code].name}\` | ${CATALOGUE[code].title} |`);
  return ['| code | name | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export const SECTIONS: Readonly<Record<string, () => string>> = { examples: examplesTable, errors: errorsTable };

/** `text` with every generated section rewritten; throws if a section's markers are missing. */
export function updateReadme(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> section`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${make()}\n${b}`);
  }
  return out;
}
