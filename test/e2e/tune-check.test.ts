// mdl tune --check with the built CLI. The TuneResult is test/fixtures/tune-check/tune-result.json, written
// by a real run of
//   mdl tune --local -c test/fixtures/tune-check/mdl.config.yaml --window 1s --json
// (one local replica of the capacity fixture: 4 slots × 20 ms), committed with the chart series and the
// candidate list of its simulation emptied (jq '.simulation.recommended.series = [] |
// .simulation.current.series = [] | .simulation.candidates = []') to keep it small; the check reads neither.
// That run was made by the schemaVersion-1 mdl and is kept as written in tune-result-v1.json; tune-result.json
// is its version-2 twin (achievedPerSecond renamed completedPerSecond, schemaVersion 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TuneCheckResult } from '../../src/tune/check.js';
import type { TuneResult } from '../../src/tune/result.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/tune-check');
const RESULT = join(FIX, 'tune-result.json');
const RESULT_V1 = join(FIX, 'tune-result-v1.json');
const SPEC = readFileSync(join(FIX, 'mdl.config.yaml'), 'utf8');

function mdl(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'tune', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 200_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mdl tune --check (built CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  /** The fixture spec with its scaling bounds and target replaced. */
  const specWith = (name: string, min: number, max: number, target: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      SPEC.replace('minReplicas: 2', `minReplicas: ${min}`).replace('maxReplicas: 10', `maxReplicas: ${max}`).replace('target: 100rps', `target: ${target}`),
    );
    return file;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'mdl-tune-check-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when the current settings keep the SLO on the measured capacity', () => {
    const r = mdl(['--check', RESULT, '-c', specWith('roomy', 4, 10, '100rps'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as TuneCheckResult;
    assert.equal(doc.passed, true);
    assert.equal(doc.settings.minReplicas, 4);
    assert.equal(doc.settings.target, 100);
    assert.equal(doc.settings.metric, 'rps');
    assert.ok(doc.simulation.secondsOverSlo <= doc.budgetSeconds, `${doc.simulation.secondsOverSlo} s over vs ${doc.budgetSeconds} s`);
    // 0.5 % of the simulated time, tune's selection budget: the spec's traffic as replay lays it out, 60 s at
    // 20/s, the 120 s ramp, 180 s at 400/s, the ramp down, 60 s at 20/s (9 min → 2.7 s).
    assert.equal(doc.simulation.durationSeconds, 60 + 120 + 180 + 120 + 60);
    assert.equal(doc.budgetSeconds, 2.7);
    assert.deepEqual({ ...doc.slo }, { percentile: 'p95', latencyMs: 100, errorRate: 0.01, source: 'roomy.yaml slo' });
    assert.equal(doc.coldStartMs.source, 'measured');
  });

  it('exits 99 when they no longer do, and says why on stderr', () => {
    const r = mdl(['--check', RESULT, '-c', specWith('capped', 2, 2, '100rps')]);
    assert.equal(r.code, 99, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^tune --check: FAIL: the current settings no longer keep p95 < 100 ms: \d+ s over it in 9 min of the spec's traffic, above the 3 s budget/m);
    assert.match(r.stderr, /settings {3}rps target 100, 2–2 replicas \(capped\.yaml scaling\)/);
  });

  it('judges the spec the tune ran on exactly as that tune judged its current settings', function () {
    // A TuneResult written by this mdl (the committed one was proved by an older mdl, on another layout of the
    // spec's traffic): its simulation.current is tune's own proof of these settings; --check must agree with it.
    this.timeout(240_000);
    const fresh = mdl(['--local', '-c', join(FIX, 'mdl.config.yaml'), '--window', '1s', '--json'], FIX);
    assert.equal(fresh.code, 0, fresh.stderr);
    const file = join(dir, 'fresh-tune-result.json');
    writeFileSync(file, fresh.stdout);
    const tuned = JSON.parse(fresh.stdout) as TuneResult;
    const current = tuned.simulation!.current!;
    const r = mdl(['--check', file, '-c', join(FIX, 'mdl.config.yaml'), '--json']);
    const doc = JSON.parse(r.stdout) as TuneCheckResult;
    assert.equal(doc.simulation.secondsOverSlo, current.secondsOverSlo);
    assert.equal(doc.simulation.replicaHours, current.replicaHours);
    assert.equal(doc.budgetSeconds, tuned.simulation!.budgetSeconds);
    const keeps = current.secondsOverSlo <= tuned.simulation!.budgetSeconds;
    assert.equal(doc.passed, keeps);
    assert.equal(r.code, keeps ? 0 : 99, r.stderr);
  });

  it('exits 2 naming the file for a missing, non-JSON or non-TuneResult file, and for flags that send load', () => {
    const spec = join(FIX, 'mdl.config.yaml');
    const missing = mdl(['--check', join(dir, 'nope.json'), '-c', spec]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the TuneResult .*nope\.json: ENOENT/);
    assert.match(missing.stderr, /at --check/);

    writeFileSync(join(dir, 'broken.json'), '{"schemaVersion": 1, ');
    const broken = mdl(['--check', join(dir, 'broken.json'), '-c', spec, '--json']);
    assert.equal(broken.code, 2);
    assert.match(JSON.parse(broken.stdout).error.message, /broken\.json is not JSON/);

    writeFileSync(join(dir, 'load.json'), JSON.stringify({ schemaVersion: 2, kind: 'load', summary: {} }));
    const other = mdl(['--check', join(dir, 'load.json'), '-c', spec]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /load\.json is not a TuneResult mdl can read: it is a "load" document/);
    assert.match(other.stderr, /mdl tune --json/);

    const { coldStartMs: _cold, ...noColdStart } = JSON.parse(readFileSync(RESULT, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'partial.json'), JSON.stringify(noColdStart));
    const partial = mdl(['--check', join(dir, 'partial.json'), '-c', spec]);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /partial\.json is not a TuneResult mdl can read: missing required key "coldStartMs"/);
    assert.match(partial.stderr, /at .*partial\.json coldStartMs$/m);

    const conflict = mdl(['--check', RESULT, '-c', spec, '--local', '--write']);
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /--check takes no --local, --write/);
    for (const r of [missing, broken, other, partial, conflict]) assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('reads a version-1 TuneResult as its version-2 twin: the same verdict and numbers', () => {
    for (const [name, min, max] of [['roomy', 4, 10], ['capped', 2, 2]] as const) {
      const spec = specWith(name, min, max, '100rps');
      const v2 = mdl(['--check', RESULT, '-c', spec, '--json']);
      const v1 = mdl(['--check', RESULT_V1, '-c', spec, '--json']);
      assert.equal(v1.code, v2.code, v1.stderr);
      assert.equal(v1.code, name === 'roomy' ? 0 : 99);
      const read = (stdout: string) => {
        const { from, ...doc } = JSON.parse(stdout) as TuneCheckResult;
        return { ...doc, from: { ...from, file: 'tune-result.json' } };
      };
      assert.deepEqual(read(v1.stdout), read(v2.stdout));
      assert.equal((JSON.parse(v1.stdout) as TuneCheckResult).from.capacityPerSecond, 165);
    }
  });

  it('exits 2 for a TuneResult of a schemaVersion it does not know, naming the file and what to do', () => {
    const doc = JSON.parse(readFileSync(RESULT, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'future.json'), JSON.stringify({ ...doc, schemaVersion: 3 }));
    const r = mdl(['--check', join(dir, 'future.json'), '-c', join(FIX, 'mdl.config.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /future\.json has TuneResult schemaVersion 3; this mdl reads versions 1 and 2/);
    assert.match(r.stderr, /at .*future\.json schemaVersion$/m);
    assert.match(r.stderr, /run mdl tune --json again/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});
