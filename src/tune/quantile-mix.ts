/**
 * Percentiles of several latency summaries taken together, when only the summaries are at hand (the load
 * engine reports each second's percentiles, not its histogram). Each summary's CDF is taken as piecewise
 * linear through its known points (min → 0, p50 → 0.5, … max → 1); the pooled CDF is their mixture
 * weighted by request counts, inverted by bisection. Averaging percentiles instead over-reads the tail
 * at low rates, where each second's p95 is one of its last few samples.
 */
export interface SummaryPoints {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

const LEVELS = [0, 0.5, 0.9, 0.95, 0.99, 1] as const;

function cdf(s: SummaryPoints, x: number): number {
  const xs = [s.min, s.p50, s.p90, s.p95, s.p99, s.max];
  if (x < xs[0]!) return 0;
  if (x >= xs[5]!) return 1;
  for (let i = 1; i < xs.length; i++) {
    if (x < xs[i]!) {
      const span = xs[i]! - xs[i - 1]!;
      const f = span <= 0 ? 1 : (x - xs[i - 1]!) / span;
      return LEVELS[i - 1]! + f * (LEVELS[i]! - LEVELS[i - 1]!);
    }
  }
  return 1;
}

/**
 * One summary's latency at quantile q: the inverse of its piecewise-linear CDF. Without a min (summaries that
 * report only percentiles), the CDF is taken as flat at p50 below it.
 */
export function summaryQuantile(s: Omit<SummaryPoints, 'count' | 'min'> & { min?: number }, q: number): number {
  const xs = [s.min ?? s.p50, s.p50, s.p90, s.p95, s.p99, s.max];
  if (q <= 0) return xs[0]!;
  for (let i = 1; i < xs.length; i++) {
    if (q <= LEVELS[i]!) return xs[i - 1]! + ((xs[i]! - xs[i - 1]!) * (q - LEVELS[i - 1]!)) / (LEVELS[i]! - LEVELS[i - 1]!);
  }
  return s.max;
}

export function mixtureQuantile(summaries: readonly SummaryPoints[], q: number): number {
  const parts = summaries.filter((s) => s.count > 0);
  const total = parts.reduce((a, s) => a + s.count, 0);
  if (total === 0) return 0;
  let lo = Math.min(...parts.map((s) => s.min));
  let hi = Math.max(...parts.map((s) => s.max));
  if (hi <= lo) return hi;
  const F = (x: number) => parts.reduce((a, s) => a + s.count * cdf(s, x), 0) / total;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (F(mid) < q) lo = mid;
    else hi = mid;
  }
  return hi;
}
