import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulationReport } from '../../src/autoscale/compare.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = 'test/fixtures/simulate';

function mdl(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`${ROOT}/bin/run.js`, 'simulate', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mdl simulate (built CLI)', () => {
  it('compares the spec’s settings with a what-if: text on stderr, nothing on stdout', () => {
    const r = mdl(['-c', `${FIX}/mdl.config.yaml`, '--traffic', `${FIX}/spike.csv`, '--capacity', `${FIX}/capacity.json`, '--target', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /spec: concurrency 4 in flight, 2–12 replicas/);
    assert.match(r.stderr, /what-if: concurrency 3 in flight/);
    assert.match(r.stderr, /replica-hours/);
    assert.match(r.stderr, /SLO: latency ≤ 300 ms \(mdl\.config\.yaml slo\.p95\)/);
  });

  it('--json prints one report whose scenarios and sources follow the inputs', () => {
    const r = mdl(['-c', `${FIX}/mdl.config.yaml`, '--profile', 'spike,baseline=20,peak=300,at=10m,duration=1h', '--capacity', `${FIX}/capacity.json`, '--max', '6', '--cold-start', '30s', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SimulationReport;
    assert.equal(doc.schemaVersion, 1);
    assert.deepEqual(doc.scenarios.map((s) => s.label), ['spec', 'what-if']);
    assert.equal(doc.scenarios[1]!.hpa.maxReplicas, 6);
    assert.equal(doc.scenarios[1]!.sources.maxReplicas, '--max');
    assert.deepEqual(doc.assumptions.podStartMs, { value: 30_000, source: '--cold-start' });
    assert.equal(doc.traffic.durationS, 3600);
    assert.ok(doc.scenarios[1]!.totals.peakReplicas <= 6);
    assert.ok(doc.scenarios[1]!.totals.secondsOverSlo >= doc.scenarios[0]!.totals.secondsOverSlo, 'capping at 6 cannot do better at 300 rps');
    assert.ok(doc.scenarios[0]!.series.desiredReplicas.length <= 500);
  });

  it('prices each scenario when the spec has a cost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-sim-cost-'));
    writeFileSync(join(dir, 'mdl.config.yaml'), [
      'name: sim', 'image: ghcr.io/acme/sim:1.0.0', 'runtime: http',
      'scaling: { minReplicas: 4, maxReplicas: 4, metric: { type: rps, target: 50rps } }',
      'slo: { p95: 300ms }', 'cost: { perReplicaHour: 3, currency: EUR }', '',
    ].join('\n'));
    const args = ['-c', join(dir, 'mdl.config.yaml'), '--profile', 'steady,rate=100,duration=1h', '--capacity', `${ROOT}/${FIX}/capacity.json`];
    const json = mdl([...args, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as SimulationReport;
    // 4 replicas held for the hour at 3 EUR each.
    assert.equal(doc.scenarios[0]!.totals.replicaHours, 4);
    assert.deepEqual(doc.scenarios[0]!.cost, { amount: 12, currency: 'EUR' });
    const text = mdl(args);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /Price: 3 EUR per replica-hour \(spec\)/);
    assert.match(text.stderr, /cost \(EUR\) +12\.00/);
  });

  it('works from flags alone where there is no spec', () => {
    const r = mdl(['--profile', 'steady,rate=100,duration=10m', '--capacity', `${ROOT}/${FIX}/capacity.json`, '--min', '1', '--max', '8', '--metric', 'rps', '--target', '25', '--slo', '300ms', '--initial', '4', '--json'], '/');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SimulationReport;
    assert.deepEqual(doc.scenarios.map((s) => s.label), ['flags']);
    assert.equal(doc.scenarios[0]!.totals.peakReplicas, 4);
  });

  it('a spec metric the simulator cannot model needs --metric, and then only the what-if runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-sim-'));
    const spec = join(dir, 'mdl.config.yaml');
    writeFileSync(spec, 'name: m\nimage: ghcr.io/acme/m:1.0.0\nruntime: http\nresources: { cpu: "1", memory: 2Gi }\nscaling:\n  minReplicas: 1\n  maxReplicas: 5\n  metric: { type: memory, target: 70 }\nslo: { p95: 300ms }\n');
    const refused = mdl(['-c', spec, '--profile', 'steady,rate=50,duration=10m', '--capacity', `${ROOT}/${FIX}/capacity.json`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not memory/);
    assert.match(refused.stderr, /scaling\.metric\.type/);
    const r = mdl(['-c', spec, '--profile', 'steady,rate=50,duration=10m', '--capacity', `${ROOT}/${FIX}/capacity.json`, '--metric', 'rps', '--target', '20', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SimulationReport;
    assert.deepEqual(doc.scenarios.map((s) => [s.label, s.hpa.maxReplicas, s.sources.maxReplicas]), [['what-if', 5, 'mdl.config.yaml scaling.maxReplicas']]);
  });

  it('bad input exits 2 with where and what to do', () => {
    const r = mdl(['-c', `${FIX}/mdl.config.yaml`, '--profile', 'sawtooth,peak=3', '--capacity', `${FIX}/capacity.json`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown traffic profile "sawtooth"/);
    assert.match(r.stderr, /at --profile/);
    const missing = mdl(['-c', `${FIX}/mdl.config.yaml`, '--profile', 'steady,rate=5']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no capacity curve/);
    assert.doesNotMatch(missing.stderr, /\n\s+at .*\.js:\d+/);
  });
});
