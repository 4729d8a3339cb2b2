/**
 * The local runtime behind `mdl dev` (and `--local` on loadtest and tune): replicas as processes, a balancer in
 * front, an autoscaler loop that runs the HPA algorithm on what the balancer measures.
 */
import { advertiseLocalTarget } from './registry.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { badInput, MdlError, ExitCode } from '../errors.js';
import { Balancer } from './balancer.js';
import { processGroupCpuSeconds } from './cpu.js';
import { RuntimeEvents, type LocalRuntimeListener } from './events.js';
import { checkOptions, resolveOptions, type LocalRuntimeOptions, type ResolvedOptions } from './options.js';
import { initialHistory, recommendReplicas, type RecommendHistory } from './recommend.js';
import { Replica } from './replica.js';
import type { LocalRuntimeStatus, ScalingEvent } from './status.js';

export interface LocalRuntime {
  /** The balancer's URL, e.g. http://127.0.0.1:8080 */
  url: string;
  events: RuntimeEvents;
  status(): LocalRuntimeStatus;
  /** Sets the replica count by hand (clamped to min/max); the autoscaler may change it at its next sync. */
  scaleTo(replicas: number, reason?: string): void;
  /** Drains and stops every replica, closes the balancer. Safe to call more than once. */
  stop(): Promise<void>;
}

const STATUS_PATH = '/.mdl/status';
const MAX_SCALING_EVENTS = 200;
const MAX_CRASHES_BEFORE_READY = 3;
const STABLE_AFTER_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

export interface StartOptions {
  /** Subscribed before the first replica starts, so it sees the start-up too. */
  listener?: LocalRuntimeListener;
  clock?: Clock;
}

