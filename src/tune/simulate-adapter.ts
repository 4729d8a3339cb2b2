/**
 * The bridge from tune's measurements to the HPA simulator (src/autoscale): the measured curve becomes the
 * simulator's per-replica capacity, the spec's traffic section becomes a profile (baseline, ramp to peak,
 * hold, ramp down: profileFromTraffic, the same profile `--verify` and `mdl replay` play, so what is proved
 * is what is replayed), and tune's settings become an HPA spec.
 */
import { profileFromTraffic, profileToSeries } from '../autoscale/profile.js';
import { clusterMetricPipeline } from '../autoscale/metric-pipeline.js';
import { hpaSpecFor, prepareCapacity, simulate, type CapacityCurve, type ScalingSignal } from '../autoscale/simulator.js';
import type { ScalingSettings, SimulateFn, SimulationPoint } from './prove.js';
import type { MetricKind, TrafficShape } from './recommend.js';
import type { CapacityPoint, SearchAxis, Slo } from './types.js';

/** One-second steps, as the replay's simulation: a ramp of a few seconds is not smeared over a coarse step. */
const STEP_MS = 1_000;
const MAX_SERIES_POINTS = 720;

/** Steps that measured the server in a steady state (a backlogged open-loop step's latency is transient). */
export function curveForSimulator(curve: CapacityPoint[], axis: SearchAxis, slo: Slo): CapacityCurve {
  const points = curve
    .filter((p) => !p.backlog && p.latencyMs[slo.percentile] > 0 && p.completedPerSecond > 0)
    .map((p) => ({ loadPerReplica: p.level, latencyMs: p.latencyMs[slo.percentile], errorRate: p.errorRate }));
  return { axis, points, source: 'tune capacity curve' };
}

function signalFor(kind: MetricKind): ScalingSignal {
  return kind === 'rps' ? 'rps' : kind === 'cpu' ? 'cpu' : 'concurrency';
}

export function simulatorFor(options: {
  curve: CapacityPoint[];
  axis: SearchAxis;
  slo: Slo;
  coldStartMs: number;
  traffic: TrafficShape;
  metric: MetricKind;
  /**
   * The metric pipeline of the runtime the setting will run on, when it is not a cluster's
   * (clusterMetricPipeline: CPU through metrics-server's scrapes, the rest through Prometheus') — the local
   * runtime's: the balancer's average over the sync period, read at the sync (src/replay/simulate-replay.ts).
   */
  metricPipeline?: { metricWindowMs: number; metricLagMs: number; syncPeriodMs: number };
}): SimulateFn {
  const capacity = prepareCapacity(curveForSimulator(options.curve, options.axis, options.slo));
  const traffic = profileToSeries(profileFromTraffic(options.traffic), STEP_MS);
  return (s: ScalingSettings) => {
    const signal = signalFor(s.metric ?? options.metric);
    const hpa = hpaSpecFor({
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      metric: signal,
      target: s.target,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: s.scaleUp.stabilizationWindowSeconds, selectPolicy: 'Max', policies: s.scaleUp.policies },
        scaleDown: { stabilizationWindowSeconds: s.scaleDown.stabilizationWindowSeconds, selectPolicy: 'Max', policies: s.scaleDown.policies },
      },
    });
    const result = simulate(
      {
        hpa,
        signal,
        sloLatencyMs: options.slo.latencyMs,
        sloErrorRate: options.slo.errorRate,
        podStartMs: options.coldStartMs,
        // A cluster's pipeline unless told otherwise: metrics-server for CPU, Prometheus for the rest (test/bench/RESULTS.md).
        ...(options.metricPipeline ?? clusterMetricPipeline(signal)),
        recordSteps: true,
      },
      traffic,
      capacity,
    );
    const steps = result.steps!;
    const every = Math.max(1, Math.ceil(steps.timeS.length / MAX_SERIES_POINTS));
    const series: SimulationPoint[] = [];
    for (let i = 0; i < steps.timeS.length; i += every) {
      series.push({
        second: steps.timeS[i]!,
        trafficPerSecond: steps.ratePerSecond[i]!,
        replicas: steps.desiredReplicas[i]!,
        readyReplicas: steps.readyReplicas[i]!,
        latencyMs: steps.latencyMs[i]!,
      });
    }
    return {
      durationSeconds: result.totals.durationS,
      secondsOverSlo: result.totals.secondsOverSlo,
      replicaHours: result.totals.replicaHours,
      peakReplicas: result.totals.peakReplicas,
      series,
    };
  };
}
