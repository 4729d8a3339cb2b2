import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSpec } from '../../src/spec/index.js';
import { startLocalTarget } from '../../src/tune/local-target.js';

describe('tune --local: cold start through the local runtime', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-tune-local-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a replica, times start → ready → first request served by it, and scales back', async () => {
    const fixture = resolve('test/fixtures/capacity-server.ts');
    // The spec's folder is a temporary one, where `--import tsx` would not resolve: name the loader by path.
    const tsx = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
    writeFileSync(
      join(dir, 'mdl.config.yaml'),
      `name: fixture
image: ghcr.io/acme/fixture:1.0.0
runtime: http
slo: { p95: 300ms }
local:
  command: node --import ${tsx} ${fixture} --slots 2 --service-ms 5 --port {port}
`,
    );
    const { spec } = await loadSpec({ cwd: dir, configPath: 'mdl.config.yaml' });
    const target = await startLocalTarget(spec, 1, {});
    try {
      assert.match(target.url, /^http:\/\/127\.0\.0\.1:\d+\//);
      const sample = await target.coldStart.measure();
      assert.ok(sample.startToReadyMs > 0);
      assert.ok(sample.readyToFirstResponseMs >= 0);
      assert.ok(Math.abs(sample.totalMs - sample.startToReadyMs - sample.readyToFirstResponseMs) < 1e-6);
      assert.equal(target.runtime.status().desiredReplicas, 1, 'scaled back to the count under test');
    } finally {
      await target.stop();
    }
  });
});
