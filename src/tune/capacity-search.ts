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
import { backlogTrend, confirmWindows, freshRunMargin, pooledPercentile, windowSpread } from './steady.js';
import { DEFAULT_MAX_ERROR_RATE } from '../load/error-bound.js';
import type { CapacityPoint, CapacityResult, Confirmation, SaturationProbe, SearchAxis, Slo, WindowResult } from './types.js';

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
  /**
   * Set while no level has passed: the run stops at once, throwing ErrorBoundExceeded (src/load/error-bound.ts),
   * when more than this share of its requests fail — the rule of loadtest's --max-error-rate.
   */
  failFast?: { maxErrorRate: number };
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
  /** Before any level passed, a step whose requests fail beyond this share ends the search (default 50 %). */
  maxErrorRate?: number;
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
  const run = new SearchRun(options);
  await bracketUp(run);
  // Refine to an answer, then hold it longer on a fresh run; a hold that fails makes its level the failing
  // end, and the search goes on below it.
  while (!run.stopped()) {
    await bracketDown(run);
    await refine(run);
    const answer = run.lo;
    if (!answer || run.stopped()) break;
    // A level measured by a hold (see holdSteps) is its own confirmation.
    const held = run.heldAt(answer.level) ?? (await run.confirm(answer));
    if (held.passed || !held.complete) {
      run.confirmation = held.passed ? held : null;
      break;
    }
  }
  return run.finish();
}

/** What a search holds between its phases: every step measured, the bracket, the probe, the holds. */
class SearchRun {
  readonly axis: SearchAxis;
  readonly slo: Slo;
  readonly replicas: number;
  readonly growth: number;
  readonly windowMs: number;
  readonly minLevel: number;
  readonly startLevel: number;
  readonly maxLevel: number;
  readonly resolution: Resolution;
  readonly rule: StabilityRule;
  readonly maxSteps: number;
  readonly emit: (event: SearchEvent) => void;
  readonly measured = new Map<number, CapacityPoint>();
  lo: CapacityPoint | undefined;
  hi: CapacityPoint | undefined;
  limitedByMaxLevel = false;
  stoppedAtSettledLimit: number | null = null;
  probe: SaturationProbe | undefined;
  confirmation: Confirmation | null = null;
  /**
   * Set once a hold saw a backlog at a level its step had passed: this server fools the step rule (its
   * queue grows slower than a step shows), and the queueing shape read off those steps with it, so from
   * then on every step is a hold and the bracket is bisected.
   */
  holdSteps = false;
  /** Set when a hold failed only on its percentile (with its fresh-run margin): the next step goes below it. */
  justOver = false;
  /**
   * The latency an answer's step must meet to stand as the passing end: the SLO, until a hold fails on its
   * percentile plus its fresh-run margin; then the SLO less that margin, since a level whose steps read
   * above it would not reproduce on a fresh run either. Steps keep their verdict against the SLO in the
   * curve; the bracket and the aim of refine use this.
   */
  aimMs: number;
  /** Holds refuted one after another since the last that passed: from the second on, refine bisects. */
  refutedInARow = 0;
  /** Steps whose level a failed hold took over in the curve: still in the cost. */
  private readonly replaced: CapacityPoint[] = [];
  /** Levels measured by a hold that passed, with what it measured. */
  private readonly holds = new Map<number, Confirmation>();
  readonly unconfirmed: Confirmation[] = [];
  /** Open loop: the most requests seen in flight at each level, for sizing the saturation probe. */
  private readonly peakInFlight = new Map<number, number>();
  private runs = 0;

