import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { updateReadme } from './readme-sections.ts';

describe('README', () => {
  const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('has current generated tables (run `npm run readme` if this fails)', () => {
    expect(updateReadme(text)).toBe(text);
  });

  it('gives the two commands', () => {
    expect(text).toContain('npm install && npm start');
    expect(text).toContain('npm test');
  });

  it('refuses a README whose section markers are missing', () => {
    expect(() => updateReadme('no markers here')).toThrow(/examples:start/);
  });
});
