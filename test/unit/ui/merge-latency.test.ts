import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LatencySummary } from '../../../src/load/types.js';
import { addToSketch, emptySketch, sketchQuantile, sketchSummary } from '../../../src/ui/merge-latency.js';

const summary = fc
  .tuple(fc.double({ min: 0.05, max: 5000, noNaN: true }), fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 5000 }))
  .map(([min, steps, count]): LatencySummary => {
    const v = [min];
    for (const s of steps) v.push(v[v.length - 1]! * (1 + s));
    return { min: v[0]!, p50: v[1]!, p90: v[2]!, p95: v[3]!, p99: v[4]!, p999: v[5]!, max: v[6]!, mean: v[1]!, count };
  });

describe('ui latency so far (merged per-second summaries)', () => {
  it('lies between the smallest and largest per-second value of that percentile, within bucket error', () => {
    fc.assert(
      fc.property(fc.array(summary, { minLength: 1, maxLength: 30 }), (seconds) => {
        const sketch = seconds.reduce(addToSketch, emptySketch());
        for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
          const v = sketchQuantile(sketch, q)!;
          const lo = Math.min(...seconds.map((s) => s[key]));
          const hi = Math.max(...seconds.map((s) => s[key]));
          assert.ok(v >= lo / 1.05 && v <= hi * 1.05, `${key} ${v} not in [${lo}, ${hi}]`);
        }
      }),
    );
  });

  it('is monotone in the quantile', () => {
    fc.assert(
      fc.property(fc.array(summary, { minLength: 1, maxLength: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (seconds, a, b) => {
        const sketch = seconds.reduce(addToSketch, emptySketch());
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        assert.ok(sketchQuantile(sketch, lo)! <= sketchQuantile(sketch, hi)!);
      }),
    );
  });

  it('gives back a single second within 5 %, an exact count, mean, min and max, and nothing for no samples', () => {
    const s: LatencySummary = { min: 2, p50: 10, p90: 20, p95: 30, p99: 80, p999: 120, max: 200, mean: 14, count: 1000 };
    const sum = sketchSummary(addToSketch(emptySketch(), s))!;
    for (const k of ['p50', 'p90', 'p95', 'p99'] as const) assert.ok(Math.abs(sum[k] / s[k] - 1) < 0.05, `${k} ${sum[k]}`);
    assert.equal(sum.count, 1000);
    assert.equal(sum.mean, 14);
    assert.equal(sum.min, 2);
    assert.equal(sum.max, 200);
    assert.equal(sketchSummary(emptySketch()), undefined);
    assert.equal(addToSketch(emptySketch(), { ...s, count: 0 }).count, 0);
  });

  it('weights seconds by their request count', () => {
    const fast: LatencySummary = { min: 1, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, mean: 1, count: 99 };
    const slow: LatencySummary = { min: 100, p50: 100, p90: 100, p95: 100, p99: 100, p999: 100, max: 100, mean: 100, count: 1 };
    const sketch = [fast, slow].reduce(addToSketch, emptySketch());
    assert.ok(sketchQuantile(sketch, 0.95)! < 1.05);
    assert.ok(sketchQuantile(sketch, 0.995)! > 95);
  });
});
