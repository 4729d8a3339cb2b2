/**
 * A time-stepped simulation of a Deployment scaled by the HPA: traffic arrives, ready replicas serve it up to
 * their measured capacity, the metric the controller sees is a lagging window average, the controller (the
 * real algorithm from hpa.ts) syncs on its period, and new pods serve nothing until they are Ready.
 * Pure and allocation-light, so that a week of 15 s steps for 100 configurations runs in well under a second.
 */
import { badInput } from '../errors.js';
import { createHpaState, prepareHpa, syncHpaReplicas, type PreparedHpa } from './hpa.js';
import type { TrafficSeries } from './traffic.js';
import type { HpaBehavior, HpaControllerOptions, HpaObservation, HpaSpec, PodMetricSummary } from './types.js';

/** A measured point: latency (and error rate) at a per-replica load. */
export interface CapacityPoint {
  /** Concurrency (in-flight requests) or requests per second per replica, as `axis` says. */
  loadPerReplica: number;
  latencyMs: number;
  /** Fraction of failed requests, 0–1. */
  errorRate?: number;
}

export interface CapacityCurve {
  axis: 'concurrency' | 'rate';
  points: CapacityPoint[];
  /** Where it came from ("tune result 2026-11-28", "capacity.json"). */
  source?: string;
}

/** The curve in rate terms, ready for interpolation. */
export interface PreparedCapacity {
  rate: Float64Array;
  latencyMs: Float64Array;
  concurrency: Float64Array;
  errorRate: Float64Array;
  /** The highest rate one replica sustained: beyond it, requests queue. */
  maxRatePerReplica: number;
}

export function prepareCapacity(curve: CapacityCurve): PreparedCapacity {
  if (curve.points.length === 0) throw badInput('the capacity curve has no points', { where: curve.source, hint: 'Give at least one {loadPerReplica, latencyMs} point.' });
  const pts = [...curve.points].sort((a, b) => a.loadPerReplica - b.loadPerReplica);
  for (const p of pts) {
    if (!(p.loadPerReplica > 0) || !(p.latencyMs > 0) || !Number.isFinite(p.loadPerReplica) || !Number.isFinite(p.latencyMs)) {
      throw badInput(`capacity point ${JSON.stringify(p)} needs a positive loadPerReplica and latencyMs`, { where: curve.source });
    }
  }
  const rate: number[] = [];
  const lat: number[] = [];
  const conc: number[] = [];
  const err: number[] = [];
  for (const p of pts) {
    const r = curve.axis === 'rate' ? p.loadPerReplica : (p.loadPerReplica * 1000) / p.latencyMs;
    // Past the point where more load no longer raises throughput the server is saturated: stop there.
    if (rate.length > 0 && r <= rate[rate.length - 1]!) break;
    rate.push(r);
    lat.push(p.latencyMs);
    conc.push(curve.axis === 'rate' ? (p.loadPerReplica * p.latencyMs) / 1000 : p.loadPerReplica);
    err.push(p.errorRate ?? 0);
  }
  return {
    rate: Float64Array.from(rate),
    latencyMs: Float64Array.from(lat),
    concurrency: Float64Array.from(conc),
    errorRate: Float64Array.from(err),
    maxRatePerReplica: rate[rate.length - 1]!,
  };
}

/** Index i such that rate[i] ≤ r < rate[i+1] (−1 below the first point). */
function segment(rate: Float64Array, r: number): number {
  let lo = -1;
  let hi = rate.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rate[mid]! <= r) lo = mid;
    else hi = mid;
  }
  return lo;
}

function interpolate(c: PreparedCapacity, values: Float64Array, r: number, i: number, belowScales: boolean): number {
  if (i < 0) return belowScales ? (values[0]! * r) / c.rate[0]! : values[0]!;
  if (i >= c.rate.length - 1) return values[c.rate.length - 1]!;
  const f = (r - c.rate[i]!) / (c.rate[i + 1]! - c.rate[i]!);
  return values[i]! + f * (values[i + 1]! - values[i]!);
}

/** Latency, concurrency and error rate of one replica serving `ratePerReplica` (at most its maximum). */
export function capacityAt(c: PreparedCapacity, ratePerReplica: number): { latencyMs: number; concurrency: number; errorRate: number } {
  const i = segment(c.rate, ratePerReplica);
  return {
    latencyMs: interpolate(c, c.latencyMs, ratePerReplica, i, false),
    concurrency: interpolate(c, c.concurrency, ratePerReplica, i, true),
    errorRate: interpolate(c, c.errorRate, ratePerReplica, i, false),
  };
}

