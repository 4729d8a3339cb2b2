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
import { proxyFor, redactProxy } from '../net/proxy-env.js';
import { H1Pool, type H1Controller, type H1Handler, type H1Request } from './h1-client.js';
import { systemClock, type Clock } from '../clock.js';
import { SendTimer } from './send-timer.js';
import { badInput } from '../errors.js';
import { classifyError, httpErrorClass, RequestTimeoutError } from './error-class.js';
import { PayloadCursor, type PayloadItem } from './payload.js';
import { createAdapter, type PreparedRequest, type ProtocolAdapter, type ResponseJudge } from './protocols.js';
import { Recorder } from './recorder.js';
import { redactHeaders, redactUrl } from './redact.js';
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
  /** Connect directly whatever HTTP(S)_PROXY says: the target is one mdl started on this machine (--local),
   *  which no proxy can reach. */
  direct?: boolean;
  /** Show header values and URL user info in the result instead of [redacted] (src/load/redact.ts). */
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
    throw badInput(`"${redactUrl(o.url)}" is not a URL`, { where: 'URL', hint: 'Pass a URL such as http://127.0.0.1:8080/predict.' });
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

/** What a run needs before it opens the transport: options resolved to defaults, the adapter and schedule. */
interface RunPlan {
  url: URL;
  clock: Clock;
  mode: LoadMode;
  warmupMs: number;
  timeoutMs: number;
  protocol: LoadProtocol;
  headers: Record<string, string>;
  thresholds: Threshold[];
  adapter: ProtocolAdapter;
  schedule: ArrivalSchedule | undefined;
  totalMs: number;
  knownTotalMs: number | undefined;
  connections: number;
  maxInFlight: number;
  proxy: string | undefined;
}

/** One run's state, shared by the phases below; the mutable fields change as requests come and go. */
interface LoadRun extends RunPlan {
  options: LoadOptions;
  hooks: RunHooks;
  pool: Transport;
  recorder: Recorder;
  elapsed: () => number;
  inFlight: Set<InFlight>;
  series: LoadSnapshot[];
  measuredSent: number;
  stopping: boolean;
  interrupted: boolean;
  sendingEndedMs: number | undefined;
  resolveDrained: (() => void) | undefined;
  /** Closed loop: a finished request starts the next. */
  onComplete: (() => void) | undefined;
  /** Open loop: after anything else woke the event loop, the send timer is set again (see SendTimer). */
  reaimSendTimer: () => void;
  clearSendTimers: () => void;
  lastBoundaryMs: number;
  snapshotTimer: NodeJS.Timeout | undefined;
}

export async function runLoad(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadResult> {
  const plan = planRun(options);
  const pool = await openTransport(plan.url, {
    proxy: plan.proxy,
    connections: plan.connections,
    http2: options.http2 === true,
    transport: options.transport,
    rejectUnauthorized: options.insecure !== true,
    connectTimeoutMs: Math.min(plan.timeoutMs, 10_000),
    now: () => elapsed(),
  });
  const recorder = new Recorder({ goodput: goodputLimits(plan.thresholds) });

  const startMs = plan.clock.now();
  const startedAt = new Date(plan.clock.wallNow()).toISOString();
  const elapsed = () => plan.clock.now() - startMs;
  const run: LoadRun = {
    ...plan,
    options,
    hooks,
    pool,
    recorder,
    elapsed,
    inFlight: new Set<InFlight>(),
    series: [],
    measuredSent: 0,
    stopping: false,
    interrupted: false,
    sendingEndedMs: undefined,
    resolveDrained: undefined,
    onComplete: undefined,
    reaimSendTimer: () => {},
    clearSendTimers: () => {},
    lastBoundaryMs: 0,
    snapshotTimer: undefined,
  };

  const sweep = startDeadlineSweep(run);
  scheduleSnapshot(run);
  await startSending(run);
  const sendingEndedMs = stopSending(run);
  await drainAndClose(run, sweep);
  return buildResult(run, startedAt, sendingEndedMs);
}

/** Resolves the options to their defaults and builds the adapter and (open loop) arrival schedule. */
function planRun(options: LoadOptions): RunPlan {
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
  // HTTP_PROXY / HTTPS_PROXY / NO_PROXY, read as the kube client reads them (src/net/proxy-env.ts).
  const proxy = options.direct ? undefined : proxyFor(url);
  return { url, clock, mode, warmupMs, timeoutMs, protocol, headers, thresholds, adapter, schedule, totalMs, knownTotalMs, connections, maxInFlight, proxy };
}

/** endMs: when the response's last bytes were read, if the transport knows; otherwise now. */
function finishRequest(run: LoadRun, r: InFlight, error: unknown, statusError: boolean, endMs?: number): void {
  if (r.done) return;
  r.done = true;
  run.inFlight.delete(r);
  const now = endMs ?? run.elapsed();
  // Requests scheduled in warm-up are recorded apart and never measured, even when they end after it.
  if (error !== undefined) {
    run.recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: classifyError(error) }, r.warmup);
  } else if (statusError) {
    run.recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: httpErrorClass(r.status) }, r.warmup);
  } else {
    const verdict = r.judge ? r.judge.finish(now) : {};
    run.recorder.record({ latencyMs: now - r.scheduledMs, serviceTimeMs: now - r.sentMs, error: verdict.error, llm: verdict.llm }, r.warmup);
  }
  run.onComplete?.();
  maybeDrained(run);
  run.reaimSendTimer();
}

