import assert from 'node:assert/strict';
import { ReplicaTracker } from '../../../src/load/replica-series.js';
import type { LoadSnapshot } from '../../../src/load/types.js';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

/** Measured second n ends at T0 + n s (the engine counts measured seconds from 1). */
function second(n: number, warmup = false): LoadSnapshot {
  const empty = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0 };
  return {
    second: n, timestampMs: T0 + n * 1000, warmup, elapsedMs: n * 1000, totalMs: undefined, stageIndex: undefined,
    targetPerSecond: 10, sent: 10, completed: 10, failed: 0, dropped: 0, inFlight: 0, sentPerSecond: 10, completedPerSecond: 10,
    latencyMs: empty, serviceTimeMs: empty, errors: {}, totals: { sent: 0, completed: 0, failed: 0, dropped: 0 },
  };
}

describe('replica series for the LoadResult', () => {
  it('lines the reported replicas up with the measured seconds and sums replica-seconds', () => {
    const t = new ReplicaTracker('local-runtime');
    t.observe({ kind: 'replicas', timestampMs: T0 + 200, desired: 2, ready: 2 });
    t.observe({ kind: 'scaling', timestampMs: T0 + 2500, fromReplicas: 2, toReplicas: 4, reason: 'rps 12 per replica vs target 5' });
    t.observe({ kind: 'replicas', timestampMs: T0 + 2500, desired: 4, ready: 2 });
    t.observe({ kind: 'replicas', timestampMs: T0 + 4100, desired: 4, ready: 4 });
    t.observe({ kind: 'scaled-ready', timestampMs: T0 + 4100, scalingTimestampMs: T0 + 2500, readyAfterMs: 1600 });
    // A late duplicate from a slower poll is ignored.
    t.observe({ kind: 'replicas', timestampMs: T0 + 3000, desired: 2, ready: 2 });
    const s = t.seriesFor([second(1), second(2), second(3), second(4), second(5)])!;
    assert.deepEqual(s.seconds, [
      { second: 1, desired: 2, ready: 2 },
      { second: 2, desired: 2, ready: 2 },
      { second: 3, desired: 4, ready: 2 },
      { second: 4, desired: 4, ready: 2 },
      { second: 5, desired: 4, ready: 4 },
    ]);
    assert.equal(s.replicaSeconds, 16);
    assert.equal(s.readyReplicaSeconds, 12);
    assert.equal(s.peakReplicas, 4);
    assert.deepEqual(s.scalingEvents, [{ atSecond: 2.5, from: 2, to: 4, reason: 'rps 12 per replica vs target 5', readyAfterMs: 1600 }]);
  });

  it('skips warm-up seconds, and is absent without a replica source', () => {
    const t = new ReplicaTracker('cluster');
    assert.equal(t.seriesFor([second(1)]), undefined);
    t.observe({ kind: 'replicas', timestampMs: T0 + 5000, desired: 3, ready: 1 });
    const s = t.seriesFor([second(0, true), second(1)])!;
    // Before the first report its state stands (a source reports within a second of the start).
    assert.deepEqual(s.seconds, [{ second: 1, desired: 3, ready: 1 }]);
    assert.equal(s.source, 'cluster');
  });
});
