import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplayDocument } from '../../src/replay/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPLICA = fileURLToPath(new URL('../fixtures/replica-server.mjs', import.meta.url));

/**
 * A replica of the fast fixture (10 ms per request, any number at once, ready 300 ms after it starts) and a
 * TuneResult that says so: 40 req/s per replica within a 300 ms p95, 1 s cold start.
 */
function writeInputs(dir: string): void {
  writeFileSync(
    join(dir, 'mdl.config.yaml'),
    `name: rp
image: example.invalid/rp:1
runtime: http
health:
  readiness: { path: /health }
slo: { p95: 300ms }
scaling:
  minReplicas: 1
  maxReplicas: 3
  metric: { type: rps, target: 10 }
local:
  command: node ${REPLICA} --port {port} --ready-after-ms 300
loadtest:
  path: /work?ms=10
  method: GET
`,
  );
  const point = (level: number, p95: number) => ({
    axis: 'rate', level, latencyMs: { mean: p95 * 0.8, p50: p95 * 0.8, p90: p95 * 0.95, p95, p99: p95 * 1.1, max: p95 * 1.3 },
    errorRate: 0, completedPerSecond: level, peakWindowPerSecond: level, passed: true, steady: true, backlog: false, ended: 'steady', windows: 3, loadSeconds: 3, phase: 'bracket',
  });
  const slo = { percentile: 'p95', latencyMs: 300, errorRate: 0.01 };
  const curve = [point(5, 12), point(20, 13), point(40, 15)];
  const tune = {
    schemaVersion: 2,
    target: { url: 'http://127.0.0.1:1/work', local: true, runtime: 'http' },
    startedAt: '2026-12-01T00:00:00.000Z',
    slo: { ...slo, source: 'spec' },
    search: { axis: 'rate', slo, capacityPerSecond: 40, curve },
    capacityPerReplica: { level: { value: 40, source: 'measured', note: '' }, perSecond: { value: 40, source: 'measured', note: '' } },
    coldStartMs: { value: 1000, source: 'measured', note: 'test' },
    recommendation: null,
  };
  writeFileSync(join(dir, 'tune.json'), JSON.stringify(tune));
  // The same TuneResult as the schemaVersion-1 mdl wrote it: the steps' completions per second were achievedPerSecond.
  const v1Curve = curve.map(({ completedPerSecond, ...p }) => ({ ...p, achievedPerSecond: completedPerSecond }));
  writeFileSync(join(dir, 'tune-v1.json'), JSON.stringify({ ...tune, schemaVersion: 1, search: { ...tune.search, curve: v1Curve } }));
  writeFileSync(join(dir, 'tune-v3.json'), JSON.stringify({ ...tune, schemaVersion: 3 }));
  // Fast scale-up, no scale-down window, so the replay scales within its 20 s.
  writeFileSync(
    join(dir, 'fast.json'),
    JSON.stringify({
      metric: 'rps', target: 10, minReplicas: 1, maxReplicas: 3,
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 1 }] },
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }] },
    }),
  );
}

function mdl(args: string[], cwd: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'replay', ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
}

