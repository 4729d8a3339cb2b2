/**
 * One sync of the HorizontalPodAutoscaler controller, as kubernetes/kubernetes
 * pkg/controller/podautoscaler/horizontal.go does it (reconcileAutoscaler, computeReplicasForMetrics,
 * normalizeDesiredReplicas[WithBehaviors], stabilizeRecommendation[WithBehaviors],
 * convertDesiredReplicasWithBehaviorRate, storeScaleEvent). Pure: state and time are arguments.
 *
 * `hpaStep` copies the state it is given; `syncHpa` updates it in place and can skip the condition texts,
 * which is what the simulator uses to run millions of syncs per second.
 */
import {
  MetricError,
  countReadyPods,
  perPodTotalReplicas,
  plainMetricReplicas,
  resourceUtilizationReplicas,
  summarizePodMetric,
  toFloat,
  toMilli,
  usageRatioReplicas,
  type ReplicaProposal,
  type Tolerances,
} from './replica-calculator.js';
import {
  DEFAULT_CONTROLLER_OPTIONS,
  type ConditionType,
  type HpaBehavior,
  type HpaCondition,
  type HpaControllerOptions,
  type HpaEvent,
  type HpaObservation,
  type HpaScalingRules,
  type HpaSpec,
  type HpaState,
  type HpaStepResult,
  type MetricObservation,
  type MetricResult,
  type MetricSpec,
  type MetricTarget,
  type PodMetricSummary,
  type ScaleEvent,
} from './types.js';

/** Upstream's guard without behavior: never more than max(2·current, 4) in one step. */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/** The metric the API server puts in an HPA that has none. */
export const DEFAULT_METRICS: MetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

export function createHpaState(): HpaState {
  return { recommendations: null, scaleUpEvents: [], scaleDownEvents: [], conditions: [] };
}

export function cloneHpaState(state: HpaState): HpaState {
  return {
    recommendations: state.recommendations ? state.recommendations.map((r) => ({ ...r })) : null,
    scaleUpEvents: state.scaleUpEvents.map((e) => ({ ...e })),
    scaleDownEvents: state.scaleDownEvents.map((e) => ({ ...e })),
    conditions: state.conditions.map((c) => ({ ...c })),
  };
}

/** Scaling rules with every field set, as the API server's defaulting and the controller leave them. */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
  tolerance: number | undefined;
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
}

function copyRules(from: HpaScalingRules | undefined, to: ResolvedScalingRules): ResolvedScalingRules {
  if (!from) return to;
  if (from.selectPolicy !== undefined) to.selectPolicy = from.selectPolicy;
  if (from.stabilizationWindowSeconds !== undefined) to.stabilizationWindowSeconds = from.stabilizationWindowSeconds;
  if (from.policies !== undefined) to.policies = from.policies.map((p) => ({ ...p }));
  if (from.tolerance !== undefined) to.tolerance = toFloat(from.tolerance);
  return to;
}

/**
 * GenerateHPAScaleUpRules / GenerateHPAScaleDownRules plus the controller's
 * maybeInitScaleDownStabilizationWindow (an unset scale-down window takes the controller's flag).
 */
export function resolveBehavior(behavior: HpaBehavior, options: HpaControllerOptions = DEFAULT_CONTROLLER_OPTIONS): ResolvedBehavior {
  return {
    scaleUp: copyRules(behavior.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      tolerance: undefined,
    }),
    scaleDown: copyRules(behavior.scaleDown, {
      stabilizationWindowSeconds: Math.trunc(options.downscaleStabilizationMs / 1000),
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      tolerance: undefined,
    }),
  };
}

/** tolerancesForHpa: the controller's flag, overridden per direction by the behavior when the gate allows. */
export function tolerancesFor(behavior: ResolvedBehavior | undefined, options: HpaControllerOptions): Tolerances {
  const t = { scaleDown: options.tolerance, scaleUp: options.tolerance };
  if (!behavior || !options.configurableTolerance) return t;
  if (behavior.scaleDown.tolerance !== undefined) t.scaleDown = behavior.scaleDown.tolerance;
  if (behavior.scaleUp.tolerance !== undefined) t.scaleUp = behavior.scaleUp.tolerance;
  return t;
}