export type ScalingSignal = 'concurrency' | 'rps' | 'cpu';

/** metrics-server's default --metric-resolution: how often it scrapes the pods' CPU. */
export const METRICS_SERVER_SCRAPE_MS = 15_000;

/** The few scaling settings a spec has; `hpaSpecFor` turns them into the HPA object's spec. */
export interface ScalingSettings {
  minReplicas: number;
  maxReplicas: number;
  metric: ScalingSignal;
  /** Per-replica concurrency or requests per second, or CPU utilization percent. */
  target: number;
  behavior?: HpaBehavior;
}

/** The HPA spec a rendered manifest would carry for these settings (custom metrics as Pods metrics). */
export function hpaSpecFor(s: ScalingSettings): HpaSpec {
  const metric =
    s.metric === 'cpu'
      ? ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.target } } } as const)
      : ({
          type: 'Pods',
          pods: {
            metric: { name: s.metric === 'rps' ? 'requests_per_second' : 'concurrency' },
            target: { type: 'AverageValue', averageValue: Math.round(s.target * 1000) / 1000 },
          },
        } as const);
  return { minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, metrics: [metric], ...(s.behavior ? { behavior: s.behavior } : {}) };
}

export interface SimulationConfig {
  /** The HPA spec; its first metric is driven by `signal`. */
  hpa: HpaSpec;
  signal: ScalingSignal;
  sloLatencyMs: number;
  /** A step whose error rate exceeds this also counts as over the SLO (default: errors are not judged). */
  sloErrorRate?: number;
  /** Controller sync period (15 s); a multiple of the traffic step. */
  syncPeriodMs?: number;
  /**
   * Replay: the controller syncs at these times (ms from the start, ascending), at the end of the step each
   * falls in, instead of every syncPeriodMs — a recorded controller's own sync times, which drift by the
   * time each sync takes.
   */
  syncTimesMs?: readonly number[];
  /** The window the metric is averaged over (metrics-server / adapter): default 30 s for cpu, 60 s otherwise. */
  metricWindowMs?: number;
  /** How old the newest sample is when the controller reads it (scrape interval): default 15 s. */
  metricLagMs?: number;
  /**
   * Model metrics-server's scrapes instead of a fixed lag (metricLagMs is then unused): the controller reads
   * the sample of the latest scrape (one every intervalMs, the first at offsetMs, default 0; scrapes before
   * time 0 are taken to have seen the first step's load), each sample averaging the metric over
   * metricWindowMs before it. A pod has a sample once it existed at `scrapesToFirstSample` scrapes (default 2:
   * metrics-server computes a rate from two points; 3 when the first point reads zero CPU and is dropped, as
   * with kwok's usage emulation). A Ready pod without a sample is missing (100 % of its request on a
   * scale-down, 0 on a scale-up). For CPU, a sample counts only if its pod was Ready at the scrape before it
   * (upstream: sample time ≥ readiness change + window), else the pod is unready, as are pods not Ready yet.
   * `visibleAfterMs` (default 0, less than the interval): how long after a scrape its sample is served to
   * the controller (the scrape's own duration and storing); the sample still measures the load at the scrape.
   */
  metricScrape?: { intervalMs: number; offsetMs?: number; scrapesToFirstSample?: number; visibleAfterMs?: number };
  /** Pod created → Ready (image pull, model load): default 60 s. */
  podStartMs?: number;
  /** Replicas at the start: default minReplicas. */
  initialReplicas?: number;
  /** Requests wait at most this long before they are dropped (client timeout): default 30 s. */
  maxQueueMs?: number;
  /** Per-replica rate at 100 % CPU of the request, for the cpu signal: default the curve's maximum rate. */
  cpuSaturationRatePerReplica?: number;
  controller?: Partial<HpaControllerOptions>;
  /** Keep the per-step series (off for searches that only need the totals). */
  recordSteps?: boolean;
}

export interface SimulationSteps {
  timeS: Float64Array;
  ratePerSecond: Float64Array;
  desiredReplicas: Int32Array;
  readyReplicas: Int32Array;
  loadPerReplica: Float64Array;
  latencyMs: Float64Array;
  queuedRequests: Float64Array;
}

