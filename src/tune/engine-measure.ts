/**
 * The capacity search's `measure` backed by the load engine: one engine run per step, its one-second
 * snapshots grouped into windows, stopped as soon as the search has seen enough.
 */
import type { MeasureControl, MeasureFn } from './capacity-search.js';
import { mixtureQuantile } from './quantile-mix.js';
import type { LatencyPercentiles, WindowResult } from './types.js';
import type { LoadMode, LoadResult, LoadSnapshot } from '../load/types.js';
import { DEFAULT_WARMUP_MS } from '../load/warmup.js';
import { ErrorBound, ErrorBoundExceeded } from '../load/error-bound.js';

/** What tune needs of the engine's runLoad (src/load/engine.ts), kept structural so tests can stand in. */
export type RunLoadFn = (
  options: {
    url: string;
    mode: LoadMode;
    durationMs: number;
    warmupMs?: number;
    timeoutMs?: number;
    connections?: number;
    maxInFlight?: number;
    protocol?: 'http' | 'kserve-v2' | 'openai';
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  },
  hooks: { signal?: AbortSignal; onSnapshot?: (s: LoadSnapshot) => void },
) => Promise<LoadResult>;

export interface EngineMeasureOptions {
  url: string;
  runLoad: RunLoadFn;
  protocol?: 'http' | 'kserve-v2' | 'openai';
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Warm-up before the first window of every step (connections, caches). */
  warmupMs?: number;
  /** Requests slower than this are failures; keeps a backlogged step from draining forever. */
  timeoutMs?: number;
  /** Poisson arrivals in open loop (production-like) or evenly spaced (sharper capacity edge). */
  arrival?: 'constant' | 'poisson';
}

export function engineMeasure(options: EngineMeasureOptions): MeasureFn {
  return async (level: number, control: MeasureControl) => {
    const secondsPerWindow = Math.max(1, Math.round(control.windowMs / 1000));
    const mode: LoadMode =
      control.axis === 'concurrency'
        ? { kind: 'concurrency', concurrency: Math.max(1, Math.round(level)) }
        : { kind: 'rate', ratePerSecond: level, arrival: options.arrival ?? 'constant' };
    const windows: WindowResult[] = [];
    const pending: LoadSnapshot[] = [];
    let lastInFlight = 0;
    const stop = new AbortController();
    // Warm-up snapshots count: an endpoint that is wrong is wrong from its first request.
    const errorBound = control.failFast ? new ErrorBound(control.failFast.maxErrorRate) : undefined;
    const onOuterAbort = () => stop.abort(control.signal?.reason);
    control.signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      await options.runLoad(
        {
          url: options.url,
          mode,
          durationMs: secondsPerWindow * 1000 * control.maxWindows,
          warmupMs: options.warmupMs ?? DEFAULT_WARMUP_MS,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(control.axis === 'concurrency' ? { connections: Math.max(1, Math.round(level)) } : {}),
          ...(control.maxInFlight !== undefined ? { maxInFlight: control.maxInFlight } : {}),
          ...(options.protocol ? { protocol: options.protocol } : {}),
          ...(options.method ? { method: options.method } : {}),
          ...(options.headers ? { headers: options.headers } : {}),
          ...(options.body !== undefined ? { body: options.body } : {}),
        },
        {
          signal: stop.signal,
          onSnapshot: (s) => {
            if (errorBound?.observe(s)) {
              stop.abort();
              return;
            }
            if (s.warmup) {
              lastInFlight = s.inFlight;
              return;
            }
            if (stop.signal.aborted) return;
            pending.push(s);
            if (pending.length < secondsPerWindow) return;
            const window = snapshotsToWindow(pending.splice(0), lastInFlight);
            lastInFlight = window.inFlightEnd;
            windows.push(window);
            control.onWindow?.(window, windows.length - 1);
            if (control.shouldStop(windows) || windows.length >= control.maxWindows) stop.abort();
          },
        },
      );
    } finally {
      control.signal?.removeEventListener('abort', onOuterAbort);
    }
    const breach = errorBound?.breached();
    if (breach) throw new ErrorBoundExceeded(breach, errorBound!.maxErrorRate);
    return windows;
  };
}

/** One window from consecutive one-second snapshots. */
export function snapshotsToWindow(snaps: readonly LoadSnapshot[], inFlightStart: number): WindowResult {
  const durationMs = snaps.length * 1000;
  const completed = snaps.reduce((a, s) => a + s.completed, 0);
  // Throughput counts every completion in the window, also of requests sent in warm-up: what the server
  // delivered. (Otherwise the first window of a slow step comes out short by a latency's worth.)
  const delivered = completed + snaps.reduce((a, s) => a + (s.warmupCompleted ?? 0), 0);
  const failed = snaps.reduce((a, s) => a + s.failed, 0);
  const weight = (s: LoadSnapshot) => (completed === 0 ? 1 / snaps.length : s.completed / completed);
  const pooled = (key: keyof LatencyPercentiles) => snaps.reduce((a, s) => a + s.latencyMs[key] * weight(s), 0);
  const inFlightEnd = snaps.at(-1)?.inFlight ?? inFlightStart;
  const streamed = snaps.some((s) => s.llm !== undefined);
  // Nothing came back while requests were out: their latency is at least the window, not zero.
  const stalled = completed === 0 && (inFlightEnd > 0 || snaps.some((s) => s.sent > 0));
  const summaries = snaps.map((s) => ({ ...s.latencyMs, count: s.completed }));
  const quantile = (q: number) => mixtureQuantile(summaries, q);
  const at = (key: keyof LatencyPercentiles) => {
    if (stalled) return durationMs;
    if (key === 'mean') return pooled('mean');
    return quantile({ p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, max: 1 }[key]);
  };
  return {
    durationMs,
    sent: snaps.reduce((a, s) => a + s.sent, 0),
    completed,
    failed,
    dropped: snaps.reduce((a, s) => a + s.dropped, 0),
    completedPerSecond: (delivered * 1000) / durationMs,
    latencyMs: {
      mean: at('mean'),
      p50: at('p50'),
      p90: at('p90'),
      p95: at('p95'),
      p99: at('p99'),
      max: stalled ? durationMs : snaps.reduce((a, s) => Math.max(a, s.latencyMs.max), 0),
    },
    inFlightStart,
    inFlightEnd,
    ...(streamed ? { outputTokensPerSecond: deliveredTokensPerSecond(snaps, completed, delivered) } : {}),
  };
}

/**
 * Output tokens per second delivered in the window. The recorder counts the tokens of the answers it
 * measured; answers to requests sent in warm-up also count in the window's throughput (delivered), so
 * their tokens are estimated at the measured answers' mean, keeping tokens per answer consistent.
 */
function deliveredTokensPerSecond(snaps: readonly LoadSnapshot[], completed: number, delivered: number): number {
  const measured = snaps.reduce((a, s) => a + (s.llm?.outputTokensPerSecond ?? 0), 0) / snaps.length;
  return completed === 0 ? 0 : (measured * delivered) / completed;
}
