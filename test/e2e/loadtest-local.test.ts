import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../../src/load/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = fileURLToPath(new URL('../fixtures/dev-spec/mdl.config.yaml', import.meta.url));

function mdl(args: string[]) {
  return spawnSync(process.execPath, ['bin/run.js', 'loadtest', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CI: 'true' },
  });
}

/** Pids of this checkout's fixture replica processes now running (other checkouts may run the same tests). */
function replicaPids(): Set<string> {
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-f', 'replica-server.mjs --port'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return new Set(); // pgrep exits 1 when nothing matches
  }
  const specDir = dirname(SPEC);
  return new Set(
    pids.filter((pid) => {
      try {
        return realpathSync(`/proc/${pid}/cwd`) === realpathSync(specDir);
      } catch {
        return false; // gone meanwhile
      }
    }),
  );
}

describe('mdl loadtest --local (built CLI)', function () {
  this.timeout(90_000);

  it("starts the spec's model locally, loads it through the balancer, and leaves no process behind", () => {
    const before = replicaPids();
    const run = mdl(['--local', '-c', SPEC, '--rate', '20', '--duration', '2s', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as LoadResult;
    assert.match(result.target.url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(result.requests.sent, 40);
    assert.equal(result.requests.completed, 40);
    assert.equal(result.requests.failed, 0);
    // The spec's 2 replicas, per measured second, from the runtime's status: replica-seconds from the file alone.
    assert.ok(result.replicas, 'the result carries the replica series');
    assert.equal(result.replicas.source, 'local-runtime');
    assert.deepEqual(result.replicas.seconds, [{ second: 1, desired: 2, ready: 2 }, { second: 2, desired: 2, ready: 2 }]);
    assert.equal(result.replicas.replicaSeconds, 4);
    assert.equal(result.replicas.peakReplicas, 2);
    const left = [...replicaPids()].filter((pid) => !before.has(pid));
    assert.deepEqual(left, [], 'replica processes left after mdl loadtest --local');
  });

  it('refuses --local with a URL, and --replicas without --local (exit 2)', () => {
    const both = mdl(['http://127.0.0.1:9/', '--local', '-c', SPEC]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /either a URL or --local/);
    const replicas = mdl(['http://127.0.0.1:9/', '--replicas', '2', '--duration', '1s']);
    assert.equal(replicas.status, 2);
    assert.match(replicas.stderr, /must be provided when using --replicas: --local/);
  });
});
