/**
 * The load engine's contract with everything that consumes it: the dashboard, the plain reporter,
 * --json, --out, reports and tune. Plain JSON data only. Times are milliseconds, rates per second.
 */


/** 2: `throughput.achievedPerSecond` (which counted sent requests) became `sentPerSecond` and
 *  `completedPerSecond`; the same in each second of `series`. */
export const LOAD_RESULT_SCHEMA_VERSION = 2;

export type LoadProtocol = 'http' | 'kserve-v2' | 'openai';
export type ArrivalProcess = 'constant' | 'poisson';

/** One stage of an open-loop schedule: the rate moves linearly from the previous stage's rate to this one. */
export interface Stage {
  durationMs: number;
  /** Target requests per second at the end of the stage. */
  targetPerSecond: number;
}

export type LoadMode =
  | { kind: 'rate'; ratePerSecond: number; arrival: ArrivalProcess }
  | { kind: 'stages'; stages: Stage[]; arrival: ArrivalProcess }
  | { kind: 'concurrency'; concurrency: number };

/** Latency summary in milliseconds. */
export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

/**
 * Error classes: fixed names for transport faults, `http_<code>` for HTTP statuses
 * (e.g. http_503), so counts can be summed across seconds as plain records.
 */
export type ErrorClass =
  | 'connect_refused'
  | 'connect_timeout'
  | 'reset'
  | 'timeout'
  | 'tls'
  | 'malformed'
  | 'other'
  | `http_${number}`;

export interface LlmSummary {
  ttftMs: LatencySummary;
  /** Every gap between consecutive streamed chunks, pooled over requests (vLLM's definition). */
  itlMs: LatencySummary;
  /** (e2e − TTFT) / (output tokens − 1), per request (vLLM's TPOT). */
  tpotMs: LatencySummary;
  outputTokensPerSecond: number;
  /** Requests per second that met every SLO threshold. */
  goodputPerSecond: number;
  /** True when token counts came from counting chunks rather than the server's usage object. */
  tokenCountsApproximate: boolean;
}

/** What the engine emits once a second while it runs; `second` counts from the start of measurement. */
export interface LoadSnapshot {
  second: number;
  /** Wall-clock ms since the epoch at the end of this second. */
  timestampMs: number;
  /** Whether this second is warm-up (excluded from the result). */
  warmup: boolean;
  elapsedMs: number;
  /** Planned total (warm-up + duration) when known. */
  totalMs: number | undefined;
  /** Index into the stages when the mode has stages. */
  stageIndex: number | undefined;
  targetPerSecond: number | undefined;
  sent: number;
  completed: number;
  failed: number;
  dropped: number;
  inFlight: number;
  /** Requests scheduled in warm-up that completed in this measured second (not in `completed`): with them,
   *  completions count what the server delivered in the second. */
  warmupCompleted?: number;
  /** Requests sent in this second, per second. */
  sentPerSecond: number;
  /** Requests that got a successful response in this second, per second (failures not counted). */
  completedPerSecond: number;
  /** Latency of the requests completed in this second (corrected: from the scheduled send time). */
  latencyMs: LatencySummary;
  serviceTimeMs: LatencySummary;
  errors: Partial<Record<ErrorClass, number>>;
  llm?: { ttftMs: LatencySummary; itlMs: LatencySummary; outputTokensPerSecond: number };
  /** Running totals since the start of measurement, so a view needs no memory of its own. */
  totals: { sent: number; completed: number; failed: number; dropped: number };
}

export interface ThresholdOutcome {
  /** As the user wrote it: "p95<300ms". */
  expression: string;
  metric: string;
  observed: number | null;
  limit: number;
  unit: 'ms' | 'ratio' | 'perSecond';
  passed: boolean;
  /** Where it came from: a --threshold flag or the spec's slo. */
  source: 'flag' | 'spec';
}

export interface LoadResult {
  schemaVersion: typeof LOAD_RESULT_SCHEMA_VERSION;
  /** proxy: the HTTP proxy the requests went through (HTTP_PROXY/HTTPS_PROXY), credentials left out. */
  target: { url: string; protocol: LoadProtocol; method: string; headers: Record<string, string>; proxy?: string };
  mode: LoadMode;
  startedAt: string;
  durationMs: number;
  warmupMs: number;
  /** True when the run was stopped early (SIGINT, q) and holds what was measured until then. */
  interrupted: boolean;
  requests: { sent: number; completed: number; failed: number; dropped: number };
  /** Per second of measurement: the schedule's target, what was sent, and what got a successful response
   *  (the `rps` threshold reads `completedPerSecond`, as k6's http_reqs counts finished requests). */
  throughput: { targetPerSecond: number | null; sentPerSecond: number; completedPerSecond: number };
  latencyMs: LatencySummary;
  serviceTimeMs: LatencySummary;
  errors: Partial<Record<ErrorClass, number>>;
  thresholds: ThresholdOutcome[];
  llm?: LlmSummary;
  series: LoadSnapshot[];
  /**
   * Replicas per measured second (desired, ready), replica-seconds and scaling events, whenever the target
   * had a replica source: the local runtime (`mdl dev`, `--local`) or a cluster being watched. Absent otherwise.
   */
  replicas?: ReplicaSeries;
}

/** The replicas behind a load test, second by second (built by replica-series.ts from a replica source). */
export interface ReplicaSecond {
  /** The LoadResult series' `second` (measured seconds count from 1: second n ends n s into the measurement). */
  second: number;
  /** Replicas that exist (starting or ready) at the end of the second: what the autoscaler asked for. */
  desired: number;
  /** Replicas that served traffic at the end of the second. */
  ready: number;
}

export interface ReplicaScaling {
  /** Seconds from the start of measurement (negative: before it, in warm-up or start-up). */
  atSecond: number;
  from: number;
  to: number;
  reason?: string;
  /** For a scale-up: how long until every added replica was ready, when it was. */
  readyAfterMs?: number;
}

export interface ReplicaSeries {
  source: 'local-runtime' | 'cluster';
  seconds: ReplicaSecond[];
  /** Σ desired over the measured seconds (pods that exist cost, ready or not: the simulator's replica-hours × 3600). */
  replicaSeconds: number;
  /** Σ ready over the measured seconds. */
  readyReplicaSeconds: number;
  peakReplicas: number;
  scalingEvents: ReplicaScaling[];
}
