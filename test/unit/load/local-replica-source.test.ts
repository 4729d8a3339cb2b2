import assert from 'node:assert/strict';
import { eventsFromLocalStatus, newLocalStatusMemory, type LocalStatusLike } from '../../../src/load/local-replica-source.js';

const status = (over: Partial<LocalStatusLike> = {}): LocalStatusLike => ({
  desiredReplicas: 3,
  readyReplicas: 2,
  minReplicas: 1,
  maxReplicas: 5,
  replicas: [{}, {}, {}],
  autoscaler: { enabled: true, metric: { type: 'concurrency', target: 4 }, lastMetricValue: 5.5 },
  scalingEvents: [{ at: '2026-01-01T12:00:01.000Z', from: 2, to: 3, reason: 'concurrency 5.5 > 4' }],
  ...over,
});

describe('local runtime status as replica events', () => {
  it('reports replicas, the metric, and each scaling event and its time to ready once', () => {
    const memory = newLocalStatusMemory();
    const t1 = Date.parse('2026-01-01T12:00:02Z');
    assert.deepEqual(eventsFromLocalStatus(status(), t1, memory), [
      { kind: 'scaling', timestampMs: t1 - 1000, fromReplicas: 2, toReplicas: 3, reason: 'concurrency 5.5 > 4' },
      { kind: 'replicas', timestampMs: t1, desired: 3, ready: 2, current: 3, minReplicas: 1, maxReplicas: 5 },
      { kind: 'metric', timestampMs: t1, metric: 'concurrency', current: 5.5, target: 4, unit: '' },
    ]);
    const later = status({ readyReplicas: 3, scalingEvents: [{ at: '2026-01-01T12:00:01.000Z', from: 2, to: 3, timeToReadyMs: 4200 }] });
    const events = eventsFromLocalStatus(later, t1 + 5000, memory);
    assert.deepEqual(events[0], { kind: 'scaled-ready', timestampMs: t1 - 1000 + 4200, scalingTimestampMs: t1 - 1000, readyAfterMs: 4200 });
    assert.equal(events.filter((e) => e.kind === 'scaling').length, 0);
    assert.equal(eventsFromLocalStatus(later, t1 + 6000, memory).filter((e) => e.kind === 'scaled-ready').length, 0);
  });

  it('reports no metric when the autoscaler is off, unknown when not measured yet', () => {
    const m = newLocalStatusMemory();
    assert.equal(eventsFromLocalStatus(status({ autoscaler: { enabled: false, metric: { type: 'cpu', target: 70 } } }), 0, m).some((e) => e.kind === 'metric'), false);
    const ev = eventsFromLocalStatus(status({ autoscaler: { metric: { type: 'cpu', target: 70 }, lastMetricValue: undefined } }), 0, m);
    assert.deepEqual(ev.find((e) => e.kind === 'metric'), { kind: 'metric', timestampMs: 0, metric: 'cpu', current: null, target: 70, unit: '%' });
  });
});
