/**
 * Where the SLO percentile crosses the SLO latency, from every step measured so far: the queueing shape of
 * src/tune/queue-shape.ts (its servers and service time read off the measured curve), rescaled so it passes
 * through the measured latency at the passing end of the bracket — and at the failing end too, when that
 * step was not saturated — with the scale interpolated in between. An exact shape gives the crossing in one
 * step; a rough one still lands closer than interpolating the latency itself, which is flat then steep.
 * Pure.
 */
import { QUANTILE_OF, shapePercentileMs, type QueueShape } from './queue-shape.js';
import type { CapacityPoint, SearchAxis, Slo } from './types.js';

export interface CrossingEstimate {
  /** Level (per replica) where the shape puts the SLO crossing. */
  level: number;
  shape: QueueShape;
  /** True when the failing end calibrated the shape as well as the passing end. */
  bothSides: boolean;
  /** Open loop: the crossing lay above `settledLimit`, the highest rate whose queue settles within a step. */
  limitedBySettling?: boolean;
}

/**
 * Open loop: the highest rate whose queue settles within `settleSeconds`. Near saturation an M/M/N queue
 * relaxes to its steady state in about 1 / (X (1 − √ρ)²) (X = Nμ, the saturation throughput; the
 * heavy-traffic relaxation time), so the rate where that equals the time is X (1 − 1 / √(X t))². Above it,
 * a step's windows see a queue still building: they pass a level whose steady latency is over the SLO, or
 * take many windows to fail it, and cannot tell such levels apart.
 */
export function settledRateLimit(saturationPerSecond: number, settleSeconds: number): number {
  const root = Math.sqrt(Math.max(saturationPerSecond * settleSeconds, 1));
  return saturationPerSecond * (1 - 1 / root) ** 2;
}

/** A passing end's percentile under this share of the queueing shape's marks a far lighter tail than it. */
const LIGHT_TAIL = 0.6;

/**
 * `saturationPerSecond`: in open loop, the throughput a backlogged step sustained, or a closed-loop probe
 * measured (`probed`: then it is taken as it is); null: none yet, and then there is no shape unless the
 * failing end was measured in a steady queue. In closed loop the highest throughput measured stands for it.
 * `settledLimit` (open loop): a crossing of the queueing shape above it is reported at it (see
 * settledRateLimit), with limitedBySettling set.
 */
export function estimateCrossing(
  points: readonly CapacityPoint[],
  lo: CapacityPoint,
  hi: CapacityPoint,
  slo: Slo,
  axis: SearchAxis,
  saturationPerSecond: number | null,
  probed = false,
  settledLimit?: number,
): CrossingEstimate | null {
  const q = QUANTILE_OF[slo.percentile];
  const percentileOf = (p: CapacityPoint) => p.latencyMs[slo.percentile];
  // The failing end calibrates the shape when its latency was measured in a steady queue, not a backlog.
  const hiMeasured = !hi.backlog && hi.ended !== 'max-windows' && percentileOf(hi) > slo.latencyMs && Number.isFinite(percentileOf(hi));
  let x = axis === 'rate' ? saturationPerSecond : Math.max(...points.map((p) => p.completedPerSecond));
  // Open loop with a failing end measured in a steady queue: the saturation throughput is the one that makes
  // the shape, anchored at the passing end, pass through the latency measured there. Near saturation the
  // latency is too sensitive to the throughput for a backlogged step's (noisy) peak to place the crossing.
  let fitted = false;
  if (axis === 'rate' && hiMeasured && !probed) {
    const fit = fitSaturation(points, lo, hi, slo, q);
    if (fit !== null) [x, fitted] = [fit, true];
  }
  if (x === null || !(x > 0)) return null;
  const serviceMs = unloadedMeanMs(points, axis, x);
  if (serviceMs === null) return null;
  const servers = Math.max(1, Math.round((x * serviceMs) / 1000));
  // Closed loop: a failing end that never filled the servers did not fail by queueing.
  if (axis === 'concurrency' && servers >= hi.level) return null;
  const shape: QueueShape = { servers, serviceMs: (servers * 1000) / x };
  const model = (level: number) => shapePercentileMs(axis, level, shape, q);
  const ratio = (p: CapacityPoint) => percentileOf(p) / model(p.level);
  const rLo = ratio(lo);
  if (!(rLo > 0) || !Number.isFinite(rLo)) return null;
  // Open loop, a service time with a tail far lighter than the shape's exponential one (fixed service,
  // near-deterministic inference; judged at the passing end, which has more requests behind its percentile
  // than the lowest step) and a curve still flat there: latency stays flat until the queue builds, so the
  // crossing is just under the saturation throughput.
  if (axis === 'rate' && saturationPerSecond !== null && rLo < LIGHT_TAIL && !isRising(points, lo, slo)) {
    const level = 0.99 * saturationPerSecond;
    if (level > lo.level && level < hi.level) return { level, shape, bothSides: false };
  }
  const rHi = hiMeasured && !fitted ? ratio(hi) : NaN;
  const interpolate = rHi > 0 && Number.isFinite(rHi);
  const bothSides = fitted || interpolate;
  const scale = (level: number) =>
    interpolate ? Math.exp(Math.log(rLo) + ((Math.log(rHi) - Math.log(rLo)) * (level - lo.level)) / (hi.level - lo.level)) : rLo;
  const over = (level: number) => scale(level) * model(level) > slo.latencyMs;
  // Open loop: the crossing lies below the saturation throughput, where the shape's latency is unbounded.
  let top = axis === 'rate' ? Math.min(hi.level, x * (1 - 1e-6)) : hi.level;
  if (!(top > lo.level) || !over(top)) return null;
  const limit = top;
  let bottom = lo.level;
  for (let i = 0; i < 40; i++) {
    const mid = (bottom + top) / 2;
    if (over(mid)) top = mid;
    else bottom = mid;
  }
  // Two passing steps on the rising part: the shape, anchored at the ends, may rise too late or too early
  // in between. The secant through both — latency linear in 1 / (saturation − rate)
  // in open loop (a single queue's shape), in the level itself in closed loop — is the data's own slope;
  // the farther of the two guesses keeps the search from creeping up under a shape that rises too soon.
  const secant = secantCrossing(points, lo, slo, axis, x);
  if (secant !== null && secant > bottom && secant < limit) bottom = secant;
  // Open loop, latencies like the queueing shape's: no higher than windows can judge. (The limit is an
  // M/M/N queue's; a far lighter tail than the shape's is a server whose latency does not queue like it.)
  if (axis === 'rate' && settledLimit !== undefined && rLo >= LIGHT_TAIL && bottom > settledLimit) {
    return { level: Math.max(settledLimit, lo.level), shape, bothSides, limitedBySettling: true };
  }
  return { level: bottom, shape, bothSides };
}

