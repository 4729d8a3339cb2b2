import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TuneResult } from '../../src/tune/result.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function mdl(args: string[], cwd: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'tune', ...args], { cwd, encoding: 'utf8', timeout: 400_000, env: { ...process.env, CI: 'true' } });
}

describe('mdl tune --local --verify (built CLI)', function () {
  this.timeout(420_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-tune-verify-'));
    // The spec's folder is a temporary one, where `--import tsx` would not resolve: name the loader by path.
    const tsx = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const fixture = resolve(ROOT, 'test/fixtures/capacity-server.ts');
    writeFileSync(
      join(dir, 'mdl.config.yaml'),
      `name: cap
image: example.invalid/cap:1
runtime: http
slo: { p95: 200ms }
traffic: { baseline: 20rps, peak: 150rps, ramp: 2s }
scaling:
  minReplicas: 1
  maxReplicas: 4
  metric: { type: rps, target: 60 }
local:
  command: node --import ${tsx} ${fixture} --slots 4 --service-ms 20 --exponential --port {port}
loadtest:
  path: /
  method: GET
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('=all replays the chosen, the current and a static setting over the spec traffic, in the result and the report', () => {
    const run = mdl(['--local', '--verify=all', '--window', '1s', '--report', 'tune.html', '--json'], dir);
    assert.equal(run.status, 0, run.stderr + run.stdout.slice(0, 2000));
    const result = JSON.parse(run.stdout) as TuneResult;
    const v = result.verification!;
    assert.ok(v, 'the TuneResult carries the verification');
    // 2 ramps of baseline, the 2 s ramp, 6 ramps at the peak, the ramp down, 2 ramps of baseline.
    assert.equal(v.profile.points.at(-1)!.atS, 24);
    const capacity = result.capacityPerReplica!.perSecond.value;
    const n = Math.ceil(150 / capacity);
    assert.deepEqual(v.runs.map((r) => r.label), ['chosen', 'current', `static ${n}`]);
    const rec = result.recommendation!;
    assert.deepEqual(
      [v.runs[0]!.settings.target, v.runs[0]!.settings.minReplicas, v.runs[0]!.settings.maxReplicas],
      [rec.target.value, rec.minReplicas.value, rec.maxReplicas.value],
      'the chosen setting is the one tune recommends',
    );
    assert.deepEqual([v.runs[1]!.settings.metric, v.runs[1]!.settings.target, v.runs[1]!.settings.minReplicas, v.runs[1]!.settings.maxReplicas], ['rps', 60, 1, 4]);
    for (const r of v.runs) {
      assert.equal(r.measured.seconds.length, 24, r.label);
      assert.equal(r.simulated.seconds.length, 24, r.label);
      assert.equal(r.measured.seconds[10]!.offeredPerSecond, 150);
    }
    // A static fleet does not move: exactly n replicas every second, in the runtime and in the simulation.
    const fleet = v.runs[2]!;
    assert.equal(fleet.measured.summary.replicaSeconds, 24 * n);
    assert.equal(fleet.simulated.summary.replicaSeconds, 24 * n);
    const html = readFileSync(join(dir, 'tune.html'), 'utf8');
    assert.match(html, /Verification by replay/);
    assert.match(html, /chosen: replicas, measured vs simulated/);
    assert.equal((html.match(/<svg /g) ?? []).length, 3 + 2 * 3);
  });

  it('--verify without --local: exit 2', () => {
    const run = mdl(['http://127.0.0.1:9/', '--verify', '--slo', 'p95<100ms'], dir);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--verify .* needs --local/);
  });
});
