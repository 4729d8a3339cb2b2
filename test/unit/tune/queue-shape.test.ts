import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimateCrossing, settledRateLimit } from '../../../src/tune/crossing.js';
import { shapePercentileMs } from '../../../src/tune/queue-shape.js';
import type { CapacityPoint, SearchAxis, Slo } from '../../../src/tune/types.js';

const slo: Slo = { percentile: 'p95', latencyMs: 250, errorRate: 0.01 };

function point(axis: SearchAxis, level: number, p95: number, meanMs: number, completedPerSecond: number, passed: boolean, over: Partial<CapacityPoint> = {}): CapacityPoint {
  return {
    axis,
    level,
    latencyMs: { mean: meanMs, p50: meanMs, p90: p95, p95, p99: p95, max: p95 },
    errorRate: 0,
    completedPerSecond,
    peakWindowPerSecond: completedPerSecond,
    passed,
    steady: true,
    backlog: false,
    ended: passed ? 'steady' : 'breach',
    windows: 3,
    loadSeconds: 15,
    phase: 'bracket',
    ...over,
  };
}

describe('tune/queue-shape', () => {
  it('is the M/M/1 response time, exponential at rate μ − λ, in open loop on one server', () => {
    for (const rate of [1, 5, 9]) {
      const expected = (Math.log(20) / (10 - rate)) * 1000;
      assert.ok(Math.abs(shapePercentileMs('rate', rate, { servers: 1, serviceMs: 100 }, 0.95) - expected) < 1e-3 * expected);
    }
    assert.equal(shapePercentileMs('rate', 10, { servers: 1, serviceMs: 100 }, 0.95), Infinity);
  });

  it('is the service time alone while clients do not outnumber servers, Erlang beyond on one server', () => {
    assert.ok(Math.abs(shapePercentileMs('concurrency', 16, { servers: 16, serviceMs: 50 }, 0.95) - 50 * Math.log(20)) < 0.01);
    // Two clients on one server: Erlang(2, μ), whose p95 t solves e^(−μt)(1 + μt) = 0.05.
    const t = shapePercentileMs('concurrency', 2, { servers: 1, serviceMs: 100 }, 0.95) / 100;
    assert.ok(Math.abs(Math.exp(-t) * (1 + t) - 0.05) < 1e-6);
  });

  it('rises with the level on both axes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 5, max: 400 }), fc.double({ min: 0.01, max: 0.98, noNaN: true }), (servers, serviceMs, u) => {
        const shape = { servers, serviceMs };
        const x = (servers * 1000 * u) / serviceMs;
        assert.ok(shapePercentileMs('rate', x * 1.01, shape, 0.95) >= shapePercentileMs('rate', x, shape, 0.95) - 1e-6);
        const c = Math.ceil(servers * (1 + 3 * u));
        assert.ok(shapePercentileMs('concurrency', c + 1, shape, 0.95) > shapePercentileMs('concurrency', c, shape, 0.95));
      }),
    );
  });
});

describe('tune/crossing', () => {
  it('puts the crossing of an M/M/8 server where Erlang C does, from a low step and a backlogged one', () => {
    const shape = { servers: 8, serviceMs: 50 };
    const at = (x: number) => shapePercentileMs('rate', x, shape, 0.95);
    const lo = point('rate', 20, at(20), 50, 20, true);
    const hi = point('rate', 320, 5000, 9000, 160, false, { backlog: true, ended: 'backlog' });
    const est = estimateCrossing([lo, hi], lo, hi, slo, 'rate', 160)!;
    assert.equal(est.shape.servers, 8);
    assert.ok(Math.abs(est.level - 144.4) < 0.5, `${est.level}`);
  });

  it('rescales the shape to both ends: a curve 30 % above the shape still crosses where it does', () => {
    const shape = { servers: 16, serviceMs: 50 };
    const at = (c: number) => 1.3 * shapePercentileMs('concurrency', c, shape, 0.95);
    const truth = Array.from({ length: 200 }, (_, i) => i + 1).filter((c) => at(c) <= 250).at(-1)!;
    const base = point('concurrency', 1, at(1), 50, 20, true);
    const lo = point('concurrency', 8, at(8), 50, 160, true);
    const hi = point('concurrency', 64, at(64), 200, 320, false);
    const est = estimateCrossing([base, lo, hi], lo, hi, slo, 'concurrency', null)!;
    assert.equal(est.bothSides, true);
    assert.ok(Math.abs(est.level - truth) <= 1, `${est.level} vs ${truth}`);
  });

  it('finds the saturation throughput itself when no step was backlogged', () => {
    const shape = { servers: 8, serviceMs: 50 };
    const at = (x: number) => shapePercentileMs('rate', x, shape, 0.95);
    const lo = point('rate', 20, at(20), 50, 20, true);
    const hi = point('rate', 150, at(150), 80, 150, false);
    const est = estimateCrossing([lo, hi], lo, hi, slo, 'rate', null)!;
    assert.ok(Math.abs(est.level - 144.4) < 1, `${est.level}`);
  });

  it('settles a queue within t below X (1 − 1/√(X t))², where its heavy-traffic relaxation time is t', () => {
    // 160/s, 4 s: ρ = (1 − 1/√640)² ≈ 0.9225.
    assert.ok(Math.abs(settledRateLimit(160, 4) - 147.6) < 0.1, `${settledRateLimit(160, 4)}`);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 0.5, max: 60, noNaN: true }), (x, t) => {
        const limit = settledRateLimit(x, t);
        assert.ok(limit >= 0 && limit < x);
        // At the limit, 1 / (X (1 − √ρ)²) is the time asked for (when the limit is above zero).
        const rho = limit / x;
        if (x * t > 1) {
          assert.ok(Math.abs(1 / (x * (1 - Math.sqrt(rho)) ** 2) - t) < 1e-6 * t);
          assert.ok(settledRateLimit(x, t * 2) > limit, 'longer windows judge levels nearer saturation');
        } else assert.equal(limit, 0, 'a queue that cannot settle within one service time: nothing is judgeable');
      }),
    );
  });

  it('reports an M/M/N crossing above the settled limit at the limit, and says so', () => {
    const shape = { servers: 8, serviceMs: 50 };
    const at = (x: number) => shapePercentileMs('rate', x, shape, 0.95);
    const lo = point('rate', 20, at(20), 50, 20, true);
    const hi = point('rate', 320, 5000, 9000, 160, false, { backlog: true, ended: 'backlog' });
    const capped = estimateCrossing([lo, hi], lo, hi, slo, 'rate', 160, false, 140)!;
    assert.equal(capped.level, 140);
    assert.equal(capped.limitedBySettling, true);
    const free = estimateCrossing([lo, hi], lo, hi, slo, 'rate', 160, false, 150)!;
    assert.ok(Math.abs(free.level - 144.4) < 0.5 && free.limitedBySettling !== true, `${free.level}`);
    // A passing end already at or above the limit: the crossing is the passing end itself.
    const high = point('rate', 141, at(141), 60, 141, true);
    assert.equal(estimateCrossing([lo, high, hi], high, hi, slo, 'rate', 160, false, 140)!.level, 141);
  });

  it('has nothing to say when the failing end never filled the servers (closed loop)', () => {
    const lo = point('concurrency', 2, 100, 50, 40, true);
    const hi = point('concurrency', 4, 400, 50, 80, false);
    assert.equal(estimateCrossing([lo, hi], lo, hi, slo, 'concurrency', null), null);
  });
});
