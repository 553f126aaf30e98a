/** `npm run readme`: regenerate the README's tables from the examples and the error catalogue. */
import { readFileSync, writeFileSync } from 'node:fs';
import { updateReadme } from './readme-sections.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateReadme(before);
writeFileSync(path, after);
console.log(before === after ? 'README.md is up to date' : 'README.md tables regenerated');
