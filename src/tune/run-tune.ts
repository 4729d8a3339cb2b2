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
  const cluster = options.cluster ?? null;
  const notes: string[] = cluster ? [pinnedNote(cluster)] : [];

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
  notes.push(...searchNotes(search, options, { axis, metricAxis: metric.axis, metricKind: metric.kind, interrupted }));
  const knee = findKnee(search.curve, { percentile: options.slo.percentile, clipLatencyMs: options.slo.latencyMs * 4 });

  const capPoint = search.curve.find((p) => p.level === search.capacityLevel) ?? null;
  const capacityPerReplica = capPoint ? capacityAt(capPoint, axis, options.slo) : null;
  const coldStartMs = await measureColdStart(options, interrupted, notes, emit);

  let recommendation: Recommendation | null = null;
  let simulation: Simulation | null = null;
  if (capacityPerReplica && capPoint) {
    ({ recommendation, simulation } = recommendAndProve(options, { axis, capPoint, capacityPerReplica, coldStartMs, curve: search.curve }, notes, emit, clock));
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
    cost: simulation && options.price ? tuneCost(simulation, options.price, capacityPerReplica?.outputTokensPerSecond?.value) : null,
    notes,
  };
}

type Search = Awaited<ReturnType<typeof searchCapacity>>;
type Simulation = ReturnType<typeof prove>;
type CapacityPerReplica = NonNullable<TuneResult['capacityPerReplica']>;
type Emit = (e: TuneEvent) => void;

function pinnedNote(cluster: TuneClusterInfo): string {
  const was = `min ${cluster.original.min ?? 'unset'}, max ${cluster.original.max ?? 'unset'}`;
  return `Replicas: ${cluster.autoscaler} was pinned to min = max = ${cluster.pinnedReplicas} for the run (it was ${was}), in namespace ${cluster.namespace} of context ${cluster.context}.`;
}

/** What the search's outcome means for the answer: interruption, limits, refuted holds, a converted axis. */
function searchNotes(
  search: Search,
  options: TuneOptions,
  at: { axis: SearchAxis; metricAxis: SearchAxis; metricKind: MetricKind; interrupted: boolean },
): string[] {
  const notes: string[] = [];
  if (at.interrupted) notes.push('Interrupted: the result holds the steps measured until then.');
  if (search.limitedByMaxLevel) notes.push(`Capacity is at least ${search.capacityLevel}: the search stopped at its maximum level; raise --max-level.`);
  if (search.settledLimit !== null) {
    notes.push(
      `Capacity may be a little higher than ${search.capacityLevel}/s: this close to saturation a queue above ${search.settledLimit}/s takes longer than one window to settle, so no window could judge it; a longer --window reaches nearer saturation.`,
    );
  }
  for (const u of search.unconfirmed ?? []) {
    const p = options.slo.percentile;
    const margin = u.marginMs ?? 0;
    const why = u.growing
      ? 'its backlog kept growing'
      : u.latencyMs[p] <= options.slo.latencyMs
        ? `${p} ${Math.round(u.latencyMs[p])} ms, but a fresh run of its length may read up to ${Math.round(margin)} ms more, its windows spread so far`
        : `${p} ${Math.round(u.latencyMs[p])} ms`;
    const then = u.growing
      ? 'holding every later step as long'
      : u.latencyMs[p] <= options.slo.latencyMs
        ? `aiming at ${p} ≤ ${Math.round(Math.max(options.slo.latencyMs / 2, options.slo.latencyMs - margin))} ms (the SLO less that margin), below it`
        : 'one resolution step below it';
    notes.push(`${u.level} passed its step but failed a fresh ${u.loadSeconds} s hold (${why}), so it counts as failing and the search went on below it, ${then}.`);
  }
  if (at.axis !== at.metricAxis) notes.push(`The search ran on ${at.axis} while the ${at.metricKind} metric suits ${options.runtime}; the target is converted with Little's law.`);
  return notes;
}

