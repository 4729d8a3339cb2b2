import type { LatencySummary, LoadSnapshot } from '../../../src/load/types.js';

export function latency(p50: number, count = 50): LatencySummary {
  return { min: p50 / 2, mean: p50 * 1.1, p50, p90: p50 * 1.8, p95: p50 * 2, p99: p50 * 3, p999: p50 * 4, max: p50 * 5, count };
}

/** A plausible run: `seconds` snapshots at `rate`/s, p50 `p50Ms`, optional failures in each second. */
export function run(seconds: number, opts: { rate?: number; p50Ms?: number; failedPerSecond?: number; warmup?: number; startMs?: number; llm?: boolean } = {}): LoadSnapshot[] {
  const rate = opts.rate ?? 50;
  const failed = opts.failedPerSecond ?? 0;
  const start = opts.startMs ?? 1_700_000_000_000;
  const out: LoadSnapshot[] = [];
  const totals = { sent: 0, completed: 0, failed: 0, dropped: 0 };
  for (let i = 0; i < seconds; i++) {
    const warmup = i < (opts.warmup ?? 0);
    const p50 = (opts.p50Ms ?? 10) + i;
    const completed = rate - failed;
    if (!warmup) {
      totals.sent += rate;
      totals.completed += completed;
      totals.failed += failed;
    }
    const s: LoadSnapshot = {
      second: i,
      timestampMs: start + (i + 1) * 1000,
      warmup,
      elapsedMs: (i + 1) * 1000,
      totalMs: 20_000,
      stageIndex: undefined,
      targetPerSecond: rate,
      sent: rate,
      completed,
      failed,
      dropped: 0,
      inFlight: 3,
      sentPerSecond: rate,
      completedPerSecond: completed,
      latencyMs: latency(p50, completed),
      serviceTimeMs: latency(p50 * 0.9, completed),
      errors: failed ? { http_503: failed } : {},
      totals: { ...totals },
    };
    if (opts.llm) s.llm = { ttftMs: latency(80, completed), itlMs: latency(12, completed * 20), outputTokensPerSecond: completed * 20 };
    out.push(s);
  }
  return out;
}
