import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds first) with this Node (24). */
function mdl(args: string[], options: { env?: NodeJS.ProcessEnv; interruptAfterMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/run.js'), ...args], { cwd: options.cwd, env: { ...process.env, CI: 'true', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    if (options.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    // A hung CLI fails its test instead of outliving the test run.
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('mdl loadtest (built CLI)', function () {
  this.timeout(30_000);
  let server: CapacityServer;
  const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-load-'));
  before(async () => {
    server = await startCapacityServer({ slots: 50, serviceMs: 5 });
  });
  after(() => server.close());

  it('--json prints the LoadResult alone; header values are redacted', async () => {
    const r = await mdl(['loadtest', `${server.url}/`, '--rate', '50', '--duration', '1s', '-H', 'Authorization: Bearer s3cret', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.schemaVersion, 2);
    assert.equal(result.requests.sent, 50);
    assert.deepEqual(result.target.headers, { authorization: '[redacted]' });
    assert.ok(!r.stdout.includes('s3cret') && !r.stderr.includes('s3cret'));
    const shown = await mdl(['loadtest', `${server.url}/`, '--rate', '20', '--duration', '1s', '-H', 'Authorization: Bearer s3cret', '--show-secrets', '--json']);
    assert.equal(JSON.parse(shown.stdout).target.headers.authorization, 'Bearer s3cret');
  });

  it('exits 99 when a threshold fails, writes JUnit, NDJSON and the GitHub step summary', async () => {
    const junit = join(dir, 'j.xml');
    const out = join(dir, 'o.ndjson');
    const summary = join(dir, 'summary.md');
    const r = await mdl(['loadtest', `${server.url}/`, '--rate', '40', '--duration', '2s', '-t', 'p95<5s', '-t', 'p50<0.001ms', '--junit', junit, '--out', out], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stderr, /✗ p50<0.001ms — observed/);
    assert.match(r.stderr, /\[1s\/2s\] target 40\/s/);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /tests="2" failures="1"/);
    assert.match(xml, /<failure message="p50&lt;0.001ms failed/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.filter((l) => l.kind === 'snapshot').length >= 2);
    assert.equal(lines.at(-1).kind, 'result');
    assert.match(readFileSync(summary, 'utf8'), /\| `p50<0.001ms` \| .* \| ❌ failed \|/);
  });

  it('exits 0 when thresholds pass', async () => {
    const r = await mdl(['loadtest', `${server.url}/`, '--concurrency', '2', '--requests', '20', '-t', 'error_rate<1%', '-t', 'p99<5s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /✓ error_rate<1%/);
  });

  it('bad flags exit 2 with a message naming the flag', async () => {
    const both = await mdl(['loadtest', `${server.url}/`, '--rate', '5', '--concurrency', '2']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--concurrency=2 cannot also be provided when using --rate/);
    const threshold = await mdl(['loadtest', `${server.url}/`, '-t', 'p97<1s']);
    assert.equal(threshold.code, 2);
    assert.match(threshold.stderr, /unknown threshold metric "p97"/);
    const noUrl = await mdl(['loadtest']);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /no URL to test/);
    const unknownFlag = await mdl(['loadtest', `${server.url}/`, '--nope']);
    assert.equal(unknownFlag.code, 2);
  });

  it('takes the URL and the SLO from the spec in the working directory', async () => {
    const specDir = mkdtempSync(join(tmpdir(), 'mdl-e2e-spec-'));
    writeFileSync(
      join(specDir, 'mdl.config.yaml'),
      `name: echo\nimage: example.com/echo:1.0.0\nslo: { p95: 10s, errorRate: 1% }\nloadtest: { url: "${server.url}", protocol: http, method: GET }\n`,
    );
    const r = await mdl(['loadtest', '--rate', '20', '--duration', '1s', '--json'], { cwd: specDir });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.target.url, `${server.url}/`);
    assert.deepEqual(result.thresholds.map((t: { expression: string; source: string; passed: boolean }) => [t.expression, t.source, t.passed]), [
      ['p95: 10s', 'spec', true],
      ['errorRate: 1%', 'spec', true],
    ]);
  });

  it('SIGINT stops sending, reports what was measured and exits 130', async () => {
    const r = await mdl(['loadtest', `${server.url}/`, '--rate', '50', '--duration', '1m', '--json'], { interruptAfterMs: 2500 });
    assert.equal(r.code, 130, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.interrupted, true);
    assert.ok(result.requests.sent > 10, `sent ${result.requests.sent}`);
    assert.equal(result.requests.completed, result.requests.sent);
  });
});
