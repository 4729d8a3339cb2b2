import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findKnee } from '../../../src/tune/knee.js';
import { summaryQuantile } from '../../../src/tune/quantile-mix.js';
import { isBacklogged, isClearBreach, isSteady, poolWindows, withinSamplingNoise } from '../../../src/tune/windows.js';
import type { Slo, WindowResult } from '../../../src/tune/types.js';

const lat = (v: number) => ({ mean: v, p50: v, p90: v, p95: v, p99: v, max: v });
const point = (level: number, p95: number) => ({ level, latencyMs: lat(p95) });
const win = (over: Partial<WindowResult> = {}): WindowResult => ({
  durationMs: 5000,
  sent: 500,
  completed: 500,
  failed: 0,
  dropped: 0,
  completedPerSecond: 100,
  latencyMs: lat(50),
  inFlightStart: 5,
  inFlightEnd: 5,
  ...over,
});
const slo: Slo = { percentile: 'p95', latencyMs: 100, errorRate: 0.01 };
const rule = { windows: 3, tolerance: 0.1, maxWindows: 10 };

describe('tune/knee', () => {
  it('finds the corner of a hockey-stick curve', () => {
    const pts = [1, 2, 4, 8, 12, 16, 20, 24].map((c) => point(c, c <= 12 ? 50 : 50 + (c - 12) * 40));
    assert.equal(findKnee(pts, { percentile: 'p95' })?.level, 12);
  });
  it('has no knee on a straight line or with too few points', () => {
    assert.equal(findKnee([1, 2, 3, 4, 5].map((c) => point(c, 10 * c)), { percentile: 'p95' }), null);
    assert.equal(findKnee([point(1, 10), point(2, 100)], { percentile: 'p95' }), null);
  });
  it('the knee is always an interior measured level', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.double({ min: 1, max: 1e4, noNaN: true })), { minLength: 3, maxLength: 30 }), (raw) => {
        const pts = raw.map(([l, p]) => point(l, p));
        const knee = findKnee(pts, { percentile: 'p95' });
        if (knee) assert.ok(pts.some((p) => p.level === knee.level) && knee.index > 0);
      }),
    );
  });
});