  constructor(private readonly options: CapacitySearchOptions) {
    const axis = options.axis;
    const defaults = SEARCH_DEFAULTS[axis];
    this.axis = axis;
    this.slo = options.slo;
    this.aimMs = options.slo.latencyMs;
    this.replicas = Math.max(1, options.replicas ?? 1);
    this.growth = Math.max(1.25, options.growth ?? SEARCH_DEFAULTS.growth);
    this.windowMs = options.windowMs ?? SEARCH_DEFAULTS.windowMs;
    // In open loop, a level below a few requests per window cannot be measured at all; and a percentile of
    // fewer than 20 is little more than the slowest of them, so the search starts where a window holds 20.
    this.minLevel = options.minLevel ?? (axis === 'rate' ? Math.max(defaults.minLevel, 5000 / this.windowMs) : defaults.minLevel);
    this.startLevel = options.startLevel ?? (axis === 'rate' ? Math.max(defaults.startLevel, 20_000 / this.windowMs) : defaults.startLevel);
    this.maxLevel = options.maxLevel ?? defaults.maxLevel;
    this.resolution = { ...defaults.resolution, ...options.resolution };
    this.rule = { ...DEFAULT_STABILITY, ...options.stability };
    this.maxSteps = options.maxSteps ?? SEARCH_DEFAULTS.maxSteps;
    this.emit = options.onEvent ?? (() => {});
  }

  normalize(x: number): number {
    return clamp(this.axis === 'concurrency' ? Math.round(x) : roundRate(x), this.minLevel, this.maxLevel);
  }

  width(lo: number): number {
    return Math.max(this.resolution.absolute, this.resolution.relative * lo);
  }

  bracket(): Bracket {
    return { lo: this.lo?.level ?? null, hi: this.hi?.level ?? null };
  }

  aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  stopped(): boolean {
    return this.aborted() || this.runs >= this.maxSteps;
  }

  /** The saturation throughput per replica and the seconds it was measured over. */
  backlogSaturation(): { perSecond: number; seconds: number } | null {
    // Two windows at least: one alone may end before the queue has formed.
    const backlogged = [...this.measured.values()].filter((p) => p.windows >= 2 && (p.backlog || (!p.passed && p.peakWindowPerSecond < 0.9 * p.level)));
    if (backlogged.length === 0) return null;
    // Their pooled throughput, not the best window (the best of a few is biased high by their noise); and a
    // rate that built a backlog is above saturation, whatever throughput its windows showed.
    const fastest = backlogged.reduce((a, p) => (p.completedPerSecond > a.completedPerSecond ? p : a));
    return { perSecond: Math.min(fastest.completedPerSecond, ...backlogged.map((p) => p.level)), seconds: fastest.loadSeconds };
  }

  saturationMeasured(): { perSecond: number; seconds: number } | null {
    if (this.axis !== 'rate') return null;
    return this.probe?.saturated ? { perSecond: this.probe.completedPerSecond, seconds: this.probe.loadSeconds } : this.backlogSaturation();
  }

  saturation(): number | null {
    return this.saturationMeasured()?.perSecond ?? null;
  }

  /**
   * Open loop: the highest level whose queue settles within SETTLE_WINDOWS windows, from the low end of
   * what the saturation could be: it was counted over a few seconds (completions scatter by √n), and
   * taking it one deviation low keeps that noise from pushing steps past what windows can judge.
   */
  settledLimit(): number | undefined {
    const measuredSat = this.saturationMeasured();
    if (!measuredSat) return undefined;
    const count = measuredSat.perSecond * this.replicas * measuredSat.seconds;
    const low = measuredSat.perSecond * Math.max(0, 1 - 1 / Math.sqrt(Math.max(count, 1)));
    return settledRateLimit(low, (SETTLE_WINDOWS * this.windowMs) / 1000);
  }

