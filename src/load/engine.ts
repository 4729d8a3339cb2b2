/**
 * The load engine: runs one test and emits a snapshot per second; UI-free. A view subscribes through
 * onSnapshot; tune calls runLoad repeatedly in-process.
 *
 * Timing (docs/load-metrics.md): in open loop every request has a scheduled send time; latency is
 * measured from it (wrk2's correction, so a stalled server is charged for every request it delayed)
 * and service time from the moment the request is written to a connection. In closed loop the two
 * coincide except for time spent queued for a connection.
 *
 * Transport: undici's Pool through the low-level dispatch API (no stream per response), keep-alive,
 * `connections` sockets. test/bench/RESULTS.md has the comparison with node:http behind this choice.
 */
import { H1Pool, type H1Controller, type H1Handler, type H1Request } from './h1-client.js';
import { systemClock, type Clock } from '../clock.js';
import { SendTimer } from './send-timer.js';
import { badInput } from '../errors.js';
import { classifyError, httpErrorClass, RequestTimeoutError } from './error-class.js';
import { PayloadCursor, type PayloadItem } from './payload.js';
import { createAdapter, type PreparedRequest, type ProtocolAdapter, type ResponseJudge } from './protocols.js';
import { Recorder } from './recorder.js';
import { ArrivalSchedule } from './schedule.js';
import { evaluateThresholds, goodputLimits, type Threshold } from './thresholds.js';
import { LOAD_RESULT_SCHEMA_VERSION, type LoadMode, type LoadProtocol, type LoadResult, type LoadSnapshot } from './types.js';

export interface LoadOptions {
  url: string;
  protocol?: LoadProtocol;
  mode: LoadMode;
  method?: string;
  headers?: Record<string, string>;
  /** A fixed request body (JSON text). */
  body?: string;
  payload?: PayloadItem[];
  shuffle?: boolean;
  seed?: number;
  model?: string;
  /** Measured duration for rate and concurrency modes (stages carry their own). */
  durationMs?: number;
  warmupMs?: number;
  /** Stop after this many measured requests have been sent. */
  maxRequests?: number;
  timeoutMs?: number;
  /** Keep-alive connections in the pool; defaults to the concurrency, or 64 in open loop. */
  connections?: number;
  /** Open loop: requests the schedule could not send because this many were in flight are dropped. */
  maxInFlight?: number;
  insecure?: boolean;
  /** Negotiate HTTP/2 over TLS (ALPN) when the server offers it (undici transport). */
  http2?: boolean;
  /** HTTP client: the lean built-in HTTP/1.1 client (default) or undici (always used with http2). */
  transport?: 'h1' | 'undici';
  thresholds?: Threshold[];
  /** Header names whose values are shown in results (the rest are redacted). */
  showSecrets?: boolean;
  clock?: Clock;
}