// ---------------------------------------------------------------------------------------------------------
// Per-metric proposals (computeReplicasForMetric and computeStatusFor*Metric)


const FAILED_REASON: Record<MetricSpec['type'], string> = {
  Resource: 'FailedGetResourceMetric',
  ContainerResource: 'FailedGetContainerResourceMetric',
  Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric',
  External: 'FailedGetExternalMetric',
};

export function describeMetric(spec: MetricSpec): string {
  switch (spec.type) {
    case 'Resource':
      return spec.resource.target.averageValue !== undefined
        ? `${spec.resource.name} resource`
        : `${spec.resource.name} resource utilization (percentage of request)`;
    case 'ContainerResource':
      return spec.containerResource.target.averageValue !== undefined
        ? `${spec.containerResource.name} container resource`
        : `${spec.containerResource.name} container resource utilization (percentage of request)`;
    case 'Pods':
      return `pods metric ${spec.pods.metric.name}`;
    case 'Object':
      return `${spec.object.describedObject.kind} metric ${spec.object.metric.name}`;
    case 'External':
      return `external metric ${spec.external.metric.name}`;
  }
}

function podSummary(
  obs: MetricObservation,
  observation: HpaObservation,
  resource: string | undefined,
  target: MetricTarget,
  options: HpaControllerOptions,
  nowMs: number,
): PodMetricSummary {
  if (obs.kind === 'summary') return obs.summary;
  if (obs.kind !== 'pods') throw new MetricError(`expected per-pod samples, got ${obs.kind}`);
  return summarizePodMetric(
    observation.pods ?? [],
    obs.samples,
    { resource, targetUtilization: target.averageUtilization },
    options,
    nowMs,
  );
}

function readyPods(observation: HpaObservation): number {
  if (observation.pods) return countReadyPods(observation.pods);
  if (observation.readyPodCount !== undefined) return observation.readyPodCount;
  throw new MetricError('unable to calculate ready pods: no pods observed');
}

function totalMilli(obs: MetricObservation): number {
  if (obs.kind === 'value') return toMilli(obs.value);
  if (obs.kind === 'values') return obs.values.reduce<number>((sum, v) => sum + toMilli(v), 0);
  throw new MetricError(`expected a metric value, got ${obs.kind}`);
}

function resourceProposal(
  resource: string,
  target: MetricTarget,
  obs: MetricObservation,
  specReplicas: number,
  observation: HpaObservation,
  tolerances: Tolerances,
  options: HpaControllerOptions,
  nowMs: number,
): ReplicaProposal {
  if (target.averageValue !== undefined) {
    const s = podSummary(obs, observation, resource, target, options, nowMs);
    return plainMetricReplicas(specReplicas, toMilli(target.averageValue), s, tolerances);
  }
  if (target.averageUtilization === undefined) {
    throw new MetricError('invalid resource metric source: neither an average utilization target nor an average value target was set');
  }
  const s = podSummary(obs, observation, resource, target, options, nowMs);
  return resourceUtilizationReplicas(specReplicas, target.averageUtilization, s, tolerances);
}

