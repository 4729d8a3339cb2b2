/**
 * Per-replica traffic counters kept by the balancer: in flight now, a time integral of in-flight (so an
 * autoscaler can read the exact average concurrency over its sync period), completions, errors, and recent
 * latencies for the status view. Times are passed in (milliseconds on a monotonic scale).
 */
const LATENCY_RESERVOIR = 512;
const RATE_WINDOW_MS = 10_000;

export class TrafficCounters {
  inFlight = 0;
  requestsTotal = 0;
  errorsTotal = 0;
  /** ∫ inFlight dt, in request·milliseconds. */
  private inFlightIntegral = 0;
  private lastChangeMs: number;
  /** Recent completions: [time, latencyMs], oldest first, bounded. */
  private readonly recent: Array<[number, number]> = [];

  constructor(nowMs: number) {
    this.lastChangeMs = nowMs;
  }

  private advance(nowMs: number): void {
    this.inFlightIntegral += this.inFlight * (nowMs - this.lastChangeMs);
    this.lastChangeMs = nowMs;
  }

  started(nowMs: number): void {
    this.advance(nowMs);
    this.inFlight++;
  }

  finished(nowMs: number, latencyMs: number, ok: boolean): void {
    this.advance(nowMs);
    this.inFlight--;
    this.requestsTotal++;
    if (!ok) this.errorsTotal++;
    this.recent.push([nowMs, latencyMs]);
    if (this.recent.length > LATENCY_RESERVOIR) this.recent.shift();
  }

  /** The in-flight integral up to now: the difference of two readings over their time is the mean concurrency. */
  integral(nowMs: number): number {
    this.advance(nowMs);
    return this.inFlightIntegral;
  }

  /** Completions per second over the last 10 s (or since `sinceMs` if later). */
  ratePerSecond(nowMs: number, sinceMs = 0): number {
    const from = Math.max(nowMs - RATE_WINDOW_MS, sinceMs);
    const span = nowMs - from;
    if (span <= 0) return 0;
    let n = 0;
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]![0] >= from; i--) n++;
    return (n * 1000) / span;
  }

  /** Mean, p50, p95 and max latency of the completions in the last 10 s. */
  latency(nowMs: number): { meanMs: number; p50Ms: number; p95Ms: number; maxMs: number } | undefined {
    const values: number[] = [];
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]![0] >= nowMs - RATE_WINDOW_MS; i--) {
      values.push(this.recent[i]![1]);
    }
    if (values.length === 0) return undefined;
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      meanMs: round(values.reduce((s, v) => s + v, 0) / values.length),
      p50Ms: round(at(0.5)),
      p95Ms: round(at(0.95)),
      maxMs: round(values[values.length - 1]!),
    };
  }
}
