/**
 * Steady state that means steady, for open-loop steps: windows whose percentiles agree can still sit on a
 * queue that grows a little every window (a rate just above capacity queues slower than a step lasts), and
 * a longer run at that rate then breaks the SLO. So a step passes only when its backlog is not growing —
 * requests in flight and their latency trend over the windows, not only each window's percentile — and the
 * spread of the windows that confirm the answer says how sure it is. Pure functions of the windows.
 */
import { mixtureQuantile } from './quantile-mix.js';
import { QUANTILE_OF } from './queue-shape.js';
import type { PercentileName, SearchAxis, WindowResult } from './types.js';

export interface BacklogTrend {
  /** True when in-flight requests and latency both rise over the windows by more than noise explains. */
  growing: boolean;
  /** In-flight growth over the windows (least-squares slope of the window ends × intervals). */
  inFlightGrowth: number;
  /** The growth counting noise alone explains: 2 deviations of the difference of two Poisson counts. */
  inFlightNoise: number;
  /** Mean latency growth over the windows (least-squares slope × intervals), ms. */
  latencyGrowthMs: number;
}

/**
 * Is the backlog of an open-loop step growing over `windows`? In-flight at a window's end is a count with
 * about Poisson scatter (rate × latency requests, √ of that either way), so a rise counts only beyond two
 * deviations of the difference of two such counts; and the requests' latency — their queueing time — must
 * rise with it (in-flight alone moves with the arrival noise, latency alone with the server's). The window
 * ends are used, not the first window's start: that one still carries the warm-up's state. Closed loop
 * holds in-flight fixed, so it never grows there. Fewer than three windows give no trend.
 */
export function backlogTrend(windows: readonly WindowResult[], axis: SearchAxis): BacklogTrend {
  const none = { growing: false, inFlightGrowth: 0, inFlightNoise: 0, latencyGrowthMs: 0 };
  if (axis !== 'rate' || windows.length < 3) return none;
  const ends = windows.map((w) => w.inFlightEnd);
  const intervals = windows.length - 1;
  const inFlightGrowth = slope(ends) * intervals;
  const meanInFlight = ends.reduce((a, b) => a + b, 0) / ends.length;
  const inFlightNoise = 2 * Math.sqrt(2 * Math.max(meanInFlight, 1));
  const answered = windows.filter((w) => w.completed > 0);
  const latencyGrowthMs = answered.length >= 3 ? slope(answered.map((w) => w.latencyMs.mean)) * (answered.length - 1) : 0;
  return { growing: inFlightGrowth > inFlightNoise && latencyGrowthMs > 0, inFlightGrowth, inFlightNoise, latencyGrowthMs };
}

/** Least-squares slope of values against their index. */
function slope(values: readonly number[]): number {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/** How far the confirming windows agree: the answer's confidence. */
export interface WindowSpread {
  windows: number;
  /** The SLO percentile of the lowest and highest window, ms. */
  minMs: number;
  maxMs: number;
  /** (max − min) / their mean: 0.08 means the windows lie within ±4 % of each other. */
  relative: number;
}

/** The spread of the SLO percentile over windows that answered; null when none did. */
export function windowSpread(windows: readonly WindowResult[], percentile: PercentileName): WindowSpread | null {
  const values = windows.filter((w) => w.completed > 0).map((w) => w.latencyMs[percentile]);
  if (values.length === 0) return null;
  const minMs = Math.min(...values);
  const maxMs = Math.max(...values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { windows: values.length, minMs, maxMs, relative: mean > 0 ? (maxMs - minMs) / mean : 0 };
}

/**
 * The SLO percentile of a hold's requests taken together — what a load test of that length reports, over
 * all its requests — not the mean of its windows' percentiles, which a few slow windows barely move.
 * Each window's summary is a piecewise-linear CDF (src/tune/quantile-mix.ts), weighted by its answers.
 */
export function pooledPercentile(windows: readonly WindowResult[], percentile: PercentileName): number {
  return mixtureQuantile(
    windows.map((w) => ({ count: w.completed, min: Math.min(w.latencyMs.mean, w.latencyMs.p50), ...w.latencyMs })),
    QUANTILE_OF[percentile],
  );
}

/**
 * One-sided 95 % normal quantile: the margin below is the bound a fresh run's percentile stays under 19 times in 20
 * when windows are independent. They are not quite (a busy period can span two), so in practice it holds less
 * often; fewer than 4 of 5 fresh runs at the answer would then meet the SLO.
 */
const FRESH_RUN_Z = 1.645;

/**
 * How far a fresh load test of the hold's length may read the SLO percentile above the hold's own: the hold's
 * pooled percentile of k windows is off the level's true one by about s / √k (s the spread of the windows'
 * percentiles, their sample deviation), and a fresh run of the same length by as much again, so their
 * difference scatters by s √(2 / k). A hold passes only when its percentile plus this margin meets the SLO,
 * so the answer reproduces on a fresh run instead of passing one run in two at the boundary. 0 with fewer
 * than two windows answered.
 */
export function freshRunMargin(windows: readonly WindowResult[], percentile: PercentileName): number {
  const values = windows.filter((w) => w.completed > 0).map((w) => w.latencyMs[percentile]);
  const k = values.length;
  if (k < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (k - 1));
  return FRESH_RUN_Z * sd * Math.sqrt(2 / k);
}

/**
 * Windows a confirming hold lasts: twice what a step needs to be steady, run whole (only a clear breach or
 * backlog ends it early), so a queue that grows slower than a step lasts has twice as long to show it.
 */
export function confirmWindows(stepWindows: number): number {
  return 2 * stepWindows;
}
