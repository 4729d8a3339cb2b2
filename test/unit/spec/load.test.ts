import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MdlError } from '../../../src/errors.js';
import { isSpecNotFound, loadSpec } from '../../../src/spec/index.js';

const MINIMAL = 'name: sentiment\nimage: ghcr.io/acme/sentiment:1.4.2\n';

describe('spec loading', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  async function loadError(options: Partial<Parameters<typeof loadSpec>[0]> = {}): Promise<MdlError> {
    try {
      await loadSpec({ cwd: dir, ...options });
    } catch (error) {
      assert.ok(error instanceof MdlError, `expected MdlError, got ${String(error)}`);
      assert.equal(error.exitCode, 2);
      return error;
    }
    assert.fail('expected the spec to be rejected');
  }

  it('resolves human units into numbers with the unit in the name', async () => {
    write(
      'mdl.config.yaml',
      `${MINIMAL}slo: { p95: 300ms, p99: 1.5s, errorRate: 1% }
traffic: { baseline: 20rps, peak: 1200/min, ramp: 2m }
health: { startup: { maxLoadTime: 5m } }
shutdown: { drain: 20s }
resources: { cpu: 500m, memory: 4Gi }
`,
    );
    const { spec, source } = await loadSpec({ cwd: dir });
    assert.equal(source.filepath, join(dir, 'mdl.config.yaml'));
    assert.deepEqual(spec.slo, { latency: { p95Ms: 300, p99Ms: 1500 }, errorRate: 0.01 });
    assert.deepEqual(spec.traffic, { baselinePerSecond: 20, peakPerSecond: 20, rampMs: 120_000 });
    assert.equal(spec.health.startup.maxLoadMs, 300_000);
    assert.equal(spec.shutdown.drainMs, 20_000);
    assert.equal(spec.resources.cpuCores, 0.5);
    assert.equal(spec.resources.memoryBytes, 4 * 2 ** 30);
    assert.equal(spec.resources.limits.memory, '4Gi', 'memory limit defaults to the request');
    assert.equal(spec.version, '1.4.2');
  });

  it('applies the runtime preset under the spec, and the spec wins', async () => {
    write('mdl.config.yaml', `${MINIMAL}runtime: vllm\nresources: { gpu: 1 }\nhealth: { readiness: { path: /ready } }\n`);
    const { spec } = await loadSpec({ cwd: dir });
    assert.equal(spec.port, 8000);
    assert.equal(spec.health.readiness.path, '/ready');
    assert.equal(spec.health.liveness.path, '/health');
    assert.equal(spec.health.startup.maxLoadMs, 15 * 60_000);
    assert.equal(spec.scaling.metric.type, 'queue');
    assert.equal(spec.scaling.metric.series, 'vllm:num_requests_waiting');
    assert.equal(spec.loadtest.protocol, 'openai');
    assert.equal(spec.rollout.maxSurge, 0, 'GPU pods roll without a spare GPU by default');
    assert.equal(spec.rollout.maxUnavailable, 1);
  });

  it('merges the environment overlay: objects deep, arrays replace', async () => {
    write(
      'mdl.config.yaml',
      `${MINIMAL}args: [--a, --b]
scaling: { minReplicas: 1, maxReplicas: 4, metric: { type: concurrency, target: 8 } }
environments:
  prod: { args: [--c], scaling: { maxReplicas: 20 } }
`,
    );
    const base = await loadSpec({ cwd: dir });
    assert.deepEqual(base.spec.args, ['--a', '--b']);
    assert.equal(base.spec.environment, undefined);
    const prod = await loadSpec({ cwd: dir, env: 'prod' });
    assert.deepEqual(prod.spec.args, ['--c']);
    assert.equal(prod.spec.scaling.maxReplicas, 20);
    assert.equal(prod.spec.scaling.minReplicas, 1);
    assert.equal(prod.spec.scaling.metric.target, 8);
    assert.equal(prod.spec.environment, 'prod');
    assert.equal(prod.source.environment, 'prod');
  });

  it('accepts a spec without an image (for mdl dev) and the local runtime settings', async () => {
    write(
      'mdl.config.yaml',
      `name: fx
runtime: kserve-v2
scaling: { minReplicas: 2, maxReplicas: 3, behavior: { scaleDown: { stabilizationSeconds: 60 } } }
local: { command: "node server.mjs --port {port}", port: 9000 }
`,
    );
    const { spec } = await loadSpec({ cwd: dir });
    assert.equal(spec.image, undefined);
    assert.equal(spec.version, 'latest');
    assert.equal(spec.scaling.behavior?.scaleDown?.stabilizationMs, 60_000);
    assert.deepEqual(spec.local, { command: 'node server.mjs --port {port}', replicas: 2, healthPath: '/v2/health/ready', cwd: dir, env: {}, port: 9000 });
  });

  it('searches upward from the working directory', async () => {
    write('.mdlrc.yaml', MINIMAL);
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const { source } = await loadSpec({ cwd: sub });
    assert.equal(source.filepath, join(dir, '.mdlrc.yaml'));
  });

  it('reads the mdl key of package.json and reports positions inside it', async () => {
    write('package.json', JSON.stringify({ name: 'x', mdl: { name: 'pkg', image: 'a:1', scaling: { maxReplica: 3 } } }, null, 2));
    const error = await loadError();
    assert.match(error.message, /unknown key "maxReplica"/);
    assert.match(error.hint ?? '', /Did you mean "maxReplicas"\?/);
    assert.match(error.where ?? '', /^package\.json:\d+:\d+ scaling\.maxReplica$/);
    write('package.json', JSON.stringify({ name: 'x', mdl: { name: 'pkg', image: 'a:1' } }));
    assert.equal((await loadSpec({ cwd: dir })).spec.name, 'pkg');
  });

  it('passes over a package.json without an mdl key, to a spec above or to "no spec found"', async () => {
    write('.mdlrc.yaml', MINIMAL);
    const sub = join(dir, 'app');
    mkdirSync(sub);
    writeFileSync(join(sub, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    assert.equal((await loadSpec({ cwd: sub })).source.filepath, join(dir, '.mdlrc.yaml'));
    rmSync(join(dir, '.mdlrc.yaml'));
    const error = await loadError({ cwd: sub });
    assert.match(error.message, /no mdl spec found/);
    assert.ok(isSpecNotFound(error), 'the one error that commands may take as "no spec"');
    write('mdl.config.yaml', 'name: [broken\n');
    assert.ok(!isSpecNotFound(await loadError()), 'a broken spec is not "no spec"');
  });

  it('loads JSON and JavaScript specs', async () => {
    write('mdl.config.json', JSON.stringify({ name: 'json', image: 'a:1' }));
    assert.equal((await loadSpec({ cwd: dir })).spec.name, 'json');
    const js = write('other.mjs', 'export default { name: "js", image: "a:1" };\n');
    assert.equal((await loadSpec({ cwd: dir, configPath: js })).spec.name, 'js');
  });

  it('takes --config relative to the working directory and says when it is missing', async () => {
    write('custom.yaml', MINIMAL);
    assert.equal((await loadSpec({ cwd: dir, configPath: 'custom.yaml' })).spec.name, 'sentiment');
    const error = await loadError({ configPath: 'nope.yaml' });
    assert.match(error.message, /spec file nope\.yaml not found/);
    assert.match(error.hint ?? '', /mdl init/);
  });

  it('says where to start when no spec is found', async () => {
    const error = await loadError();
    assert.match(error.message, /no mdl spec found/);
    assert.match(error.hint ?? '', /mdl init/);
  });
});
