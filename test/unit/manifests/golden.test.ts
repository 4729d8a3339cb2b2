/**
 * Golden render tests: each spec in test/fixtures/golden/specs renders to the YAML stored next to it
 * (test/fixtures/golden/<name>.yaml), byte for byte, and every object passes the Kubernetes/KEDA
 * schemas. After an intended change, regenerate with: MDL_UPDATE_GOLDEN=1 npx mocha test/unit/manifests/golden.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipelineFiles } from '../../../src/cli/render-output.js';
import { metricsPipeline, renderManifests, toYaml, validateManifests } from '../../../src/manifests/index.js';
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

  // What the metrics pipeline needs (`mdl render --metrics-pipeline`): the PodMonitor and the adapter rule.
  for (const file of files) {
    const name = basename(file, '.yaml');
    it(`renders ${name}'s metrics pipeline exactly as test/fixtures/golden/pipeline/${name}.yaml`, async () => {
      const { spec } = await loadSpec({ cwd: SPECS, configPath: file });
      const text = pipelineFiles(spec.name, metricsPipeline(spec), 'yaml').map(([f, t]) => `--- # ${f}\n${t}`).join('');
      const goldenPath = join(GOLDEN, 'pipeline', `${name}.yaml`);
      if (update || !existsSync(goldenPath)) {
        assert.ok(update, `no golden file ${goldenPath}: run with MDL_UPDATE_GOLDEN=1 to create it`);
        mkdirSync(join(GOLDEN, 'pipeline'), { recursive: true });
        writeFileSync(goldenPath, text);
      }
      assert.equal(text, readFileSync(goldenPath, 'utf8'));
    });
  }

  it('scopes a KEDA query from the registry to the namespace it is rendered for, and leaves a query from the spec alone', async () => {
    const { spec } = await loadSpec({ cwd: SPECS, configPath: 'keda-scale-to-zero.yaml' });
    const trigger = (objects: ReturnType<typeof renderManifests>) =>
      (objects.find((o) => o.kind === 'ScaledObject')!.spec as { triggers: { metadata: { query: string; serverAddress: string } }[] }).triggers[0]!.metadata;
    assert.equal(trigger(renderManifests(spec, { namespace: 'ml' })).query, 'sum(vllm:num_requests_waiting{namespace="ml",pod=~"chat-.*"})');
    assert.equal(trigger(renderManifests(spec, { namespace: 'ml' })).serverAddress, 'http://prometheus.monitoring:9090');
    assert.equal(trigger(renderManifests(spec)).query, 'sum(vllm:num_requests_waiting{pod=~"chat-.*"})');
    const own = { ...spec, scaling: { ...spec.scaling, metric: { ...spec.scaling.metric, query: 'max(my_queue)' } } };
    delete (own.scaling.metric as { querySource?: string }).querySource;
    assert.equal(trigger(renderManifests(own, { namespace: 'ml' })).query, 'max(my_queue)');
  });
});
