import assert from 'node:assert/strict';
import { engineMeasure, snapshotsToWindow, type RunLoadFn } from '../../../src/tune/engine-measure.js';
import type { LoadResult, LoadSnapshot } from '../../../src/load/types.js';

const summary = (v: number) => ({ min: v, mean: v, p50: v, p90: v, p95: v, p99: v, p999: v, max: v, count: 1 });
const snap = (second: number, over: Partial<LoadSnapshot> = {}): LoadSnapshot => ({
  second,
  timestampMs: 0,
  warmup: false,
  elapsedMs: second * 1000,
  totalMs: undefined,
  stageIndex: undefined,
  targetPerSecond: undefined,
  sent: 10,
  completed: 10,
  failed: 0,
  dropped: 0,
  inFlight: 2,
  sentPerSecond: 10,
  completedPerSecond: 10,
  latencyMs: summary(20),
  serviceTimeMs: summary(20),
  errors: {},
  totals: { sent: 0, completed: 0, failed: 0, dropped: 0 },
  ...over,
});

describe('tune/engine-measure', () => {
  it('groups one-second snapshots into windows and stops the run when the search says so', async () => {
    const seen: unknown[] = [];
    let aborted = false;
    const runLoad: RunLoadFn = async (options, hooks) => {
      seen.push(options);
      hooks.signal?.addEventListener('abort', () => (aborted = true));
      hooks.onSnapshot?.(snap(0, { warmup: true, inFlight: 3 }));
      for (let s = 1; s <= 50 && !hooks.signal?.aborted; s++) hooks.onSnapshot?.(snap(s, { latencyMs: summary(s) }));
      return {} as LoadResult;
    };
    const windows = await engineMeasure({ url: 'http://127.0.0.1:1/', runLoad })(8, {
      axis: 'concurrency',
      windowMs: 2000,
      maxWindows: 10,
      shouldStop: (ws) => ws.length === 3,
    });
    assert.equal(aborted, true);
    assert.equal(windows.length, 3);
    assert.equal(windows[0]!.inFlightStart, 3, 'the first window starts from the warm-up in-flight count');
    assert.ok(windows[0]!.latencyMs.p95 >= 1 && windows[0]!.latencyMs.p95 <= 2, 'the pooled p95 lies within its seconds');
    assert.equal(windows[2]!.completedPerSecond, 10);
    assert.deepEqual((seen[0] as { mode: unknown }).mode, { kind: 'concurrency', concurrency: 8 });
  });

  it('counts requests sent in warm-up that end in a window in its throughput, not in its latency', () => {
    const w = snapshotsToWindow([snap(1, { completed: 4, warmupCompleted: 6 }), snap(2)], 0);
    assert.equal(w.completed, 14);
    assert.equal(w.completedPerSecond, 10);
  });

  it('passes the search’s cap on requests in flight to the engine', async () => {
    const seen: { maxInFlight?: number }[] = [];
    const runLoad: RunLoadFn = async (options, hooks) => {
      seen.push(options);
      hooks.onSnapshot?.(snap(1));
      return {} as LoadResult;
    };
    await engineMeasure({ url: 'http://127.0.0.1:1/', runLoad })(50, { axis: 'rate', windowMs: 1000, maxWindows: 1, maxInFlight: 40, shouldStop: () => true });
    assert.equal(seen[0]!.maxInFlight, 40);
  });

  it('charges a window with requests out and nothing back its full length, not zero', () => {
    const w = snapshotsToWindow([snap(1, { completed: 0, latencyMs: summary(0), inFlight: 5 })], 5);
    assert.equal(w.latencyMs.p95, 1000);
  });
});

describe('tune/quantile-mix', () => {
  it('pools summaries by their counts: the quantile of the mixture, not the mean of quantiles', async () => {
    const { mixtureQuantile } = await import('../../../src/tune/quantile-mix.js');
    const s = (base: number, count: number) => ({ count, min: base, p50: base * 2, p90: base * 3, p95: base * 4, p99: base * 5, max: base * 6 });
    assert.ok(Math.abs(mixtureQuantile([s(10, 5)], 0.95) - 40) < 1e-6);
    assert.ok(Math.abs(mixtureQuantile([s(10, 5), s(10, 5)], 0.95) - 40) < 1e-6, 'identical summaries pool to themselves');
    // A second with 1 % of the requests hardly moves the pooled p50.
    const p50 = mixtureQuantile([s(10, 990), s(1000, 10)], 0.5);
    assert.ok(p50 > 19 && p50 < 21, String(p50));
    assert.equal(mixtureQuantile([], 0.95), 0);
  });
});