  /**
   * The engine's run for one level. Until a level has passed, a run whose requests mostly fail stops at
   * once (the endpoint is broken, not loaded: nothing was lighter than what failed); afterwards errors are
   * how an overloaded level fails.
   */
  private run(level: number, control: Omit<MeasureControl, 'signal' | 'failFast'>): Promise<WindowResult[]> {
    this.runs++;
    return this.options.measure(level * this.replicas, {
      ...control,
      ...(this.lo ? {} : { failFast: { maxErrorRate: this.options.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE } }),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  async step(level: number, phase: CapacityPoint['phase'], estimate: number | null): Promise<CapacityPoint> {
    const known = this.measured.get(level);
    if (known) return known;
    // Every phase aims below the lowest failing level; one at or above it would be measured again blind.
    if (this.hi && level >= this.hi.level) throw new Error(`capacity search: level ${level} is at or above the failing level ${this.hi.level}`);
    if (this.holdSteps) {
      const held = await this.hold(level, phase, estimate);
      this.record(held.point);
      if (held.confirmation.passed) this.holds.set(level, held.confirmation);
      this.emit({ type: 'step-end', point: held.point, bracket: this.bracket() });
      return held.point;
    }
    this.emit({ type: 'step-start', level, phase, bracket: this.bracket(), estimate });
    const { axis, slo, rule, replicas } = this;
    const windows = await this.run(level, {
      axis,
      windowMs: this.windowMs,
      maxWindows: rule.maxWindows,
      // A level that meets the SLO has about rate × latency in flight, so twice rate × SLO never binds
      // there; above capacity it keeps the queue — and what the server must work off after the step, or
      // keeps working on after the client gave up — to a couple of seconds' worth.
      ...(axis === 'rate' ? { maxInFlight: Math.max(16, Math.ceil((2 * level * replicas * slo.latencyMs) / 1000)) } : {}),
      shouldStop: (ws) =>
        isBacklogged(ws, axis) || isClearBreach(ws, slo, rule.tolerance, axis) || (isSteady(ws, rule, slo) && !backlogTrend(ws, axis).growing),
      onWindow: (window, index) => this.emit({ type: 'window', level, index, window }),
    });
    const point = judgeStep(level, phase, windows, { axis, slo, rule, replicas });
    this.record(point);
    this.peakInFlight.set(level, windows.reduce((a, w) => Math.max(a, w.inFlightEnd), 0) / replicas);
    this.emit({ type: 'step-end', point, bracket: this.bracket() });
    return point;
  }

  /** The SLO with the latency an answer must meet (aimMs): what refine aims at and brackets on. */
  aimSlo(): Slo {
    return { ...this.slo, latencyMs: this.aimMs };
  }

  private record(point: CapacityPoint): void {
    this.measured.set(point.level, point);
    this.rebracket();
  }

  /**
   * The bracket from every point measured: the failing end is the lowest level that failed, or whose
   * percentile is over the aim; the passing end the highest level below it that passed within the aim.
   */
  private rebracket(): void {
    const p = this.slo.percentile;
    const good = (x: CapacityPoint) => x.passed && x.latencyMs[p] <= this.aimMs;
    const points = [...this.measured.values()].sort((a, b) => a.level - b.level);
    this.hi = points.find((x) => !good(x));
    this.lo = points.filter((x) => good(x) && (!this.hi || x.level < this.hi.level)).pop();
  }

  /**
   * Open loop, when the failing end neither built a clear backlog nor fell short of its rate: a step just
   * above saturation queues too slowly for a few windows to show it, and its latency, read as a steady
   * queue, puts saturation too high. A short closed loop with several times the requests it had in flight
   * measures the saturation throughput directly; it counts only if the clients queued (mean latency well
   * above the unloaded one), i.e. there were more of them than the server works on at once.
   */
  async probeSaturation(from: CapacityPoint): Promise<void> {
    const lowest = [...this.measured.values()].sort((a, b) => a.level - b.level)[0]!;
    const concurrency = Math.min(SEARCH_DEFAULTS.concurrency.maxLevel, Math.max(8, 2 * Math.ceil(this.peakInFlight.get(from.level) ?? 0)));
    this.emit({ type: 'probe-start', concurrency });
    const windows = await this.run(concurrency, { axis: 'concurrency', windowMs: this.windowMs, maxWindows: 2, shouldStop: (ws) => ws.length >= 2 });
    const pooled = poolWindows(windows);
    const meanLatencyMs = pooled.latencyMs.mean;
    const completed = pooled.completedPerSecond;
    this.probe = {
      concurrency,
      completedPerSecond: completed / this.replicas,
      sentPerSecond: pooled.sentPerSecond / this.replicas,
      meanLatencyMs,
      saturated: windows.length > 0 && completed > 0 && meanLatencyMs >= 1.5 * lowest.latencyMs.mean,
      loadSeconds: pooled.durationMs / 1000,
    };
    this.emit({ type: 'probe-end', probe: this.probe });
  }

  /**
   * The answer held again, fresh and longer (confirmWindows): a queue that grows slower than a step lasts
   * shows in it, and its windows' spread is the answer's confidence. A hold that fails replaces the step
   * that passed there, so that level becomes the failing end.
   */
  async confirm(answer: CapacityPoint): Promise<Confirmation> {
    const level = answer.level;
    const held = await this.hold(level, 'confirm', null);
    this.refutedInARow = held.confirmation.passed ? 0 : this.refutedInARow + 1;
    if (!held.confirmation.passed && held.confirmation.complete) {
      this.unconfirmed.push(held.confirmation);
      // A queue that grew under the hold fooled the step rule; a percentile just over the SLO is the
      // boundary's own noise, and the next step below settles it as before.
      if (held.confirmation.growing) this.holdSteps = true;
      else {
        this.justOver = true;
        // Refuted by its margin alone (its requests pooled met the SLO): steps that read above what it
        // needed would fail a hold too. A hold over the SLO outright says nothing of the margin at the
        // answer (its windows scatter as a queue that builds does), so it leaves the aim alone; and no
        // margin takes the aim below half the SLO, where nothing the windows tell would be judged.
        const c = held.confirmation;
        if (c.latencyMs[this.slo.percentile] <= this.slo.latencyMs) {
          this.aimMs = Math.min(this.aimMs, Math.max(this.slo.latencyMs / 2, this.slo.latencyMs - (c.marginMs ?? 0)));
        }
      }
      this.replaced.push(answer);
      this.measured.delete(level);
      if (this.limitedByMaxLevel && level >= this.maxLevel) this.limitedByMaxLevel = false;
      this.stoppedAtSettledLimit = null;
      this.record(held.point);
    }
    this.emit({ type: 'step-end', point: held.point, bracket: this.bracket() });
    return held.confirmation;
  }

  heldAt(level: number): Confirmation | undefined {
    return this.holds.get(level);
  }

  /** One level held for confirmWindows windows, run whole unless it clearly breaches or backs up. */
  private async hold(level: number, phase: CapacityPoint['phase'], estimate: number | null): Promise<{ confirmation: Confirmation; point: CapacityPoint }> {
    const { axis, slo, rule, replicas } = this;
    const needed = confirmWindows(rule.windows);
    this.emit({ type: 'step-start', level, phase, bracket: this.bracket(), estimate });
    const windows = await this.run(level, {
      axis,
      windowMs: this.windowMs,
      maxWindows: needed,
      ...(axis === 'rate' ? { maxInFlight: Math.max(16, Math.ceil((2 * level * replicas * slo.latencyMs) / 1000)) } : {}),
      shouldStop: (ws) => isBacklogged(ws, axis) || isClearBreach(ws, slo, rule.tolerance, axis),
      onWindow: (window, index) => this.emit({ type: 'window', level, index, window }),
    });
    const held = judgeConfirmation(level, windows, needed, { axis, slo, rule, replicas });
    return { confirmation: held.confirmation, point: { ...held.point, phase } };
  }

  finish(): CapacityResult {
    const curve = [...this.measured.values()].sort((a, b) => a.level - b.level);
    // A failed hold replaced its step in the curve, and a hold step is one, so both are counted there; a
    // passing confirmation of a step is not in it.
    const separate = this.confirmation && !this.heldAt(this.confirmation.level) ? this.confirmation : null;
    const holdSeconds = separate?.loadSeconds ?? 0;
    const holdLevelSeconds = separate ? separate.loadSeconds * separate.level : 0;
    const probe = this.probe;
    const result: CapacityResult = {
      saturationPerSecond: this.saturation(),
      axis: this.axis,
      slo: this.slo,
      replicas: this.replicas,
      capacityLevel: this.lo?.level ?? null,
      capacityPerSecond: this.lo?.completedPerSecond ?? null,
      failingLevel: this.hi?.level ?? null,
      ...(probe ? { saturationProbe: probe } : {}),
      limitedByMaxLevel: this.limitedByMaxLevel,
      settledLimit: this.stoppedAtSettledLimit,
      confirmation: this.confirmation,
      unconfirmed: this.unconfirmed,
      curve,
      cost: {
        loadSeconds: round3([...curve, ...this.replaced].reduce((a, p) => a + p.loadSeconds, 0) + (probe?.loadSeconds ?? 0) + holdSeconds),
        levelSeconds: round3([...curve, ...this.replaced].reduce((a, p) => a + p.loadSeconds * p.level, 0) + (probe ? probe.loadSeconds * probe.completedPerSecond : 0) + holdLevelSeconds),
        steps: curve.length + (separate ? 1 : 0),
      },
    };
    this.emit({ type: 'done', result });
    return result;
  }
}

/** Upwards from the start, multiplying the level while steps pass. */
async function bracketUp(run: SearchRun): Promise<void> {
  let level = run.normalize(run.startLevel);
  while (!run.stopped()) {
    const p = await run.step(level, 'bracket', null);
    if (!p.passed) break;
    if (level >= run.maxLevel) {
      run.limitedByMaxLevel = true;
      break;
    }
    level = run.normalize(level * run.growth);
  }
}

/** No level has passed (the start failed, or the hold of the only pass did): come down until one does. */
async function bracketDown(run: SearchRun): Promise<void> {
  while (!run.lo && run.hi && !run.stopped()) {
    const next = run.normalize(run.hi.level / run.growth);
    if (next >= run.hi.level) break;
    await run.step(next, 'bracket', null);
  }
}

/**
 * Inside the bracket. Every measured step informs the guess: the queueing shape, rescaled to the
 * latencies measured at both ends, says where the SLO crossing lies; the next level aims just below it,
 * so a pass lands within the resolution of the boundary and the search can stop there. The search stops
 * when the bracket is one resolution step wide, or when the shape — anchored on the passing end — puts the
 * crossing within one resolution step above it. Two missed guesses in a row buy one bisection.
 */
async function refine(run: SearchRun): Promise<void> {
  const { axis, rule } = run;
  let misses = 0;
  while (run.lo && run.hi && !run.stopped()) {
    const slo = run.aimSlo();
    if (axis === 'rate' && !run.probe && run.backlogSaturation() === null) {
      await run.probeSaturation(run.hi);
      if (run.stopped()) break;
    }
    const lo = run.lo;
    const hi = run.hi;
    if (refinedEnough(run, lo, hi)) break;
    const points = [...run.measured.values()];
    const ceiling = run.saturation();
    const limit = run.settledLimit();
    // Once a hold's fresh-run margin lowered the aim, the shape (anchored on the SLO's latencies) is not
    // used: the ends are interpolated instead (marginAim).
    const lowered = run.aimMs < run.slo.latencyMs;
    const crossing =
      misses >= 2 || run.holdSteps || lowered ? null : estimateCrossing(points, lo, hi, slo, axis, ceiling, run.probe?.saturated === true, limit);
    const width = run.width(lo.level);
    // Only where the curve already rises at the passing end is the shape near it measured, not assumed —
    // or where nothing above the passing end settles within a step's windows.
    if (crossing && (isRising(points, lo, slo) || crossing.limitedBySettling)) {
      // Done when the crossing is within a resolution step, or where the search would aim next is: levels
      // lie a step apart, so the next one would land above the aim.
      if (axis === 'concurrency' ? closedLoopDone(lo.level, crossing.level) : openLoopAim(crossing.level, width) < lo.level + width) {
        if (crossing.limitedBySettling && limit !== undefined) run.stoppedAtSettledLimit = round3(limit);
        break;
      }
    }
    let estimate: number | null;
    // Holds refuted twice in a row: the boundary is not right below the last one (or the windows are too
    // noisy to tell one step from the next), so halve the bracket rather than creep down a step a hold.
    if (run.justOver && run.refutedInARow >= 2 && axis === 'rate') {
      run.justOver = false;
      estimate = null;
    }
    // A hold just over the SLO at a level whose step passed: the boundary is right below it.
    else if (run.justOver && (axis === 'concurrency' || !lowered)) {
      run.justOver = false;
      estimate = hi.level - width;
    }
    // Below a lowered aim: where the latency interpolated between the ends meets it.
    else if (lowered) {
      run.justOver = false;
      estimate = marginAim(lo, hi, slo);
    }
    // Two misses in a row just over the SLO (within the tolerance): the boundary is right below them, where
    // a bisection would throw away what they showed. Once: a third miss bisects.
    else if (misses === 2 && hi.latencyMs[slo.percentile] <= (1 + rule.tolerance) * slo.latencyMs) estimate = hi.level - width;
    // Just below the crossing, where a pass ends the search: half a resolution step (closedLoopAim).
    else if (crossing) estimate = axis === 'concurrency' ? closedLoopAim(crossing.level) : openLoopAim(crossing.level, width);
    else estimate = misses >= 2 || run.holdSteps ? null : estimateBoundary(lo, hi, slo, axis);
    // A guess at or below a level that passed: confirm one resolution step above it instead.
    if (estimate !== null && estimate <= lo.level) estimate = lo.level + width;
    const next = nextLevel(lo.level, hi.level, estimate, width, (x) => run.normalize(x));
    if (next === null) break;
    const p = await run.step(next, 'refine', estimate);
    misses = p.passed || estimate === null ? 0 : misses + 1;
  }
}

/**
 * The level between the ends where the SLO percentile, interpolated linearly in the level, meets the
 * aim (the SLO less a hold's fresh-run margin); both ends measured it, the failing end above the aim.
 */
function marginAim(lo: CapacityPoint, hi: CapacityPoint, slo: Slo): number | null {
  const a = lo.latencyMs[slo.percentile];
  const b = hi.latencyMs[slo.percentile];
  if (!(b > a) || !Number.isFinite(b)) return null;
  return lo.level + ((slo.latencyMs - a) / (b - a)) * (hi.level - lo.level);
}

/** The bracket is as narrow as windows can tell, before any shape is consulted. */
function refinedEnough(run: SearchRun, lo: CapacityPoint, hi: CapacityPoint): boolean {
  const w = hi.level - lo.level;
  if (w <= run.width(lo.level) || (run.axis === 'concurrency' && w <= 1)) return true;
  // Open loop: a level within the resolution of the saturation throughput is as high as it goes.
  const ceiling = run.saturation();
  if (ceiling !== null && ceiling - lo.level <= run.width(lo.level)) return true;
  // Within half the steady-state tolerance of saturation, a queue builds over far longer than a step lasts
  // (an M/M/N queue settles in about 1 / (Nμ(1 − √ρ)²)), so windows cannot tell those levels apart.
  if (ceiling !== null && lo.level >= (1 - run.rule.tolerance / 2) * ceiling) return true;
  // A passing level on the rising part of the curve, whose percentile is within the measurement noise of
  // the SLO (a quarter of the steady-state tolerance), is the boundary as far as windows can tell.
  const slo = run.aimSlo();
  return isRising([...run.measured.values()], lo, slo) && lo.latencyMs[slo.percentile] >= (1 - run.rule.tolerance / 4) * slo.latencyMs;
}

interface JudgeContext {
  axis: SearchAxis;
  slo: Slo;
  rule: StabilityRule;
  replicas: number;
}

/** Turns a step's windows into one point of the curve, and decides pass or fail. */
export function judgeStep(level: number, phase: CapacityPoint['phase'], windows: readonly WindowResult[], ctx: JudgeContext): CapacityPoint {
  // A queue still growing over the step's windows is a backlog even when their percentiles agree.
  const backlog = isBacklogged(windows, ctx.axis) || backlogTrend(windows, ctx.axis).growing;
  const breach = !backlog && isClearBreach(windows, ctx.slo, ctx.rule.tolerance, ctx.axis);
  const steady = !backlog && isSteady(windows, ctx.rule, ctx.slo);
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
    completedPerSecond: pooled.completedPerSecond / ctx.replicas,
    sentPerSecond: pooled.sentPerSecond / ctx.replicas,
    ...tokensPerReplica(pooled, ctx.replicas),
    peakWindowPerSecond: windows.reduce((a, w) => Math.max(a, w.completedPerSecond), 0) / ctx.replicas,
    passed,
    steady,
    backlog,
    ended,
    windows: windows.length,
    loadSeconds: windows.reduce((a, w) => a + w.durationMs, 0) / 1000,
    answered: judged.reduce((a, w) => a + w.completed, 0),
    phase,
  };
}

/**
 * A confirming hold: it passes when it ran all its windows, built no backlog (not even a slow one, see
 * backlogTrend) and its windows pooled meet the SLO. As a point of the curve (used when it failed) it
 * stands for the level in place of the step that passed there.
 */
export function judgeConfirmation(
  level: number,
  windows: readonly WindowResult[],
  needed: number,
  ctx: JudgeContext,
): { confirmation: Confirmation; point: CapacityPoint } {
  const mean = poolWindows(windows);
  // Judged as a load test of the same length would be: the percentile over all its requests.
  const pooled = { ...mean, latencyMs: { ...mean.latencyMs, [ctx.slo.percentile]: pooledPercentile(windows, ctx.slo.percentile) } };
  const backlog = isBacklogged(windows, ctx.axis) || backlogTrend(windows, ctx.axis).growing;
  const breach = !backlog && isClearBreach(windows, ctx.slo, ctx.rule.tolerance, ctx.axis);
  const ranOut = backlog || breach;
  const complete = windows.length >= needed || ranOut;
  const marginMs = freshRunMargin(windows, ctx.slo.percentile);
  const passed =
    windows.length >= needed &&
    !ranOut &&
    windows.every((w) => w.completed > 0) &&
    pooled.latencyMs[ctx.slo.percentile] + marginMs <= ctx.slo.latencyMs &&
    pooled.errorRate <= ctx.slo.errorRate;
  const loadSeconds = windows.reduce((a, w) => a + w.durationMs, 0) / 1000;
  const confirmation: Confirmation = {
    level,
    passed,
    complete,
    windows: windows.length,
    loadSeconds,
    latencyMs: pooled.latencyMs,
    errorRate: pooled.errorRate,
    completedPerSecond: pooled.completedPerSecond / ctx.replicas,
    sentPerSecond: pooled.sentPerSecond / ctx.replicas,
    growing: backlog,
    spread: windowSpread(windows, ctx.slo.percentile),
    marginMs,
  };
  const point: CapacityPoint = {
    axis: ctx.axis,
    level,
    latencyMs: pooled.latencyMs,
    errorRate: pooled.errorRate,
    completedPerSecond: pooled.completedPerSecond / ctx.replicas,
    sentPerSecond: pooled.sentPerSecond / ctx.replicas,
    ...tokensPerReplica(pooled, ctx.replicas),
    peakWindowPerSecond: windows.reduce((a, w) => Math.max(a, w.completedPerSecond), 0) / ctx.replicas,
    passed,
    steady: !ranOut,
    backlog,
    ended: backlog ? 'backlog' : breach ? 'breach' : 'max-windows',
    windows: windows.length,
    loadSeconds,
    answered: windows.reduce((a, w) => a + w.completed, 0),
    phase: 'confirm',
  };
  return { confirmation, point };
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
  const x = Math.max(hi.completedPerSecond, hi.peakWindowPerSecond);
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

function tokensPerReplica(pooled: { outputTokensPerSecond?: number }, replicas: number): { outputTokensPerSecond?: number } {
  return pooled.outputTokensPerSecond === undefined ? {} : { outputTokensPerSecond: pooled.outputTokensPerSecond / replicas };
}
