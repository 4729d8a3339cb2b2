/**
 * Recording, pure: the engine hands in finished requests with their times; the recorder keeps HDR
 * histograms (constant memory at any duration) for the current second and for the whole measured run.
 * No clock here: the engine says when a second ends.
 *
 * Values are recorded in microseconds, so sub-millisecond percentiles stay exact to 3 significant digits.
 */
import { build as buildHistogram } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { ErrorClass, LatencySummary, LoadSnapshot } from './types.js';

export interface RequestSample {
  /** From the scheduled send time to the end (wrk2's correction), ms. */
  latencyMs: number;
  /** From the actual send to the end, ms. */
  serviceTimeMs: number;
  error?: ErrorClass;
  llm?: LlmSample;
}

export interface LlmSample {
  ttftMs: number | undefined;
  /** Gaps between consecutive content chunks, ms. */
  itlMs: number[];
  /** From the actual send to the last chunk, ms. */
  e2eMs: number;
  outputTokens: number;
  tokensApproximate: boolean;
}

function newHistogram(): Histogram {
  // 1 µs .. 1 h, 3 significant digits; autoResize keeps outliers instead of throwing.
  return buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

export const EMPTY_SUMMARY: LatencySummary = Object.freeze({ min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0 }) as LatencySummary;

/**
 * Durations in µs: an HDR histogram and the exact sum of what it holds. The sum gives the mean; HDR's own
 * mean walks every bucket through an iterator, 1–7 ms a call here, and the engine closes a second while
 * the open loop is waiting to send (it made sends at second boundaries late by as much).
 */
export class Timings {
  readonly histogram = newHistogram();
  private sumUs = 0;

  record(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.histogram.recordValue(us);
    this.sumUs += us;
  }

  add(other: Timings): void {
    if (other.histogram.totalCount === 0) return;
    this.histogram.add(other.histogram);
    this.sumUs += other.sumUs;
  }

  reset(): void {
    if (this.histogram.totalCount === 0) return;
    this.histogram.reset();
    this.sumUs = 0;
  }

  destroy(): void {
    this.histogram.destroy();
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const count = h.totalCount;
    if (count === 0) return { ...EMPTY_SUMMARY };
    // HDR reports a bucket's highest equivalent value; clamp so that no percentile exceeds the max seen.
    const max = h.maxValue;
    const ms = (us: number) => Math.round(Math.min(us, max)) / 1000;
    return {
      min: ms(h.minNonZeroValue),
      mean: Math.round(this.sumUs / count) / 1000,
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(max),
      count,
    };
  }
}

/** A set of histograms for one window (a second or the whole run). */
class Window {
  latency = new Timings();
  service = new Timings();
  ttft = new Timings();
  itl = new Timings();
  tpot = new Timings();
  sent = 0;
  completed = 0;
  failed = 0;
  dropped = 0;
  outputTokens = 0;
  llmRequests = 0;
  /** Requests that succeeded and met every per-request SLO (for goodput). */
  good = 0;
  errors: Partial<Record<ErrorClass, number>> = {};

  add(other: Window): void {
    this.latency.add(other.latency);
    this.service.add(other.service);
    this.ttft.add(other.ttft);
    this.itl.add(other.itl);
    this.tpot.add(other.tpot);
    this.sent += other.sent;
    this.completed += other.completed;
    this.failed += other.failed;
    this.dropped += other.dropped;
    this.outputTokens += other.outputTokens;
    this.llmRequests += other.llmRequests;
    this.good += other.good;
    for (const [k, v] of Object.entries(other.errors)) {
      const key = k as ErrorClass;
      this.errors[key] = (this.errors[key] ?? 0) + (v ?? 0);
    }
  }

  reset(): void {
    for (const h of [this.latency, this.service, this.ttft, this.itl, this.tpot]) h.reset();
    this.sent = this.completed = this.failed = this.dropped = this.outputTokens = this.llmRequests = this.good = 0;
    this.errors = {};
  }

  destroy(): void {
    for (const h of [this.latency, this.service, this.ttft, this.itl, this.tpot]) h.destroy();
  }
}

/** Per-request limits a request must meet to count toward goodput (from latency-type thresholds). */
export interface GoodputLimits {
  latencyMs?: number;
  ttftMs?: number;
  tpotMs?: number;
}

export interface SecondInfo {
  second: number;
  timestampMs: number;
  elapsedMs: number;
  totalMs: number | undefined;
  warmup: boolean;
  stageIndex: number | undefined;
  targetPerSecond: number | undefined;
  inFlight: number;
  /** The length of this window in ms (the last one may be shorter). */
  windowMs: number;
}

export class Recorder {
  private readonly current = new Window();
  /** Requests scheduled in warm-up go here, wherever their end falls, so a late timer moves nothing. */
  private readonly warm = new Window();
  private readonly overall = new Window();
  private readonly goodput: GoodputLimits;
  private tokensApproximate = false;
  private llmSeen = false;
  private measuredMs = 0;

  constructor(options: { goodput?: GoodputLimits } = {}) {
    this.goodput = options.goodput ?? {};
  }

  sent(warmup = false): void {
    (warmup ? this.warm : this.current).sent++;
  }

  dropped(warmup = false): void {
    (warmup ? this.warm : this.current).dropped++;
  }

  record(sample: RequestSample, warmup = false): void {
    const w = warmup ? this.warm : this.current;
    if (sample.error) {
      w.failed++;
      w.errors[sample.error] = (w.errors[sample.error] ?? 0) + 1;
      return;
    }
    w.completed++;
    w.latency.record(sample.latencyMs);
    w.service.record(sample.serviceTimeMs);
    let good = this.goodput.latencyMs === undefined || sample.latencyMs <= this.goodput.latencyMs;
    const llm = sample.llm;
    if (llm) {
      this.llmSeen = true;
      if (llm.tokensApproximate) this.tokensApproximate = true;
      w.llmRequests++;
      w.outputTokens += llm.outputTokens;
      if (llm.ttftMs !== undefined) w.ttft.record(llm.ttftMs);
      for (const gap of llm.itlMs) w.itl.record(gap);
      const tpot = tpotMs(llm);
      if (tpot !== undefined) w.tpot.record(tpot);
      if (this.goodput.ttftMs !== undefined && !(llm.ttftMs !== undefined && llm.ttftMs <= this.goodput.ttftMs)) good = false;
      if (this.goodput.tpotMs !== undefined && tpot !== undefined && tpot > this.goodput.tpotMs) good = false;
    }
    if (good) w.good++;
  }

  /** Closes the current second: returns its snapshot and folds it into the totals unless warm-up. */
  endSecond(info: SecondInfo): LoadSnapshot {
    const w = info.warmup ? this.warm : this.current;
    const warmupCompleted = info.warmup ? 0 : this.warm.completed;
    if (!info.warmup) {
      this.overall.add(w);
      this.measuredMs += info.windowMs;
    }
    const totals = info.warmup
      ? { sent: 0, completed: 0, failed: 0, dropped: 0 }
      : { sent: this.overall.sent, completed: this.overall.completed, failed: this.overall.failed, dropped: this.overall.dropped };
    const seconds = info.windowMs / 1000;
    const snapshot: LoadSnapshot = {
      second: info.second,
      timestampMs: info.timestampMs,
      warmup: info.warmup,
      elapsedMs: info.elapsedMs,
      totalMs: info.totalMs,
      stageIndex: info.stageIndex,
      targetPerSecond: info.targetPerSecond,
      sent: w.sent,
      completed: w.completed,
      failed: w.failed,
      dropped: w.dropped,
      inFlight: info.inFlight,
      ...(warmupCompleted > 0 ? { warmupCompleted } : {}),
      sentPerSecond: seconds > 0 ? round2(w.sent / seconds) : 0,
      completedPerSecond: seconds > 0 ? round2(w.completed / seconds) : 0,
      latencyMs: w.latency.summary(),
      serviceTimeMs: w.service.summary(),
      errors: { ...w.errors },
      totals,
    };
    if (this.llmSeen) {
      snapshot.llm = {
        ttftMs: w.ttft.summary(),
        itlMs: w.itl.summary(),
        outputTokensPerSecond: seconds > 0 ? round2(w.outputTokens / seconds) : 0,
      };
    }
    w.reset();
    // Once measuring, warm-up stragglers are not reported anywhere.
    if (!info.warmup) this.warm.reset();
    return snapshot;
  }

  /** Totals over the measured seconds (warm-up excluded). */
  totals(): {
    measuredMs: number;
    sent: number;
    completed: number;
    failed: number;
    dropped: number;
    good: number;
    errors: Partial<Record<ErrorClass, number>>;
    latencyMs: LatencySummary;
    serviceTimeMs: LatencySummary;
    llm?: { ttftMs: LatencySummary; itlMs: LatencySummary; tpotMs: LatencySummary; outputTokens: number; tokenCountsApproximate: boolean };
  } {
    const o = this.overall;
    return {
      measuredMs: this.measuredMs,
      sent: o.sent,
      completed: o.completed,
      failed: o.failed,
      dropped: o.dropped,
      good: o.good,
      errors: { ...o.errors },
      latencyMs: o.latency.summary(),
      serviceTimeMs: o.service.summary(),
      ...(this.llmSeen
        ? {
            llm: {
              ttftMs: o.ttft.summary(),
              itlMs: o.itl.summary(),
              tpotMs: o.tpot.summary(),
              outputTokens: o.outputTokens,
              tokenCountsApproximate: this.tokensApproximate,
            },
          }
        : {}),
    };
  }

  destroy(): void {
    this.current.destroy();
    this.warm.destroy();
    this.overall.destroy();
  }
}

/** vLLM's TPOT: (e2e − TTFT) / (output tokens − 1); undefined for a single token. */
export function tpotMs(llm: LlmSample): number | undefined {
  if (llm.ttftMs === undefined || llm.outputTokens < 2) return undefined;
  return (llm.e2eMs - llm.ttftMs) / (llm.outputTokens - 1);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
