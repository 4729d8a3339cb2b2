/**
 * Judging measurement windows: steady state (perf_analyzer's rule), a clear SLO breach, and a growing
 * backlog. Pure functions of the windows.
 */
import { summaryQuantile } from './quantile-mix.js';
import { QUANTILE_OF } from './queue-shape.js';
import type { LatencyPercentiles, SearchAxis, Slo, WindowResult } from './types.js';

export interface StabilityRule {
  /** Consecutive windows that must agree (perf_analyzer: 3). */
  windows: number;
  /** Relative tolerance around their mean (perf_analyzer: 10 %). */
  tolerance: number;
  /** Windows per step at most (perf_analyzer: 10 tries). */
  maxWindows: number;
}

export const DEFAULT_STABILITY: StabilityRule = { windows: 3, tolerance: 0.1, maxWindows: 10 };

export function errorRateOf(w: Pick<WindowResult, 'completed' | 'failed'>): number {
  const total = w.completed + w.failed;
  return total === 0 ? 0 : w.failed / total;
}

function within(values: number[], tolerance: number, absoluteSlack: number): boolean {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const slack = Math.max(tolerance * Math.abs(mean), absoluteSlack, 1e-6);
  return values.every((v) => Math.abs(v - mean) <= slack);
}

/**
 * The last `rule.windows` windows agree on throughput and on the SLO's latency percentile: within the
 * tolerance of their mean (perf_analyzer's rule), or within a slack that is noise rather than drift —
 * for throughput, twice the counting noise of the completions (√n per window, at least 2 requests); for
 * latency, 5 % of the SLO latency, or — when not each window is higher than the one before (an upward
 * drift) — any spread if every window is so far under the SLO (below (1 − 2 × tolerance) of it) that no
 * spread among them could change the verdict, or the spread sampling explains (withinSamplingNoise). A
 * percentile over a few dozen requests per window scatters by tens of percent, which is not a server
 * that has yet to settle.
 */
export function isSteady(windows: readonly WindowResult[], rule: StabilityRule, slo: Slo): boolean {
  if (windows.length < rule.windows) return false;
  const last = windows.slice(-rule.windows);
  // A window in which nothing completed says nothing about latency: it cannot make a step steady.
  if (last.some((w) => w.completed <= 0)) return false;
  const windowSeconds = Math.max(last[0]!.durationMs / 1000, 1e-3);
  const meanCount = last.reduce((a, w) => a + w.completed, 0) / last.length;
  const latencies = last.map((w) => w.latencyMs[slo.percentile]);
  return (
    within(
      last.map((w) => w.completedPerSecond),
      rule.tolerance,
      Math.max(2, 2 * Math.sqrt(meanCount)) / windowSeconds,
    ) &&
    (within(latencies, rule.tolerance, 0.05 * slo.latencyMs) ||
      ((farUnder(latencies, slo, rule.tolerance) || withinSamplingNoise(last, QUANTILE_OF[slo.percentile])) && !climbing(latencies, rule.tolerance)))
  );
}

/**
 * The windows' percentiles differ by no more than sampling explains: the q-quantile of n requests has a
 * rank that scatters by √(n q (1 − q)), so each window's percentile could be any of its latencies two
 * such deviations either side, and the windows agree when those bands share a value. Over a few dozen
 * requests (one client, a low rate) that band is wide — a p95 of 35 requests lies anywhere from about its
 * p88 to its slowest request; over hundreds it narrows to a few percent, so a queue still building, whose
 * percentile moves window by window, is not taken for a steady one.
 */
export function withinSamplingNoise(windows: readonly WindowResult[], q: number): boolean {
  const bands = windows.map((w) => {
    const d = 2 * Math.sqrt((q * (1 - q)) / Math.max(1, w.completed));
    return [summaryQuantile(w.latencyMs, q - d), summaryQuantile(w.latencyMs, q + d)] as const;
  });
  return Math.max(...bands.map((b) => b[0])) <= Math.min(...bands.map((b) => b[1]));
}

function farUnder(latencies: number[], slo: Slo, tolerance: number): boolean {
  return latencies.every((l) => l <= (1 - 2 * tolerance) * slo.latencyMs);
}

/** Every window higher than the one before, by more than the tolerance in all: latency may be drifting up (a slow backlog). */
function climbing(latencies: number[], tolerance: number): boolean {
  return latencies.every((l, i) => i === 0 || l > latencies[i - 1]!) && latencies.at(-1)! > latencies[0]! * (1 + tolerance);
}

