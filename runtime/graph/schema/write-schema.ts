/** `npm run schema`: writes the graph format's JSON Schema, built from the block registry, into the repo. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCHEMA_PATH, schemaText } from './build-schema.ts';

const target = fileURLToPath(new URL(`../../../${SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, schemaText());
process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