export interface SimulationTotals {
  durationS: number;
  requests: number;
  servedRequests: number;
  failedRequests: number;
  droppedRequests: number;
  /** Σ queued requests × seconds: how much load waited, and for how long. */
  queuedRequestSeconds: number;
  peakQueuedRequests: number;
  secondsOverSlo: number;
  replicaHours: number;
  peakReplicas: number;
  minReplicasSeen: number;
  scaleEvents: number;
}

export interface SimulationResult {
  totals: SimulationTotals;
  steps?: SimulationSteps;
}

interface Prepared {
  hpa: PreparedHpa;
  stepMs: number;
  syncEvery: number;
  windowSteps: number;
  lagMs: number;
  podStartMs: number;
  maxQueueS: number;
  cpuSat: number;
  scrapeIntervalMs: number;
  scrapeOffsetMs: number;
  scrapeVisibleAfterMs: number;
  scrapesToFirstSample: number;
  /** Resource Utilization: what a missing pod counts as on a scale-down, in milli-units of a 1000 m request. */
  missingFallbackMilli: number;
}

function prepare(config: SimulationConfig, traffic: TrafficSeries, capacity: PreparedCapacity): Prepared {
  const stepMs = traffic.stepMs;
  const syncPeriodMs = config.syncPeriodMs ?? 15_000;
  if (!(stepMs > 0) || syncPeriodMs % stepMs !== 0) {
    throw badInput(`the sync period (${syncPeriodMs} ms) must be a multiple of the traffic step (${stepMs} ms)`, { hint: 'Resample the traffic to a step that divides the sync period.' });
  }
  const metrics = config.hpa.metrics ?? [];
  if (metrics.length > 1) throw badInput('the simulator drives one metric; the HPA spec has several', { hint: 'Simulate each metric on its own.' });
  const hpa = prepareHpa(config.hpa, config.controller);
  const windowMs = config.metricWindowMs ?? (config.signal === 'cpu' ? 30_000 : 60_000);
  const scrape = config.metricScrape;
  if (scrape && !(scrape.intervalMs > 0)) throw badInput(`the metric scrape interval must be positive (got ${scrape.intervalMs} ms)`);
  const visibleAfterMs = scrape?.visibleAfterMs ?? 0;
  if (scrape && !(visibleAfterMs >= 0 && visibleAfterMs < scrape.intervalMs)) {
    throw badInput(`a scrape's sample must be visible before the next scrape (visible after ${visibleAfterMs} ms, interval ${scrape.intervalMs} ms)`);
  }
  const first = metrics[0];
  const targetUtilization = first?.type === 'Resource' ? (first.resource.target.averageUtilization ?? 100) : 100;
  return {
    hpa,
    stepMs,
    syncEvery: syncPeriodMs / stepMs,
    windowSteps: Math.max(1, Math.round(windowMs / stepMs)),
    lagMs: config.metricLagMs ?? 15_000,
    podStartMs: config.podStartMs ?? 60_000,
    maxQueueS: (config.maxQueueMs ?? 30_000) / 1000,
    cpuSat: config.cpuSaturationRatePerReplica ?? capacity.maxRatePerReplica,
    scrapeIntervalMs: scrape?.intervalMs ?? 0,
    scrapeOffsetMs: scrape?.offsetMs ?? 0,
    scrapeVisibleAfterMs: visibleAfterMs,
    scrapesToFirstSample: Math.max(1, Math.round(scrape?.scrapesToFirstSample ?? 2)),
    missingFallbackMilli: Math.trunc((1000 * Math.max(100, targetUtilization)) / 100),
  };
}

