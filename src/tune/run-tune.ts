/**
 * `mdl tune` as a library call: search capacity, find the knee, measure cold start, recommend, prove on
 * the simulator. Everything outside — the load engine, the replicas, the simulator — is injected, so the
 * same call runs against a URL, the local runtime, or a model in tests.
 */
import { systemClock, type Clock } from '../clock.js';
import { searchCapacity, type CapacitySearchOptions, type MeasureFn, type SearchEvent } from './capacity-search.js';
import type { CostSpec } from '../spec/types.js';
import type { TuneClusterInfo } from './cluster-target.js';
import { coldStartFromSample, defaultColdStart, type ColdStartProbe } from './cold-start.js';
import { tuneCost } from './cost.js';
import { findKnee } from './knee.js';
import { adoptChosen, prove, type ScalingSettings, type SimulateFn } from './prove.js';
import { metricFor, recommend, type MetricKind, type Recommendation, type RecommendTarget, type TrafficShape } from './recommend.js';
import { TUNE_RESULT_SCHEMA_VERSION, type TuneResult } from './result.js';
import type { CapacityPoint, SearchAxis, Slo, Sourced } from './types.js';

export type TuneEvent =
  | SearchEvent
  | { type: 'phase'; phase: 'search' | 'cold-start' | 'recommend' | 'simulate'; message: string };

export interface TuneOptions {
  url: string;
  local: boolean;
  runtime: string;
  hasGpu?: boolean;
  slo: Slo & { source: 'flag' | 'spec' | 'default' };
  replicas: number;
  /** The deployed model whose autoscaler is pinned to `replicas` for the run. */
  cluster?: TuneClusterInfo | null;
  /** Defaults to the axis of the metric chosen for the runtime. */
  axis?: SearchAxis;
  measure: MeasureFn;
  search?: Pick<CapacitySearchOptions, 'startLevel' | 'maxLevel' | 'windowMs' | 'growth' | 'stability' | 'resolution' | 'maxErrorRate'>;
  coldStart?: { probe: ColdStartProbe; where: string } | null;
  traffic?: Sourced<TrafficShape> | null;
  current?: ScalingSettings | null;
  /** Builds the simulator for the measured curve and cold start (src/autoscale); null when unavailable. */
  simulatorFor?: ((input: { curve: CapacityPoint[]; axis: SearchAxis; slo: Slo; coldStartMs: number; traffic: TrafficShape; metric: MetricKind }) => SimulateFn) | null;
  minReplicasFloor?: Sourced<number>;
  /** A replica's price (the spec's cost): the result then carries money beside replica-hours. */
  price?: CostSpec | null;
  /** The spec's deployment, for a KEDA trigger without placeholders. */
  deployment?: RecommendTarget;
  /** No simulated setting gets more replicas than this. */
  maxReplicasLimit?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onEvent?: (e: TuneEvent) => void;
}

