/**
 * The simulation beside a replay: the same profile, the same settings, tune's measured capacity curve and cold
 * start, through the HPA simulator (src/autoscale) with the local runtime's lag chain made explicit — the
 * metric is the balancer's average over the sync period read at the sync (no scrape lag), syncs run when the
 * runtime's autoscaler ran (when recorded), a new replica serves after the measured cold start (which includes
 * readiness polling and the first request), a removed one takes no new requests at once (drain). Pure.
 */
import { profileToSeries, type Profile } from '../autoscale/profile.js';
import { DEFAULT_SYNC_PERIOD_MS } from '../local/options.js';
import { hpaSpecFor, prepareCapacity, simulate } from '../autoscale/simulator.js';
import type { ScalingSettings } from '../tune/prove.js';
import type { MetricKind } from '../tune/recommend.js';
import { curveForSimulator } from '../tune/simulate-adapter.js';
import type { CapacityPoint, SearchAxis, Slo } from '../tune/types.js';
import type { LagChain, SimulatedSecond } from './types.js';

export interface ReplaySimulationInput {
  profile: Profile;
  settings: ScalingSettings & { metric: MetricKind };
  curve: CapacityPoint[];
  axis: SearchAxis;
  slo: Slo;
  coldStartMs: number;
  coldStartSource: string;
  syncPeriodMs: number;
  /** The runtime's sync times, ms from the load start; without them the simulator syncs every period. */
  syncTimesMs?: number[];
  /** The request timeout: how long a request may wait before it is dropped. */
  maxQueueMs: number;
}

/**
 * The simulation's step: a quarter second, so that a sync reads the metric window ending where the runtime's
 * sync read it (not at the next whole second) — a decision on the tolerance's edge turns on that. The
 * series is reported per second, as the runtime's is.
 */
const STEP_MS = 250;
const STEPS_PER_SECOND = 1000 / STEP_MS;

/** The local runtime's metric pipeline: what the balancer measured over the last sync period, read at the sync. */
export function localMetricPipeline(syncPeriodMs: number): { metricWindowMs: number; metricLagMs: number; syncPeriodMs: number } {
  return { metricWindowMs: syncPeriodMs, metricLagMs: 0, syncPeriodMs };
}

/**
 * The metric pipeline tune's proof models, and so `tune --check` with it: a `--local` tune's setting runs on
 * the local runtime (its default sync period); otherwise undefined, the simulator's cluster defaults.
 */
export function proofMetricPipeline(local: boolean): ReturnType<typeof localMetricPipeline> | undefined {
  return local ? localMetricPipeline(DEFAULT_SYNC_PERIOD_MS) : undefined;
}

export function localLagChain(input: Pick<ReplaySimulationInput, 'syncPeriodMs' | 'coldStartMs' | 'coldStartSource' | 'syncTimesMs' | 'maxQueueMs'>): LagChain {
  return {
    ...localMetricPipeline(input.syncPeriodMs),
    syncTimesReplayed: (input.syncTimesMs?.length ?? 0) > 0,
    coldStartMs: Math.round(input.coldStartMs),
    coldStartSource: input.coldStartSource,
    maxQueueMs: input.maxQueueMs,
    drain: 'immediate',
  };
}

export function simulateReplay(input: ReplaySimulationInput): { seconds: SimulatedSecond[]; lagChain: LagChain } {
  const lagChain = localLagChain(input);
  const capacity = prepareCapacity(curveForSimulator(input.curve, input.axis, input.slo));
  const traffic = profileToSeries(input.profile, STEP_MS);
  const s = input.settings;
  const signal = s.metric === 'rps' ? 'rps' : s.metric === 'cpu' ? 'cpu' : 'concurrency';
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
  const syncTimes = input.syncTimesMs?.filter((t) => t >= 0).sort((a, b) => a - b);
  const result = simulate(
    {
      hpa,
      signal,
      sloLatencyMs: input.slo.latencyMs,
      sloErrorRate: input.slo.errorRate,
      syncPeriodMs: Math.max(STEP_MS, Math.round(input.syncPeriodMs / STEP_MS) * STEP_MS),
      ...(syncTimes && syncTimes.length > 0 ? { syncTimesMs: syncTimes } : {}),
      metricWindowMs: lagChain.metricWindowMs,
      metricLagMs: lagChain.metricLagMs,
      podStartMs: input.coldStartMs,
      maxQueueMs: input.maxQueueMs,
      recordSteps: true,
    },
    traffic,
    capacity,
  );
  const st = result.steps!;
  const seconds: SimulatedSecond[] = [];
  for (let first = 0; first < st.timeS.length; first += STEPS_PER_SECOND) {
    const last = Math.min(first + STEPS_PER_SECOND, st.timeS.length) - 1;
    let rateSum = 0;
    let worstMs = 0;
    let loaded = false;
    for (let i = first; i <= last; i++) {
      rateSum += st.ratePerSecond[i]!;
      if (st.ratePerSecond[i]! > 0) loaded = true;
      worstMs = Math.max(worstMs, st.latencyMs[i]!);
    }
    seconds.push({
      second: Math.round(st.timeS[first]!),
      offeredPerSecond: Math.round((rateSum / (last - first + 1)) * 100) / 100,
      // The state at the end of the second, as the runtime's series reports it.
      desired: st.desiredReplicas[last]!,
      ready: st.readyReplicas[last]!,
      // The second's worst step: its p95 is the slowest quarter's.
      latencyMs: Math.round(worstMs * 10) / 10,
      // As the simulator counts it (src/autoscale/simulator.ts): load present and latency over the SLO.
      overSlo: loaded && worstMs > input.slo.latencyMs,
    });
  }
  return { seconds, lagChain };
}
