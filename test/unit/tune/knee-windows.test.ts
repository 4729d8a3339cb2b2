import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findKnee } from '../../../src/tune/knee.js';
import { isBacklogged, isClearBreach, isSteady, poolWindows } from '../../../src/tune/windows.js';
import type { Slo, WindowResult } from '../../../src/tune/types.js';

const lat = (v: number) => ({ mean: v, p50: v, p90: v, p95: v, p99: v, max: v });
const point = (level: number, p95: number) => ({ level, latencyMs: lat(p95) });
const win = (over: Partial<WindowResult> = {}): WindowResult => ({
  durationMs: 5000,
  sent: 500,
  completed: 500,
  failed: 0,
  dropped: 0,
  achievedPerSecond: 100,
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
    assert.equal(isSteady([win(), win({ achievedPerSecond: 80 }), win()], rule, slo), false);
    assert.equal(isSteady([win({ latencyMs: lat(500) }), win(), win({ latencyMs: lat(52) }), win({ latencyMs: lat(48) })], rule, slo), true);
  });
  it('takes scatter far under the SLO, and counting noise of throughput, as steady — but not a climb', () => {
    const at = (p95: number, completed = 500) => win({ latencyMs: lat(p95), completed, achievedPerSecond: completed / 5 });
    assert.equal(isSteady([at(40), at(70), at(55)], rule, slo), true, 'every window under 80 % of the SLO: the verdict cannot change');
    assert.equal(isSteady([at(40), at(55), at(75)], rule, slo), false, 'each window higher than the last: drifting up');
    assert.equal(isSteady([at(55), at(40), at(75)], rule, slo), true, 'up and down is scatter');
    assert.equal(isSteady([at(40, 40), at(40, 52), at(40, 46)], rule, slo), true, '±6 requests of ~46 is counting noise');
    assert.equal(isSteady([at(40, 400), at(40, 520), at(40, 460)], rule, slo), false, '±60 of 460 is not');
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
      win({ completed: 100, durationMs: 1000, achievedPerSecond: 150, latencyMs: lat(10) }),
      win({ completed: 300, failed: 100, durationMs: 3000, achievedPerSecond: 250, latencyMs: lat(50) }),
    ]);
    assert.equal(pooled.latencyMs.p95, 40);
    assert.equal(pooled.errorRate, 0.2);
    assert.equal(pooled.achievedPerSecond, 225);
  });
});

describe('tune/windows with nothing completed', () => {
  it('a window with no completions cannot make a step steady', () => {
    const empty = win({ completed: 0, sent: 0, achievedPerSecond: 0, latencyMs: lat(0) });
    assert.equal(isSteady([empty, empty, empty], rule, slo), false);
  });
});
