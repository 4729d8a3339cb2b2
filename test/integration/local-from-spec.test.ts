import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localOptionsFromSpec } from '../../src/local/index.js';
import { loadSpec } from '../../src/spec/index.js';

const DEMO_DIR = fileURLToPath(new URL('../../examples/demo', import.meta.url));

describe('spec → local runtime options', () => {
  it('maps the demo spec: command, folder, preset readiness path, metric, behavior, cpu request', async () => {
    const { spec } = await loadSpec({ configPath: join(DEMO_DIR, 'mdl.config.yaml'), cwd: process.cwd() });
    const o = localOptionsFromSpec(spec, { syncPeriodMs: 5000 });
    assert.equal(o.command, 'node --import tsx server.ts --port {port}');
    assert.equal(o.cwd, DEMO_DIR);
    assert.equal(o.healthPath, '/v2/health/ready');
    assert.equal(o.replicas, 1);
    assert.deepEqual(o.scaling.metric, { type: 'concurrency', target: 2 });
    assert.equal(o.scaling.behavior?.scaleDown?.stabilizationWindowSeconds, 60);
    assert.equal(o.scaling.syncPeriodMs, 5000);
    assert.equal(o.scaling.cpuRequestCores, 1);
    assert.equal(o.startTimeoutMs, 60_000);
  });

  it('lets --replicas above maxReplicas raise the max', async () => {
    const { spec } = await loadSpec({ configPath: join(DEMO_DIR, 'mdl.config.yaml'), cwd: process.cwd() });
    const o = localOptionsFromSpec(spec, { replicas: 6 });
    assert.equal(o.replicas, 6);
    assert.equal(o.scaling.maxReplicas, 6);
  });

  it('refuses a spec without local.command, and a metric the local runtime cannot measure (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-local-'));
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nimage: x/a:1\n');
    const { spec: noLocal } = await loadSpec({ configPath: join(dir, 'a.yaml'), cwd: dir });
    assert.throws(() => localOptionsFromSpec(noLocal), (e: Error & { exitCode?: number; where?: string }) => e.exitCode === 2 && e.where === 'local.command');
    writeFileSync(join(dir, 'b.yaml'), 'name: b\nimage: x/b:1\nresources: { gpu: 1 }\nscaling: { maxReplicas: 3, metric: { type: gpu, target: 0.8 } }\nlocal: { command: "serve --port {port}" }\n');
    const { spec: gpu } = await loadSpec({ configPath: join(dir, 'b.yaml'), cwd: dir });
    assert.throws(() => localOptionsFromSpec(gpu), (e: Error & { exitCode?: number; where?: string }) => e.exitCode === 2 && e.where === 'scaling.metric.type');
  });
});
