/**
 * The load dashboard's view state, reduced from the engine's snapshots (once a second), replica events
 * from the scaling target, and the final result. Pure: no Ink, no clock. The Ink dashboard, the plain
 * line and the tests all read this one state, so they agree.
 */
import type { ReplicaEvent } from '../load/replica-events.js';
import { LOAD_RESULT_SCHEMA_VERSION, type ErrorClass, type LoadMode, type LoadProtocol, type LoadResult, type LoadSnapshot, type ThresholdOutcome } from '../load/types.js';
import { formatDuration } from '../units.js';
import { addToSketch, emptySketch, sketchSummary, type LatencySketch } from './merge-latency.js';
import { initialScalingView, reduceScaling, type ScalingView } from './scaling-state.js';

/** Per-second series kept for charts: the newest MAX_SERIES seconds (an hour). */
export const MAX_SERIES = 3600;

export interface LoadViewConfig {
  url: string;
  protocol: LoadProtocol;
  mode: LoadMode;
  /** The latency SLO drawn on the chart (the spec's slo.p95 or a p95 threshold), in ms. */
  sloLatencyMs?: number;
  /** Which percentile the SLO line is about, for its label ("p95"). */
  sloLabel?: string;
  /**
   * Live evaluation of the thresholds on the run so far (the load engine's evaluateThresholds applied to
   * a provisional result); the final result's outcomes replace it.
   */
  evaluateThresholds?: (provisional: LoadResult) => ThresholdOutcome[];
}

export interface SecondPoint {
  second: number;
  warmup: boolean;
  targetPerSecond: number | undefined;
  sentPerSecond: number;
  completedPerSecond: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  failed: number;
  dropped: number;
  /** Replicas at the end of this second (carried forward from the last replica event). */
  desiredReplicas: number | undefined;
  readyReplicas: number | undefined;
}

export interface LoadViewState {
  config: LoadViewConfig;
  phase: 'starting' | 'running' | 'stopping' | 'done';
  interrupted: boolean;
  startedAtMs: number | undefined;
  elapsedMs: number;
  totalMs: number | undefined;
  warmup: boolean;
  stageIndex: number | undefined;
  last: LoadSnapshot | undefined;
  series: SecondPoint[];
  /** Measured (non-warm-up) seconds seen. */
  measuredSeconds: number;
  worst: { second: number; p99Ms: number } | undefined;
  totals: { sent: number; completed: number; failed: number; dropped: number };
  /** Errors by class over the measured seconds. */
  errors: Partial<Record<ErrorClass, number>>;
  /** Latency so far (estimated from per-second summaries until the result arrives). */
  latencySketch: LatencySketch;
  ttftSketch: LatencySketch;
  itlSketch: LatencySketch;
  outputTokens: number;
  thresholds: ThresholdOutcome[];
  /** True while thresholds are estimates from the run so far. */
  thresholdsProvisional: boolean;
  scaling: ScalingView;
  result: LoadResult | undefined;
}

export type LoadViewEvent =
  | { type: 'snapshot'; snapshot: LoadSnapshot }
  | { type: 'replica'; event: ReplicaEvent }
  | { type: 'stopping' }
  | { type: 'result'; result: LoadResult };

export function initialLoadView(config: LoadViewConfig): LoadViewState {
  return {
    config,
    phase: 'starting',
    interrupted: false,
    startedAtMs: undefined,
    elapsedMs: 0,
    totalMs: undefined,
    warmup: false,
    stageIndex: undefined,
    last: undefined,
    series: [],
    measuredSeconds: 0,
    worst: undefined,
    totals: { sent: 0, completed: 0, failed: 0, dropped: 0 },
    errors: {},
    latencySketch: emptySketch(),
    ttftSketch: emptySketch(),
    itlSketch: emptySketch(),
    outputTokens: 0,
    thresholds: [],
    thresholdsProvisional: true,
    scaling: initialScalingView(),
    result: undefined,
  };
}

export function reduceLoadView(state: LoadViewState, event: LoadViewEvent): LoadViewState {
  switch (event.type) {
    case 'snapshot':
      return withThresholds(reduceSnapshot(state, event.snapshot));
    case 'replica':
      return { ...state, scaling: reduceScaling(state.scaling, event.event) };
    case 'stopping':
      return state.phase === 'done' ? state : { ...state, phase: 'stopping' };
    case 'result':
      return {
        ...state,
        phase: 'done',
        result: event.result,
        interrupted: event.result.interrupted,
        totals: { ...event.result.requests },
        errors: { ...event.result.errors },
        thresholds: event.result.thresholds,
        thresholdsProvisional: false,
      };
  }
}

function reduceSnapshot(state: LoadViewState, s: LoadSnapshot): LoadViewState {
  const lat = s.latencyMs.count > 0 ? s.latencyMs : undefined;
  const point: SecondPoint = {
    second: s.second,
    warmup: s.warmup,
    targetPerSecond: s.targetPerSecond,
    sentPerSecond: s.sentPerSecond,
    completedPerSecond: s.completedPerSecond,
    p50Ms: lat?.p50,
    p95Ms: lat?.p95,
    p99Ms: lat?.p99,
    failed: s.failed,
    dropped: s.dropped,
    desiredReplicas: state.scaling.desired,
    readyReplicas: state.scaling.ready,
  };
  const series = state.series.length >= MAX_SERIES ? [...state.series.slice(1), point] : [...state.series, point];
  const next: LoadViewState = {
    ...state,
    phase: state.phase === 'starting' ? 'running' : state.phase,
    startedAtMs: state.startedAtMs ?? s.timestampMs - s.elapsedMs,
    elapsedMs: s.elapsedMs,
    totalMs: s.totalMs,
    warmup: s.warmup,
    stageIndex: s.stageIndex,
    last: s,
    series,
    totals: { ...s.totals },
  };
  if (s.warmup) return next;
  next.measuredSeconds = state.measuredSeconds + 1;
  if (lat && (state.worst === undefined || lat.p99 > state.worst.p99Ms)) next.worst = { second: s.second, p99Ms: lat.p99 };
  const errors = { ...state.errors };
  for (const [cls, n] of Object.entries(s.errors) as Array<[ErrorClass, number | undefined]>) {
    if (n) errors[cls] = (errors[cls] ?? 0) + n;
  }
  next.errors = errors;
  next.latencySketch = addToSketch(state.latencySketch, s.latencyMs);
  if (s.llm) {
    next.ttftSketch = addToSketch(state.ttftSketch, s.llm.ttftMs);
    next.itlSketch = addToSketch(state.itlSketch, s.llm.itlMs);
    next.outputTokens = state.outputTokens + s.llm.outputTokensPerSecond;
  }
  return next;
}

