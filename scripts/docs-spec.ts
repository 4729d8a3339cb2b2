/**
 * npm run docs:spec — regenerates the README's spec reference (between the spec-reference markers),
 * docs/spec.md's metric registry table and schema/mdl.config.schema.json from the code. test/unit/spec/docs.test.ts fails when either is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specJsonSchema } from '../src/spec/json-schema.js';
import { replaceRegistryTable } from '../src/spec/metric-registry.js';
import { replaceReference, specReferenceMarkdown } from '../src/spec/reference.js';

const root = join(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');
writeFileSync(readmePath, replaceReference(readFileSync(readmePath, 'utf8'), specReferenceMarkdown()));
writeFileSync(join(root, 'schema', 'mdl.config.schema.json'), `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
const specDocPath = join(root, 'docs', 'spec.md');
writeFileSync(specDocPath, replaceRegistryTable(readFileSync(specDocPath, 'utf8')));
process.stderr.write('Updated README.md (spec reference), docs/spec.md (metric registry) and schema/mdl.config.schema.json\n');
