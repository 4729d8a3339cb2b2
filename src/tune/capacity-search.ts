/**
 * Finding the highest per-replica load that meets the SLO, over an injected measurement function, so the
 * search is pure logic: the load engine, a fixture or a model can stand behind `measure`.
 *
 * A step holds one level until its windows agree (perf_analyzer: 3 windows within 10 %, at most 10), or
 * until it clearly breaches the SLO, or — in open loop — until a growing backlog shows the rate is above
 * capacity. The search brackets by multiplying the level, then refines inside the bracket from every step
 * measured so far: a queueing shape read off the curve (src/tune/crossing.ts) says where the SLO crossing
 * is, the next level aims just below it, and the search stops once a passing level is within the
 * resolution or the measurement noise of the crossing. Whenever guesses miss twice in a row it bisects.
 */
import {
  DEFAULT_STABILITY,
  isBacklogged,
  isClearBreach,
  isSteady,
  poolWindows,
  violatesSlo,
  type StabilityRule,
} from './windows.js';
import { estimateCrossing, isRising, settledRateLimit } from './crossing.js';
import type { CapacityPoint, CapacityResult, SaturationProbe, SearchAxis, Slo, WindowResult } from './types.js';

export interface MeasureControl {
  axis: SearchAxis;
  windowMs: number;
  maxWindows: number;
  /** Open loop: requests in flight at most; sends beyond are dropped (and counted). */
  maxInFlight?: number;
  /** Called after each window with all windows so far; true ends the step. */
  shouldStop(windows: readonly WindowResult[]): boolean;
  /** Each finished window, for live views. */
  onWindow?(window: WindowResult, index: number): void;
  signal?: AbortSignal;
}

/** Holds `level` (total over all replicas) and returns consecutive windows until told to stop. */
export type MeasureFn = (level: number, control: MeasureControl) => Promise<WindowResult[]>;

export interface Resolution {
  /** The bracket is narrow enough when hi − lo ≤ max(absolute, relative × lo). */
  absolute: number;
  relative: number;
}

export interface CapacitySearchOptions {
  axis: SearchAxis;
  slo: Slo;
  measure: MeasureFn;
  /** Replicas behind the endpoint during the search; levels in the result are per replica. */
  replicas?: number;
  startLevel?: number;
  minLevel?: number;
  maxLevel?: number;
  /** Factor between bracketing steps. */
  growth?: number;
  resolution?: Partial<Resolution>;
  windowMs?: number;
  stability?: Partial<StabilityRule>;
  /** Safety bound on the number of steps. */
  maxSteps?: number;
  signal?: AbortSignal;
  onEvent?: (event: SearchEvent) => void;
}

export interface Bracket {
  lo: number | null;
  hi: number | null;
}

export type SearchEvent =
  | { type: 'step-start'; level: number; phase: CapacityPoint['phase']; bracket: Bracket; estimate: number | null }
  | { type: 'window'; level: number; index: number; window: WindowResult }
  | { type: 'step-end'; point: CapacityPoint; bracket: Bracket }
  | { type: 'probe-start'; concurrency: number }
  | { type: 'probe-end'; probe: SaturationProbe }
  | { type: 'done'; result: CapacityResult };

export const SEARCH_DEFAULTS = {
  concurrency: { startLevel: 1, minLevel: 1, maxLevel: 1024, resolution: { absolute: 1, relative: 0.025 } },
  rate: { startLevel: 1, minLevel: 0.05, maxLevel: 100_000, resolution: { absolute: 0.05, relative: 0.025 } },
  growth: 8,
  windowMs: 5000,
  maxSteps: 40,
} as const;

/**
 * Open loop: the search aims no higher than a rate whose queue settles within this many windows (see
 * settledRateLimit). The relaxation time is the time constant of an exponential approach: with it one
 * window long, windows fall short of the steady state by about 63 %, 23 %, 9 %, 3 %, so from the third on
 * they are within the 10 % the steady rule allows and a step at the limit settles in about five windows.
 */
const SETTLE_WINDOWS = 1;

