import assert from 'node:assert/strict';
import { runMdl } from '../support/run-mdl.js';
import { sharingClosedLoopCapacity, startSharingServer, type SharingServer } from '../fixtures/sharing-server.js';

const mdl = (args: string[]) => runMdl(args, { timeoutMs: 150_000 });

// The CI gate on capacity accuracy off the M/M/N model (the sweep bench, test/bench/sweep-accuracy.ts, holds
// the wider claim). A processor-sharing server with fixed work has an exact closed-loop truth: c clients all
// share the cores all the time, so every request takes max(1, c / cores) × work. With 2 cores, 20 ms of work
// and p95 < 105 ms that is 10 clients (100 ms); 11 take 110 ms and cannot pass.
describe('mdl tune against a server whose capacity is known (built CLI)', function () {
  this.timeout(180_000);
  const shape = { cores: 2, workMs: 20 };
  const sloMs = 105;
  let server: SharingServer;
  before(async () => {
    server = await startSharingServer(shape);
  });
  after(() => server.close());

  it('finds the closed-loop capacity of a processor-sharing server within ±15 % of the truth', async () => {
    const truth = sharingClosedLoopCapacity(shape, sloMs);
    assert.equal(truth, 10);
    const { code, stdout, stderr } = await mdl(['tune', server.url, '--axis', 'concurrency', '--slo', `p95<${sloMs}ms`, '--window', '2s', '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.axis, 'concurrency');
    const found = result.search.capacityLevel as number;
    // ±15 % of 10 admits 9, 10 and 11 (which the server cannot pass): one client of timer noise below.
    assert.ok(Math.abs(found - truth) <= truth * 0.15, `tune found ${found} clients; the truth is ${truth}`);
    // The server really saw that many at once: the answer was measured, not extrapolated.
    assert.ok(server.stats.maxInService >= found, `at most ${server.stats.maxInService} in service`);
  });
});