export async function startLocalRuntime(input: LocalRuntimeOptions, start: StartOptions = {}): Promise<LocalRuntime> {
  const options = resolveOptions(input);
  const problems = checkOptions(options);
  if (problems.length > 0) throw badInput(`Local runtime options are not usable: ${problems.join('; ')}`);
  const runtime = new Runtime(options, start.clock ?? systemClock);
  if (start.listener) runtime.events.on(start.listener);
  try {
    await runtime.start();
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  // So that load tests ask this URL, and only mdl's, for /.mdl/status (src/local/registry.ts).
  const unadvertise = advertiseLocalTarget(runtime.url);
  return {
    url: runtime.url,
    events: runtime.events,
    status: () => runtime.status(),
    scaleTo: (n, reason) => runtime.scaleTo(n, reason ?? 'manual'),
    stop: () => {
      unadvertise();
      return runtime.stop();
    },
  };
}

class Runtime {
  readonly events = new RuntimeEvents();
  url = '';
  private readonly replicas: Replica[] = [];
  private readonly balancer: Balancer;
  private nextIndex = 1;
  private desired: number;
  private stopping: Promise<void> | undefined;
  private readonly startedWall: number;
  private readonly startedMs: number;
  private history: RecommendHistory = initialHistory(0, 0);
  private readonly scalingEvents: Array<ScalingEvent & { pending?: Set<string>; atMs: number }> = [];
  private lastMetricValue: number | undefined;
  private lastSyncWall: number | undefined;
  private lastSync: { atMs: number; integral: number; completed: number } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private crashesBeforeReady = 0;
  private everReady = false;
  private fatal: ((error: Error) => void) | undefined;
  private readonly onExit = () => {
    for (const r of this.replicas) r.killNow();
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly clock: Clock,
  ) {
    this.desired = Math.min(Math.max(options.replicas, 1), Math.max(options.scaling.maxReplicas, options.replicas));
    this.startedWall = clock.wallNow();
    this.startedMs = clock.now();
    this.balancer = new Balancer(
      { now: () => clock.now(), replicas: () => this.replicas, ownRoute: (req, res) => this.ownRoute(req, res) },
      options.queueTimeoutMs,
    );
  }

  async start(): Promise<void> {
    // Last resort if mdl exits without stop() (an uncaught error): no replica may outlive it.
    process.on('exit', this.onExit);
    let port: number;
    try {
      port = await this.balancer.listen(this.options.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw badInput(`Cannot listen on 127.0.0.1:${this.options.port}: ${code ?? String(error)}`, {
        where: '--port',
        hint: code === 'EADDRINUSE' ? 'Pick another port with --port, or 0 for any free port.' : undefined,
      });
    }
    this.url = `http://127.0.0.1:${port}`;
    const initial = this.desired;
    const ready = new Promise<void>((resolve, reject) => {
      this.fatal = reject;
      const check = () => {
        const n = this.replicas.filter((r) => r.state === 'ready').length;
        if (n >= (this.options.waitFor === 'all' ? initial : 1)) {
          unsubscribe();
          resolve();
        }
      };
      const unsubscribe = this.events.on((e) => {
        if (e.type === 'replica-ready') check();
      });
    });
    for (let i = 0; i < initial; i++) await this.addReplica();
    await ready;
    // As the HPA controller does for a new HPA: the starting count is the first recommendation, so the
    // scale-down window holds it until the window has passed.
    this.history = initialHistory(initial, this.clock.now());
    this.fatal = undefined;
    if (this.options.scaling.enabled) this.scheduleSync();
    const tick = setInterval(() => this.events.emit({ type: 'status', status: this.status() }), 1000);
    tick.unref();
    this.timers.push(tick);
  }

  private hooks = {
    now: () => this.clock.now(),
    wallNow: () => this.clock.wallNow(),
    onOutput: (r: Replica, stream: 'stdout' | 'stderr', line: string) =>
      this.events.emit({ type: 'replica-output', replica: r.id, stream, line }),
    onStarting: (r: Replica) =>
      this.events.emit({ type: 'replica-starting', replica: r.id, pid: r.pid, port: r.port, at: this.clock.wallNow() }),
    onReady: (r: Replica) => {
      this.everReady = true;
      this.events.emit({ type: 'replica-ready', replica: r.id, timeToReadyMs: r.timeToReadyMs ?? 0, at: this.clock.wallNow() });
      this.balancer.replicaReady();
      for (const ev of this.scalingEvents) {
        if (!ev.pending?.delete(r.id) || ev.pending.size > 0) continue;
        ev.timeToReadyMs = Math.round(this.clock.now() - ev.atMs);
        delete ev.pending;
      }
    },
    onUnready: (r: Replica) => this.events.emit({ type: 'replica-unready', replica: r.id, at: this.clock.wallNow() }),
    onCrash: (r: Replica, exitCode: number | undefined) => this.crashed(r, exitCode),
  };

  private async addReplica(): Promise<Replica> {
    const replica = new Replica(`${this.options.name}-${this.nextIndex++}`, this.options, this.hooks);
    this.replicas.push(replica);
    await replica.start();
    return replica;
  }

  private crashed(r: Replica, exitCode: number | undefined): void {
    this.balancer.forget(r);
    const wanted = this.replicas.includes(r) && !this.stopping;
    // A replica that served for a while before crashing starts again quickly; a crash loop backs off.
    const servedMs = r.readyAtMs === undefined ? 0 : this.clock.now() - r.readyAtMs;
    r.crashStreak = servedMs > STABLE_AFTER_MS ? 0 : r.crashStreak + 1;
    const backoff = Math.min(this.options.restartBackoffMs * 2 ** Math.max(r.crashStreak - 1, 0), MAX_BACKOFF_MS);
    this.events.emit({
      type: 'replica-crashed',
      replica: r.id,
      exitCode,
      lastOutput: [...r.lastOutput],
      restarts: r.restarts,
      restartInMs: wanted ? backoff : 0,
      at: this.clock.wallNow(),
    });
    if (!this.everReady && ++this.crashesBeforeReady >= MAX_CRASHES_BEFORE_READY && this.fatal) {
      this.fatal(
        new MdlError(`The replica command exited before becoming ready (exit code ${exitCode ?? 'unknown'}).`, {
          exitCode: ExitCode.badInput,
          where: 'local.command',
          hint: `Its last output:\n    ${r.lastOutput.slice(-8).join('\n    ') || '(none)'}\n  Check the command and that it serves ${this.options.healthPath} on {port}.`,
        }),
      );
      return;
    }
    if (!wanted) return;
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      if (this.stopping || !this.replicas.includes(r)) return;
      r.restarts++;
      this.background(`restarting ${r.id}`, r.start());
    }, backoff);
    this.timers.push(timer);
  }

  scaleTo(target: number, reason: string, metricValue?: number): void {
    if (this.stopping) return;
    const { minReplicas, maxReplicas } = this.options.scaling;
    const to = Math.min(Math.max(Math.round(target), minReplicas), maxReplicas);
    const from = this.replicas.length;
    if (to === from) return;
    this.desired = to;
    const event: ScalingEvent & { pending?: Set<string>; atMs: number } = {
      at: new Date(this.clock.wallNow()).toISOString(),
      atMs: this.clock.now(),
      from,
      to,
      reason,
      metricValue,
    };
    this.scalingEvents.push(event);
    if (this.scalingEvents.length > MAX_SCALING_EVENTS) this.scalingEvents.shift();
    this.events.emit({ type: 'scale', from, to, reason, metricValue, at: this.clock.wallNow() });
    if (to > from) {
      event.pending = new Set();
      for (let i = from; i < to; i++) {
        const replica = new Replica(`${this.options.name}-${this.nextIndex++}`, this.options, this.hooks);
        event.pending.add(replica.id);
        this.replicas.push(replica);
        this.background(`starting ${replica.id}`, replica.start());
      }
    } else {
      // Remove replicas that serve nothing yet first, then the newest.
      const order = [...this.replicas].sort((a, b) => rank(a) - rank(b) || this.replicas.indexOf(b) - this.replicas.indexOf(a));
      for (const r of order.slice(0, from - to)) {
        this.replicas.splice(this.replicas.indexOf(r), 1);
        this.events.emit({ type: 'replica-draining', replica: r.id, inFlight: r.counters.inFlight, at: this.clock.wallNow() });
        this.background(`stopping ${r.id}`, r.drainAndStop().then(() => {
          this.balancer.forget(r);
          this.events.emit({ type: 'replica-stopped', replica: r.id, at: this.clock.wallNow() });
        }));
      }
    }
  }

  /**
   * Work started from a timer or an event, which nobody awaits: a failure is reported as an event and the
   * runtime goes on (an unhandled rejection would end mdl as a bug).
   */
  private background(what: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      this.events.emit({ type: 'runtime-error', what, message: error instanceof Error ? error.message : String(error), at: this.clock.wallNow() });
    });
  }

  private scheduleSync(): void {
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      if (this.stopping) return;
      this.background('the autoscaler sync', this.sync().finally(() => {
        if (!this.stopping) this.scheduleSync();
      }));
    }, this.options.scaling.syncPeriodMs);
    this.timers.push(timer);
  }

  /** One autoscaler sync: read the metric over the last period, ask for a count, apply it. */
  private async sync(): Promise<void> {
    const now = this.clock.now();
    const { metric, minReplicas, maxReplicas, behavior } = this.options.scaling;
    const ready = this.replicas.filter((r) => r.state === 'ready');
    const unready = this.replicas.filter((r) => r.state === 'starting' || r.state === 'unready');
    let metricSum: number;
    if (metric.type === 'cpu') {
      metricSum = 0;
      for (const r of ready) {
        const seconds = r.pid === undefined ? undefined : await processGroupCpuSeconds(r.pid);
        if (seconds === undefined) continue;
        const mark = r.cpuMark;
        r.cpuMark = { atMs: now, seconds };
        if (mark && now > mark.atMs) {
          const cores = (seconds - mark.seconds) / ((now - mark.atMs) / 1000);
          metricSum += (100 * cores) / this.options.scaling.cpuRequestCores;
        }
      }
    } else {
      // Balancer-wide integrals: replicas that were removed meanwhile still count for the time they served.
      const integral = this.allIntegral(now);
      const completed = this.allCompleted();
      const prev = this.lastSync ?? { atMs: this.startedMs, integral: 0, completed: 0 };
      this.lastSync = { atMs: now, integral, completed };
      const seconds = (now - prev.atMs) / 1000;
      metricSum = seconds <= 0 ? 0 : metric.type === 'concurrency' ? (integral - prev.integral) / (now - prev.atMs) : (completed - prev.completed) / seconds;
    }
    const rec = recommendReplicas(
      {
        nowMs: now,
        currentReplicas: this.replicas.length,
        readyReplicas: ready.length,
        unreadyReplicas: unready.length,
        metricSum,
        metric,
        minReplicas,
        maxReplicas,
        behavior,
      },
      this.history,
    );
    this.history = rec.history;
    this.lastMetricValue = rec.metricValue;
    this.lastSyncWall = this.clock.wallNow();
    this.events.emit({
      type: 'autoscaler-sync',
      currentReplicas: this.replicas.length,
      desiredReplicas: rec.desiredReplicas,
      metricValue: rec.metricValue,
      at: this.lastSyncWall,
    });
    if (rec.desiredReplicas !== this.replicas.length) {
      const value = rec.metricValue === undefined ? 'n/a' : rec.metricValue.toFixed(2);
      this.scaleTo(rec.desiredReplicas, `${metric.type} ${value} per replica vs target ${metric.target} (${rec.reason})`, rec.metricValue);
    }
  }

  /** The metric per ready replica since the last sync (or the start), measured as sync() measures it. */
  private metricSinceSync(now: number): number | undefined {
    const { metric } = this.options.scaling;
    if (metric.type !== 'concurrency' && metric.type !== 'rps') return undefined;
    const ready = this.replicas.filter((r) => r.state === 'ready').length;
    const prev = this.lastSync ?? { atMs: this.startedMs, integral: 0, completed: 0 };
    const ms = now - prev.atMs;
    if (ready === 0 || ms <= 0) return undefined;
    const sum = metric.type === 'concurrency' ? (this.allIntegral(now) - prev.integral) / ms : (this.allCompleted() - prev.completed) / (ms / 1000);
    return Math.round((sum / ready) * 100) / 100;
  }

  private removedIntegral = 0;
  private removedCompleted = 0;
  private readonly counted = new Set<Replica>();

  /** ∫ (in-flight + queued) dt over every replica this runtime has had. */
  private allIntegral(now: number): number {
    this.rememberRemoved(now);
    return this.replicas.reduce((s, r) => s + r.counters.integral(now), this.removedIntegral) + this.balancer.queuedIntegralAt(now);
  }

  private allCompleted(): number {
    return this.replicas.reduce((s, r) => s + r.counters.requestsTotal, this.removedCompleted);
  }

  private rememberRemoved(now: number): void {
    for (const r of this.counted) {
      if (this.replicas.includes(r)) continue;
      this.removedIntegral += r.counters.integral(now);
      this.removedCompleted += r.counters.requestsTotal;
      this.counted.delete(r);
    }
    for (const r of this.replicas) this.counted.add(r);
  }

  status(): LocalRuntimeStatus {
    const now = this.clock.now();
    const iso = (wall: number | undefined) => (wall === undefined ? undefined : new Date(wall).toISOString());
    const replicas = this.replicas.map((r) => ({
      id: r.id,
      state: r.state,
      pid: r.pid,
      guardPid: r.guardPid,
      port: r.port,
      restarts: r.restarts,
      startedAt: iso(r.startedAtWall),
      timeToReadyMs: r.timeToReadyMs === undefined ? undefined : Math.round(r.timeToReadyMs),
      inFlight: r.counters.inFlight,
      requestsTotal: r.counters.requestsTotal,
      errorsTotal: r.counters.errorsTotal,
      ratePerSecond: Math.round(r.counters.ratePerSecond(now) * 10) / 10,
      latency: r.counters.latency(now),
    }));
    return {
      schemaVersion: 1,
      url: this.url,
      startedAt: new Date(this.startedWall).toISOString(),
      uptimeMs: Math.round(now - this.startedMs),
      desiredReplicas: this.desired,
      readyReplicas: replicas.filter((r) => r.state === 'ready').length,
      minReplicas: this.options.scaling.minReplicas,
      maxReplicas: this.options.scaling.maxReplicas,
      autoscaler: {
        enabled: this.options.scaling.enabled,
        metric: this.options.scaling.metric,
        syncPeriodMs: this.options.scaling.syncPeriodMs,
        lastMetricValue: this.lastMetricValue,
        currentMetricValue: this.metricSinceSync(now),
        lastSyncAt: iso(this.lastSyncWall),
      },
      totals: {
        inFlight: replicas.reduce((s, r) => s + r.inFlight, 0),
        queued: this.balancer.queued,
        requestsTotal: replicas.reduce((s, r) => s + r.requestsTotal, 0),
        errorsTotal: replicas.reduce((s, r) => s + r.errorsTotal, 0),
        rejectedTotal: this.balancer.rejectedTotal,
        ratePerSecond: Math.round(replicas.reduce((s, r) => s + r.ratePerSecond, 0) * 10) / 10,
      },
      replicas,
      scalingEvents: this.scalingEvents.map(({ pending: _p, atMs: _a, ...e }) => e),
    };
  }

  private ownRoute(req: IncomingMessage, res: ServerResponse): boolean {
    if (!req.url?.startsWith('/.mdl/')) return false;
    if (req.url.split('?')[0] === STATUS_PATH && req.method === 'GET') {
      const body = JSON.stringify(this.status(), null, 2);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no route ${req.url}; try ${STATUS_PATH}` }));
    }
    return true;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearTimeout(t);
      this.timers = [];
      const all = [...this.replicas];
      // Stop taking new connections, let in-flight requests finish on their replicas, then stop them.
      this.balancer.beginClose();
      await Promise.all(all.map((r) => r.drainAndStop().then(() => this.balancer.forget(r))));
      await this.balancer.close();
      process.off('exit', this.onExit);
    })();
    return this.stopping;
  }
}

function rank(r: Replica): number {
  return r.state === 'ready' ? 1 : 0;
}