/** Runs one configuration over the traffic. */
export function simulate(config: SimulationConfig, traffic: TrafficSeries, capacity: PreparedCapacity): SimulationResult {
  const p = prepare(config, traffic, capacity);
  const { hpa, stepMs } = p;
  const stepS = stepMs / 1000;
  const n = traffic.ratesPerSecond.length;
  const rates = traffic.ratesPerSecond;
  const record = config.recordSteps ?? true;
  const steps: SimulationSteps | undefined = record
    ? {
        timeS: new Float64Array(n),
        ratePerSecond: new Float64Array(n),
        desiredReplicas: new Int32Array(n),
        readyReplicas: new Int32Array(n),
        loadPerReplica: new Float64Array(n),
        latencyMs: new Float64Array(n),
        queuedRequests: new Float64Array(n),
      }
    : undefined;

  // Prefix sums of the per-replica metric, so a window average is two reads.
  const metricPrefix = new Float64Array(n + 1);
  const maxRate = capacity.maxRatePerReplica;
  const isCpu = config.signal === 'cpu';
  const cpuInitMs = hpa.options.cpuInitializationPeriodMs;

  // Pods: ready ones by the time they became ready (newest last), pending ones by the time they will be.
  const initial = Math.min(hpa.maxReplicas, Math.max(config.initialReplicas ?? hpa.minReplicas, 0));
  const readyAt: number[] = [];
  for (let i = 0; i < initial; i++) readyAt.push(-Infinity);
  const pendingReadyAt: number[] = [];
  let pendingHead = 0;

  const state = createHpaState();
  const summary: PodMetricSummary = {
    readyPodCount: 0,
    sampleCount: 0,
    usageSumMilli: 0,
    requestSumMilli: 0,
    requestEntries: 0,
    missingCount: 0,
    missingFallbackUsageMilli: 0,
    missingRequestSumMilli: 0,
    unreadyCount: 0,
    unreadyRequestSumMilli: 0,
  };
  const observation: HpaObservation = { currentReplicas: initial, metrics: [{ kind: 'summary', summary }] };
  const noMetric: HpaObservation = { currentReplicas: initial, metrics: [undefined] };

  const totals: SimulationTotals = {
    durationS: n * stepS,
    requests: 0,
    servedRequests: 0,
    failedRequests: 0,
    droppedRequests: 0,
    queuedRequestSeconds: 0,
    peakQueuedRequests: 0,
    secondsOverSlo: 0,
    replicaHours: 0,
    peakReplicas: initial,
    minReplicasSeen: initial,
    scaleEvents: 0,
  };
  let backlog = 0;
  let podSeconds = 0;
  // Running totals live in locals inside the loop (they stay in registers) and land in `totals` at the end.
  let requests = 0;
  let servedTotal = 0;
  let failed = 0;
  let dropped = 0;
  let queuedSeconds = 0;
  let peakQueued = 0;
  let overSlo = 0;
  let peakReplicas = initial;
  let minSeen = initial;
  let scaleEvents = 0;
  const sloLatency = config.sloLatencyMs;
  const sloErrors = config.sloErrorRate ?? Infinity;
  const maxQueueS = p.maxQueueS;
  const syncEvery = p.syncEvery;
  const syncTimes = config.syncTimesMs;
  let nextSync = 0;
  const lagMs = p.lagMs;
  const windowSteps = p.windowSteps;
  const podStartMs = p.podStartMs;
  const cpuSat = p.cpuSat;
  const signal = config.signal;
  const capRate = capacity.rate;
  const capLat = capacity.latencyMs;
  const capConc = capacity.concurrency;
  const capErr = capacity.errorRate;
  const lastPoint = capRate.length - 1;
  // Scrapes: the latest two scrape times and the latest sample (NaN until the first step fills it in).
  const scrapeEvery = p.scrapeIntervalMs;
  const scraping = scrapeEvery > 0;
  const firstScrapeMs = p.scrapeOffsetMs - Math.ceil(p.scrapeOffsetMs / scrapeEvery) * scrapeEvery;
  let nextScrapeMs = scraping ? firstScrapeMs : Infinity;
  let lastScrapeMs = nextScrapeMs - scrapeEvery;
  const firstSampleBackMs = (p.scrapesToFirstSample - 1) * scrapeEvery;
  const visibleAfterMs = p.scrapeVisibleAfterMs;
  let sampleValue = NaN;
  // A scrape whose sample is not served yet (visibleAfterMs > 0): its time and value.
  let takenMs = NaN;
  let takenValue = NaN;

  /** The controller's observation: `counted` pods with a sample of `value` per replica (CPU percent of a 1000m
   *  request, or the custom metric), `missing` pods without one, `unready` pods whose sample is ignored. */
  const observe = (current: number, counted: number, missing: number, unready: number, value: number): HpaObservation => {
    if (counted === 0) {
      noMetric.currentReplicas = current;
      return noMetric;
    }
    const perPodMilli = isCpu ? Math.round(value * 10) : Math.round(value * 1000);
    summary.readyPodCount = counted;
    summary.sampleCount = counted;
    summary.usageSumMilli = perPodMilli * counted;
    summary.requestSumMilli = 1000 * counted;
    summary.requestEntries = counted;
    summary.missingCount = missing;
    summary.missingFallbackUsageMilli = p.missingFallbackMilli * missing;
    summary.missingRequestSumMilli = 1000 * missing;
    summary.unreadyCount = unready;
    summary.unreadyRequestSumMilli = 1000 * unready;
    observation.currentReplicas = current;
    return observation;
  };

  /** What the controller reads under the scrape model (see SimulationConfig.metricScrape). */
  const scrapedObservation = (current: number, ready: number, pending: number): HpaObservation => {
    let counted = ready;
    let missing = 0;
    let unready = isCpu ? pending : 0;
    // A pod has a sample if it existed at the scrape `scrapesToFirstSample − 1` before the latest; for CPU the
    // sample counts if the pod was Ready at the scrape before the latest. readyAt (and so creation) ascends:
    // only the newest pods can fail either test.
    const prevScrapeMs = lastScrapeMs - scrapeEvery;
    const sampledSinceMs = lastScrapeMs - firstSampleBackMs;
    for (let k = readyAt.length - 1; k >= 0; k--) {
      const at = readyAt[k]!;
      if (at - podStartMs >= sampledSinceMs) {
        counted--;
        missing++;
      } else if (isCpu && at > prevScrapeMs) {
        counted--;
        unready++;
      } else break;
    }
    if (!isCpu) missing += pending;
    return observe(current, counted, missing, unready, sampleValue);
  };

  for (let i = 0; i < n; i++) {
    const t = i * stepMs;
    // Pending pods whose start time has passed become ready.
    while (pendingHead < pendingReadyAt.length && pendingReadyAt[pendingHead]! <= t) readyAt.push(pendingReadyAt[pendingHead++]!);
    const ready = readyAt.length;
    const pending = pendingReadyAt.length - pendingHead;

    // Serve: arrivals plus what waited, up to what the ready replicas sustain.
    const arrivals = rates[i]! * stepS;
    const demand = arrivals + backlog;
    const capacityReq = ready * maxRate * stepS;
    const served = demand < capacityReq ? demand : capacityReq;
    backlog = demand - served;
    const allowed = (ready > 0 ? ready * maxRate : rates[i]!) * maxQueueS;
    if (backlog > allowed) {
      dropped += backlog - allowed;
      backlog = allowed;
    }
    const perReplica = ready > 0 ? served / stepS / ready : 0;
    let latencyMs: number;
    let concurrency = 0;
    let errorRate = 0;
    if (ready > 0) {
      // Inline interpolation: this is the simulator's innermost loop.
      const k = segment(capRate, perReplica);
      if (k < 0) {
        latencyMs = capLat[0]!;
        concurrency = (capConc[0]! * perReplica) / capRate[0]!;
        errorRate = capErr[0]!;
      } else if (k >= lastPoint) {
        latencyMs = capLat[lastPoint]!;
        concurrency = capConc[lastPoint]!;
        errorRate = capErr[lastPoint]!;
      } else {
        const f = (perReplica - capRate[k]!) / (capRate[k + 1]! - capRate[k]!);
        latencyMs = capLat[k]! + f * (capLat[k + 1]! - capLat[k]!);
        concurrency = capConc[k]! + f * (capConc[k + 1]! - capConc[k]!);
        errorRate = capErr[k]! + f * (capErr[k + 1]! - capErr[k]!);
      }
      // Requests left waiting add their expected wait.
      if (backlog > 0) latencyMs += (backlog / (ready * maxRate)) * 1000;
    } else {
      latencyMs = demand > 0 ? maxQueueS * 1000 : 0;
    }
    requests += arrivals;
    servedTotal += served;
    failed += served * errorRate;
    queuedSeconds += backlog * stepS;
    if (backlog > peakQueued) peakQueued = backlog;
    if (demand > 0 && (latencyMs > sloLatency || errorRate > sloErrors)) overSlo += stepS;
    podSeconds += (ready + pending) * stepS;

    // The per-replica value the metric pipeline records for this step.
    const metricValue = isCpu
      ? (100 * perReplica) / cpuSat
      : signal === 'rps'
        ? perReplica
        : ready > 0
          ? concurrency + backlog / ready
          : 0;
    metricPrefix[i + 1] = metricPrefix[i]! + metricValue;
    const stepEnd = t + stepMs;
    // A replayed sync that falls in this step (NaN: none).
    const replayedSyncAt = syncTimes && nextSync < syncTimes.length && syncTimes[nextSync]! < stepEnd ? syncTimes[nextSync]! : NaN;
    if (scraping) {
      // Before any scrape of the run, the pipeline has seen steady load at the first step's level.
      if (sampleValue !== sampleValue) sampleValue = metricValue;
      while (nextScrapeMs < stepEnd) {
        // The sample before it is served by now (visibleAfterMs < the interval).
        if (takenMs === takenMs) {
          sampleValue = takenValue;
          lastScrapeMs = takenMs;
        }
        const start = Math.max(0, i + 1 - windowSteps);
        takenValue = (metricPrefix[i + 1]! - metricPrefix[start]!) / (i + 1 - start);
        takenMs = nextScrapeMs;
        nextScrapeMs += scrapeEvery;
      }
      // Served before the sync at the end of this step (or before a replayed sync that falls in it)?
      const readAt = replayedSyncAt === replayedSyncAt ? replayedSyncAt : stepEnd;
      if (takenMs + visibleAfterMs < readAt) {
        sampleValue = takenValue;
        lastScrapeMs = takenMs;
        takenMs = NaN;
      }
    }

    const current = ready + pending;
    if (steps) {
      steps.timeS[i] = t / 1000;
      steps.ratePerSecond[i] = rates[i]!;
      steps.desiredReplicas[i] = current;
      steps.readyReplicas[i] = ready;
      steps.loadPerReplica[i] = signal === 'concurrency' ? (ready > 0 ? concurrency + backlog / ready : 0) : perReplica;
      steps.latencyMs[i] = latencyMs;
      steps.queuedRequests[i] = backlog;
    }

    // The controller syncs at the end of the step.
    let now = stepEnd;
    if (syncTimes) {
      if (replayedSyncAt !== replayedSyncAt) continue;
      // A replayed sync acts at its own time: the stabilization window and the scale-up period count from it.
      while (nextSync < syncTimes.length && syncTimes[nextSync]! < stepEnd) now = syncTimes[nextSync++]!;
    } else if ((i + 1) % syncEvery !== 0) continue;
    const windowEnd = Math.floor((now - lagMs) / stepMs);
    let obs: HpaObservation;
    if (scraping) {
      obs = scrapedObservation(current, ready, pending);
    } else if (windowEnd <= 0 || ready === 0) {
      noMetric.currentReplicas = current;
      obs = noMetric;
    } else {
      const windowStart = Math.max(0, windowEnd - windowSteps);
      const avg = (metricPrefix[windowEnd]! - metricPrefix[windowStart]!) / (windowEnd - windowStart);
      let counted = ready;
      let unready = 0;
      if (isCpu) {
        // Within the CPU initialization period a freshly ready pod's sample does not count until a full window
        // has passed since it became ready; pods not yet ready are unready.
        for (let k = readyAt.length - 1; k >= 0; k--) {
          const at = readyAt[k]!;
          if (!(at > now - windowSteps * stepMs && at - podStartMs + cpuInitMs > now)) break;
          counted--;
          unready++;
        }
        unready += pending;
      }
      // A pod that is not Ready yet has no sample of a custom metric: it is missing.
      obs = observe(current, counted, isCpu ? 0 : pending, unready, avg);
    }
    const desired = syncHpaReplicas(hpa, state, obs, now);
    if (desired === current) continue;
    scaleEvents++;
    if (desired > current) {
      for (let k = current; k < desired; k++) pendingReadyAt.push(now + podStartMs);
    } else {
      // The ReplicaSet removes pods that are not ready first, then the most recently ready.
      let remove = current - desired;
      while (remove > 0 && pendingReadyAt.length > pendingHead) {
        pendingReadyAt.pop();
        remove--;
      }
      readyAt.length -= remove;
    }
    if (pendingHead > 1024) {
      pendingReadyAt.splice(0, pendingHead);
      pendingHead = 0;
    }
    if (desired > peakReplicas) peakReplicas = desired;
    if (desired < minSeen) minSeen = desired;
  }
  totals.requests = requests;
  totals.servedRequests = servedTotal;
  totals.failedRequests = failed;
  totals.droppedRequests = dropped;
  totals.queuedRequestSeconds = queuedSeconds;
  totals.peakQueuedRequests = peakQueued;
  totals.secondsOverSlo = overSlo;
  totals.peakReplicas = peakReplicas;
  totals.minReplicasSeen = minSeen;
  totals.scaleEvents = scaleEvents;
  totals.replicaHours = podSeconds / 3600;
  return steps ? { totals, steps } : { totals };
}
