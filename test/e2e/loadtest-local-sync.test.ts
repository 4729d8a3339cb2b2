import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// 2–3 replicas on concurrency, target 4 per replica.
const SPEC = fileURLToPath(new URL('../fixtures/dev-spec/mdl.config.yaml', import.meta.url));

function loadtest(args: string[]) {
  return spawnSync(process.execPath, ['bin/run.js', 'loadtest', '--local', '-c', SPEC, '--no-ui', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' },
  });
}

const progress = (stderr: string) => stderr.split('\n').filter((l) => /^\[\d+s\//.test(l));

describe('mdl loadtest --local: the local autoscaler within a short run (built CLI)', function () {
  this.timeout(90_000);

  it('a run shorter than one sync period (15 s) shows the concurrency measured so far, never <unknown>', () => {
    const run = loadtest(['--rate', '20', '--duration', '3s']);
    assert.equal(run.status, 0, run.stderr);
    const lines = progress(run.stderr);
    assert.ok(lines.length >= 3, run.stderr);
    for (const l of lines) {
      assert.doesNotMatch(l, /<unknown>/);
      assert.match(l, /· concurrency \d+(\.\d+)?\/4/);
    }
  });

  it('--sync-period 1s lets the local HPA scale up within a 4 s run; the 15 s default does not', () => {
    const fast = loadtest(['--concurrency', '32', '--duration', '4s', '--sync-period', '1s']);
    assert.equal(fast.status, 0, fast.stderr);
    assert.ok(progress(fast.stderr).some((l) => /replicas \d\/3 ready/.test(l)), fast.stderr);
    const slow = loadtest(['--concurrency', '32', '--duration', '4s']);
    assert.equal(slow.status, 0, slow.stderr);
    assert.ok(progress(slow.stderr).every((l) => /replicas 2\/2 ready/.test(l)), slow.stderr);
  });

  it('--sync-period needs --local and a duration (exit 2)', () => {
    const noLocal = spawnSync(process.execPath, ['bin/run.js', 'loadtest', 'http://127.0.0.1:9/', '--sync-period', '1s'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(noLocal.status, 2);
    assert.match(noLocal.stderr, /--sync-period[\s\S]*--local/);
    const bad = loadtest(['--sync-period', 'soon', '--duration', '1s']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--sync-period "soon" is not a duration/);
  });
});