function maybeDrained(run: LoadRun): void {
  if (run.sendingEndedMs !== undefined && run.inFlight.size === 0) run.resolveDrained?.();
}

function send(run: LoadRun, scheduledMs: number): void {
  const { adapter, timeoutMs, elapsed } = run;
  const prepared: PreparedRequest = adapter.next();
  const warmup = scheduledMs < run.warmupMs;
  if (!warmup) run.measuredSent++;
  run.recorder.sent(warmup);
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
  run.inFlight.add(r);
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
      run.reaimSendTimer();
    },
    onResponseEnd(controller) {
      finishRequest(run, r, undefined, r.status >= 400, controller.receivedMs);
    },
    onResponseError(_controller, error) {
      finishRequest(run, r, error, false);
    },
  };
  try {
    run.pool.dispatch(prepared, handler);
  } catch (error) {
    finishRequest(run, r, error, false);
  }
}

/** Deadlines: one sweep over the (bounded) in-flight set instead of a timer per request. */
function startDeadlineSweep(run: LoadRun): NodeJS.Timeout {
  return setInterval(() => {
    const now = run.elapsed();
    for (const r of run.inFlight) {
      if (now < r.deadlineMs) continue;
      const controller = r.controller;
      finishRequest(run, r, new RequestTimeoutError(), false);
      controller?.abort(new RequestTimeoutError());
    }
    run.reaimSendTimer();
  }, Math.max(10, Math.min(100, run.timeoutMs / 4)));
}

// Snapshots: warm-up seconds count up to 0, measured seconds from 1, aligned to the end of warm-up.
function secondNumber(run: LoadRun, boundaryMs: number): number {
  return Math.ceil((boundaryMs - run.warmupMs) / 1000 - 1e-9) || 0;
}

function emitSnapshot(run: LoadRun, boundaryMs: number): void {
  const { warmupMs, lastBoundaryMs, totalMs } = run;
  const warmup = boundaryMs <= warmupMs && lastBoundaryMs < warmupMs;
  const sched = run.schedule;
  const mid = (lastBoundaryMs + boundaryMs) / 2;
  const snapshot = run.recorder.endSecond({
    second: secondNumber(run, boundaryMs),
    timestampMs: run.clock.wallNow(),
    elapsedMs: Math.round(boundaryMs),
    totalMs: run.knownTotalMs,
    warmup,
    stageIndex: sched && run.mode.kind === 'stages' ? sched.stageIndexAt(Math.min(mid, totalMs - 1)) : undefined,
    targetPerSecond: sched ? round2(sched.expectedCount(lastBoundaryMs, Math.min(boundaryMs, totalMs)) / ((boundaryMs - lastBoundaryMs) / 1000 || 1)) : undefined,
    inFlight: run.inFlight.size,
    windowMs: boundaryMs - lastBoundaryMs,
  });
  run.lastBoundaryMs = boundaryMs;
  if (!snapshot.warmup) run.series.push(snapshot);
  run.hooks.onSnapshot?.(snapshot);
}

function nextBoundary(run: LoadRun): number {
  const { lastBoundaryMs, warmupMs } = run;
  if (lastBoundaryMs < warmupMs) return Math.min(lastBoundaryMs + 1000, warmupMs);
  return warmupMs + (Math.floor((lastBoundaryMs - warmupMs) / 1000 + 1e-9) + 1) * 1000;
}

function scheduleSnapshot(run: LoadRun): void {
  const at = nextBoundary(run);
  run.snapshotTimer = setTimeout(() => {
    emitSnapshot(run, at);
    scheduleSnapshot(run);
    run.reaimSendTimer();
  }, Math.max(0, at - run.elapsed()));
}

function measuredDone(run: LoadRun): boolean {
  return run.options.maxRequests !== undefined && run.measuredSent >= run.options.maxRequests;
}

/** Starts sending; resolves when the schedule or duration ends, maxRequests are sent, or the signal aborts. */
function startSending(run: LoadRun): Promise<void> {
  const { hooks, schedule } = run;
  return new Promise<void>((resolve) => {
    const onAbort = () => {
      run.interrupted = true;
      run.stopping = true;
      resolve();
    };
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    if (schedule) startOpenLoop(run, schedule, resolve);
    else startClosedLoop(run, resolve);
  });
}

/** Ends sending for good; returns when it ended. */
function stopSending(run: LoadRun): number {
  run.clearSendTimers();
  run.stopping = true;
  const sendingEndedMs = run.elapsed();
  run.sendingEndedMs = sendingEndedMs;
  return sendingEndedMs;
}

