import assert from 'node:assert/strict';
import { ENGINE_SEMI_SPACE_MB, reviveError, runLoadInThread, serializeError } from '../../../src/load/engine-thread.js';
import { MdlError, ExitCode } from '../../../src/errors.js';
import { ManualClock } from '../../../src/clock.js';
import type { LoadSnapshot } from '../../../src/load/types.js';
import { startCapacityServer, type CapacityServer } from '../../fixtures/capacity-server.js';

describe('load engine on its own thread (mdl loadtest)', function () {
  this.timeout(30_000);
  let server: CapacityServer;
  before(async () => {
    server = await startCapacityServer({ slots: 100, serviceMs: 5 });
  });
  after(() => server.close());

  it('runs the test on the thread and hands back every snapshot and the result', async () => {
    const snapshots: LoadSnapshot[] = [];
    const r = await runLoadInThread(
      { url: `${server.url}/`, mode: { kind: 'rate', ratePerSecond: 100, arrival: 'constant' }, durationMs: 1000, warmupMs: 500, thresholds: [] },
      { onSnapshot: (s) => snapshots.push(s) },
    );
    assert.equal(r.requests.sent, 100);
    assert.equal(r.requests.completed, 100);
    assert.ok(r.latencyMs.p50 >= 5, `p50 ${r.latencyMs.p50} ms is at least the 5 ms service time`);
    assert.ok(snapshots.some((s) => s.warmup), 'warm-up snapshots cross too');
    assert.deepEqual(
      snapshots.filter((s) => !s.warmup).map((s) => s.second),
      r.series.map((s) => s.second),
    );
  });

  it("stops sending when the caller's signal aborts and reports the run as interrupted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await runLoadInThread({ url: `${server.url}/`, mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' }, durationMs: 20_000 }, { signal: controller.signal });
    assert.equal(r.interrupted, true);
    assert.ok(r.requests.sent < 100, `sent ${r.requests.sent} in about 0.3 s of a 20 s run`);
    assert.equal(r.requests.completed + r.requests.failed, r.requests.sent);
  });

  it("brings a user's mistake back as MdlError with its exit code", async () => {
    await assert.rejects(runLoadInThread({ url: `${server.url}/`, protocol: 'kserve-v2', body: '{}', mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 1 }), (error: unknown) => {
      assert.ok(error instanceof MdlError);
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.equal(error.where, '--model');
      return true;
    });
  });

  it('refuses a custom clock, which cannot cross to the thread', () => {
    assert.throws(() => runLoadInThread({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 1, clock: new ManualClock() }), /clock/);
  });

  it('serialises errors so that an MdlError keeps its exit code, hint and place, and others their message', () => {
    const back = reviveError(serializeError(new MdlError('bad', { exitCode: ExitCode.thresholds, hint: 'do this', where: '--x' })));
    assert.ok(back instanceof MdlError);
    assert.deepEqual([back.message, back.exitCode, back.hint, back.where], ['bad', ExitCode.thresholds, 'do this', '--x']);
    const plain = reviveError(serializeError(new TypeError('boom')));
    assert.ok(!(plain instanceof MdlError));
    assert.deepEqual([plain.name, plain.message], ['TypeError', 'boom']);
    assert.equal(reviveError(serializeError('text')).message, 'text');
    assert.ok(ENGINE_SEMI_SPACE_MB >= 1);
  });
});
