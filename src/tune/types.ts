/**
 * Data shared by the capacity search, the recommendation, the reports and `mdl tune --json`.
 * Plain JSON only; times in milliseconds unless the name says seconds, rates per second.
 */

/** What the search varies: in-flight requests (closed loop) or arrival rate (open loop). */
export type SearchAxis = 'concurrency' | 'rate';

export type PercentileName = 'p50' | 'p90' | 'p95' | 'p99';

export interface LatencyPercentiles {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** One measurement window (perf_analyzer's "measurement interval") at a fixed load level. */
export interface WindowResult {
  durationMs: number;
  sent: number;
  completed: number;
  failed: number;
  /** Sends the schedule wanted but could not make (open loop only). */
  dropped: number;
  /** Completions per second in this window: every request that completed in it, also those sent before it
   *  (in warm-up or an earlier window), so it is what the server delivered. */
  completedPerSecond: number;
  /** Latency of the requests completed in this window (from the scheduled send time). */
  latencyMs: LatencyPercentiles;
  /** Requests in flight when the window began and when it ended: growth means a backlog. */
  inFlightStart: number;
  inFlightEnd: number;
  /** Streamed output tokens per second in this window (openai targets only). */
  outputTokensPerSecond?: number;
}

/** The service level a replica must keep: one latency percentile and an error rate. */
export interface Slo {
  percentile: PercentileName;
  latencyMs: number;
  /** Fraction in [0, 1]. */
  errorRate: number;
}

/** Where a number came from, so every number in the output can say so. */
export type Provenance = 'measured' | 'derived' | 'simulated' | 'spec' | 'flag' | 'default';

export interface Sourced<T> {
  value: T;
  source: Provenance;
  /** One line: how it was obtained ("p95 at 24 in-flight", "cold start × growth"). */
  note: string;
}

/** One measured level of the capacity curve. */
export interface CapacityPoint {
  axis: SearchAxis;
  /** Concurrency (in-flight requests) or offered rate per second, per replica. */
  level: number;
  latencyMs: LatencyPercentiles;
  errorRate: number;
  /** Completions per second per replica in the judged windows (what the server delivered). */
  completedPerSecond: number;
  /** Requests sent per second per replica within the judged windows (not in warm-up): beside
   *  completedPerSecond, what was offered against what came back. Absent in a TuneResult upgraded from
   *  version 1, which did not record it. */
  sentPerSecond?: number;
  /** Streamed output tokens per second per replica in the judged windows; only for targets that stream
   *  tokens (openai), where the cost of a million output tokens follows from it. */
  outputTokensPerSecond?: number;
  /** The best single window's completions per second per replica (at saturation: the server's throughput). */
  peakWindowPerSecond: number;
  passed: boolean;
  /** True when the last windows agreed within the tolerance (steady state). */
  steady: boolean;
  /** True when an open-loop step was stopped because a backlog was building. */
  backlog: boolean;
  /** Why the step ended: steady, clear SLO breach, backlog, or window limit. */
  ended: 'steady' | 'breach' | 'backlog' | 'max-windows';
  windows: number;
  /** Seconds of load applied at this level. */
  loadSeconds: number;
  /**
   * Requests answered in the windows judged. 0: no latency was measured; latencyMs then holds what the
   * search assumes (at least a window per request), which no output shows (null in --json).
   */
  answered?: number;
  /** confirm: the answer held again, longer (a hold that failed stands in the curve for its level). */
  phase: 'bracket' | 'refine' | 'confirm';
}

/**
 * The answer held again on a fresh, longer run (src/tune/steady.ts): what it measured, and the spread of
 * its windows' SLO percentile, which is how sure the answer is.
 */
export interface Confirmation {
  /** Per replica. */
  level: number;
  passed: boolean;
  /** False when it was interrupted before its windows ran: neither confirmed nor refuted. */
  complete: boolean;
  windows: number;
  loadSeconds: number;
  latencyMs: LatencyPercentiles;
  errorRate: number;
  /** Completions per second per replica over the hold. */
  completedPerSecond: number;
  /** Requests sent per second per replica over the hold. Absent in a TuneResult upgraded from version 1. */
  sentPerSecond?: number;
  /** True when its backlog grew: in two windows in a row, or over all of them (in-flight and latency rising beyond noise). */
  growing: boolean;
  /** The SLO percentile's lowest and highest window; null when no window answered. */
  spread: { windows: number; minMs: number; maxMs: number; relative: number } | null;
  /**
   * How far above the hold's percentile a fresh run of its length may read it (src/tune/steady.ts,
   * freshRunMargin); the hold passed only with its percentile plus this within the SLO. Absent in a
   * TuneResult written before it was judged so.
   */
  marginMs?: number;
}

export interface SaturationProbe {
  /** Clients (in flight) per replica. */
  concurrency: number;
  /** Completions per second per replica: the saturation throughput when `saturated`. */
  completedPerSecond: number;
  /** Requests sent per second per replica. Absent in a TuneResult upgraded from version 1. */
  sentPerSecond?: number;
  meanLatencyMs: number;
  saturated: boolean;
  loadSeconds: number;
}

export interface CapacityResult {
  axis: SearchAxis;
  slo: Slo;
  replicas: number;
  /** Highest level that met the SLO, or null when even the lowest level failed. */
  capacityLevel: number | null;
  /** Completions per second per replica at that level. */
  capacityPerSecond: number | null;
  /**
   * Lowest level that failed, when one was found (the other end of the final bracket) — or, once a hold's
   * fresh-run margin lowered the aim (docs/tune.md, *Confirm*), whose step read over that aim.
   */
  failingLevel: number | null;
  /**
   * Open loop: the throughput a backlogged step saw the server sustain. No rate above it can be carried, so
   * it bounds the capacity from above without another step.
   */
  saturationPerSecond: number | null;
  /**
   * Open loop: a short closed-loop run at many more requests in flight than the server works on at once,
   * whose throughput is the server's saturation throughput (per replica). Run when the failing end of the
   * bracket neither built a clear backlog nor told its throughput; `saturated` is false when the clients
   * did not queue (too few of them), and then it was not used.
   */
  saturationProbe?: SaturationProbe;
  /** True when the search stopped at maxLevel while still passing: capacity is at least that. */
  limitedByMaxLevel: boolean;
  /**
   * Open loop: the highest rate per replica whose queue settles within one window (see settledRateLimit
   * in src/tune/crossing.ts), when the search stopped there rather than at the SLO crossing: levels above
   * it could meet the SLO, but no window of this length can judge them. Null otherwise.
   */
  settledLimit: number | null;
  /** The hold that confirmed capacityLevel; null when none did (no level passed, or it was interrupted). */
  confirmation?: Confirmation | null;
  /** Holds that failed, in order: each made its level the failing end, and the search went on below it. */
  unconfirmed?: Confirmation[];
  /** Every measured step, sorted by level. */
  curve: CapacityPoint[];
  /** Sum over steps (and the saturation probe) of seconds under load, and of level × seconds (what the
   *  server was made to carry; the probe counted at its throughput). */
  cost: { loadSeconds: number; levelSeconds: number; steps: number };
}
