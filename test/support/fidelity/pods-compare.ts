/**
 * Compares a recording of the real HPA on a Pods gauge (test/cluster/pods-fidelity-recorder.ts) with the
 * simulator run as mdl ships it: its own sync grid from the trace's start (nothing of the controller's syncs
 * or Prometheus' scrape times is replayed), the rendered HPA spec, the cluster's sync period and scrape
 * interval, and the Prometheus pipeline's model (src/autoscale/metric-pipeline.ts) — or, to show what that
 * model adds, the simulator's older default for a Pods metric (a 60 s window read 15 s late). Pure.
 */
import { prometheusPodsMetric } from '../../../src/autoscale/metric-pipeline.js';
import { prepareCapacity, simulate } from '../../../src/autoscale/simulator.js';
import type { HpaSpec } from '../../../src/autoscale/types.js';

export interface GaugeRun {
  durationMs: number;
  /** Deployment spec.replicas changes, first seen at tMs (trace time); the first is the count at the start. */
  replicas: { tMs: number; replicas: number }[];
  /** Pods: created and Ready as first seen, trace time. */
  pods: { name: string; createdMs: number; readyMs?: number }[];
}

export interface GaugeFidelitySettings {
  hpa: HpaSpec;
  syncPeriodMs: number;
  scrapeIntervalMs: number;
  /** 'prometheus': the scrape model of the Prometheus pipeline (the default); 'window': a 60 s average 15 s late. */
  model?: 'prometheus' | 'window';
}

export interface GaugeComparison {
  syncPoints: number;
  agreeing: number;
  agreement: number;
  maxDifference: number;
  /** Created → Ready, the median of the recorded pods: the simulator's cold start. */
  podStartMs: number;
  series: { tMs: number; real: number; simulated: number; demand: number }[];
}

/** The simulator's step: a sync period is a whole number of them. */
const STEP_MS = 250;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function compareGaugeRun(rec: GaugeRun, settings: GaugeFidelitySettings, demandAt: (tMs: number) => number): GaugeComparison {
  const readyDelays = rec.pods.filter((p) => p.readyMs !== undefined && p.createdMs > 0).map((p) => p.readyMs! - p.createdMs);
  const podStartMs = Math.round(median(readyDelays) / 10) * 10 || 1000;
  const n = Math.floor(rec.durationMs / STEP_MS);
  const rates = new Float64Array(n);
  for (let i = 0; i < n; i++) rates[i] = demandAt(i * STEP_MS);
  const initial = rec.replicas[0]?.replicas ?? settings.hpa.minReplicas ?? 1;
  const result = simulate({
    hpa: settings.hpa,
    signal: 'concurrency',
    sloLatencyMs: 1e9,
    syncPeriodMs: settings.syncPeriodMs,
    ...(settings.model === 'window'
      ? { metricWindowMs: 60_000, metricLagMs: 15_000 }
      : prometheusPodsMetric({ kind: 'gauge', scrapeIntervalMs: settings.scrapeIntervalMs, rateWindowMs: 60_000 })),
    podStartMs,
    initialReplicas: initial,
    recordSteps: true,
  // One request in flight per request per second (a 1 s latency that never grows): the traffic's rate is
  // the demand in requests in flight, which the balancer spreads over the Ready pods.
  }, { stepMs: STEP_MS, ratesPerSecond: rates, source: 'gauge trace' }, prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 1e6, latencyMs: 1000 }] }));

  const realAt = (tMs: number) => {
    let v = initial;
    for (const r of rec.replicas) {
      if (r.tMs > tMs) break;
      v = r.replicas;
    }
    return v;
  };
  // Each simulated sync: the count it left (the step after the one it ended) against the real count in force
  // half a sync period later — the real controller's sync lies somewhere in that period.
  const P = settings.syncPeriodMs;
  const series: GaugeComparison['series'] = [];
  for (let t = P; t + P <= rec.durationMs; t += P) {
    const index = Math.round(t / STEP_MS);
    if (index >= n) break;
    series.push({ tMs: t, real: realAt(t + P / 2), simulated: result.steps!.desiredReplicas[index]!, demand: demandAt(t) });
  }
  const agreeing = series.filter((s) => s.real === s.simulated).length;
  return {
    syncPoints: series.length,
    agreeing,
    agreement: series.length ? agreeing / series.length : 0,
    maxDifference: Math.max(0, ...series.map((s) => Math.abs(s.real - s.simulated))),
    podStartMs,
    series,
  };
}