export function violatesSlo(w: WindowResult, slo: Slo, tolerance = 0): boolean {
  return w.latencyMs[slo.percentile] > slo.latencyMs * (1 + tolerance) || errorRateOf(w) > slo.errorRate * (1 + tolerance) + 1e-9;
}

/**
 * A step that is far over the SLO need not reach steady state to be judged: two windows in a row over it
 * by more than the tolerance (or, in closed loop, one window over it by more than 3×) end the step as failing.
 */
export function isClearBreach(
  windows: readonly WindowResult[],
  slo: Slo,
  tolerance: number,
  axis: SearchAxis = 'concurrency',
  minSamples = MIN_BREACH_SAMPLES,
): boolean {
  const last = windows.at(-1);
  if (!last) return false;
  const samples = (ws: readonly WindowResult[]) => ws.reduce((a, w) => a + w.completed + w.failed, 0);
  // A percentile over a handful of requests is one outlier: judge early only on enough of them. In open
  // loop a failing step always gets a second window: the first is short of completions while the queue
  // forms, and the second measures the saturation throughput the search uses.
  if (axis === 'concurrency' && last.latencyMs[slo.percentile] > 3 * slo.latencyMs && samples([last]) >= minSamples) return true;
  if (windows.length < 2) return false;
  const two = windows.slice(-2);
  return samples(two) >= minSamples && two.every((w) => violatesSlo(w, slo, tolerance));
}

/** Requests a clear breach needs behind it before a step is ended early. */
export const MIN_BREACH_SAMPLES = 20;

/**
 * Open loop above capacity: requests pile up, so in-flight grows in every window (by more than 2 % of what
 * the window offered) or the generator drops sends. Two windows in a row are required, so one slow window
 * (a GC pause, a noisy neighbour) is not a backlog.
 */
export function isBacklogged(windows: readonly WindowResult[], axis: SearchAxis): boolean {
  if (axis !== 'rate' || windows.length < 2) return false;
  return windows.slice(-2).every((w) => {
    const offered = Math.max(w.sent + w.dropped, 1);
    const growth = w.inFlightEnd - w.inFlightStart;
    return growth > Math.max(3, 0.02 * offered) || w.dropped > 0.02 * offered;
  });
}

/** Windows pooled into one summary: counts summed, percentiles weighted by completions. */
export function poolWindows(windows: readonly WindowResult[]): {
  latencyMs: LatencyPercentiles;
  errorRate: number;
  completedPerSecond: number;
  sentPerSecond: number;
  /** Duration-weighted over the windows that streamed tokens; absent when none did. */
  outputTokensPerSecond?: number;
  durationMs: number;
} {
  const durationMs = windows.reduce((a, w) => a + w.durationMs, 0);
  const completed = windows.reduce((a, w) => a + w.completed, 0);
  const failed = windows.reduce((a, w) => a + w.failed, 0);
  const weights = windows.map((w) => (completed === 0 ? 1 / windows.length : w.completed / completed));
  const weighted = (key: keyof LatencyPercentiles) => windows.reduce((a, w, i) => a + w.latencyMs[key] * weights[i]!, 0);
  return {
    // Percentiles of pooled windows are approximated by the completion-weighted mean of each window's
    // percentile; steady windows agree within the tolerance, so the error is within it too.
    latencyMs: {
      mean: weighted('mean'),
      p50: weighted('p50'),
      p90: weighted('p90'),
      p95: weighted('p95'),
      p99: weighted('p99'),
      max: windows.reduce((a, w) => Math.max(a, w.latencyMs.max), 0),
    },
    errorRate: errorRateOf({ completed, failed }),
    // From each window's own rate, which counts every completion in it (also of requests sent before it).
    completedPerSecond: durationMs === 0 ? 0 : windows.reduce((a, w) => a + w.completedPerSecond * w.durationMs, 0) / durationMs,
    // Only what was sent within the windows (not in warm-up): with completedPerSecond, what was offered and
    // what came back.
    sentPerSecond: durationMs === 0 ? 0 : (windows.reduce((a, w) => a + w.sent, 0) * 1000) / durationMs,
    ...pooledTokens(windows),
    durationMs,
  };
}

function pooledTokens(windows: readonly WindowResult[]): { outputTokensPerSecond?: number } {
  const streamed = windows.filter((w) => w.outputTokensPerSecond !== undefined);
  const ms = streamed.reduce((a, w) => a + w.durationMs, 0);
  if (ms === 0) return {};
  return { outputTokensPerSecond: streamed.reduce((a, w) => a + w.outputTokensPerSecond! * w.durationMs, 0) / ms };
}