function capacityAt(capPoint: CapacityPoint, axis: SearchAxis, slo: Slo): CapacityPerReplica {
  return {
    level: { value: capPoint.level, source: 'measured' as const, note: `highest ${axis} per replica with ${slo.percentile} ≤ ${slo.latencyMs} ms and errors ≤ ${slo.errorRate * 100} %` },
    perSecond: { value: capPoint.completedPerSecond, source: 'measured' as const, note: `completions per second per replica at ${axis} ${capPoint.level}` },
    ...(capPoint.outputTokensPerSecond !== undefined
      ? { outputTokensPerSecond: { value: capPoint.outputTokensPerSecond, source: 'measured' as const, note: `streamed output tokens per second per replica at ${axis} ${capPoint.level}` } }
      : {}),
  };
}

/** The cold start measured by the probe when there is one, else the runtime's typical value (with a note). */
async function measureColdStart(options: TuneOptions, interrupted: boolean, notes: string[], emit: Emit): Promise<Sourced<number>> {
  const typical = defaultColdStart(options.runtime);
  if (!options.coldStart) {
    notes.push(`Cold start not measured for a URL target: ${Math.round(typical.value / 1000)} s is typical for ${options.runtime}.`);
    return typical;
  }
  if (interrupted) return typical;
  emit({ type: 'phase', phase: 'cold-start', message: `measuring cold start (${options.coldStart.where})` });
  try {
    return coldStartFromSample(await options.coldStart.probe.measure(options.signal), options.coldStart.where);
  } catch (error) {
    notes.push(`Cold start not measured (${error instanceof Error ? error.message : String(error)}); a typical value for ${options.runtime} is used.`);
    return typical;
  }
}

/** The derived settings, then the simulated search for the cheapest one within the SLO budget, adopted. */
function recommendAndProve(
  options: TuneOptions,
  measured: { axis: SearchAxis; capPoint: CapacityPoint; capacityPerReplica: CapacityPerReplica; coldStartMs: Sourced<number>; curve: CapacityPoint[] },
  notes: string[],
  emit: Emit,
  clock: Clock,
): { recommendation: Recommendation; simulation: Simulation | null } {
  const { axis, capPoint, capacityPerReplica, coldStartMs } = measured;
  emit({ type: 'phase', phase: 'recommend', message: 'deriving the autoscaler settings' });
  const derived = recommend({
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
  if (!options.simulatorFor || !options.traffic) {
    notes.push(options.simulatorFor ? 'Not simulated: the spec has no traffic section to simulate.' : 'Not simulated: no simulator was given.');
    return { recommendation: derived, simulation: null };
  }
  emit({ type: 'phase', phase: 'simulate', message: 'simulating the HPA over the expected traffic' });
  const simulate = options.simulatorFor({
    curve: measured.curve,
    axis,
    slo: options.slo,
    coldStartMs: coldStartMs.value,
    traffic: options.traffic.value,
    metric: derived.metric.kind,
  });
  const searchStarted = clock.now();
  const simulation = prove(derived, options.current ?? null, simulate, {
    integerTarget: derived.metric.axis === 'concurrency',
    capacityPerSecond: derived.metric.kind === 'rps' ? derived.capacityPerReplica.value : (capacityPerReplica.perSecond.value * derived.capacityPerReplica.value) / capPoint.level,
    ...(options.maxReplicasLimit !== undefined ? { maxReplicasLimit: options.maxReplicasLimit } : {}),
  });
  const searchMs = clock.now() - searchStarted;
  const recommendation = adoptChosen(derived, simulation);
  const c = simulation.chosen.settings;
  const setting = `target ${c.target}, ${c.minReplicas}–${c.maxReplicas} replicas`;
  notes.push(`Settings search: ${simulation.candidates.length} settings simulated in ${Math.round(searchMs)} ms; ${setting} is ${simulation.reason}.`);
  if (!simulation.passed) {
    notes.push(
      `No setting passes: ${simulation.reason}. The best found (${setting}) is shown; nothing is written without --force. ` +
        `The ramp outpaces the ${Math.round(recommendation.headroom.scaleUpLagSeconds.value)} s scale-up lag: allow more replicas, shorten the cold start, or accept a larger budget.`,
    );
  }
  return { recommendation, simulation };
}