function secantCrossing(points: readonly CapacityPoint[], lo: CapacityPoint, slo: Slo, axis: SearchAxis, saturation: number): number | null {
  const below = points.filter((p) => p.passed && p.level < lo.level).sort((a, b) => b.level - a.level)[0];
  if (!below || !isRising(points, below, slo) || !isRising(points, lo, slo)) return null;
  const t = (level: number) => (axis === 'rate' ? 1 / (saturation - level) : level);
  const pLo = lo.latencyMs[slo.percentile];
  const pBelow = below.latencyMs[slo.percentile];
  if (!(pLo > pBelow) || (axis === 'rate' && lo.level >= saturation)) return null;
  const tCross = t(lo.level) + ((slo.latencyMs - pLo) * (t(lo.level) - t(below.level))) / (pLo - pBelow);
  return axis === 'rate' ? saturation - 1 / tCross : tCross;
}

/** The saturation throughput of the open-loop shape through the measured latencies at both ends. */
function fitSaturation(points: readonly CapacityPoint[], lo: CapacityPoint, hi: CapacityPoint, slo: Slo, q: number): number | null {
  const target = hi.latencyMs[slo.percentile];
  const predicted = (x: number): number => {
    const serviceMs = unloadedMeanMs(points, 'rate', x);
    if (serviceMs === null) return NaN;
    const servers = Math.max(1, Math.round((x * serviceMs) / 1000));
    const shape = { servers, serviceMs: (servers * 1000) / x };
    const at = (level: number) => shapePercentileMs('rate', level, shape, q);
    return (lo.latencyMs[slo.percentile] / at(lo.level)) * at(hi.level);
  };
  let bottom = hi.level * (1 + 1e-6);
  let top = hi.level * 64;
  if (!(predicted(top) < target)) return null;
  for (let i = 0; i < 40; i++) {
    const mid = Math.sqrt(bottom * top);
    if (predicted(mid) > target) bottom = mid;
    else top = mid;
  }
  return top;
}

/**
 * The curve is visibly rising at `lo`: its percentile is above the unloaded one by more than the noise a
 * steady step allows (10 %). There the shape anchored at `lo` is an extrapolation over a short, measured
 * slope; on a flat stretch it would only be a guess.
 */
export function isRising(points: readonly CapacityPoint[], lo: CapacityPoint, slo: Slo): boolean {
  const lowest = [...points].sort((a, b) => a.level - b.level)[0];
  if (!lowest || lowest === lo) return false;
  return lo.latencyMs[slo.percentile] > 1.1 * lowest.latencyMs[slo.percentile];
}

/**
 * The mean service time: the completion-weighted mean latency of the steps well below saturation (open
 * loop: a third of it, where waiting is small even on one server; closed loop: fewer clients than servers
 * keep busy, where nobody waits), and always the lowest step.
 */
function unloadedMeanMs(points: readonly CapacityPoint[], axis: SearchAxis, saturationPerSecond: number): number | null {
  const sorted = [...points].filter((p) => p.completedPerSecond > 0 && p.latencyMs.mean > 0).sort((a, b) => a.level - b.level);
  if (sorted.length === 0) return null;
  const limit = (axis === 'rate' ? 0.35 : 0.6) * saturationPerSecond;
  const low = sorted.filter((p, i) => i === 0 || p.completedPerSecond <= limit);
  const weight = (p: CapacityPoint) => p.completedPerSecond * p.loadSeconds;
  const total = low.reduce((a, p) => a + weight(p), 0);
  return total > 0 ? low.reduce((a, p) => a + p.latencyMs.mean * weight(p), 0) / total : null;
}