function withThresholds(state: LoadViewState): LoadViewState {
  const evaluate = state.config.evaluateThresholds;
  if (!evaluate || state.phase === 'done' || state.measuredSeconds === 0) return state;
  return { ...state, thresholds: evaluate(provisionalResult(state)), thresholdsProvisional: true };
}

const EMPTY_LATENCY = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0 };

/** The run so far as a LoadResult (no series), so the engine's own threshold evaluation can read it. */
export function provisionalResult(state: LoadViewState): LoadResult {
  const seconds = Math.max(1, state.measuredSeconds);
  const measured = state.series.filter((p) => !p.warmup);
  const targets = measured.map((p) => p.targetPerSecond).filter((t): t is number => t !== undefined);
  const result: LoadResult = {
    schemaVersion: LOAD_RESULT_SCHEMA_VERSION,
    target: { url: state.config.url, protocol: state.config.protocol, method: 'POST', headers: {} },
    mode: state.config.mode,
    startedAt: new Date(state.startedAtMs ?? 0).toISOString(),
    durationMs: state.measuredSeconds * 1000,
    warmupMs: 0,
    interrupted: false,
    requests: { ...state.totals },
    throughput: {
      targetPerSecond: targets.length ? targets.reduce((a, b) => a + b, 0) / targets.length : null,
      sentPerSecond: state.totals.sent / seconds,
      completedPerSecond: state.totals.completed / seconds,
    },
    latencyMs: sketchSummary(state.latencySketch) ?? EMPTY_LATENCY,
    serviceTimeMs: EMPTY_LATENCY,
    errors: { ...state.errors },
    thresholds: [],
    series: [],
  };
  const ttft = sketchSummary(state.ttftSketch);
  if (ttft) {
    const itl = sketchSummary(state.itlSketch) ?? EMPTY_LATENCY;
    result.llm = {
      ttftMs: ttft,
      itlMs: itl,
      tpotMs: EMPTY_LATENCY,
      outputTokensPerSecond: state.outputTokens / seconds,
      goodputPerSecond: 0,
      tokenCountsApproximate: true,
    };
  }
  return result;
}

/** Mode as a short phrase: "rate 50/s constant", "concurrency 8", "stages 3". */
export function describeMode(mode: LoadMode): string {
  switch (mode.kind) {
    case 'rate':
      return `rate ${formatRate(mode.ratePerSecond)}/s ${mode.arrival}`;
    case 'concurrency':
      return `concurrency ${mode.concurrency}`;
    case 'stages':
      return `${mode.stages.length} stages ${mode.arrival}`;
  }
}

export function stageCount(mode: LoadMode): number | undefined {
  return mode.kind === 'stages' ? mode.stages.length : undefined;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(perSecond >= 10_000 ? 0 : 1)}k`;
  if (perSecond >= 100 || Number.isInteger(perSecond)) return `${Math.round(perSecond)}`;
  return perSecond.toFixed(1);
}

/** Milliseconds with sensible precision, no unit: "0.42", "12.3", "212", "1530". */
export function formatMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** A span with its unit: "850 ms", "6.2 s", "2m05s". */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/** "1:05" style clock for elapsed/remaining. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function errorRatio(totals: { completed: number; failed: number }): number | undefined {
  const n = totals.completed + totals.failed;
  return n === 0 ? undefined : totals.failed / n;
}

export function formatThresholdValue(t: ThresholdOutcome): string {
  if (t.observed === null) return 'no data';
  switch (t.unit) {
    case 'ms':
      return `${formatMs(t.observed)} ms`;
    case 'ratio':
      return `${(t.observed * 100).toFixed(t.observed < 0.01 ? 2 : 1)}%`;
    case 'perSecond':
      return `${formatRate(t.observed)}/s`;
  }
}

/**
 * The SLO line of the latency chart from the thresholds: the first end-to-end latency percentile limit
 * (p95 preferred), e.g. {metric: "p95", unit: "ms", limit: 300} → 300 ms labelled "p95".
 */
export function sloLineFrom(thresholds: ReadonlyArray<{ metric: string; unit: string; limit: number }>): { sloLatencyMs: number; sloLabel: string } | undefined {
  const latency = thresholds
    .filter((t) => t.unit === 'ms')
    .map((t) => ({ t, m: /^(?:latency_)?(p\d+(?:\.\d+)?)$/.exec(t.metric) }))
    .filter((x): x is { t: (typeof thresholds)[number]; m: RegExpExecArray } => x.m !== null);
  const pick = latency.find((x) => x.m[1] === 'p95') ?? latency[0];
  return pick ? { sloLatencyMs: pick.t.limit, sloLabel: pick.m[1]! } : undefined;
}
