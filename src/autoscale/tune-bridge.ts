/**
 * The simulator in the shape `mdl tune` injects (src/tune/run-tune.ts `simulatorFor`): a measured capacity
 * curve, a cold start and the SLO in; a function from candidate settings to a simulation summary out.
 * Structural types only, so that autoscale does not depend on tune.
 */
import { hpaSpecFor, prepareCapacity, simulate, type CapacityPoint, type ScalingSignal } from './simulator.js';
import type { TrafficSeries } from './traffic.js';

/** A measured tune step, as src/tune's CapacityPoint has it (only the fields used here). */
export interface MeasuredStep {
  axis: 'concurrency' | 'rate';
  level: number;
  latencyMs: Record<'p50' | 'p90' | 'p95' | 'p99', number>;
  errorRate: number;
  achievedPerSecond: number;
}

export interface TuneSlo {
  percentile: 'p50' | 'p90' | 'p95' | 'p99';
  latencyMs: number;
  errorRate: number;
}

export interface TuneSettings {
  minReplicas: number;
  maxReplicas: number;
  target: number;
  scaleUp: { stabilizationWindowSeconds: number; policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[] };
  scaleDown: { stabilizationWindowSeconds: number; policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[] };
}

export interface TuneSimulationSummary {
  durationSeconds: number;
  secondsOverSlo: number;
  replicaHours: number;
  peakReplicas: number;
  series: { second: number; trafficPerSecond: number; replicas: number; readyReplicas: number; latencyMs: number }[];
}

export interface TuneBridgeOptions {
  traffic: TrafficSeries;
  /** The metric the target is in; default from the curve's axis (concurrency → concurrency, rate → rps). */
  signal?: ScalingSignal;
  syncPeriodMs?: number;
  metricWindowMs?: number;
  metricLagMs?: number;
  /** Points per returned series (default 300). */
  seriesPoints?: number;
}

/** The measured steps as a capacity curve at the SLO's percentile; rate steps use what was achieved. */
export function capacityFromSteps(steps: MeasuredStep[], slo: TuneSlo): { axis: 'concurrency' | 'rate'; points: CapacityPoint[] } {
  const axis = steps[0]?.axis ?? 'concurrency';
  const points = steps.map((s) => ({
    loadPerReplica: axis === 'rate' ? s.achievedPerSecond : s.level,
    latencyMs: s.latencyMs[slo.percentile],
    errorRate: s.errorRate,
  }));
  return { axis, points: points.filter((p) => p.loadPerReplica > 0 && p.latencyMs > 0) };
}

export function tuneSimulatorFactory(options: TuneBridgeOptions) {
  return (steps: MeasuredStep[], coldStartMs: number, slo: TuneSlo) => {
    const curve = capacityFromSteps(steps, slo);
    const capacity = prepareCapacity({ ...curve, source: 'mdl tune' });
    const signal: ScalingSignal = options.signal ?? (curve.axis === 'rate' ? 'rps' : 'concurrency');
    return (settings: TuneSettings): TuneSimulationSummary => {
      const hpa = hpaSpecFor({
        minReplicas: settings.minReplicas,
        maxReplicas: settings.maxReplicas,
        metric: signal,
        target: settings.target,
        behavior: { scaleUp: settings.scaleUp, scaleDown: settings.scaleDown },
      });
      const r = simulate(
        {
          hpa,
          signal,
          sloLatencyMs: slo.latencyMs,
          sloErrorRate: slo.errorRate,
          podStartMs: coldStartMs,
          ...(options.syncPeriodMs !== undefined ? { syncPeriodMs: options.syncPeriodMs } : {}),
          ...(options.metricWindowMs !== undefined ? { metricWindowMs: options.metricWindowMs } : {}),
          ...(options.metricLagMs !== undefined ? { metricLagMs: options.metricLagMs } : {}),
          recordSteps: true,
        },
        options.traffic,
        capacity,
      );
      const st = r.steps!;
      const n = st.timeS.length;
      const every = Math.max(1, Math.ceil(n / (options.seriesPoints ?? 300)));
      const series: TuneSimulationSummary['series'] = [];
      for (let i = 0; i < n; i += every) {
        let replicas = 0;
        let ready = 0;
        let latency = 0;
        for (let k = i; k < Math.min(n, i + every); k++) {
          replicas = Math.max(replicas, st.desiredReplicas[k]!);
          ready = Math.max(ready, st.readyReplicas[k]!);
          latency = Math.max(latency, st.latencyMs[k]!);
        }
        series.push({ second: st.timeS[i]!, trafficPerSecond: st.ratePerSecond[i]!, replicas, readyReplicas: ready, latencyMs: latency });
      }
      return {
        durationSeconds: r.totals.durationS,
        secondsOverSlo: r.totals.secondsOverSlo,
        replicaHours: r.totals.replicaHours,
        peakReplicas: r.totals.peakReplicas,
        series,
      };
    };
  };
}
