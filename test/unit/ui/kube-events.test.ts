import assert from 'node:assert/strict';
import { fromHpa, fromHpaEvents, fromPod, fromRollout } from '../../../src/ui/kube-events.js';

describe('cluster reports as replica events', () => {
  it('maps rollout counters and a failed rollout', () => {
    assert.deepEqual(fromRollout('m', { done: false, failed: true, message: 'ProgressDeadlineExceeded', desired: 3, updated: 1, ready: 0, available: 0 }, 5), {
      kind: 'rollout', timestampMs: 5, name: 'm', desired: 3, updated: 1, ready: 0, available: 0, done: false, failed: 'ProgressDeadlineExceeded',
    });
  });

  it('maps pod progress to phases a viewer can show', () => {
    const phase = (p: Parameters<typeof fromPod>[0]) => (fromPod(p, 0) as { phase: string }).phase;
    assert.equal(phase({ name: 'a', phase: 'Pending', ready: false, restarts: 0 }), 'pending');
    assert.equal(phase({ name: 'a', phase: 'Running', ready: false, restarts: 0 }), 'starting');
    assert.equal(phase({ name: 'a', phase: 'Running', ready: true, restarts: 0 }), 'ready');
    assert.equal(phase({ name: 'a', phase: 'Running', ready: false, restarts: 4, reason: 'CrashLoopBackOff' }), 'failed');
    assert.equal(phase({ name: 'a', phase: 'Terminating', ready: true, restarts: 0 }), 'terminating');
    assert.deepEqual(fromPod({ name: 'a', phase: 'Pending', ready: false, restarts: 0, reason: 'ImagePullBackOff', deleted: true }, 1), {
      kind: 'pod', timestampMs: 1, name: 'a', phase: 'failed', restarts: 0, message: 'ImagePullBackOff', deleted: true,
    });
  });

  it('maps HPA state: replicas and the metric with its unit, unknown when not read', () => {
    const h = { name: 'm', minReplicas: 2, maxReplicas: 10, currentReplicas: 3, desiredReplicas: 4, metrics: [{ name: 'cpu', current: '92%', target: '70%' }] };
    assert.deepEqual(fromHpa(h, 2, 7), [
      { kind: 'replicas', timestampMs: 7, desired: 4, ready: 2, current: 3, minReplicas: 2, maxReplicas: 10 },
      { kind: 'metric', timestampMs: 7, metric: 'cpu', current: 92, target: 70, unit: '%' },
    ]);
    const unknown = fromHpa({ ...h, metrics: [{ name: 'inflight', current: undefined, target: '500m' }] }, undefined, 7);
    assert.deepEqual(unknown[1], { kind: 'metric', timestampMs: 7, metric: 'inflight', current: null, target: 0.5, unit: '' });
    assert.equal((unknown[0] as { ready: number }).ready, 3);
  });

  it("turns the HPA's rescale events into scaling events, each once", () => {
    const seen = new Set<string>();
    const events = [
      { reason: 'SuccessfulRescale', message: 'New size: 3; reason: cpu resource utilization (percentage of request) above target', lastSeen: '2026-01-01T12:00:00Z' },
      { reason: 'FailedGetResourceMetric', message: 'unable to get metrics', lastSeen: '2026-01-01T12:00:10Z' },
      { reason: 'SuccessfulRescale', message: 'New size: 5; reason: cpu resource utilization (percentage of request) above target', lastSeen: '2026-01-01T12:01:00Z' },
    ];
    const first = fromHpaEvents(events, 2, seen);
    assert.deepEqual(first.map((e) => e.kind === 'scaling' && [e.fromReplicas, e.toReplicas]), [[2, 3], [3, 5]]);
    assert.equal((first[0] as { reason: string }).reason, 'cpu resource utilization (percentage of request) above target');
    assert.deepEqual(fromHpaEvents(events, 2, seen), []);
  });
});