export async function runTune(options: TuneOptions): Promise<TuneResult> {
  const clock = options.clock ?? systemClock;
  const emit = options.onEvent ?? (() => {});
  const started = clock.now();
  const startedAt = new Date(clock.wallNow()).toISOString();
  const metric = metricFor(options.runtime, options.hasGpu);
  const axis = options.axis ?? metric.axis;
  const notes: string[] = [];
  const cluster = options.cluster ?? null;
  if (cluster) {
    const was = `min ${cluster.original.min ?? 'unset'}, max ${cluster.original.max ?? 'unset'}`;
    notes.push(`Replicas: ${cluster.autoscaler} was pinned to min = max = ${cluster.pinnedReplicas} for the run (it was ${was}), in namespace ${cluster.namespace} of context ${cluster.context}.`);
  }

  emit({ type: 'phase', phase: 'search', message: `searching ${axis} per replica for ${options.slo.percentile} < ${options.slo.latencyMs} ms` });
  const search = await searchCapacity({
    axis,
    slo: options.slo,
    measure: options.measure,
    replicas: options.replicas,
    ...options.search,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: emit,
  });
  const interrupted = options.signal?.aborted === true;
  if (interrupted) notes.push('Interrupted: the result holds the steps measured until then.');
  if (search.limitedByMaxLevel) notes.push(`Capacity is at least ${search.capacityLevel}: the search stopped at its maximum level; raise --max-level.`);
  if (search.settledLimit !== null) {
    notes.push(
      `Capacity may be a little higher than ${search.capacityLevel}/s: this close to saturation a queue above ${search.settledLimit}/s takes longer than one window to settle, so no window could judge it; a longer --window reaches nearer saturation.`,
    );
  }
  for (const u of search.unconfirmed ?? []) {
    const why = u.growing ? 'its backlog kept growing' : `${options.slo.percentile} ${Math.round(u.latencyMs[options.slo.percentile])} ms`;
    const then = u.growing ? 'holding every later step as long' : 'one resolution step below it';
    notes.push(`${u.level} passed its step but failed a fresh ${u.loadSeconds} s hold (${why}), so it counts as failing and the search went on below it, ${then}.`);
  }
  if (axis !== metric.axis) notes.push(`The search ran on ${axis} while the ${metric.kind} metric suits ${options.runtime}; the target is converted with Little's law.`);
  const knee = findKnee(search.curve, { percentile: options.slo.percentile, clipLatencyMs: options.slo.latencyMs * 4 });

  const capPoint = search.curve.find((p) => p.level === search.capacityLevel) ?? null;
  const capacityPerReplica = capPoint
    ? {
        level: { value: capPoint.level, source: 'measured' as const, note: `highest ${axis} per replica with ${options.slo.percentile} ≤ ${options.slo.latencyMs} ms and errors ≤ ${options.slo.errorRate * 100} %` },
        perSecond: { value: capPoint.completedPerSecond, source: 'measured' as const, note: `completions per second per replica at ${axis} ${capPoint.level}` },
      }
    : null;

  let coldStartMs: Sourced<number> = defaultColdStart(options.runtime);
  if (options.coldStart && !interrupted) {
    emit({ type: 'phase', phase: 'cold-start', message: `measuring cold start (${options.coldStart.where})` });
    try {
      coldStartMs = coldStartFromSample(await options.coldStart.probe.measure(options.signal), options.coldStart.where);
    } catch (error) {
      notes.push(`Cold start not measured (${error instanceof Error ? error.message : String(error)}); a typical value for ${options.runtime} is used.`);
    }
  } else if (!options.coldStart) {
    notes.push(`Cold start not measured for a URL target: ${Math.round(coldStartMs.value / 1000)} s is typical for ${options.runtime}.`);
  }

  let recommendation: Recommendation | null = null;
  let simulation = null;
  if (capacityPerReplica && capPoint) {
    emit({ type: 'phase', phase: 'recommend', message: 'deriving the autoscaler settings' });
    recommendation = recommend({
      runtime: options.runtime,
      ...(options.hasGpu !== undefined ? { hasGpu: options.hasGpu } : {}),
      axis,
      capacityLevel: capacityPerReplica.level,
      capacityPerSecond: capacityPerReplica.perSecond,
      latencyAtCapacityMs: capPoint.latencyMs.mean,
      coldStartMs,
      ...(options.traffic ? { traffic: options.traffic } : {}),
      ...(options.minReplicasFloor ? { minReplicasFloor: options.minReplicasFloor } : {}),
      ...(options.deployment ? { deployment: options.deployment } : {}),
    });
    if (!options.traffic) notes.push('No traffic section in the spec: min/max replicas and the ramp headroom use defaults.');
    if (options.simulatorFor && options.traffic) {
      emit({ type: 'phase', phase: 'simulate', message: 'simulating the HPA over the expected traffic' });
      const simulate = options.simulatorFor({
        curve: search.curve,
        axis,
        slo: options.slo,
        coldStartMs: coldStartMs.value,
        traffic: options.traffic.value,
        metric: recommendation.metric.kind,
      });
      const searchStarted = clock.now();
      simulation = prove(recommendation, options.current ?? null, simulate, {
        integerTarget: recommendation.metric.axis === 'concurrency',
        capacityPerSecond: recommendation.metric.kind === 'rps' ? recommendation.capacityPerReplica.value : (capacityPerReplica.perSecond.value * recommendation.capacityPerReplica.value) / capPoint.level,
        ...(options.maxReplicasLimit !== undefined ? { maxReplicasLimit: options.maxReplicasLimit } : {}),
      });
      const searchMs = clock.now() - searchStarted;
      recommendation = adoptChosen(recommendation, simulation);
      const c = simulation.chosen.settings;
      const setting = `target ${c.target}, ${c.minReplicas}–${c.maxReplicas} replicas`;
      notes.push(`Settings search: ${simulation.candidates.length} settings simulated in ${Math.round(searchMs)} ms; ${setting} is ${simulation.reason}.`);
      if (!simulation.passed) {
        notes.push(
          `No setting passes: ${simulation.reason}. The best found (${setting}) is shown; nothing is written without --force. ` +
            `The ramp outpaces the ${Math.round(recommendation.headroom.scaleUpLagSeconds.value)} s scale-up lag: allow more replicas, shorten the cold start, or accept a larger budget.`,
        );
      }
    } else {
      notes.push(
        options.simulatorFor
          ? 'Not simulated: the spec has no traffic section to simulate.'
          : 'Not simulated: no simulator was given.',
      );
    }
  } else if (!interrupted) {
    notes.push('No level met the SLO: no recommendation. Check the SLO, or whether the endpoint is healthy.');
  }

  return {
    schemaVersion: TUNE_RESULT_SCHEMA_VERSION,
    target: { url: options.url, local: options.local, runtime: options.runtime, ...(cluster ? { cluster } : {}) },
    startedAt,
    durationMs: Math.round(clock.now() - started),
    interrupted,
    slo: options.slo,
    replicas: options.replicas,
    axis,
    search,
    knee,
    capacityPerReplica,
    coldStartMs,
    recommendation,
    simulation,
    cost: simulation && options.price ? tuneCost(simulation, options.price) : null,
    notes,
  };
}
