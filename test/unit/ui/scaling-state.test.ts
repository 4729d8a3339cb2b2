import assert from 'node:assert/strict';
import type { ReplicaEvent } from '../../../src/load/replica-events.js';
import { initialScalingView, reduceScaling, scaleUpLag } from '../../../src/ui/scaling-state.js';

const feed = (events: ReplicaEvent[]) => events.reduce(reduceScaling, initialScalingView());

describe('ui scaling view state', () => {
  it('derives scale-up lag from the first moment enough replicas are ready', () => {
    const s = feed([
      { kind: 'replicas', timestampMs: 0, desired: 2, ready: 2 },
      { kind: 'scaling', timestampMs: 1000, fromReplicas: 2, toReplicas: 4, reason: 'concurrency 11/8' },
      { kind: 'replicas', timestampMs: 3000, desired: 4, ready: 3 },
      { kind: 'replicas', timestampMs: 7500, desired: 4, ready: 4 },
      { kind: 'replicas', timestampMs: 9000, desired: 4, ready: 4 },
    ]);
    assert.equal(s.known, true);
    assert.equal(s.events[0]!.readyAfterMs, 6500);
    assert.deepEqual(scaleUpLag(s), { worstMs: 6500, pending: 0 });
  });

  it('counts a scale-up as pending until ready, takes an explicit scaled-ready, and a scale-down needs no wait', () => {
    let s = feed([
      { kind: 'scaling', timestampMs: 1000, fromReplicas: 1, toReplicas: 3 },
      { kind: 'scaling', timestampMs: 2000, fromReplicas: 3, toReplicas: 2 },
    ]);
    assert.deepEqual(scaleUpLag(s), { worstMs: undefined, pending: 1 });
    assert.equal(s.events[1]!.readyAfterMs, 0);
    assert.equal(s.desired, 2);
    s = reduceScaling(s, { kind: 'scaled-ready', timestampMs: 5000, scalingTimestampMs: 1000, readyAfterMs: 4000 });
    assert.deepEqual(scaleUpLag(s), { worstMs: 4000, pending: 0 });
  });

  it('keeps the autoscaler metric, unknown included', () => {
    const s = feed([{ kind: 'metric', timestampMs: 1, metric: 'cpu', current: null, target: 70, unit: '%' }]);
    assert.deepEqual(s.metric, { name: 'cpu', current: null, target: 70, unit: '%' });
  });

  it('tracks pods by name, their phase since when, and deletion', () => {
    const s = feed([
      { kind: 'pod', timestampMs: 1, name: 'm-b', phase: 'pending', updated: true },
      { kind: 'pod', timestampMs: 2, name: 'm-a', phase: 'ready', updated: false },
      { kind: 'pod', timestampMs: 3, name: 'm-b', phase: 'pending', message: 'ImagePullBackOff', restarts: 0 },
      { kind: 'pod', timestampMs: 4, name: 'm-c', phase: 'starting' },
      { kind: 'pod', timestampMs: 5, name: 'm-c', phase: 'ready', deleted: true },
      { kind: 'rollout', timestampMs: 6, name: 'm', desired: 2, updated: 1, ready: 1, available: 1, done: false },
    ]);
    assert.deepEqual(s.pods.map((p) => [p.name, p.phase, p.updated, p.sinceMs, p.message]), [
      ['m-a', 'ready', false, 2, undefined],
      ['m-b', 'pending', true, 1, 'ImagePullBackOff'],
    ]);
    assert.equal(s.rollout?.updated, 1);
    assert.equal(s.lastEventMs, 6);
  });
});
