import assert from 'node:assert/strict';
import { newReplicaEventMemory, toReplicaEvents } from '../../src/local/replica-events.js';
import type { LocalRuntimeStatus } from '../../src/local/status.js';

const status: LocalRuntimeStatus = {
  schemaVersion: 1,
  url: 'http://127.0.0.1:1',
  startedAt: '2026-01-01T00:00:00.000Z',
  uptimeMs: 10_000,
  desiredReplicas: 3,
  readyReplicas: 2,
  minReplicas: 1,
  maxReplicas: 4,
  autoscaler: { enabled: true, metric: { type: 'concurrency', target: 2 }, syncPeriodMs: 15_000, lastMetricValue: 2.5, lastSyncAt: undefined },
  totals: { inFlight: 0, queued: 0, requestsTotal: 0, errorsTotal: 0, rejectedTotal: 0, ratePerSecond: 0 },
  replicas: [],
  scalingEvents: [{ at: '2026-01-01T00:00:05.000Z', from: 2, to: 3, reason: 'x', metricValue: 3, timeToReadyMs: 1500 }],
};

describe('local runtime events as replica events', () => {
  it('maps a status to replicas, metric and (once) scaled-ready', () => {
    const memory = newReplicaEventMemory();
    const first = toReplicaEvents({ type: 'status', status }, memory);
    assert.deepEqual(
      first.map((e) => e.kind),
      ['replicas', 'metric', 'scaled-ready'],
    );
    const ready = first.find((e) => e.kind === 'scaled-ready');
    assert.ok(ready?.kind === 'scaled-ready' && ready.readyAfterMs === 1500 && ready.timestampMs === Date.parse('2026-01-01T00:00:06.500Z'));
    assert.deepEqual(
      toReplicaEvents({ type: 'status', status }, memory).map((e) => e.kind),
      ['replicas', 'metric'],
    );
  });

  it('maps lifecycle events to pod phases', () => {
    const memory = newReplicaEventMemory();
    const crash = toReplicaEvents({ type: 'replica-crashed', replica: 'm-1', exitCode: 3, lastOutput: [], restarts: 1, restartInMs: 2000, at: 5 }, memory);
    assert.deepEqual(crash, [{ kind: 'pod', timestampMs: 5, name: 'm-1', phase: 'failed', restarts: 1, message: 'exited with code 3' }]);
    assert.deepEqual(toReplicaEvents({ type: 'replica-output', replica: 'm-1', stream: 'stdout', line: 'x' }, memory), []);
  });
});