export interface RunHooks {
  signal?: AbortSignal;
  onSnapshot?: (snapshot: LoadSnapshot) => void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_OPEN_LOOP_CONNECTIONS = 64;
export const DEFAULT_MAX_IN_FLIGHT = 10_000;
const REQUEST_COUNT_ONLY_MS = 24 * 3_600_000;

interface InFlight {
  scheduledMs: number;
  sentMs: number;
  deadlineMs: number;
  warmup: boolean;
  done: boolean;
  status: number;
  judge: ResponseJudge | undefined;
  controller: H1Controller | undefined;
}

/** Validates options a caller (CLI or tune) could get wrong; errors are exit 2. */
export function validateLoadOptions(o: LoadOptions): URL {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw badInput(`"${o.url}" is not a URL`, { where: 'URL', hint: 'Pass a URL such as http://127.0.0.1:8080/predict.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(`unsupported scheme ${url.protocol}`, { where: 'URL', hint: 'Use http:// or https://.' });
  }
  const m = o.mode;
  if (m.kind === 'rate' && !(m.ratePerSecond > 0)) throw badInput('the rate must be above 0', { where: '--rate' });
  if (m.kind === 'concurrency' && !(Number.isInteger(m.concurrency) && m.concurrency > 0)) {
    throw badInput('the concurrency must be a whole number above 0', { where: '--concurrency' });
  }
  if (m.kind === 'stages' && m.stages.length === 0) throw badInput('no stages given', { where: '--stages' });
  if (m.kind !== 'stages' && o.durationMs === undefined && o.maxRequests === undefined) {
    throw badInput('no end given', { where: '--duration', hint: 'Pass --duration or --requests.' });
  }
  if (o.connections !== undefined && !(Number.isInteger(o.connections) && o.connections > 0)) {
    throw badInput('connections must be a whole number above 0', { where: '--connections' });
  }
  return url;
}

/** Hides a password or token in the URL's user info unless asked not to. */
export function redactUrl(url: string, show: boolean): string {
  if (show) return url;
  const u = new URL(url);
  if (!u.password && !u.username) return url;
  if (u.password) u.password = 'redacted';
  else u.username = 'redacted';
  return u.toString();
}

/** Redacts header values unless asked not to: results and reports may be shared. */
export function redactHeaders(headers: Record<string, string>, show: boolean): Record<string, string> {
  if (show) return { ...headers };
  return Object.fromEntries(Object.keys(headers).map((k) => [k, '[redacted]']));
}

export async function runLoad(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadResult> {
  const url = validateLoadOptions(options);
  const clock = options.clock ?? systemClock;
  const mode = options.mode;
  const warmupMs = options.warmupMs ?? 0;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const protocol = options.protocol ?? 'http';
  const headers = options.headers ?? {};
  const thresholds = options.thresholds ?? [];
  const payload = options.payload && options.payload.length > 0 ? new PayloadCursor(options.payload, { shuffle: options.shuffle, seed: options.seed }) : undefined;
  const adapter: ProtocolAdapter = createAdapter({
    protocol,
    basePath: `${url.pathname}${url.search}`,
    method: options.method,
    headers,
    body: options.body,
    payload,
    model: options.model,
  });

  const schedule =
    mode.kind === 'concurrency'
      ? undefined
      : new ArrivalSchedule(mode, { warmupMs, durationMs: options.durationMs ?? REQUEST_COUNT_ONLY_MS, seed: options.seed });
  const totalMs = schedule ? schedule.totalMs : warmupMs + (options.durationMs ?? REQUEST_COUNT_ONLY_MS);
  const knownTotalMs = options.durationMs === undefined && mode.kind !== 'stages' ? undefined : totalMs;
  const connections = options.connections ?? (mode.kind === 'concurrency' ? mode.concurrency : DEFAULT_OPEN_LOOP_CONNECTIONS);
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const pool = await openTransport(url, {
    connections,
    http2: options.http2 === true,
    transport: options.transport,
    rejectUnauthorized: options.insecure !== true,
    connectTimeoutMs: Math.min(timeoutMs, 10_000),
    now: () => elapsed(),
  });
  const recorder = new Recorder({ goodput: goodputLimits(thresholds) });

  const startMs = clock.now();
  const startedAt = new Date(clock.wallNow()).toISOString();
  const elapsed = () => clock.now() - startMs;
  const inFlight = new Set<InFlight>();
  const series: LoadSnapshot[] = [];
  let measuredSent = 0;
  let stopping = false;
  let interrupted = false;
  let sendingEndedMs: number | undefined;
  let resolveDrained: (() => void) | undefined;

  /** endMs: when the response's last bytes were read, if the transport knows; otherwise now. */
  const finishRequest = (r: InFlight, error: unknown, statusError: boolean, endMs?: number) => {
    if (r.done) return;
    r.done = true;
    inFlight.delete(r);
    const now = endMs ?? elapsed();
    // Requests scheduled in warm-up are recorded apart and never measured, even when they end after it.
    if (error !== undefined) {
      recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: classifyError(error) }, r.warmup);
    } else if (statusError) {
      recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: httpErrorClass(r.status) }, r.warmup);
    } else {
      const verdict = r.judge ? r.judge.finish(now) : {};
      recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: verdict.error, llm: verdict.llm }, r.warmup);
    }
    onComplete?.();
    maybeDrained();
    reaimSendTimer();
  };

  const maybeDrained = () => {
    if (sendingEndedMs !== undefined && inFlight.size === 0) resolveDrained?.();
  };

  let onComplete: (() => void) | undefined;
  // Open loop: after anything else woke the event loop, the send timer is set again (see SendTimer).
  let reaimSendTimer = () => {};

  const send = (scheduledMs: number) => {
    const prepared: PreparedRequest = adapter.next();
    const warmup = scheduledMs < warmupMs;
    if (!warmup) measuredSent++;
    recorder.sent(warmup);
    const r: InFlight = {
      scheduledMs,
      sentMs: elapsed(),
      deadlineMs: scheduledMs + timeoutMs,
      warmup,
      done: false,
      status: 0,
      judge: undefined,
      controller: undefined,
    };
    inFlight.add(r);
    const handler: H1Handler = {
      onRequestStart(controller) {
        if (r.done) return controller.abort(new RequestTimeoutError());
        r.controller = controller;
        r.sentMs = elapsed();
        r.deadlineMs = Math.max(r.deadlineMs, r.sentMs + timeoutMs);
      },
      onResponseStart(_controller, statusCode) {
        r.status = statusCode;
        if (statusCode < 400) r.judge = adapter.judge(r.sentMs);
      },
      onResponseData(controller, chunk) {
        if (r.judge) r.judge.onData(chunk, controller.receivedMs ?? elapsed());
        reaimSendTimer();
      },
      onResponseEnd(controller) {
        finishRequest(r, undefined, r.status >= 400, controller.receivedMs);
      },
      onResponseError(_controller, error) {
        finishRequest(r, error, false);
      },
    };
    try {
      pool.dispatch(prepared, handler);
    } catch (error) {
      finishRequest(r, error, false);
    }
  };

  // Deadlines: one sweep over the (bounded) in-flight set instead of a timer per request.
  const sweep = setInterval(() => {
    const now = elapsed();
    for (const r of inFlight) {
      if (now < r.deadlineMs) continue;
      const controller = r.controller;
      finishRequest(r, new RequestTimeoutError(), false);
      controller?.abort(new RequestTimeoutError());
    }
    reaimSendTimer();
  }, Math.max(10, Math.min(100, timeoutMs / 4)));

  // Snapshots: warm-up seconds count up to 0, measured seconds from 1, aligned to the end of warm-up.
  let lastBoundaryMs = 0;
  let snapshotTimer: NodeJS.Timeout | undefined;
  const secondNumber = (boundaryMs: number) => Math.ceil((boundaryMs - warmupMs) / 1000 - 1e-9) || 0;
  const emit = (boundaryMs: number) => {
    const warmup = boundaryMs <= warmupMs && lastBoundaryMs < warmupMs;
    const sched = schedule;
    const mid = (lastBoundaryMs + boundaryMs) / 2;
    const snapshot = recorder.endSecond({
      second: secondNumber(boundaryMs),
      timestampMs: clock.wallNow(),
      elapsedMs: Math.round(boundaryMs),
      totalMs: knownTotalMs,
      warmup,
      stageIndex: sched && mode.kind === 'stages' ? sched.stageIndexAt(Math.min(mid, totalMs - 1)) : undefined,
      targetPerSecond: sched ? round2(sched.expectedCount(lastBoundaryMs, Math.min(boundaryMs, totalMs)) / ((boundaryMs - lastBoundaryMs) / 1000 || 1)) : undefined,
      inFlight: inFlight.size,
      windowMs: boundaryMs - lastBoundaryMs,
    });
    lastBoundaryMs = boundaryMs;
    if (!snapshot.warmup) series.push(snapshot);
    hooks.onSnapshot?.(snapshot);
  };
  const nextBoundary = () => {
    if (lastBoundaryMs < warmupMs) return Math.min(lastBoundaryMs + 1000, warmupMs);
    return warmupMs + (Math.floor((lastBoundaryMs - warmupMs) / 1000 + 1e-9) + 1) * 1000;
  };
  const scheduleSnapshot = () => {
    const at = nextBoundary();
    snapshotTimer = setTimeout(() => {
      emit(at);
      scheduleSnapshot();
      reaimSendTimer();
    }, Math.max(0, at - elapsed()));
  };
  scheduleSnapshot();

  const measuredDone = () => options.maxRequests !== undefined && measuredSent >= options.maxRequests;

  let clearSendTimers = () => {};
  const sendingDone = new Promise<void>((resolve) => {
    let stopSending = resolve;
    const onAbort = () => {
      interrupted = true;
      stopping = true;
      stopSending();
    };
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });

    if (schedule) {
      let nextAt = schedule.next();
      const timer = new SendTimer(elapsed, () => pump());
      reaimSendTimer = () => timer.reaim();
      clearSendTimers = () => timer.cancel();
      stopSending = resolve;
      const pump = () => {
        const now = elapsed();
        while (nextAt !== undefined && nextAt <= now && !stopping) {
          if (measuredDone()) {
            nextAt = undefined;
            break;
          }
          if (inFlight.size >= maxInFlight) {
            recorder.dropped(nextAt < warmupMs);
          } else {
            send(nextAt);
          }
          nextAt = schedule.next();
        }
        if (nextAt === undefined || stopping || measuredDone()) return stopSending();
        timer.at(nextAt);
      };
      if (!stopping) pump();
    } else {
      const concurrency = (mode as { concurrency: number }).concurrency;
      let active = 0;
      const canSend = () => !stopping && elapsed() < totalMs && !measuredDone();
      onComplete = () => {
        active--;
        if (canSend()) {
          active++;
          send(elapsed());
        } else {
          stopping = true;
          resolve();
        }
      };
      // Stops the workers at the end of the duration even if no response comes back.
      const endTimer = setTimeout(() => {
        stopping = true;
        resolve();
      }, Math.max(0, totalMs - elapsed()));
      clearSendTimers = () => clearTimeout(endTimer);
      stopSending = resolve;
      for (let i = 0; i < concurrency && canSend(); i++) {
        active++;
        send(elapsed());
      }
    }
  });

  await sendingDone;
  clearSendTimers();
  stopping = true;
  sendingEndedMs = elapsed();
  // Wait for requests in flight; each has its deadline, so this ends within the timeout.
  if (inFlight.size > 0) await new Promise<void>((resolve) => (resolveDrained = resolve));
  clearInterval(sweep);
  if (snapshotTimer) clearTimeout(snapshotTimer);
  const endMs = elapsed();
  if (endMs > lastBoundaryMs) emit(endMs);
  await pool.destroy().catch(() => undefined);

  const totals = recorder.totals();
  recorder.destroy();
  // A run that ends by its schedule lasted its planned time, even if the last send came a little before.
  const sendEndMs = interrupted || measuredDone() ? Math.min(sendingEndedMs, totalMs) : totalMs;
  const measuredSendingMs = Math.max(0, sendEndMs - warmupMs);
  const durationS = measuredSendingMs / 1000;
  const targetPerSecond =
    mode.kind === 'rate' ? mode.ratePerSecond
    : mode.kind === 'stages' && schedule && measuredSendingMs > 0 ? round2(schedule.expectedCount(warmupMs, warmupMs + measuredSendingMs) / durationS)
    : null;
  const result: LoadResult = {
    schemaVersion: LOAD_RESULT_SCHEMA_VERSION,
    target: { url: redactUrl(options.url, options.showSecrets === true), protocol, method: adapter.method, headers: redactHeaders(headers, options.showSecrets === true) },
    mode,
    startedAt,
    durationMs: Math.round(measuredSendingMs),
    warmupMs,
    interrupted,
    requests: { sent: totals.sent, completed: totals.completed, failed: totals.failed, dropped: totals.dropped },
    throughput: {
      targetPerSecond,
      sentPerSecond: durationS > 0 ? round2(totals.sent / durationS) : 0,
      completedPerSecond: durationS > 0 ? round2(totals.completed / durationS) : 0,
    },
    latencyMs: totals.latencyMs,
    serviceTimeMs: totals.serviceTimeMs,
    errors: totals.errors,
    thresholds: [],
    series,
  };
  if (totals.llm) {
    result.llm = {
      ttftMs: totals.llm.ttftMs,
      itlMs: totals.llm.itlMs,
      tpotMs: totals.llm.tpotMs,
      outputTokensPerSecond: durationS > 0 ? round2(totals.llm.outputTokens / durationS) : 0,
      goodputPerSecond: durationS > 0 ? round2(totals.good / durationS) : 0,
      tokenCountsApproximate: totals.llm.tokenCountsApproximate,
    };
  }
  result.thresholds = evaluateThresholds(thresholds, result);
  return result;
}