/** The proposal of one metric; throws MetricError when upstream would mark the metric invalid. */
export function computeMetricProposal(
  spec: MetricSpec,
  obs: MetricObservation | undefined,
  observation: HpaObservation,
  tolerances: Tolerances,
  options: HpaControllerOptions,
  nowMs: number,
): ReplicaProposal {
  if (obs === undefined) throw new MetricError(`unable to get metric ${describeMetric(spec)}`);
  const specReplicas = observation.currentReplicas;
  const statusReplicas = observation.statusReplicas ?? observation.currentReplicas;
  switch (spec.type) {
    case 'Resource':
      return resourceProposal(spec.resource.name, spec.resource.target, obs, specReplicas, observation, tolerances, options, nowMs);
    case 'ContainerResource': {
      const r = spec.containerResource;
      return resourceProposal(r.name, r.target, obs, specReplicas, observation, tolerances, options, nowMs);
    }
    case 'Pods': {
      const target = spec.pods.target.averageValue;
      if (target === undefined) throw new MetricError('invalid pods metric source: an average value target is required');
      const s = podSummary(obs, observation, undefined, spec.pods.target, options, nowMs);
      return plainMetricReplicas(specReplicas, toMilli(target), s, tolerances);
    }
    case 'Object':
    case 'External': {
      const target = spec.type === 'Object' ? spec.object.target : spec.external.target;
      const total = totalMilli(obs);
      if (target.type === 'Value' && target.value !== undefined) {
        const ready = specReplicas !== 0 ? readyPods(observation) : 0;
        return usageRatioReplicas(specReplicas, total, toMilli(target.value), ready, tolerances);
      }
      if (target.type === 'AverageValue' && target.averageValue !== undefined) {
        return perPodTotalReplicas(statusReplicas, total, toMilli(target.averageValue), tolerances);
      }
      throw new MetricError(`invalid ${spec.type.toLowerCase()} metric source: neither a value target nor an average value target was set`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Normalization: stabilization and limits

function setCondition(
  conditions: HpaCondition[],
  type: ConditionType,
  status: 'True' | 'False',
  reason: string,
  message: string,
): void {
  let existing: HpaCondition | undefined;
  for (const c of conditions) if (c.type === type) existing = c;
  if (existing) {
    existing.status = status;
    existing.reason = reason;
    existing.message = message;
  } else {
    conditions.push({ type, status, reason, message });
  }
}

/** stabilizeRecommendation (no behavior): the highest recommendation of the downscale window. */
export function stabilizeRecommendation(
  state: HpaState,
  desired: number,
  windowMs: number,
  nowMs: number,
): number {
  const recs = (state.recommendations ??= []);
  let max = desired;
  let oldIndex = -1;
  const cutoff = nowMs - windowMs;
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i]!;
    if (rec.timestampMs < cutoff) oldIndex = i;
    else if (rec.replicas > max) max = rec.replicas;
  }
  // Upstream replaces one expired entry; updating it in place saves an allocation per sync.
  if (oldIndex >= 0) {
    recs[oldIndex]!.replicas = desired;
    recs[oldIndex]!.timestampMs = nowMs;
  } else {
    recs.push({ replicas: desired, timestampMs: nowMs });
  }
  return max;
}

export interface LimitResult {
  replicas: number;
  reason: string;
  message: string;
}

/** convertDesiredReplicasWithRules: the legacy clamp to [min, min(max, max(2·current, 4))]. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  out: LimitResult = { replicas: 0, reason: '', message: '' },
): LimitResult {
  const scaleUpLimit = Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
  let maximumAllowed: number;
  let reason: string;
  let message: string;
  if (maxReplicas > scaleUpLimit) {
    maximumAllowed = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximumAllowed = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desiredReplicas < minReplicas) {
    return setLimit(out, minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
  }
  if (desiredReplicas > maximumAllowed) return setLimit(out, maximumAllowed, reason, message);
  return setLimit(out, desiredReplicas, 'DesiredWithinRange', 'the desired count is within the acceptable range');
}

function setLimit(out: LimitResult, replicas: number, reason: string, message: string): LimitResult {
  out.replicas = replicas;
  out.reason = reason;
  out.message = message;
  return out;
}

/** Reused by syncHpa so that a sync allocates nothing for its limits. */
const scratchLimit: LimitResult = { replicas: 0, reason: '', message: '' };

/** stabilizeRecommendationWithBehaviors: min over the scale-up window, max over the scale-down window. */
export function stabilizeRecommendationWithBehaviors(
  state: HpaState,
  currentReplicas: number,
  desiredReplicas: number,
  behavior: ResolvedBehavior,
  nowMs: number,
): number {
  const recs = (state.recommendations ??= []);
  let up = desiredReplicas;
  let down = desiredReplicas;
  const upCutoff = nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let oldIndex = -1;
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i]!;
    if (rec.timestampMs > upCutoff && rec.replicas < up) up = rec.replicas;
    if (rec.timestampMs > downCutoff && rec.replicas > down) down = rec.replicas;
    if (rec.timestampMs < upCutoff && rec.timestampMs < downCutoff) oldIndex = i;
  }
  let recommendation = currentReplicas;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  if (oldIndex >= 0) {
    recs[oldIndex]!.replicas = desiredReplicas;
    recs[oldIndex]!.timestampMs = nowMs;
  } else {
    recs.push({ replicas: desiredReplicas, timestampMs: nowMs });
  }
  return recommendation;
}

