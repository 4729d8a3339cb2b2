/**
 * Golden render tests: each spec in test/fixtures/golden/specs renders to the YAML stored next to it
 * (test/fixtures/golden/<name>.yaml), byte for byte, and every object passes the Kubernetes/KEDA
 * schemas. After an intended change, regenerate with: MDL_UPDATE_GOLDEN=1 npx mocha test/unit/manifests/golden.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { renderManifests, toYaml, validateManifests } from '../../../src/manifests/index.js';
import { loadSpec } from '../../../src/spec/index.js';

const GOLDEN = join(import.meta.dirname, '../../fixtures/golden');
const SPECS = join(GOLDEN, 'specs');
const update = process.env.MDL_UPDATE_GOLDEN === '1';

describe('golden manifests', () => {
  const files = readdirSync(SPECS).filter((f) => f.endsWith('.yaml')).sort();

  it('has a golden spec for every runtime preset and for keda', () => {
    for (const runtime of ['vllm', 'tgi', 'triton', 'torchserve', 'kserve-v2', 'openai', 'http', 'keda-scale-to-zero', 'keda-cpu']) {
      assert.ok(files.includes(`${runtime}.yaml`), `missing ${runtime}.yaml`);
    }
  });

  for (const file of files) {
    const name = basename(file, '.yaml');
    it(`renders ${name} exactly as test/fixtures/golden/${name}.yaml`, async () => {
      const { spec } = await loadSpec({ cwd: SPECS, configPath: file });
      const objects = renderManifests(spec);
      await validateManifests(objects);
      const yaml = toYaml(objects);
      const goldenPath = join(GOLDEN, `${name}.yaml`);
      if (update || !existsSync(goldenPath)) {
        assert.ok(update, `no golden file ${goldenPath}: run with MDL_UPDATE_GOLDEN=1 to create it`);
        writeFileSync(goldenPath, yaml);
      }
      assert.equal(yaml, readFileSync(goldenPath, 'utf8'));
      // Deterministic: a second load and render gives the same bytes.
      const again = toYaml(renderManifests((await loadSpec({ cwd: SPECS, configPath: file })).spec));
      assert.equal(again, yaml);
    });
  }
});