describe('tune/windows', () => {
  it('is steady only when 3 windows agree within 10 % on throughput and latency', () => {
    assert.equal(isSteady([win(), win(), win()], rule, slo), true);
    assert.equal(isSteady([win(), win()], rule, slo), false);
    assert.equal(isSteady([win({ latencyMs: lat(85) }), win({ latencyMs: lat(65) }), win({ latencyMs: lat(85) })], rule, slo), false);
    assert.equal(isSteady([win(), win({ completedPerSecond: 80 }), win()], rule, slo), false);
    assert.equal(isSteady([win({ latencyMs: lat(500) }), win(), win({ latencyMs: lat(52) }), win({ latencyMs: lat(48) })], rule, slo), true);
  });
  it('takes scatter far under the SLO, and counting noise of throughput, as steady — but not a climb', () => {
    const at = (p95: number, completed = 500) => win({ latencyMs: lat(p95), completed, completedPerSecond: completed / 5 });
    assert.equal(isSteady([at(40), at(70), at(55)], rule, slo), true, 'every window under 80 % of the SLO: the verdict cannot change');
    assert.equal(isSteady([at(40), at(55), at(75)], rule, slo), false, 'each window higher than the last: drifting up');
    assert.equal(isSteady([at(55), at(40), at(75)], rule, slo), true, 'up and down is scatter');
    assert.equal(isSteady([at(40, 40), at(40, 52), at(40, 46)], rule, slo), true, '±6 requests of ~46 is counting noise');
    assert.equal(isSteady([at(40, 400), at(40, 520), at(40, 460)], rule, slo), false, '±60 of 460 is not');
  });
  it('takes the scatter of a percentile over a few dozen requests as steady, but not the same spread over hundreds', () => {
    // Three 2 s windows of one client on 50 ms exponential service (measured on the capacity fixture):
    // p95 169, 259 and 140 ms over 31, 25 and 43 requests, against a 250 ms SLO.
    const sloFor = { ...slo, latencyMs: 250 };
    const measured = (completed: number) => [
      win({ durationMs: 2000, completed: completed === 0 ? 31 : completed, completedPerSecond: 15.5, latencyMs: { mean: 50, p50: 35, p90: 150, p95: 169, p99: 186, max: 200 } }),
      win({ durationMs: 2000, completed: completed === 0 ? 25 : completed, completedPerSecond: 12.5, latencyMs: { mean: 60, p50: 35, p90: 199, p95: 259, p99: 264, max: 280 } }),
      win({ durationMs: 2000, completed: completed === 0 ? 43 : completed, completedPerSecond: 21.5, latencyMs: { mean: 45, p50: 35, p90: 97, p95: 140, p99: 216, max: 230 } }),
    ];
    assert.equal(withinSamplingNoise(measured(0), 0.95), true);
    assert.equal(isSteady(measured(0), rule, sloFor), true, 'a p95 of 25–43 requests lies anywhere from about their p88 to their slowest');
    // The same percentiles over 500 requests a window: bands of a few percent that do not meet.
    const many = measured(500).map((w) => ({ ...w, completedPerSecond: 250 }));
    assert.equal(withinSamplingNoise(many, 0.95), false);
    assert.equal(isSteady(many, rule, sloFor), false);
    // A climb is never steady, whatever the sampling noise.
    const climb = [measured(0)[2]!, measured(0)[0]!, measured(0)[1]!];
    assert.equal(isSteady(climb, rule, sloFor), false);
  });

  it('reads a summary latency at any quantile between the percentiles it reports (its p50 below them)', () => {
    const l = { mean: 50, p50: 40, p90: 80, p95: 100, p99: 200, max: 300 };
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    assert.equal(summaryQuantile(l, 0.3), 40);
    near(summaryQuantile(l, 0.7), 60);
    assert.equal(summaryQuantile(l, 0.95), 100);
    near(summaryQuantile(l, 0.97), 150);
    near(summaryQuantile(l, 0.995), 250);
    assert.equal(summaryQuantile(l, 1.2), 300);
  });

  it('sees a backlog when in-flight grows in two windows in a row, or sends are dropped', () => {
    const growing = (i: number) => win({ inFlightStart: 10 + 50 * i, inFlightEnd: 60 + 50 * i });
    assert.equal(isBacklogged([growing(0), growing(1)], 'rate'), true);
    assert.equal(isBacklogged([growing(0), growing(1)], 'concurrency'), false, 'closed loop has no backlog');
    assert.equal(isBacklogged([growing(0), win()], 'rate'), false);
    assert.equal(isBacklogged([win({ dropped: 40 }), win({ dropped: 40 })], 'rate'), true);
  });
  it('ends a step on a clear breach: two windows over the SLO, or one far over it', () => {
    assert.equal(isClearBreach([win({ latencyMs: lat(120) })], slo, 0.1), false);
    assert.equal(isClearBreach([win({ latencyMs: lat(120) }), win({ latencyMs: lat(130) })], slo, 0.1), true);
    assert.equal(isClearBreach([win({ latencyMs: lat(400) })], slo, 0.1), true);
    assert.equal(isClearBreach([win({ failed: 50 }), win({ failed: 50 })], slo, 0.1), true);
  });
  it('pools windows: counts summed, percentiles weighted by completions, throughput from each window’s rate', () => {
    // The windows' rates count completions of requests sent before them too (warm-up), so they are not
    // completed / duration: the pooled rate is their time-weighted mean.
    const pooled = poolWindows([
      win({ completed: 100, durationMs: 1000, completedPerSecond: 150, latencyMs: lat(10) }),
      win({ completed: 300, failed: 100, durationMs: 3000, completedPerSecond: 250, latencyMs: lat(50) }),
    ]);
    assert.equal(pooled.latencyMs.p95, 40);
    assert.equal(pooled.errorRate, 0.2);
    assert.equal(pooled.completedPerSecond, 225);
  });
});

describe('tune/windows with nothing completed', () => {
  it('a window with no completions cannot make a step steady', () => {
    const empty = win({ completed: 0, sent: 0, completedPerSecond: 0, latencyMs: lat(0) });
    assert.equal(isSteady([empty, empty, empty], rule, slo), false);
  });
});
