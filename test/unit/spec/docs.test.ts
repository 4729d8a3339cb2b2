import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specJsonSchema } from '../../../src/spec/index.js';
import { replaceRegistryTable } from '../../../src/spec/metric-registry.js';
import { REFERENCE_END, REFERENCE_START, replaceReference, specReferenceMarkdown } from '../../../src/spec/reference.js';

const root = join(import.meta.dirname, '../../..');

describe('generated spec documentation', () => {
  it('README.md spec reference matches the schema (run `npm run docs:spec` when this fails)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    assert.ok(readme.includes(REFERENCE_START) && readme.includes(REFERENCE_END), 'README.md lacks the spec-reference markers');
    assert.equal(readme, replaceReference(readme, specReferenceMarkdown()), 'README.md spec reference is stale: run npm run docs:spec');
  });

  it('docs/spec.md metric registry table matches src/spec/metric-registry.ts (run `npm run docs:spec` when this fails)', () => {
    const doc = readFileSync(join(root, 'docs', 'spec.md'), 'utf8');
    assert.equal(doc, replaceRegistryTable(doc), 'docs/spec.md registry table is stale: run npm run docs:spec');
    assert.match(doc, /\| kserve-v2 \| `rest_server_requests_in_progress` \|/);
  });

  it('schema/mdl.config.schema.json matches the schema (run `npm run docs:spec` when this fails)', () => {
    const committed = JSON.parse(readFileSync(join(root, 'schema', 'mdl.config.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(committed, specJsonSchema());
  });

  it('documents every top-level key and nested keys with their unit types', () => {
    const md = specReferenceMarkdown();
    for (const key of ['name', 'image', 'runtime', 'scaling.metric.type', 'scaling.behavior.scaleDown.stabilization', 'slo.p95', 'traffic.peak', 'environments']) {
      assert.match(md, new RegExp(`\\| \`${key.replaceAll('.', '\\.')}\` \\|`), key);
    }
    assert.match(md, /\| `slo\.p95` \| duration \|/);
    assert.match(md, /\| `traffic\.baseline` \| rate \| yes \|/);
  });

  it('replaces only the text between the markers', () => {
    const before = `# x\n\n${REFERENCE_START}\nold\n${REFERENCE_END}\n\ntail\n`;
    assert.equal(replaceReference(before, 'new\n'), `# x\n\n${REFERENCE_START}\nnew\n${REFERENCE_END}\n\ntail\n`);
  });
});
