import assert from 'node:assert/strict';
import { initialLoadView, reduceLoadView } from '../../../src/ui/load-state.js';
import { formatPlainLine } from '../../../src/ui/plain-line.js';
import { formatProgressLine } from '../../../src/report/plain-progress.js';
import { run } from './snapshots.js';

describe('ui plain line', () => {
  it("is the engine's progress line plus replicas, the autoscaler and thresholds so far", () => {
    const snaps = run(3);
    let s = initialLoadView({
      url: 'http://127.0.0.1:1/',
      protocol: 'http',
      mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' },
      evaluateThresholds: () => [
        { expression: 'p95<300ms', metric: 'p95', observed: 20, limit: 300, unit: 'ms', passed: true, source: 'flag' },
        { expression: 'error_rate<1%', metric: 'error_rate', observed: 0.02, limit: 0.01, unit: 'ratio', passed: false, source: 'flag' },
      ],
    });
    assert.equal(formatPlainLine(s), '');
    s = reduceLoadView(s, { type: 'replica', event: { kind: 'scaling', timestampMs: 0, fromReplicas: 1, toReplicas: 2 } });
    s = reduceLoadView(s, { type: 'replica', event: { kind: 'replicas', timestampMs: 3000, desired: 2, ready: 2 } });
    s = reduceLoadView(s, { type: 'replica', event: { kind: 'scaling', timestampMs: 4000, fromReplicas: 2, toReplicas: 3 } });
    s = reduceLoadView(s, { type: 'replica', event: { kind: 'metric', timestampMs: 4000, metric: 'concurrency', current: 9.5, target: 8, unit: '' } });
    for (const snapshot of snaps) s = reduceLoadView(s, { type: 'snapshot', snapshot });
    assert.equal(
      formatPlainLine(s),
      `${formatProgressLine(snaps[2]!)} · replicas 2/3 ready · concurrency 9.5/8 · scale-up lag 3.0 s · 1 scale-up pending · thresholds 1/2 pass (failing: error_rate<1%)`,
    );
  });
});