interface Transport {
  dispatch(req: H1Request, handler: H1Handler): void;
  destroy(): Promise<void>;
}

/**
 * The lean HTTP/1.1 client by default (test/bench/RESULTS.md: faster than undici and autocannon here);
 * undici for HTTP/2 (ALPN) or when asked, through the same handler API.
 */
async function openTransport(
  url: URL,
  o: { connections: number; http2: boolean; transport: 'h1' | 'undici' | undefined; rejectUnauthorized: boolean; connectTimeoutMs: number; now: () => number },
): Promise<Transport> {
  if (!o.http2 && o.transport !== 'undici') {
    return new H1Pool(url.origin, { connections: o.connections, rejectUnauthorized: o.rejectUnauthorized, connectTimeoutMs: o.connectTimeoutMs, now: o.now });
  }
  const { Pool } = await import('undici');
  const pool = new Pool(url.origin, {
    connections: o.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    allowH2: o.http2,
    connect: { rejectUnauthorized: o.rejectUnauthorized, timeout: o.connectTimeoutMs },
  });
  return {
    dispatch: (req, handler) =>
      pool.dispatch({ path: req.path, method: req.method, headers: req.headers, body: req.body }, handler as Parameters<typeof pool.dispatch>[1]),
    destroy: () => pool.destroy(),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