/** Open loop: sends at the schedule's times, dropping what would exceed maxInFlight. */
function startOpenLoop(run: LoadRun, schedule: ArrivalSchedule, sendingDone: () => void): void {
  let nextAt = schedule.next();
  const timer = new SendTimer(run.elapsed, () => pump());
  run.reaimSendTimer = () => timer.reaim();
  run.clearSendTimers = () => timer.cancel();
  const pump = () => {
    const now = run.elapsed();
    while (nextAt !== undefined && nextAt <= now && !run.stopping) {
      if (measuredDone(run)) {
        nextAt = undefined;
        break;
      }
      if (run.inFlight.size >= run.maxInFlight) {
        run.recorder.dropped(nextAt < run.warmupMs);
      } else {
        send(run, nextAt);
      }
      nextAt = schedule.next();
    }
    if (nextAt === undefined || run.stopping || measuredDone(run)) return sendingDone();
    timer.at(nextAt);
  };
  if (!run.stopping) pump();
}

/** Closed loop: `concurrency` workers, each sending its next request when its last one ends. */
function startClosedLoop(run: LoadRun, sendingDone: () => void): void {
  const concurrency = (run.mode as { concurrency: number }).concurrency;
  const { elapsed, totalMs } = run;
  const canSend = () => !run.stopping && elapsed() < totalMs && !measuredDone(run);
  run.onComplete = () => {
    if (canSend()) {
      send(run, elapsed());
    } else {
      run.stopping = true;
      sendingDone();
    }
  };
  // Stops the workers at the end of the duration even if no response comes back.
  const endTimer = setTimeout(() => {
    run.stopping = true;
    sendingDone();
  }, Math.max(0, totalMs - elapsed()));
  run.clearSendTimers = () => clearTimeout(endTimer);
  for (let i = 0; i < concurrency && canSend(); i++) send(run, elapsed());
}

/** Waits for requests in flight (each has its deadline, so this ends within the timeout), emits the last
 *  partial second and closes the transport. */
async function drainAndClose(run: LoadRun, sweep: NodeJS.Timeout): Promise<void> {
  if (run.inFlight.size > 0) await new Promise<void>((resolve) => (run.resolveDrained = resolve));
  clearInterval(sweep);
  if (run.snapshotTimer) clearTimeout(run.snapshotTimer);
  const endMs = run.elapsed();
  if (endMs > run.lastBoundaryMs) emitSnapshot(run, endMs);
  await run.pool.destroy().catch(() => undefined);
}

function buildResult(run: LoadRun, startedAt: string, sendingEndedMs: number): LoadResult {
  const { options, recorder, mode, schedule, warmupMs, totalMs, interrupted } = run;
  const totals = recorder.totals();
  recorder.destroy();
  // A run that ends by its schedule lasted its planned time, even if the last send came a little before.
  const sendEndMs = interrupted || measuredDone(run) ? Math.min(sendingEndedMs, totalMs) : totalMs;
  const measuredSendingMs = Math.max(0, sendEndMs - warmupMs);
  const durationS = measuredSendingMs / 1000;
  const targetPerSecond =
    mode.kind === 'rate' ? mode.ratePerSecond
    : mode.kind === 'stages' && schedule && measuredSendingMs > 0 ? round2(schedule.expectedCount(warmupMs, warmupMs + measuredSendingMs) / durationS)
    : null;
  const result: LoadResult = {
    schemaVersion: LOAD_RESULT_SCHEMA_VERSION,
    target: {
      url: redactUrl(options.url, options.showSecrets === true), protocol: run.protocol, method: run.adapter.method, headers: redactHeaders(run.headers, options.showSecrets === true),
      ...(run.proxy ? { proxy: redactProxy(run.proxy) } : {}),
    },
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
    series: run.series,
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
  result.thresholds = evaluateThresholds(run.thresholds, result);
  return result;
}

interface Transport {
  dispatch(req: H1Request, handler: H1Handler): void;
  destroy(): Promise<void>;
}

/**
 * The lean HTTP/1.1 client by default (test/bench/RESULTS.md: faster than undici and autocannon here);
 * undici for HTTP/2 (ALPN) or when asked, through the same handler API; undici's ProxyAgent when the
 * environment names a proxy for the URL (a forward proxy for http://, a CONNECT tunnel for https://).
 */
async function openTransport(
  url: URL,
  o: { proxy: string | undefined; connections: number; http2: boolean; transport: 'h1' | 'undici' | undefined; rejectUnauthorized: boolean; connectTimeoutMs: number; now: () => number },
): Promise<Transport> {
  if (o.proxy) {
    const { ProxyAgent } = await import('undici');
    const agent = new ProxyAgent({
      uri: o.proxy,
      connections: o.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: o.http2,
      connectTimeout: o.connectTimeoutMs,
      requestTls: { rejectUnauthorized: o.rejectUnauthorized },
    });
    return {
      dispatch: (req, handler) =>
        agent.dispatch({ origin: url.origin, path: req.path, method: req.method, headers: req.headers, body: req.body }, handler as Parameters<typeof agent.dispatch>[1]),
      destroy: () => agent.destroy(),
    };
  }
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
