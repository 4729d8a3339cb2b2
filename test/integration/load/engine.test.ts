import assert from 'node:assert/strict';
import { runLoad } from '../../../src/load/engine.js';
import { ArrivalSchedule } from '../../../src/load/schedule.js';
import type { LoadSnapshot } from '../../../src/load/types.js';
import { startCapacityServer, type CapacityServer } from '../../fixtures/capacity-server.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const within = (actual: number, low: number, high: number, what: string) =>
  assert.ok(actual >= low && actual <= high, `${what}: ${actual} not in [${low}, ${high}]`);
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe('load engine against a server of known capacity', function () {
  this.timeout(30_000);
  let wide: CapacityServer;
  before(async () => {
    wide = await startCapacityServer({ slots: 200, serviceMs: 10 });
  });
  after(() => wide.close());

  it('open loop sends the target rate and measures the known service time', async () => {
    const snapshots: LoadSnapshot[] = [];
    const r = await runLoad(
      { url: `${wide.url}/`, mode: { kind: 'rate', ratePerSecond: 200, arrival: 'constant' }, durationMs: 2000, warmupMs: 500 },
      { onSnapshot: (s) => snapshots.push(s) },
    );
    assert.equal(r.requests.sent, 400);
    near(r.throughput.sentPerSecond, 200, 2, 'sent rate');
    near(r.throughput.completedPerSecond, 200, 2, 'completed rate');
    assert.equal(r.requests.failed, 0);
    assert.equal(r.requests.completed, 400);
    // Truth: what the server measured itself for the same requests. The client's time contains it; the
    // margin above it is loopback plus event-loop delay (client and server share this process and a busy
    // machine), so it is bounded loosely here; test/bench measures precision on a quiet server.
    const truth = median(wide.stats.serverTimesMs.slice(-400));
    within(r.serviceTimeMs.p50 - truth, -0.05, 25, `service p50 ${r.serviceTimeMs.p50} ms − server's own p50 ${truth.toFixed(3)} ms`);
    assert.ok(r.latencyMs.p50 >= r.serviceTimeMs.p50 - 0.05, 'latency includes service time');
    assert.ok(snapshots.some((s) => s.warmup), 'warm-up seconds are emitted');
    assert.ok(r.series.every((s) => !s.warmup), 'warm-up seconds are not in the result');
    assert.equal(r.series.reduce((n, s) => n + s.sent, 0), r.requests.sent);
    assert.equal(r.series.at(-1)!.totals.completed, r.requests.completed);
  });

  it('Poisson arrivals: sends exactly the seeded schedule, near the target rate', async () => {
    const mode = { kind: 'rate', ratePerSecond: 300, arrival: 'poisson' } as const;
    const r = await runLoad({ url: `${wide.url}/`, mode, durationMs: 2000, seed: 11 });
    const schedule = new ArrivalSchedule(mode, { warmupMs: 0, durationMs: 2000, seed: 11 });
    let planned = 0;
    while (schedule.next() !== undefined) planned++;
    assert.equal(r.requests.sent, planned);
    near(r.throughput.sentPerSecond, 300, 4 * Math.sqrt(600) / 2, 'Poisson rate (4 standard deviations)');
  });

  it('stages ramp the rate: the ramp sends the area under it', async () => {
    const r = await runLoad({ url: `${wide.url}/`, mode: { kind: 'stages', stages: [{ durationMs: 1000, targetPerSecond: 200 }, { durationMs: 1000, targetPerSecond: 200 }], arrival: 'constant' } });
    near(r.requests.sent, 300, 2, 'requests sent over 0→200 then 200');
    assert.equal(r.throughput.targetPerSecond, 150);
    assert.deepEqual(r.series.slice(0, 2).map((s) => s.stageIndex), [0, 1]);
  });

  it('closed loop: N workers on N slots reach N / service time', async () => {
    const server = await startCapacityServer({ slots: 4, serviceMs: 20 });
    try {
      const r = await runLoad({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 4 }, durationMs: 2000 });
      // 4 / 20 ms = 200/s at most; a busy machine makes each request longer, never shorter.
      const truth = median(server.stats.serverTimesMs);
      assert.ok(r.throughput.completedPerSecond <= 201, `closed-loop rate ${r.throughput.completedPerSecond}`);
      within(r.throughput.completedPerSecond, (0.6 * 4000) / truth, (4000 / truth) * 1.02, `closed-loop rate vs 4 / server's own ${truth.toFixed(1)} ms`);
      assert.equal(server.stats.maxBusy, 4);
      assert.equal(server.stats.maxQueued, 0);
    } finally {
      await server.close();
    }
  });

  it('stops after --requests', async () => {
    const r = await runLoad({ url: `${wide.url}/`, mode: { kind: 'concurrency', concurrency: 3 }, maxRequests: 50 });
    assert.equal(r.requests.sent, 50);
    assert.equal(r.requests.completed, 50);
  });

  it('corrects for coordinated omission: latency from the schedule grows while service time stays', async () => {
    // One connection to a one-slot 50 ms server at 40/s (twice its capacity): requests queue in the client.
    const server = await startCapacityServer({ slots: 1, serviceMs: 50 });
    try {
      const r = await runLoad({ url: `${server.url}/`, mode: { kind: 'rate', ratePerSecond: 40, arrival: 'constant' }, durationMs: 2000, connections: 1 });
      within(r.serviceTimeMs.p50, 49.5, 56, 'service time p50');
      assert.ok(r.latencyMs.p99 > 800, `corrected p99 ${r.latencyMs.p99} should show the backlog`);
      assert.ok(r.latencyMs.p99 > 10 * r.serviceTimeMs.p99);
    } finally {
      await server.close();
    }
  });

  it('counts requests past the in-flight cap as dropped, never silently', async () => {
    const server = await startCapacityServer({ slots: 1, serviceMs: 300 });
    try {
      const r = await runLoad({ url: `${server.url}/`, mode: { kind: 'rate', ratePerSecond: 100, arrival: 'constant' }, durationMs: 1000, maxInFlight: 5 });
      assert.ok(r.requests.dropped > 50, `dropped ${r.requests.dropped}`);
      assert.equal(r.requests.sent + r.requests.dropped, 100);
    } finally {
      await server.close();
    }
  });

  it('an abort stops sending, waits for requests in flight and reports what was measured', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    const t0 = performance.now();
    const r = await runLoad({ url: `${wide.url}/`, mode: { kind: 'rate', ratePerSecond: 100, arrival: 'constant' }, durationMs: 20_000 }, { signal: controller.signal });
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(r.interrupted, true);
    near(r.requests.sent, 70, 15, 'requests sent before the abort');
    assert.equal(r.requests.completed, r.requests.sent);
    near(r.durationMs, 700, 150, 'duration');
  });
});
