import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimateBoundary, judgeStep, nextLevel, searchCapacity, type MeasureFn, type SearchEvent } from '../../../src/tune/capacity-search.js';
import { settledRateLimit } from '../../../src/tune/crossing.js';
import { shapePercentileMs } from '../../../src/tune/queue-shape.js';
import type { CapacityResult, Slo, WindowResult } from '../../../src/tune/types.js';
import { curveMeasure, modelMeasure } from '../../support/queue-model.js';

const slo = (latencyMs: number): Slo => ({ percentile: 'p95', latencyMs, errorRate: 0.01 });
/**
 * Seconds the search spent finding the answer, without the holds that confirmed or refuted one: each hold
 * is a fixed 2 × 3 windows (30 s at 5 s windows) on top of the steps, so the bounds against a sweep,
 * measured before holds existed, are on the steps; the hold's own length is checked where it runs.
 */
const searchSeconds = (r: CapacityResult): number =>
  r.cost.loadSeconds - (r.confirmation?.loadSeconds ?? 0) - (r.unconfirmed ?? []).reduce((a, u) => a + u.loadSeconds, 0);

describe('tune/capacity-search', () => {
  it('finds the slot count of a closed-loop server exactly, and the first failing level above it', async () => {
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(150), measure: modelMeasure({ slots: 12, serviceMs: 100 }) });
    assert.equal(result.capacityLevel, 12);
    assert.equal(result.failingLevel, 13);
    assert.ok(Math.abs(result.capacityPerSecond! - 120) < 1e-6);
    assert.equal(result.limitedByMaxLevel, false);
    const levels = result.curve.map((p) => p.level);
    assert.deepEqual(levels, [...levels].sort((a, b) => a - b), 'curve sorted by level');
    assert.ok(result.curve.every((p) => p.passed === p.level <= 12));
  });

  it('finds the saturation rate of an open-loop server within 5 % and marks backlogged steps', async () => {
    const truth = (8 * 1000) / 50;
    const result = await searchCapacity({ axis: 'rate', slo: slo(200), measure: modelMeasure({ slots: 8, serviceMs: 50 }) });
    assert.ok(result.capacityLevel! <= truth && result.capacityLevel! >= 0.95 * truth, `capacity ${result.capacityLevel}`);
    assert.equal(result.saturationPerSecond, truth, 'the backlogged steps saw the server complete exactly its capacity');
    assert.equal(result.saturationProbe, undefined, 'a backlog told the saturation: no probe');
    const over = result.curve.filter((p) => p.level > truth * 1.06);
    assert.ok(over.length > 0);
    assert.ok(over.every((p) => !p.passed && (p.ended === 'backlog' || p.ended === 'breach') && p.windows <= 2));
  });

  it('probes saturation in closed loop when the failing end showed no backlog, and aims from it', async () => {
    // Saturation at 100/s (4 servers of 40 ms); open loop above it looks like a steady queue over the SLO
    // (latency high, throughput near the rate, no growth in flight), as a step just over saturation does
    // when its queue builds slower than the step lasts.
    const x = 100;
    const serviceMs = 40;
    const shape = { servers: 4, serviceMs };
    const calls: { axis: string; level: number; maxInFlight?: number }[] = [];
    const measure: MeasureFn = async (level, control) => {
      calls.push({ axis: control.axis, level, ...(control.maxInFlight !== undefined ? { maxInFlight: control.maxInFlight } : {}) });
      const windows: WindowResult[] = [];
      for (let i = 0; i < control.maxWindows; i++) {
        const closed = control.axis === 'concurrency';
        const achieved = closed ? Math.min((level * 1000) / serviceMs, x) : 0.97 * level;
        const p95 = closed ? Math.max(serviceMs, (level / x) * 1000) : level < x ? shapePercentileMs('rate', level, shape, 0.95) : 900;
        const mean = closed ? Math.max(serviceMs, (level / achieved) * 1000) : Math.min(p95, serviceMs);
        windows.push({ durationMs: control.windowMs, sent: level, completed: achieved * (control.windowMs / 1000), failed: 0, dropped: 0,
          completedPerSecond: achieved, latencyMs: { mean, p50: mean, p90: p95, p95, p99: p95, max: p95 }, inFlightStart: 5, inFlightEnd: 5 });
        if (control.shouldStop(windows)) break;
      }
      return windows;
    };
    const events: SearchEvent[] = [];
    const sloMs = 200;
    const result = await searchCapacity({ axis: 'rate', slo: slo(sloMs), measure, onEvent: (e) => events.push(e) });
    const probes = calls.filter((c) => c.axis === 'concurrency');
    assert.equal(probes.length, 1, 'one probe');
    assert.ok(probes[0]!.level >= 8);
    assert.equal(result.saturationProbe?.saturated, true);
    assert.equal(result.saturationProbe?.completedPerSecond, x);
    assert.equal(result.saturationPerSecond, x);
    assert.ok(events.some((e) => e.type === 'probe-end'));
    const stepSeconds = result.curve.reduce((a, p) => a + p.loadSeconds, 0);
    assert.equal(result.cost.loadSeconds, stepSeconds + result.saturationProbe!.loadSeconds + result.confirmation!.loadSeconds, 'the probe and the confirming hold are in the cost');
    // Open-loop steps carry a cap on requests in flight of twice rate × SLO; the first holds 20 per window.
    const open = calls.filter((c) => c.axis === 'rate');
    assert.ok(open.every((c) => c.maxInFlight === Math.max(16, Math.ceil((2 * c.level * sloMs) / 1000))));
    assert.equal(open[0]!.level, 4, '20 requests in a 5 s window');
    let truth = 0;
    while (shapePercentileMs('rate', truth + 0.1, shape, 0.95) <= sloMs) truth += 0.1;
    assert.ok(Math.abs(result.capacityLevel! - truth) <= 0.05 * truth, `found ${result.capacityLevel} vs ${truth}`);
  });

  it('holds for any slot count and service time, with noise below the steady-state tolerance', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 5, max: 400 }),
        fc.double({ min: 0, max: 0.03, noNaN: true }),
        fc.integer(),
        async (slots, serviceMs, noise, seed) => {
          const c = await searchCapacity({ axis: 'concurrency', slo: slo(serviceMs * 1.5), measure: modelMeasure({ slots, serviceMs, noise, seed }) });
          assert.equal(c.capacityLevel, slots);
          const truth = (slots * 1000) / serviceMs;
          const r = await searchCapacity({ axis: 'rate', slo: slo(serviceMs * 3), measure: modelMeasure({ slots, serviceMs, noise, seed }) });
          assert.ok(Math.abs(r.capacityLevel! - truth) <= 0.06 * truth, `rate ${r.capacityLevel} vs ${truth}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses well under half the load-seconds of a 5 % sweep on the model', async () => {
    for (const [slots, serviceMs] of [
      [4, 100],
      [16, 50],
      [64, 20],
    ] as const) {
      const truth = (slots * 1000) / serviceMs;
      const result = await searchCapacity({ axis: 'rate', slo: slo(serviceMs * 3), measure: modelMeasure({ slots, serviceMs }) });
      // The sweep measures 5 %, 10 %, … of the truth up to the first failing step (3 windows each, 2 when failing).
      const sweepSeconds = 20 * 3 * 5 + 2 * 5;
      assert.ok(result.cost.loadSeconds <= sweepSeconds * 0.4, `${slots}x${serviceMs}: ${result.cost.loadSeconds}s vs sweep ${sweepSeconds}s (truth ${truth})`);
    }
  });

  // A sweep in 5 % steps of the truth up to it, under the same rule: 20 passing steps of at least 3 windows,
  // then the first failing one, of at least 2.
  const sweepSeconds = ((20 * 3 + 2) * 5000) / 1000;
  /** The highest level (an integer one when `integers`) whose percentile meets the SLO, below `top`. */
  const crossingOf = (curve: (level: number) => number, sloMs: number, top: number, integers: boolean): number => {
    if (integers) {
      let c = 1;
      while (c < top && curve(c + 1) <= sloMs) c++;
      return c;
    }
    let lo = 0;
    let hi = top;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (curve(mid) <= sloMs) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  /**
   * Where a fresh run reproduces the verdict: the highest level whose 6-window run meets the SLO 19 times in
   * 20 under the model's noise (each window's percentile off by a uniform ±noise, so the mean of six is off
   * by a deviation of noise / √18). The noiseless crossing passes a fresh run only about one time in two.
   */
  const freshCrossingOf = (curve: (level: number) => number, sloMs: number, top: number, integers: boolean, noise: number): number =>
    crossingOf(curve, sloMs / (1 + (1.645 * noise) / Math.sqrt(18)), top, integers);

  it('finds the SLO-limited capacity of M/M/N servers within 5 % in about a quarter of a sweep', async () => {
    const ratios: number[] = [];
    // Exponential service on N servers, open loop (Erlang C) and closed loop: the fixtures' own curves.
    for (const axis of ['rate', 'concurrency'] as const) {
      for (const [servers, serviceMs] of [
        [4, 100],
        [8, 50],
        [16, 50],
        [32, 20],
      ] as const) {
        for (const seed of [1, 2, 3]) {
          const shape = { servers, serviceMs };
          const curve = (level: number) => shapePercentileMs(axis, level, shape, 0.95);
          const sloMs = 5 * serviceMs;
          const top = axis === 'rate' ? (servers * 1000) / serviceMs : 4096;
          const truth = crossingOf(curve, sloMs, top, axis === 'concurrency');
          const fresh = freshCrossingOf(curve, sloMs, top, axis === 'concurrency', 0.03);
          const result = await searchCapacity({
            axis,
            slo: slo(sloMs),
            measure: curveMeasure({ percentileMs: curve, serviceMs, saturationPerSecond: (servers * 1000) / serviceMs, noise: 0.03, seed }),
          });
          const found = result.capacityLevel!;
          const steps = result.curve.map((p) => `${p.level}${p.passed ? '✓' : '✗'}${p.windows}`).join(' ');
          // Never above the noiseless crossing by more than 5 %, nor more than 10 % under where a fresh run
          // reproduces it (the hold's margin covers its own estimate's error too, and each 3-window step's
          // percentile is as noisy); concurrency is whole clients: within one where that is less than one.
          const over = Math.max(0.05 * truth, axis === 'concurrency' ? 1 : 0);
          const under = Math.max(0.1 * fresh, axis === 'concurrency' ? 1 : 0);
          assert.ok(found <= truth + over && found >= fresh - under, `${axis} ${servers}×${serviceMs}: found ${found} vs truth ${truth}, fresh ${fresh} (${steps})`);
          // Where the truth falls just above a bracketing level, one more passing step is unavoidable; and
          // one more (3 windows of 5 s) below each hold its fresh-run margin refuted.
          const refuted = (result.unconfirmed ?? []).length;
          assert.ok(searchSeconds(result) <= 0.35 * sweepSeconds + 15 * refuted, `${axis} ${servers}×${serviceMs}: ${searchSeconds(result)} s (${steps})`);
          assert.equal(result.confirmation?.loadSeconds, 30, 'the answer is held 6 windows of 5 s');
          ratios.push(searchSeconds(result) / sweepSeconds);
        }
      }
    }
    const mean = ratios.reduce((a, r) => a + r, 0) / ratios.length;
    assert.ok(mean <= 0.25, `mean ${mean}: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  });

  it('in closed loop, aims under the crossing and stops within a sweep step of it, without a step on it', async () => {
    // Closed M/M/16 at 50 ms, p95 ≤ 250 ms: the client counts at the crossing pass or fail by the noise.
    const shape = { servers: 16, serviceMs: 50 };
    const curve = (c: number) => shapePercentileMs('concurrency', c, shape, 0.95);
    const truth = crossingOf(curve, 250, 4096, true);
    const fresh = freshCrossingOf(curve, 250, 4096, true, 0.03);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const result = await searchCapacity({ axis: 'concurrency', slo: slo(250), measure: curveMeasure({ percentileMs: curve, serviceMs: 50, saturationPerSecond: 320, noise: 0.03, seed }) });
      const refine = result.curve.filter((p) => p.phase === 'refine');
      const steps = result.curve.map((p) => `${p.level}${p.passed ? '✓' : '✗'}`).join(' ');
      // One refine step, and one more for each hold its fresh-run margin refuted (those go down, never up).
      const refuted = (result.unconfirmed ?? []).length;
      assert.ok(refine.length >= 1 && refine.length <= 1 + refuted && refine.every((p) => p.passed && p.level < truth), `seed ${seed}: ${steps} (truth ${truth})`);
      assert.ok(result.capacityLevel! >= Math.floor(0.9 * fresh), `seed ${seed}: found ${result.capacityLevel} vs ${truth}, fresh ${fresh} (${steps})`);
    }
  });

  it('in open loop, stops when where it would aim next is within a resolution step of the passing end', async () => {
    // M/M/8 at 50 ms whose p95 from 140/s up reads 10 % under the shape: after 143 passes, the shape
    // re-anchored there puts the crossing about 1.3 steps higher. The next level would be a whole step above
    // the passing end, past the aim: 143 is the answer at this resolution (truth ≈ 146).
    const shape = { servers: 8, serviceMs: 50 };
    const curve = (x: number) => shapePercentileMs('rate', x, shape, 0.95) * (x >= 140 ? 0.9 : 1);
    const truth = crossingOf(curve, 250, 160, false);
    const estimates: number[] = [];
    const result = await searchCapacity({
      axis: 'rate',
      slo: slo(250),
      windowMs: 10_000,
      measure: curveMeasure({ percentileMs: curve, serviceMs: 50, saturationPerSecond: 160 }),
      onEvent: (e) => {
        if (e.type === 'step-start' && e.phase === 'refine' && e.estimate !== null) estimates.push(e.estimate);
      },
    });
    const steps = result.curve.map((p) => `${p.level}${p.passed ? '✓' : '✗'}`).join(' ');
    assert.equal(estimates.length, 1, steps);
    assert.ok(result.capacityLevel! <= truth && result.capacityLevel! >= 0.975 * truth, `found ${result.capacityLevel} vs ${truth} (${steps})`);
  });

  it('in open loop, aims no higher than a queue settles within a window, and stops there', async () => {
    // M/M/16 at 50 ms with a loose SLO: the p95 crosses 1 s at ρ ≈ 0.98, where the queue takes minutes
    // to settle; 2 s windows can judge levels up to about X (1 − 1/√(X × 2 s))² ≈ 0.92 X.
    const shape = { servers: 16, serviceMs: 50 };
    const x = 320;
    const curve = (level: number) => shapePercentileMs('rate', level, shape, 0.95);
    const truth = crossingOf(curve, 1000, x, false);
    assert.ok(truth > 0.975 * x);
    const events: SearchEvent[] = [];
    const search = (windowMs: number) =>
      searchCapacity({ axis: 'rate', slo: slo(1000), windowMs, measure: curveMeasure({ percentileMs: curve, serviceMs: 50, saturationPerSecond: x, noise: 0.02, seed: 3 }), onEvent: (e) => events.push(e) });
    const short = await search(2000);
    const limit = settledRateLimit(x, 2);
    const steps = short.curve.map((p) => `${p.level}${p.passed ? '✓' : '✗'}`).join(' ');
    assert.ok(short.capacityLevel! <= limit && short.capacityLevel! >= 0.95 * limit, `found ${short.capacityLevel} vs limit ${limit} (${steps})`);
    // Nothing measured between the limit and the saturation: those levels would pass before their queue built.
    assert.ok(short.curve.every((p) => p.level <= limit || p.level > x), steps);
    // The result says the search stopped at what windows can judge, not at the SLO crossing.
    assert.ok(short.settledLimit !== null && short.settledLimit <= limit && short.settledLimit >= short.capacityLevel!, `${short.settledLimit}`);
    // Longer windows judge levels nearer saturation.
    const long = await search(20_000);
    assert.ok(long.capacityLevel! > limit, `20 s windows: ${long.capacityLevel}`);
    // An SLO crossing well under the limit is the answer itself.
    const tight = await searchCapacity({ axis: 'rate', slo: slo(150), windowMs: 2000, measure: curveMeasure({ percentileMs: curve, serviceMs: 50, saturationPerSecond: x, noise: 0.02, seed: 3 }) });
    assert.equal(tight.settledLimit, null);
  });

  it('finds an open-loop capacity within 15 % on curves of any steepness, never costing more than a sweep', async () => {
    const ratios: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 10, max: 200 }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 0.04, noNaN: true }),
        fc.integer(),
        async (servers, serviceMs, a, k, noise, seed) => {
          // Flat at the service time's tail, then rising without bound towards saturation: steeper for
          // larger k, with a scale a that no queueing formula predicts.
          const x = (servers * 1000) / serviceMs;
          const curve = (level: number) => (level >= x ? Infinity : 3 * serviceMs * (1 + (a * (level / x) ** k) / (1 - level / x)));
          const sloMs = 3 * serviceMs * 1.6;
          const truth = crossingOf(curve, sloMs, x, false);
          const fresh = freshCrossingOf(curve, sloMs, x, false, noise);
          // A capacity near the lowest measurable rate (one request per window) is not what this is about.
          fc.pre(truth >= 5);
          const result = await searchCapacity({ axis: 'rate', slo: slo(sloMs), measure: curveMeasure({ percentileMs: curve, serviceMs, saturationPerSecond: x, noise, seed }) });
          const found = result.capacityLevel!;
          const steps = result.curve.map((p) => `${p.level}${p.passed ? '✓' : '✗'}${p.windows}`).join(' ');
          // Or, for a truth above what 5 s windows can judge on a queue like the shape's, near that limit
          // (the settled limit of the saturation taken one counting deviation low, from 2 windows of backlog).
          const judgeable = settledRateLimit(x * (1 - 1 / Math.sqrt(x * 10)), 5);
          assert.ok(found >= Math.min(0.85 * fresh, 0.95 * judgeable) && found <= 1.05 * truth, `found ${found} vs truth ${truth}, fresh ${fresh}, limit ${judgeable} (${steps})`);
          assert.ok(searchSeconds(result) <= sweepSeconds, `${searchSeconds(result)} s`);
          ratios.push(searchSeconds(result) / sweepSeconds);
        },
      ),
      // Fixed seed: the bounds are for these curves; other draws can land between −10 and −15 %.
      { numRuns: 60, seed: 7 },
    );
    assert.ok(ratios.reduce((s, r) => s + r, 0) / ratios.length <= 0.5, `mean cost ${ratios.reduce((s, r) => s + r, 0) / ratios.length} of a sweep`);
  });

  it('finds a closed-loop capacity within 15 % (or one client) on linear curves, never costing more than a sweep', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 48 }),
        fc.integer({ min: 10, max: 200 }),
        fc.double({ min: 0.6, max: 1.6, noNaN: true }),
        fc.double({ min: 0, max: 0.04, noNaN: true }),
        fc.integer(),
        async (servers, serviceMs, slope, noise, seed) => {
          // Flat while every client has a server, then the wait for c − N completions grows linearly.
          const x = (servers * 1000) / serviceMs;
          const curve = (c: number) => 3 * serviceMs + Math.max(0, c - servers) * (1000 / x) * slope;
          // Half a client past a whole one, so no level sits exactly on the SLO.
          const sloMs = 3 * serviceMs + 2.5 * serviceMs * slope;
          const truth = crossingOf(curve, sloMs, 4096, true);
          const result = await searchCapacity({ axis: 'concurrency', slo: slo(sloMs), measure: curveMeasure({ percentileMs: curve, serviceMs, saturationPerSecond: x, noise, seed }) });
          const found = result.capacityLevel!;
          assert.ok(found >= Math.min(0.85 * truth, truth - 1) && found <= truth + 1, `found ${found} vs truth ${truth}`);
          assert.ok(result.cost.loadSeconds <= sweepSeconds, `${result.cost.loadSeconds} s`);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('reports no capacity when even the lowest level breaks the SLO', async () => {
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(50), measure: modelMeasure({ slots: 4, serviceMs: 100 }) });
    assert.equal(result.capacityLevel, null);
    assert.equal(result.capacityPerSecond, null);
    assert.equal(result.failingLevel, 1);
  });

  it('comes down from a start level that fails', async () => {
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(150), startLevel: 200, measure: modelMeasure({ slots: 10, serviceMs: 100 }) });
    assert.equal(result.capacityLevel, 10);
  });

  it('stops at maxLevel and says the capacity is at least that', async () => {
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(150), maxLevel: 16, measure: modelMeasure({ slots: 100, serviceMs: 10 }) });
    assert.equal(result.capacityLevel, 16);
    assert.equal(result.limitedByMaxLevel, true);
    assert.equal(result.failingLevel, null);
  });

  it('measures per replica: levels are divided by the replica count', async () => {
    const calls: Array<{ level: number; windows: number }> = [];
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(150), replicas: 3, measure: modelMeasure({ slots: 24, serviceMs: 100 }, calls) });
    assert.equal(result.capacityLevel, 8);
    assert.ok(calls.every((c) => c.level % 3 === 0));
    assert.ok(Math.abs(result.capacityPerSecond! - 80) < 1e-6);
  });

  it('emits step and window events in order, ending with done', async () => {
    const events: SearchEvent[] = [];
    const result = await searchCapacity({ axis: 'concurrency', slo: slo(150), measure: modelMeasure({ slots: 5, serviceMs: 100 }), onEvent: (e) => events.push(e) });
    assert.equal(events.at(-1)?.type, 'done');
    const starts = events.filter((e) => e.type === 'step-start').length;
    assert.ok(result.confirmation?.passed, 'the answer was confirmed');
    assert.equal(starts, result.curve.length + 1, 'every step, and the confirming hold');
    assert.equal(events.filter((e) => e.type === 'step-end').length, starts);
    assert.equal(events.filter((e) => e.type === 'window').length, result.curve.reduce((a, p) => a + p.windows, 0) + result.confirmation!.windows);
  });

  it('stops when aborted and keeps what it measured', async () => {
    const controller = new AbortController();
    const measure = modelMeasure({ slots: 50, serviceMs: 100 });
    let steps = 0;
    const result = await searchCapacity({
      axis: 'concurrency',
      slo: slo(150),
      measure,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step-end' && ++steps === 2) controller.abort();
      },
    });
    assert.equal(result.curve.length, 2);
  });

  it('judges a step that never steadies by every judged window', () => {
    const w = (p95: number) => ({
      durationMs: 1000,
      sent: 10,
      completed: 10,
      failed: 0,
      dropped: 0,
      completedPerSecond: 10,
      latencyMs: { mean: p95, p50: p95, p90: p95, p95, p99: p95, max: p95 },
      inFlightStart: 1,
      inFlightEnd: 1,
    });
    const ctx = { axis: 'concurrency' as const, slo: slo(100), rule: { windows: 3, tolerance: 0.1, maxWindows: 5 }, replicas: 1 };
    const unsteadyPass = judgeStep(4, 'bracket', [w(10), w(50), w(20), w(85), w(30)], ctx);
    assert.equal(unsteadyPass.ended, 'max-windows');
    assert.equal(unsteadyPass.passed, true);
    const unsteadyFail = judgeStep(4, 'bracket', [w(10), w(50), w(20), w(120), w(30)], ctx);
    assert.equal(unsteadyFail.passed, false);
  });

  it('keeps the next level strictly inside the bracket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 2, max: 1000 }), fc.option(fc.double({ min: -10, max: 3000, noNaN: true })), (lo, d, est) => {
        const hi = lo + d;
        const n = nextLevel(lo, hi, est, 1, Math.round);
        if (n !== null) assert.ok(n > lo && n < hi);
        else assert.ok(d <= 1);
      }),
    );
  });

  it('estimates the boundary from the saturation throughput of the failing end', () => {
    const point = (level: number, achieved: number, p95: number, backlog = false) => ({
      axis: 'rate' as const,
      level,
      latencyMs: { mean: p95, p50: p95, p90: p95, p95, p99: p95, max: p95 },
      errorRate: 0,
      completedPerSecond: achieved,
      peakWindowPerSecond: achieved,
      passed: !backlog,
      steady: true,
      backlog,
      ended: 'steady' as const,
      windows: 3,
      loadSeconds: 15,
      phase: 'bracket' as const,
    });
    const est = estimateBoundary(point(64, 64, 50), point(256, 100, 5000, true), slo(300), 'rate');
    assert.ok(est! > 95 && est! < 100);
  });
});
