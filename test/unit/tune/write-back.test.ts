import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { recommend } from '../../../src/tune/recommend.js';
import { scalingPatch, writeScaling } from '../../../src/tune/write-back.js';

const SPEC = `# Sentiment model
name: sentiment   # the service name
image: ghcr.io/acme/sentiment:1.4.2
runtime: vllm
scaling:
  # keep two for availability
  minReplicas: 1   # availability first
  maxReplicas: 10 # raised for launch
  metric: { type: concurrency, target: 8 }
  engine: hpa
slo: { p95: 300ms, errorRate: 1% }
`;

const rec = recommend({
  runtime: 'vllm',
  axis: 'concurrency',
  capacityLevel: { value: 16, source: 'measured', note: '' },
  capacityPerSecond: { value: 8, source: 'measured', note: '' },
  latencyAtCapacityMs: 2000,
  coldStartMs: { value: 60_000, source: 'measured', note: '' },
  traffic: { value: { baselinePerSecond: 4, peakPerSecond: 40, rampSeconds: 600 }, source: 'spec', note: '' },
});

describe('tune/write-back', () => {
  it('patches scaling in place, keeping comments and the other keys, and shows a diff', () => {
    const out = writeScaling(SPEC, scalingPatch(rec), 'mdl.config.yaml');
    assert.ok(out.changed);
    for (const comment of ['# Sentiment model', '# the service name', '# keep two for availability', '# raised for launch']) {
      assert.ok(out.text.includes(comment), comment);
    }
    assert.match(out.text, new RegExp(`^  minReplicas: ${rec.minReplicas.value}   # availability first$`, 'm'), 'a changed value keeps the gap before its comment');
    for (const line of ['name: sentiment   # the service name', 'slo: { p95: 300ms, errorRate: 1% }', 'image: ghcr.io/acme/sentiment:1.4.2']) assert.ok(out.text.includes(line), `untouched line kept byte for byte: ${line}`);
    const parsed = parse(out.text);
    assert.equal(parsed.scaling.minReplicas, rec.minReplicas.value);
    assert.equal(parsed.scaling.maxReplicas, rec.maxReplicas.value);
    assert.deepEqual(parsed.scaling.metric, { type: 'concurrency', target: rec.target.value });
    assert.equal(parsed.scaling.engine, 'hpa');
    assert.equal(parsed.scaling.behavior.scaleDown.stabilization, '5m');
    assert.deepEqual(parsed.scaling.behavior.scaleUp.policies[0], { type: 'Percent', value: 100, period: '15s' });
    assert.match(out.diff, /^-  minReplicas: 1   # availability first$/m);
    assert.match(out.diff, new RegExp(`^\\+  minReplicas: ${rec.minReplicas.value}   # availability first$`, 'm'));
  });

  it('is idempotent: writing the same recommendation twice changes nothing the second time', () => {
    const once = writeScaling(SPEC, scalingPatch(rec), 'f.yaml');
    const twice = writeScaling(once.text, scalingPatch(rec), 'f.yaml');
    assert.equal(twice.changed, false);
    assert.equal(twice.diff, '');
  });

  it('creates the section when missing, or an environment overlay with --env', () => {
    const out = writeScaling('name: a\n', scalingPatch(rec), 'f.yaml', 'prod');
    assert.equal(parse(out.text).environments.prod.scaling.maxReplicas, rec.maxReplicas.value);
  });

  it('rejects a file that is not YAML with exit 2', () => {
    assert.throws(() => writeScaling('a: [1, 2\n', {}, 'f.yaml'), (e: Error & { exitCode?: number }) => e.exitCode === 2);
  });
});