describe('mdl replay (built CLI)', function () {
  this.timeout(150_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-replay-'));
    writeInputs(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('plays a step up through the runtime, records each second and replicas, and simulates the same beside it', () => {
    const run = mdl(['--from', 'tune.json', '--settings', 'fast.json', '--profile', 'step,from=5,to=25,at=5s,duration=20s', '--sync-period', '2s', '--json'], dir);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const doc = JSON.parse(run.stdout) as ReplayDocument;
    assert.equal(doc.runs.length, 1);
    const r = doc.runs[0]!;
    assert.equal(r.label, 'fast.json');
    assert.equal(r.measured.seconds.length, 20);
    assert.equal(r.simulated.seconds.length, 20);
    // Offered: the profile's rate in each second (5/s before the step at 5 s, 25/s after).
    assert.equal(r.measured.seconds[2]!.offeredPerSecond, 5);
    assert.equal(r.measured.seconds[12]!.offeredPerSecond, 25);
    const late = r.measured.seconds.slice(14);
    const achieved = late.reduce((a, s) => a + s.completedPerSecond, 0) / late.length;
    assert.ok(achieved > 20 && achieved < 30, `Poisson at 25/s achieved ${achieved}/s`);
    // 1 replica at 5/s; 25/s at a target of 10 per replica asks for 3 (the max).
    assert.equal(r.measured.seconds[2]!.desired, 1);
    assert.equal(r.measured.summary.peakReplicas, 3);
    assert.equal(r.simulated.summary.peakReplicas, 3);
    assert.ok(r.measured.scalingEvents.some((e) => e.from === 1 && e.to > 1), JSON.stringify(r.measured.scalingEvents));
    assert.equal(doc.profile.rampStartS, 5);
    // The first sync after the step sees it: within two sync periods of 2 s, in both.
    for (const s of [r.measured.summary, r.simulated.summary]) {
      assert.ok(s.scaleUpDecisionS !== null && s.scaleUpDecisionS <= 5, JSON.stringify(s));
    }
    assert.equal(r.simulated.lagChain.metricWindowMs, 2000);
    assert.equal(r.simulated.lagChain.syncTimesReplayed, true);
    // 10 ms requests far under the 300 ms SLO.
    assert.equal(r.measured.summary.secondsOverSlo, 0);
    assert.equal(r.simulated.summary.secondsOverSlo, 0);
    // The lag chain modelled: replica-seconds agree within the replay's 15 % bound.
    const gap = Math.abs(r.simulated.summary.replicaSeconds - r.measured.summary.replicaSeconds) / r.measured.summary.replicaSeconds;
    assert.ok(gap <= 0.15, `measured ${r.measured.summary.replicaSeconds}, simulated ${r.simulated.summary.replicaSeconds}`);
  });

  it('SIGTERM keeps and reports what was measured, exit 130', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'replay', '--from', 'tune.json', '--settings', 'static:1', '--profile', 'steady,rate=10,duration=60s', '--json'], {
      cwd: dir,
      env: { ...process.env, CI: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the load has run a few seconds: the replica starts in well under a second.
    await new Promise((r) => setTimeout(r, 8000));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 130, stderr);
    const doc = JSON.parse(stdout) as ReplayDocument;
    assert.equal(doc.interrupted, true);
    const r = doc.runs[0]!;
    assert.equal(r.measured.interrupted, true);
    assert.ok(r.measured.seconds.length >= 3 && r.measured.seconds.length < 60, `${r.measured.seconds.length} seconds`);
    assert.equal(r.simulated.seconds.length, r.measured.seconds.length, 'the simulation is cut to the seconds measured');
    assert.equal(r.label, 'static 1');
  });

  it('reads a version-1 TuneResult as its version-2 twin, and refuses an unknown version with exit 2', () => {
    const args = ['--settings', 'static', '--profile', 'steady,rate=5,duration=2s', '--sync-period', '1s', '--json'];
    const v2 = mdl(['--from', 'tune.json', ...args], dir);
    const v1 = mdl(['--from', 'tune-v1.json', ...args], dir);
    assert.equal(v2.status, 0, v2.stderr);
    assert.equal(v1.status, 0, v1.stderr);
    const inputs = (stdout: string) => {
      const doc = JSON.parse(stdout) as ReplayDocument;
      return { capacity: doc.capacity, slo: doc.slo, runs: doc.runs.map((r) => ({ label: r.label, settings: r.settings, simulatedSeconds: r.simulated.seconds.length })) };
    };
    assert.deepEqual(inputs(v1.stdout), inputs(v2.stdout));
    // static: a fleet for the 5/s peak at the curve's 40/s per replica.
    assert.equal(inputs(v1.stdout).runs[0]!.label, 'static 1');
    assert.equal(inputs(v1.stdout).capacity.perSecond, 40);

    const v3 = mdl(['--from', 'tune-v3.json', ...args], dir);
    assert.equal(v3.status, 2, v3.stderr);
    assert.match(v3.stderr, /tune-v3\.json has TuneResult schemaVersion 3; this mdl reads versions 1 and 2/);
    assert.match(v3.stderr, /at tune-v3\.json schemaVersion$/m);
    assert.doesNotMatch(v3.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('a profile file with a bad row: exit 2 naming the file and line', () => {
    writeFileSync(join(dir, 'bad.csv'), 'seconds,rps\n0,10\n10,-4\n');
    const run = mdl(['--from', 'tune.json', '--profile', 'bad.csv'], dir);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /rate -4 is negative/);
    assert.match(run.stderr, /bad\.csv:3/);
    const none = mdl(['--profile', 'steady,rate=1,duration=5s'], dir);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--from/);
  });
});
