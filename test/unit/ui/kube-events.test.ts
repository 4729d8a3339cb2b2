import assert from 'node:assert/strict';
import type { KubeEventSummary } from '../../../src/kube/events.js';
import type { HpaState } from '../../../src/kube/hpa.js';
import type { ModelStatus } from '../../../src/kube/status.js';
import { fromDeployEvent, fromHpa, fromHpaEvents, fromModelStatus, fromPod, fromRollout } from '../../../src/ui/kube-events.js';

const rescale = (message: string, lastSeen: string, reason = 'SuccessfulRescale'): KubeEventSummary => ({ type: 'Normal', reason, object: 'HorizontalPodAutoscaler/m', message, count: 1, lastSeen });

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
    const h: HpaState = { name: 'm', minReplicas: 2, maxReplicas: 10, currentReplicas: 3, desiredReplicas: 4, metrics: [{ name: 'cpu', type: 'Resource', current: '92%', target: '70%' }], conditions: [], problems: [] };
    assert.deepEqual(fromHpa(h, 2, 7), [
      { kind: 'replicas', timestampMs: 7, desired: 4, ready: 2, current: 3, minReplicas: 2, maxReplicas: 10 },
      { kind: 'metric', timestampMs: 7, metric: 'cpu', current: 92, target: 70, unit: '%' },
    ]);
    const unknown = fromHpa({ ...h, metrics: [{ name: 'inflight', type: 'Pods', current: undefined, target: '500m' }] }, undefined, 7);
    assert.deepEqual(unknown[1], { kind: 'metric', timestampMs: 7, metric: 'inflight', current: null, target: 0.5, unit: '' });
    assert.equal((unknown[0] as { ready: number }).ready, 3);
  });

  it("turns the HPA's rescale events into scaling events, each once", () => {
    const seen = new Set<string>();
    const events = [
      rescale('New size: 3; reason: cpu resource utilization (percentage of request) above target', '2026-01-01T12:00:00Z'),
      rescale('unable to get metrics', '2026-01-01T12:00:10Z', 'FailedGetResourceMetric'),
      rescale('New size: 5; reason: cpu resource utilization (percentage of request) above target', '2026-01-01T12:01:00Z'),
    ];
    const first = fromHpaEvents(events, 2, seen);
    assert.deepEqual(first.map((e) => e.kind === 'scaling' && [e.fromReplicas, e.toReplicas]), [[2, 3], [3, 5]]);
    assert.equal((first[0] as { reason: string }).reason, 'cpu resource utilization (percentage of request) above target');
    assert.deepEqual(fromHpaEvents(events, 2, seen), []);
  });

  it('maps deploy events and a status reading', () => {
    const rollout = { done: true, failed: false, message: 'rolled out', desired: 2, updated: 2, ready: 2, available: 2 };
    assert.equal(fromDeployEvent({ type: 'applied', ref: 'Deployment/m', action: 'created', dryRun: false }, 1).length, 0);
    assert.equal(fromDeployEvent({ type: 'rollout', deployment: 'm', status: rollout }, 1)[0]!.kind, 'rollout');
    const status: ModelStatus = {
      schemaVersion: 1,
      context: 'c',
      namespace: 'ns',
      name: 'm',
      deployments: [{ name: 'm', rollout, pods: [{ name: 'm-1', phase: 'Running', ready: true, restarts: 0 }] }],
      autoscalers: [],
      scalingEvents: [rescale('New size: 2', '2026-01-01T12:00:00Z')],
    };
    const events = fromModelStatus(status, 9, new Set(), 1);
    assert.deepEqual(events.map((e) => e.kind), ['rollout', 'pod', 'scaling', 'replicas']);
    assert.deepEqual(events[3], { kind: 'replicas', timestampMs: 9, desired: 2, ready: 2 });
  });
});