export async function searchCapacity(options: CapacitySearchOptions): Promise<CapacityResult> {
  const axis = options.axis;
  const defaults = SEARCH_DEFAULTS[axis];
  const replicas = Math.max(1, options.replicas ?? 1);
  const slo = options.slo;
  const growth = Math.max(1.25, options.growth ?? SEARCH_DEFAULTS.growth);
  const windowMs = options.windowMs ?? SEARCH_DEFAULTS.windowMs;
  // In open loop, a level below a few requests per window cannot be measured at all; and a percentile of
  // fewer than 20 is little more than the slowest of them, so the search starts where a window holds 20.
  const minLevel = options.minLevel ?? (axis === 'rate' ? Math.max(defaults.minLevel, 5000 / windowMs) : defaults.minLevel);
  const startLevel = options.startLevel ?? (axis === 'rate' ? Math.max(defaults.startLevel, 20_000 / windowMs) : defaults.startLevel);
  const maxLevel = options.maxLevel ?? defaults.maxLevel;
  const resolution: Resolution = { ...defaults.resolution, ...options.resolution };
  const rule: StabilityRule = { ...DEFAULT_STABILITY, ...options.stability };
  const maxSteps = options.maxSteps ?? SEARCH_DEFAULTS.maxSteps;
  const emit = options.onEvent ?? (() => {});

  const normalize = (x: number) => clamp(axis === 'concurrency' ? Math.round(x) : roundRate(x), minLevel, maxLevel);
  const width = (lo: number) => Math.max(resolution.absolute, resolution.relative * lo);

  const measured = new Map<number, CapacityPoint>();
  let lo: CapacityPoint | undefined;
  let hi: CapacityPoint | undefined;
  let limitedByMaxLevel = false;
  const bracket = (): Bracket => ({ lo: lo?.level ?? null, hi: hi?.level ?? null });
  const stopped = () => options.signal?.aborted === true || measured.size >= maxSteps;
  // Open loop: the most requests seen in flight at each level, for sizing the saturation probe.
  const peakInFlight = new Map<number, number>();
  let probe: SaturationProbe | undefined;
  /** The saturation throughput per replica and the seconds it was measured over. */
  const backlogSaturation = (): { perSecond: number; seconds: number } | null => {
    // Two windows at least: one alone may end before the queue has formed.
    const backlogged = [...measured.values()].filter((p) => p.windows >= 2 && (p.backlog || (!p.passed && p.peakWindowPerSecond < 0.9 * p.level)));
    if (backlogged.length === 0) return null;
    // Their pooled throughput, not the best window (the best of a few is biased high by their noise); and a
    // rate that built a backlog is above saturation, whatever throughput its windows showed.
    const fastest = backlogged.reduce((a, p) => (p.achievedPerSecond > a.achievedPerSecond ? p : a));
    return { perSecond: Math.min(fastest.achievedPerSecond, ...backlogged.map((p) => p.level)), seconds: fastest.loadSeconds };
  };
  const saturationMeasured = (): { perSecond: number; seconds: number } | null => {
    if (axis !== 'rate') return null;
    return probe?.saturated ? { perSecond: probe.achievedPerSecond, seconds: probe.loadSeconds } : backlogSaturation();
  };
  const saturation = (): number | null => saturationMeasured()?.perSecond ?? null;
  /**
   * Open loop: the highest level whose queue settles within SETTLE_WINDOWS windows, from the low end of
   * what the saturation could be: it was counted over a few seconds (completions scatter by √n), and
   * taking it one deviation low keeps that noise from pushing steps past what windows can judge.
   */
  const settledLimit = (): number | undefined => {
    const measuredSat = saturationMeasured();
    if (!measuredSat) return undefined;
    const count = measuredSat.perSecond * replicas * measuredSat.seconds;
    const low = measuredSat.perSecond * Math.max(0, 1 - 1 / Math.sqrt(Math.max(count, 1)));
    return settledRateLimit(low, (SETTLE_WINDOWS * windowMs) / 1000);
  };

  async function step(level: number, phase: CapacityPoint['phase'], estimate: number | null): Promise<CapacityPoint> {
    const known = measured.get(level);
    if (known) return known;
    emit({ type: 'step-start', level, phase, bracket: bracket(), estimate });
    const windows = await options.measure(level * replicas, {
      axis,
      windowMs,
      maxWindows: rule.maxWindows,
      // A level that meets the SLO has about rate × latency in flight, so twice rate × SLO never binds
      // there; above capacity it keeps the queue — and what the server must work off after the step, or
      // keeps working on after the client gave up — to a couple of seconds' worth.
      ...(axis === 'rate' ? { maxInFlight: Math.max(16, Math.ceil((2 * level * replicas * slo.latencyMs) / 1000)) } : {}),
      shouldStop: (ws) => isBacklogged(ws, axis) || isClearBreach(ws, slo, rule.tolerance, axis) || isSteady(ws, rule, slo),
      onWindow: (window, index) => emit({ type: 'window', level, index, window }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const point = judgeStep(level, phase, windows, { axis, slo, rule, replicas });
    measured.set(level, point);
    peakInFlight.set(level, windows.reduce((a, w) => Math.max(a, w.inFlightEnd), 0) / replicas);
    if (point.passed) lo = !lo || point.level > lo.level ? point : lo;
    else hi = !hi || point.level < hi.level ? point : hi;
    emit({ type: 'step-end', point, bracket: bracket() });
    return point;
  }

  // Bracket upwards from the start.
  let level = normalize(startLevel);
  while (!stopped()) {
    const p = await step(level, 'bracket', null);
    if (!p.passed) break;
    if (level >= maxLevel) {
      limitedByMaxLevel = true;
      break;
    }
    level = normalize(level * growth);
  }
  // The start failed: come down until a level passes.
  while (!lo && hi && !stopped()) {
    const next = normalize(hi.level / growth);
    if (next >= hi.level) break;
    await step(next, 'bracket', null);
  }
  /**
   * Open loop, when the failing end neither built a clear backlog nor fell short of its rate: a step just
   * above saturation queues too slowly for a few windows to show it, and its latency, read as a steady
   * queue, puts saturation too high. A short closed loop with several times the requests it had in flight
   * measures the saturation throughput directly; it counts only if the clients queued (mean latency well
   * above the unloaded one), i.e. there were more of them than the server works on at once.
   */
  async function probeSaturation(from: CapacityPoint): Promise<void> {
    const lowest = [...measured.values()].sort((a, b) => a.level - b.level)[0]!;
    const concurrency = Math.min(SEARCH_DEFAULTS.concurrency.maxLevel, Math.max(8, 2 * Math.ceil(peakInFlight.get(from.level) ?? 0)));
    emit({ type: 'probe-start', concurrency });
    const windows = await options.measure(concurrency * replicas, {
      axis: 'concurrency',
      windowMs,
      maxWindows: 2,
      shouldStop: (ws) => ws.length >= 2,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const pooled = poolWindows(windows);
    const meanLatencyMs = pooled.latencyMs.mean;
    const achieved = pooled.achievedPerSecond;
    probe = {
      concurrency,
      achievedPerSecond: achieved / replicas,
      meanLatencyMs,
      saturated: windows.length > 0 && achieved > 0 && meanLatencyMs >= 1.5 * lowest.latencyMs.mean,
      loadSeconds: pooled.durationMs / 1000,
    };
    emit({ type: 'probe-end', probe });
  }

  // Refine inside the bracket. Every measured step informs the guess: the queueing shape, rescaled to the
  // latencies measured at both ends, says where the SLO crossing lies; the next level aims just below it,
  // so a pass lands within the resolution of the boundary and the search can stop there. The search stops
  // when the bracket is one resolution step wide, or when the shape — anchored on the passing end — puts the
  // crossing within one resolution step above it. Two missed guesses in a row buy one bisection.
  let misses = 0;
  let stoppedAtSettledLimit: number | null = null;
  while (lo && hi && !stopped()) {
    if (axis === 'rate' && !probe && backlogSaturation() === null) {
      await probeSaturation(hi);
      if (stopped()) break;
    }
    const w = hi.level - lo.level;
    if (w <= width(lo.level) || (axis === 'concurrency' && w <= 1)) break;
    // Open loop: a level within the resolution of the saturation throughput is as high as it goes.
    const ceiling = saturation();
    if (ceiling !== null && ceiling - lo.level <= width(lo.level)) break;
    // Within half the steady-state tolerance of saturation, a queue builds over far longer than a step
    // lasts (an M/M/N queue settles in about 1 / (Nμ(1 − √ρ)²)), so windows cannot tell those levels apart.
    if (ceiling !== null && lo.level >= (1 - rule.tolerance / 2) * ceiling) break;
    const points = [...measured.values()];
    // A passing level on the rising part of the curve, whose percentile is within the measurement noise of
    // the SLO (a quarter of the steady-state tolerance), is the boundary as far as windows can tell.
    if (isRising(points, lo, slo) && lo.latencyMs[slo.percentile] >= (1 - rule.tolerance / 4) * slo.latencyMs) break;
    const limit = settledLimit();
    const crossing = misses >= 2 ? null : estimateCrossing(points, lo, hi, slo, axis, ceiling, probe?.saturated === true, limit);
    // Only where the curve already rises at the passing end is the shape near it measured, not assumed —
    // or where nothing above the passing end settles within a step's windows.
    if (crossing && (isRising(points, lo, slo) || crossing.limitedBySettling)) {
      // Done when the crossing is within a resolution step, or where the search would aim next is: levels
      // lie a step apart, so the next one would land above the aim.
      if (axis === 'concurrency' ? closedLoopDone(lo.level, crossing.level) : openLoopAim(crossing.level, width(lo.level)) < lo.level + width(lo.level)) {
        if (crossing.limitedBySettling && limit !== undefined) stoppedAtSettledLimit = round3(limit);
        break;
      }
    }
    let estimate: number | null;
    // Two misses in a row just over the SLO (within the tolerance): the boundary is right below them, where
    // a bisection would throw away what they showed.
    // Once: a third miss bisects.
    if (misses === 2 && hi.latencyMs[slo.percentile] <= (1 + rule.tolerance) * slo.latencyMs) estimate = hi.level - width(lo.level);
    // Just below the crossing, where a pass ends the search: half a resolution step (closedLoopAim).
    else if (crossing) estimate = axis === 'concurrency' ? closedLoopAim(crossing.level) : openLoopAim(crossing.level, width(lo.level));
    else estimate = misses >= 2 ? null : estimateBoundary(lo, hi, slo, axis);
    // A guess at or below a level that passed: confirm one resolution step above it instead.
    if (estimate !== null && estimate <= lo.level) estimate = lo.level + width(lo.level);
    const next = nextLevel(lo.level, hi.level, estimate, width(lo.level), normalize);
    if (next === null) break;
    const p = await step(next, 'refine', estimate);
    misses = p.passed || estimate === null ? 0 : misses + 1;
  }

  const curve = [...measured.values()].sort((a, b) => a.level - b.level);
  const result: CapacityResult = {
    saturationPerSecond: saturation(),
    axis,
    slo,
    replicas,
    capacityLevel: lo?.level ?? null,
    capacityPerSecond: lo?.achievedPerSecond ?? null,
    failingLevel: hi?.level ?? null,
    ...(probe ? { saturationProbe: probe } : {}),
    limitedByMaxLevel,
    settledLimit: stoppedAtSettledLimit,
    curve,
    cost: {
      loadSeconds: round3(curve.reduce((a, p) => a + p.loadSeconds, 0) + (probe?.loadSeconds ?? 0)),
      levelSeconds: round3(curve.reduce((a, p) => a + p.loadSeconds * p.level, 0) + (probe ? probe.loadSeconds * probe.achievedPerSecond : 0)),
      steps: curve.length,
    },
  };
  emit({ type: 'done', result });
  return result;
}

interface JudgeContext {
  axis: SearchAxis;
  slo: Slo;
  rule: StabilityRule;
  replicas: number;
}

/** Turns a step's windows into one point of the curve, and decides pass or fail. */
export function judgeStep(level: number, phase: CapacityPoint['phase'], windows: readonly WindowResult[], ctx: JudgeContext): CapacityPoint {
  const backlog = isBacklogged(windows, ctx.axis);
  const breach = !backlog && isClearBreach(windows, ctx.slo, ctx.rule.tolerance, ctx.axis);
  const steady = isSteady(windows, ctx.rule, ctx.slo);
  const ended: CapacityPoint['ended'] = backlog ? 'backlog' : breach ? 'breach' : steady ? 'steady' : 'max-windows';
  const judged = windows.slice(-ctx.rule.windows);
  const pooled = poolWindows(judged);
  let passed = false;
  if (windows.length > 0 && ended === 'steady') {
    passed = pooled.latencyMs[ctx.slo.percentile] <= ctx.slo.latencyMs && pooled.errorRate <= ctx.slo.errorRate;
  } else if (windows.length > 0 && ended === 'max-windows') {
    // Never steady: it passes only if every judged window completed requests and met the SLO on its own.
    passed = judged.every((w) => w.completed > 0 && !violatesSlo(w, ctx.slo));
  }
  return {
    axis: ctx.axis,
    level,
    latencyMs: pooled.latencyMs,
    errorRate: pooled.errorRate,
    achievedPerSecond: pooled.achievedPerSecond / ctx.replicas,
    peakWindowPerSecond: windows.reduce((a, w) => Math.max(a, w.achievedPerSecond), 0) / ctx.replicas,
    passed,
    steady,
    backlog,
    ended,
    windows: windows.length,
    loadSeconds: windows.reduce((a, w) => a + w.durationMs, 0) / 1000,
    phase,
  };
}

/**
 * Where the SLO boundary probably is, from the two ends of the bracket:
 * - when the failing end is saturated (it completed clearly less than it was offered, or — in closed loop —
 *   throughput stopped growing with concurrency), the saturation throughput gives the boundary: in open
 *   loop the rate just under it; in closed loop Little's law at the unloaded latency (throughput × latency);
 * - otherwise the log-margin to the SLO is interpolated linearly between the ends.
 * Returns null when the ends give nothing to go on.
 */
export function estimateBoundary(lo: CapacityPoint, hi: CapacityPoint, slo: Slo, axis: SearchAxis): number | null {
  // The best window, not the pooled ones: the first window of an overloaded step is often short of
  // completions while the queue forms.
  const x = Math.max(hi.achievedPerSecond, hi.peakWindowPerSecond);
  // At or below lo, the estimate makes the next step a confirmation just above lo.
  if (axis === 'rate') {
    if (hi.backlog || x < 0.95 * hi.level) return x * 0.98;
  } else {
    const baseMs = lo.latencyMs.mean;
    const linear = baseMs > 0 ? (hi.level * 1000) / baseMs : Infinity;
    const knee = (x * baseMs) / 1000;
    if (x < 0.9 * linear && knee < hi.level) return knee;
  }
  const mLo = margin(lo, slo);
  const mHi = margin(hi, slo);
  if (!(mLo > 0) || !(mHi < 0) || !Number.isFinite(mLo) || !Number.isFinite(mHi)) return null;
  return lo.level + ((hi.level - lo.level) * mLo) / (mLo - mHi);
}

/** ln(limit / observed) for latency and for errors; the smaller wins. Positive = meets the SLO. */
function margin(p: CapacityPoint, slo: Slo): number {
  const latency = Math.log(slo.latencyMs / Math.max(p.latencyMs[slo.percentile], 1e-9));
  const eps = 1e-4;
  const errors = Math.log((slo.errorRate + eps) / (p.errorRate + eps));
  return Math.min(latency, errors);
}

/** The next level: the estimate kept strictly inside the bracket, else the midpoint; null when none is left. */
export function nextLevel(
  lo: number,
  hi: number,
  estimate: number | null,
  step: number,
  normalize: (x: number) => number,
): number | null {
  const inside = (x: number) => x > lo && x < hi;
  let candidate = estimate === null ? (lo + hi) / 2 : clamp(estimate, lo + step, hi - step);
  if (candidate < lo + step || candidate > hi - step) candidate = (lo + hi) / 2;
  let n = normalize(candidate);
  if (!inside(n)) n = normalize((lo + hi) / 2);
  return inside(n) ? n : null;
}

/**
 * Closed loop: aim half a sweep's step (2.5 %) under the crossing, in whole clients; the search is done
 * once the passing end is within a sweep's step (5 %, or one client) of it. Near the crossing one client
 * of many moves the percentile less than the noise between windows, so the client count on the
 * crossing passes or fails by chance, and a step below it ends the search where one on it often would not.
 */
function closedLoopAim(crossing: number): number {
  return Math.floor(crossing - 0.025 * crossing);
}

function closedLoopDone(lo: number, crossing: number): boolean {
  return crossing - lo < Math.max(1, 0.05 * crossing);
}

/** Open loop: aim half a resolution step under the crossing. */
function openLoopAim(crossing: number, step: number): number {
  return crossing - step / 2;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** Rates keep three significant digits: finer steps are below what a window can tell apart. */
function roundRate(x: number): number {
  if (x <= 0) return 0;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(x)));
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