/** getReplicasChangePerPeriod: the replicas changed by events strictly inside the last period. */
export function replicasChangePerPeriod(periodSeconds: number, events: ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestampMs > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(
  currentReplicas: number,
  upEvents: ScaleEvent[],
  downEvents: ScaleEvent[],
  rules: ResolvedScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? 2_147_483_647 : -2_147_483_648;
  for (const policy of rules.policies) {
    const added = replicasChangePerPeriod(policy.periodSeconds, upEvents, nowMs);
    const removed = replicasChangePerPeriod(policy.periodSeconds, downEvents, nowMs);
    const start = currentReplicas - added + removed;
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(
  currentReplicas: number,
  upEvents: ScaleEvent[],
  downEvents: ScaleEvent[],
  rules: ResolvedScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? -2_147_483_648 : 2_147_483_647;
  for (const policy of rules.policies) {
    const added = replicasChangePerPeriod(policy.periodSeconds, upEvents, nowMs);
    const removed = replicasChangePerPeriod(policy.periodSeconds, downEvents, nowMs);
    const start = currentReplicas - added + removed;
    // int32(float64(start) * (1 - value/100)) truncates toward zero.
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate. */
export function convertDesiredReplicasWithBehaviorRate(
  state: HpaState,
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: ResolvedBehavior,
  nowMs: number,
  out: LimitResult = { replicas: 0, reason: '', message: '' },
): LimitResult {
  if (desiredReplicas > currentReplicas) {
    let limit = scaleUpLimit(currentReplicas, state.scaleUpEvents, state.scaleDownEvents, behavior.scaleUp, nowMs);
    if (limit < currentReplicas) limit = currentReplicas; // no further scale-up until the events age out
    let maximumAllowed = maxReplicas;
    let reason = 'TooManyReplicas';
    let message = 'the desired replica count is more than the maximum replica count';
    if (maximumAllowed > limit) {
      maximumAllowed = limit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    }
    if (desiredReplicas > maximumAllowed) return setLimit(out, maximumAllowed, reason, message);
  } else if (desiredReplicas < currentReplicas) {
    let limit = scaleDownLimit(currentReplicas, state.scaleUpEvents, state.scaleDownEvents, behavior.scaleDown, nowMs);
    if (limit > currentReplicas) limit = currentReplicas;
    let minimumAllowed = minReplicas;
    let reason = 'TooFewReplicas';
    let message = 'the desired replica count is less than the minimum replica count';
    if (minimumAllowed < limit) {
      minimumAllowed = limit;
      reason = 'ScaleDownLimit';
      message = 'the desired replica count is decreasing faster than the maximum scale rate';
    }
    if (desiredReplicas < minimumAllowed) return setLimit(out, minimumAllowed, reason, message);
  }
  return setLimit(out, desiredReplicas, 'DesiredWithinRange', 'the desired count is within the acceptable range');
}

function longestPolicyPeriod(rules: ResolvedScalingRules): number {
  let longest = 0;
  for (const p of rules.policies) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

/** storeScaleEvent: events are kept only with behavior; an outdated slot is reused. */
export function storeScaleEvent(
  state: HpaState,
  behavior: ResolvedBehavior | undefined,
  prevReplicas: number,
  newReplicas: number,
  nowMs: number,
): void {
  if (!behavior) return;
  const up = newReplicas > prevReplicas;
  const events = up ? state.scaleUpEvents : state.scaleDownEvents;
  const cutoff = nowMs - longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown) * 1000;
  let oldIndex = -1;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.timestampMs < cutoff) e.outdated = true;
    if (e.outdated) oldIndex = i;
  }
  const event: ScaleEvent = {
    replicaChange: up ? newReplicas - prevReplicas : prevReplicas - newReplicas,
    timestampMs: nowMs,
    outdated: false,
  };
  if (oldIndex >= 0) events[oldIndex] = event;
  else events.push(event);
}

// ---------------------------------------------------------------------------------------------------------
// The sync

/** The spec and options resolved once, so that repeated syncs (the simulator) do not redo it. */
export interface PreparedHpa {
  spec: HpaSpec;
  minReplicas: number;
  maxReplicas: number;
  metrics: MetricSpec[];
  behavior: ResolvedBehavior | undefined;
  tolerances: Tolerances;
  options: HpaControllerOptions;
}

export function prepareHpa(spec: HpaSpec, options: Partial<HpaControllerOptions> = {}): PreparedHpa {
  const opts = { ...DEFAULT_CONTROLLER_OPTIONS, ...options };
  const behavior = spec.behavior ? resolveBehavior(spec.behavior, opts) : undefined;
  return {
    spec,
    minReplicas: spec.minReplicas ?? 1,
    maxReplicas: spec.maxReplicas,
    metrics: spec.metrics && spec.metrics.length > 0 ? spec.metrics : DEFAULT_METRICS,
    behavior,
    tolerances: tolerancesFor(behavior, opts),
    options: opts,
  };
}

export interface SyncResult {
  desiredReplicas: number;
  rescale: boolean;
  event?: HpaEvent;
  warnings: HpaEvent[];
  metrics: MetricResult[];
}

/** What a detailed sync reports besides the replica count. */
interface SyncSink {
  warnings: HpaEvent[];
  metrics: MetricResult[];
  event?: HpaEvent;
}

/**
 * reconcileAutoscaler from reading the scale to updating it, on a state that it updates in place.
 */
export function syncHpa(hpa: PreparedHpa, state: HpaState, observation: HpaObservation, nowMs: number): SyncResult {
  const sink: SyncSink = { warnings: [], metrics: [] };
  const desired = reconcile(hpa, state, observation, nowMs, sink);
  const rescale = desired !== observation.currentReplicas;
  return sink.event
    ? { desiredReplicas: desired, rescale, event: sink.event, warnings: sink.warnings, metrics: sink.metrics }
    : { desiredReplicas: desired, rescale, warnings: sink.warnings, metrics: sink.metrics };
}

/**
 * The same decision as syncHpa without conditions, events, warnings or metric results, and without allocating:
 * what lets the simulator run millions of syncs per second. Returns the replica count the scale is set to.
 */
export function syncHpaReplicas(hpa: PreparedHpa, state: HpaState, observation: HpaObservation, nowMs: number): number {
  return reconcile(hpa, state, observation, nowMs, null);
}

function reconcile(hpa: PreparedHpa, state: HpaState, observation: HpaObservation, nowMs: number, sink: SyncSink | null): number {
  const current = observation.currentReplicas;
  if (state.recommendations === null) state.recommendations = [{ replicas: current, timestampMs: nowMs }];
  const conditions = sink ? state.conditions : null;
  const { minReplicas, maxReplicas } = hpa;
  let desired = 0;
  let rescaleReason = '';

  if (current === 0 && minReplicas !== 0) {
    if (conditions) setCondition(conditions, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    return current;
  } else if (current > maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desired = maxReplicas;
  } else if (current < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desired = minReplicas;
  } else {
    // computeReplicasForMetrics: the largest valid proposal wins.
    let replicas = 0;
    let metricName = '';
    let invalid = 0;
    let firstInvalid: { reason: string; message: string } | undefined;
    for (let i = 0; i < hpa.metrics.length; i++) {
      const spec = hpa.metrics[i]!;
      const metricObservation = observation.metrics[i];
      let proposal: ReplicaProposal | undefined;
      let failure: string | undefined;
      if (metricObservation === undefined) {
        // Checked here rather than thrown: an exception costs more than a whole sync.
        failure = `unable to get metric ${describeMetric(spec)}`;
      } else {
        try {
          proposal = computeMetricProposal(spec, metricObservation, observation, hpa.tolerances, hpa.options, nowMs);
        } catch (error) {
          if (!(error instanceof MetricError) && !(error instanceof Error && error.name === 'UnitError')) throw error;
          failure = (error as Error).message;
        }
      }
      if (proposal) {
        const name = sink ? describeMetric(spec) : '';
        if (sink) sink.metrics.push({ name, proposal: proposal.replicas, current: proposal.current });
        if (replicas === 0 || proposal.replicas > replicas) {
          replicas = proposal.replicas;
          metricName = name;
        }
      } else {
        const reason = FAILED_REASON[spec.type];
        if (invalid === 0) firstInvalid = { reason, message: `the HPA was unable to compute the replica count: ${failure}` };
        invalid++;
        if (sink) {
          sink.warnings.push({ type: 'Warning', reason, message: failure! });
          sink.metrics.push({ name: describeMetric(spec), error: failure! });
        }
      }
    }
    if (invalid >= hpa.metrics.length || (invalid > 0 && replicas < current)) {
      // All metrics invalid, or some invalid and the rest would scale down: change nothing.
      if (conditions) setCondition(conditions, 'ScalingActive', 'False', firstInvalid!.reason, firstInvalid!.message);
      if (sink) {
        sink.warnings.push({
          type: 'Warning',
          reason: 'FailedComputeMetricsReplicas',
          message: `invalid metrics (${invalid} invalid out of ${hpa.metrics.length}), first error is: ${firstInvalid!.message}`,
        });
      }
      return current;
    }
    if (conditions) {
      setCondition(conditions, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`);
    }
    desired = replicas;
    if (desired > current) rescaleReason = `${metricName} above target`;
    if (desired < current) rescaleReason = 'All metrics below target';
    desired = hpa.behavior
      ? normalizeWithBehaviors(hpa, state, conditions, current, desired, nowMs)
      : normalizeLegacy(hpa, state, conditions, current, desired, nowMs);
  }

  if (desired === current) return current;
  if (conditions && sink) {
    setCondition(conditions, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
    sink.event = { type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: ${rescaleReason}` };
  }
  storeScaleEvent(state, hpa.behavior, current, desired, nowMs);
  return desired;
}

function normalizeLegacy(
  hpa: PreparedHpa,
  state: HpaState,
  conditions: HpaCondition[] | null,
  current: number,
  desired: number,
  nowMs: number,
): number {
  const stabilized = stabilizeRecommendation(state, desired, hpa.options.downscaleStabilizationMs, nowMs);
  const limited = convertDesiredReplicasWithRules(current, stabilized, hpa.minReplicas, hpa.maxReplicas, scratchLimit);
  if (conditions) {
    if (stabilized !== desired) {
      setCondition(conditions, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
    } else {
      setCondition(conditions, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    setCondition(conditions, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message);
  }
  return limited.replicas;
}

function normalizeWithBehaviors(
  hpa: PreparedHpa,
  state: HpaState,
  conditions: HpaCondition[] | null,
  current: number,
  desired: number,
  nowMs: number,
): number {
  const behavior = hpa.behavior!;
  const stabilized = stabilizeRecommendationWithBehaviors(state, current, desired, behavior, nowMs);
  const limited = convertDesiredReplicasWithBehaviorRate(state, current, stabilized, hpa.minReplicas, hpa.maxReplicas, behavior, nowMs, scratchLimit);
  if (conditions) {
    if (stabilized === desired) {
      setCondition(conditions, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    } else if (desired >= current) {
      setCondition(conditions, 'AbleToScale', 'True', 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation');
    } else {
      setCondition(conditions, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
    }
    setCondition(conditions, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message);
  }
  return limited.replicas;
}

/**
 * One sync of the HPA controller as a pure function: the given state is not changed; the returned state
 * holds the recommendation history and the scale events for the next call.
 */
export function hpaStep(
  spec: HpaSpec | PreparedHpa,
  state: HpaState,
  observation: HpaObservation,
  nowMs: number,
  options: Partial<HpaControllerOptions> = {},
): HpaStepResult {
  const hpa = 'tolerances' in spec ? spec : prepareHpa(spec, options);
  const next = cloneHpaState(state);
  const result = syncHpa(hpa, next, observation, nowMs);
  return {
    desiredReplicas: result.desiredReplicas,
    rescale: result.rescale,
    state: next,
    conditions: next.conditions.map((c) => ({ ...c })),
    ...(result.event ? { event: result.event } : {}),
    warnings: result.warnings,
    metrics: result.metrics,
  };
}
