/**
 * An estimate of a run's latency percentiles "so far" from per-second summaries, for live thresholds.
 * Each second's distribution is taken as the piecewise-linear CDF through its quantiles (min, p50, p90,
 * p95, p99, p99.9, max); the run's CDF is their count-weighted mixture. Exact at
 * the end comes from the engine's HDR histogram; this is only what a viewer can know from snapshots.
 * Pure.
 */
import type { LatencySummary } from '../load/types.js';

/** A compact form of one second: its CDF knots and its count. */
export interface LatencyKnots {
  count: number;
  /** Values (ms) at the quantiles KNOT_QUANTILES, non-decreasing. */
  values: number[];
}

export const KNOT_QUANTILES = [0, 0.5, 0.9, 0.95, 0.99, 0.999, 1] as const;

export function toKnots(s: LatencySummary): LatencyKnots | undefined {
  if (s.count <= 0) return undefined;
  const raw = [s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max];
  // Guard against a summary that is not monotone (rounding): make it so.
  const values: number[] = [];
  let prev = -Infinity;
  for (const v of raw) {
    prev = Math.max(prev, Number.isFinite(v) ? v : prev);
    values.push(prev);
  }
  return { count: s.count, values };
}

function cdfAt(k: LatencyKnots, x: number): number {
  const v = k.values;
  if (x < v[0]!) return 0;
  if (x >= v[v.length - 1]!) return 1;
  for (let i = 1; i < v.length; i++) {
    const hi = v[i]!;
    if (x < hi) {
      const lo = v[i - 1]!;
      const qlo = KNOT_QUANTILES[i - 1]!;
      const qhi = KNOT_QUANTILES[i]!;
      return hi === lo ? qhi : qlo + ((x - lo) / (hi - lo)) * (qhi - qlo);
    }
  }
  return 1;
}

/**
 * The mixture is kept in log-spaced buckets (ratio 1.04 from 1 µs up), so adding a second costs the same
 * at the first minute as at the tenth hour and a quantile is within about 2 % of the mixture's.
 */
export const SKETCH_MIN_MS = 0.001;
const RATIO = 1.04;
const LOG_RATIO = Math.log(RATIO);
export const SKETCH_BUCKETS = Math.ceil(Math.log(1e8 / SKETCH_MIN_MS) / LOG_RATIO) + 1;

export interface LatencySketch {
  /** Mass per bucket; bucket i spans [MIN·RATIO^i, MIN·RATIO^(i+1)). */
  buckets: Float64Array;
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

export function emptySketch(): LatencySketch {
  return { buckets: new Float64Array(SKETCH_BUCKETS), count: 0, sumMs: 0, minMs: Infinity, maxMs: -Infinity };
}

function bucketOf(ms: number): number {
  if (ms <= SKETCH_MIN_MS) return 0;
  return Math.min(SKETCH_BUCKETS - 1, Math.floor(Math.log(ms / SKETCH_MIN_MS) / LOG_RATIO));
}

function edge(i: number): number {
  return SKETCH_MIN_MS * RATIO ** i;
}

/** A new sketch with one second's summary added (the input is left untouched). */
export function addToSketch(sketch: LatencySketch, s: LatencySummary): LatencySketch {
  const k = toKnots(s);
  if (!k) return sketch;
  const buckets = new Float64Array(sketch.buckets);
  const first = bucketOf(k.values[0]!);
  const last = bucketOf(k.values[k.values.length - 1]!);
  if (first === last) {
    buckets[first]! += k.count;
  } else {
    let prev = 0;
    for (let i = first; i <= last; i++) {
      const c = i === last ? 1 : cdfAt(k, edge(i + 1));
      buckets[i]! += k.count * (c - prev);
      prev = c;
    }
  }
  return {
    buckets,
    count: sketch.count + k.count,
    sumMs: sketch.sumMs + s.mean * s.count,
    minMs: Math.min(sketch.minMs, s.min),
    maxMs: Math.max(sketch.maxMs, s.max),
  };
}

/** The q-quantile (0..1) of everything added; undefined when nothing was. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | undefined {
  if (sketch.count <= 0) return undefined;
  if (q <= 0) return sketch.minMs;
  if (q >= 1) return sketch.maxMs;
  const want = q * sketch.count;
  let acc = 0;
  for (let i = 0; i < sketch.buckets.length; i++) {
    const m = sketch.buckets[i]!;
    if (m > 0 && acc + m >= want) {
      // Geometric interpolation inside the bucket, clamped to what was actually seen.
      const f = (want - acc) / m;
      const v = edge(i) * RATIO ** f;
      return Math.min(sketch.maxMs, Math.max(sketch.minMs, v));
    }
    acc += m;
  }
  return sketch.maxMs;
}

export function sketchSummary(sketch: LatencySketch): LatencySummary | undefined {
  if (sketch.count <= 0) return undefined;
  const q = (p: number) => sketchQuantile(sketch, p)!;
  return {
    min: sketch.minMs,
    mean: sketch.sumMs / sketch.count,
    p50: q(0.5),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    p999: q(0.999),
    max: sketch.maxMs,
    count: sketch.count,
  };
}
