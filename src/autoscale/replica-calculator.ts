/**
 * The replica calculation per metric, as kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go
 * does it (GetResourceReplicas, calcPlainMetricReplicas, getUsageRatioReplicaCount,
 * GetObjectPerPodMetricReplicas, GetExternalPerPodMetricReplicas, groupPods). Pure: the time is an argument.
 *
 * Values are milli-units and the arithmetic keeps upstream's integer divisions (utilization is an int32
 * percentage, averages are int64), because they decide ties at the tolerance boundary.
 */
import { parseQuantity } from '../units.js';
import type {
  HpaControllerOptions,
  PodMetricSample,
  PodMetricSummary,
  PodStatus,
  Quantity,
} from './types.js';

/** Quantity.MilliValue(): the value in thousandths, rounded up. */
const milliCache = new Map<string, number>();

export function toMilli(q: Quantity): number {
  if (typeof q === 'string') {
    // Targets are parsed on every sync; the simulator runs millions of them.
    let cached = milliCache.get(q);
    if (cached === undefined) {
      cached = toMilli(parseQuantity(q));
      if (milliCache.size < 10_000) milliCache.set(q, cached);
    }
    return cached;
  }
  const value = q;
  // Round to micro-units first so that 0.1 (0.1·1000 = 100.00000000000001 in floating point) stays 100.
  return Math.ceil(Math.round(value * 1e6) / 1e3);
}

/** A quantity as a float (Quantity.AsApproximateFloat64()). */
export function toFloat(q: Quantity): number {
  return typeof q === 'number' ? q : parseQuantity(q);
}

/** Scale-up and scale-down tolerances: a ratio inside [1 − down, 1 + up] changes nothing. */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithinTolerance(t: Tolerances, usageRatio: number): boolean {
  return 1 - t.scaleDown <= usageRatio && usageRatio <= 1 + t.scaleUp;
}

/** A calculation that could not be made; upstream returns an error and the metric counts as invalid. */
export class MetricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricError';
  }
}

export interface ReplicaProposal {
  replicas: number;
  /** Utilization percent for Resource Utilization, else the usage in milli-units. */
  current: number;
  /** Resource Utilization: the raw average value in milli-units. */
  rawAverageMilli?: number;
}

const INT32_MAX = 2_147_483_647;

/** int32(math.Ceil(x)) with upstream's cap at MaxInt32 where it has one. */
function ceilReplicas(x: number): number {
  return x > INT32_MAX ? INT32_MAX : Math.ceil(x);
}

/** GetResourceUtilizationRatio: int32 utilization over samples that match a pod with a request. */
function utilizationRatio(
  usageMilli: number,
  requestMilli: number,
  entries: number,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverageMilli: number } {
  if (requestMilli === 0) throw new MetricError('no metrics returned matched known pods');
  const utilization = Math.trunc((usageMilli * 100) / requestMilli);
  return {
    ratio: utilization / targetUtilization,
    utilization,
    rawAverageMilli: entries > 0 ? Math.trunc(usageMilli / entries) : 0,
  };
}

/** GetResourceReplicas: Resource (and ContainerResource) metric with an averageUtilization target. */
export function resourceUtilizationReplicas(
  currentReplicas: number,
  targetUtilization: number,
  s: PodMetricSummary,
  tolerances: Tolerances,
): ReplicaProposal {
  if (s.sampleCount === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const requestSum = s.requestSumMilli ?? 0;
  const first = utilizationRatio(s.usageSumMilli, requestSum, s.requestEntries ?? 0, targetUtilization);
  const usageRatio = first.ratio;
  const result: ReplicaProposal = { replicas: currentReplicas, current: first.utilization, rawAverageMilli: first.rawAverageMilli };

  const scaleUpWithUnready = s.unreadyCount > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && s.missingCount === 0) {
    if (!isWithinTolerance(tolerances, usageRatio)) result.replicas = ceilReplicas(usageRatio * s.readyPodCount);
    return result;
  }

  let usage = s.usageSumMilli;
  let request = requestSum;
  let counted = s.sampleCount;
  if (s.missingCount > 0) {
    if (usageRatio < 1.0) {
      // On a scale-down, missing pods count as using 100 % of their request (or the target if above 100 %).
      usage += s.missingFallbackUsageMilli ?? 0;
      request += s.missingRequestSumMilli ?? 0;
      counted += s.missingCount;
    } else if (usageRatio > 1.0) {
      // On a scale-up, missing pods count as using nothing.
      request += s.missingRequestSumMilli ?? 0;
      counted += s.missingCount;
    }
  }
  if (scaleUpWithUnready) {
    request += s.unreadyRequestSumMilli ?? 0;
    counted += s.unreadyCount;
  }
  const newUsageRatio = utilizationRatio(usage, request, counted, targetUtilization).ratio;
  if (
    isWithinTolerance(tolerances, newUsageRatio) ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    return result;
  }
  const newReplicas = ceilReplicas(newUsageRatio * counted);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return result;
  }
  result.replicas = newReplicas;
  return result;
}

/** calcPlainMetricReplicas: Pods metrics and Resource metrics with an averageValue target. */
export function plainMetricReplicas(
  currentReplicas: number,
  targetMilli: number,
  s: PodMetricSummary,
  tolerances: Tolerances,
): ReplicaProposal {
  if (s.sampleCount === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const usage = Math.trunc(s.usageSumMilli / s.sampleCount);
  const usageRatio = usage / targetMilli;

  const scaleUpWithUnready = s.unreadyCount > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && s.missingCount === 0) {
    if (isWithinTolerance(tolerances, usageRatio)) return { replicas: currentReplicas, current: usage };
    return { replicas: ceilReplicas(usageRatio * s.readyPodCount), current: usage };
  }

  let sum = s.usageSumMilli;
  let counted = s.sampleCount;
  if (s.missingCount > 0) {
    if (usageRatio < 1.0) {
      // On a scale-down, missing pods count as using exactly the target.
      sum += targetMilli * s.missingCount;
      counted += s.missingCount;
    } else if (usageRatio > 1.0) {
      counted += s.missingCount;
    }
  }
  if (scaleUpWithUnready) counted += s.unreadyCount;
  const newUsageRatio = Math.trunc(sum / counted) / targetMilli;
  if (
    isWithinTolerance(tolerances, newUsageRatio) ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    return { replicas: currentReplicas, current: usage };
  }
  const newReplicas = ceilReplicas(newUsageRatio * counted);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return { replicas: currentReplicas, current: usage };
  }
  return { replicas: newReplicas, current: usage };
}

/**
 * getUsageRatioReplicaCount: Object and External metrics with a Value target. The ready pods are counted
 * from the pod list (Running and Ready); at zero replicas the tolerance is skipped so that scale from zero works.
 */
export function usageRatioReplicas(
  currentReplicas: number,
  usageMilli: number,
  targetMilli: number,
  readyPodCount: number,
  tolerances: Tolerances,
): ReplicaProposal {
  const usageRatio = usageMilli / targetMilli;
  if (currentReplicas !== 0) {
    if (isWithinTolerance(tolerances, usageRatio)) return { replicas: currentReplicas, current: usageMilli };
    return { replicas: ceilReplicas(usageRatio * readyPodCount), current: usageMilli };
  }
  return { replicas: Math.ceil(usageRatio), current: usageMilli };
}

/**
 * GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas: an AverageValue target on a total. The
 * tolerance is judged per pod of the scale's status replicas; the proposal is ceil(total / target).
 */
export function perPodTotalReplicas(
  statusReplicas: number,
  totalMilli: number,
  targetAverageMilli: number,
  tolerances: Tolerances,
): ReplicaProposal {
  let replicas = statusReplicas;
  const usageRatio = totalMilli / (targetAverageMilli * statusReplicas);
  if (!isWithinTolerance(tolerances, usageRatio)) replicas = ceilReplicas(totalMilli / targetAverageMilli);
  return { replicas, current: Math.ceil(totalMilli / statusReplicas) };
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * groupPods: deleted and failed pods are ignored, pending pods are unready, pods without a sample are missing.
 * For CPU only, a pod is also unready while its readiness or its first full sample is still settling.
 */
export function groupPods(
  pods: PodStatus[],
  samples: ReadonlyMap<string, { timestampMs: number; windowMs: number }>,
  isCpu: boolean,
  options: Pick<HpaControllerOptions, 'cpuInitializationPeriodMs' | 'initialReadinessDelayMs'>,
  nowMs: number,
): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      groups.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      groups.unready.add(pod.name);
      continue;
    }
    const sample = samples.get(pod.name);
    if (!sample) {
      groups.missing.add(pod.name);
      continue;
    }
    if (isCpu) {
      let unready: boolean;
      if (pod.ready === undefined || pod.startTimeMs === undefined) {
        unready = true;
      } else {
        const transitionMs = pod.readyTransitionMs ?? 0;
        if (pod.startTimeMs + options.cpuInitializationPeriodMs > nowMs) {
          // Still initialising: ignore the sample if unready or if no full window has passed since readiness changed.
          unready = pod.ready === false || sample.timestampMs < transitionMs + sample.windowMs;
        } else {
          // Ignore the sample of a pod that is unready and has never been ready.
          unready = pod.ready === false && pod.startTimeMs + options.initialReadinessDelayMs > transitionMs;
        }
      }
      if (unready) {
        groups.unready.add(pod.name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

function normaliseSample(sample: PodMetricSample | Quantity, nowMs: number): { valueMilli: number; timestampMs: number; windowMs: number } {
  if (typeof sample === 'object') {
    return { valueMilli: toMilli(sample.value), timestampMs: sample.timestampMs ?? nowMs, windowMs: sample.windowMs ?? 0 };
  }
  return { valueMilli: toMilli(sample), timestampMs: nowMs, windowMs: 0 };
}

export interface SummarizeOptions {
  /** The resource name for Resource metrics ("cpu", "memory"); undefined for Pods metrics. */
  resource?: string;
  /** The averageUtilization target, needed for the scale-down fallback of missing pods. */
  targetUtilization?: number;
}

/**
 * Reduces pods and their samples to the sums the calculation uses, exactly as upstream's map manipulation
 * (including samples of pods that are not in the list, which upstream keeps in its count).
 */
export function summarizePodMetric(
  pods: PodStatus[],
  rawSamples: Record<string, PodMetricSample | Quantity>,
  opts: SummarizeOptions,
  options: Pick<HpaControllerOptions, 'cpuInitializationPeriodMs' | 'initialReadinessDelayMs'>,
  nowMs: number,
): PodMetricSummary {
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  const samples = new Map<string, { valueMilli: number; timestampMs: number; windowMs: number }>();
  for (const [name, sample] of Object.entries(rawSamples)) samples.set(name, normaliseSample(sample, nowMs));
  const groups = groupPods(pods, samples, opts.resource === 'cpu', options, nowMs);
  for (const name of groups.ignored) samples.delete(name);
  for (const name of groups.unready) samples.delete(name);

  const summary: PodMetricSummary = {
    readyPodCount: groups.readyPodCount,
    sampleCount: samples.size,
    usageSumMilli: 0,
    missingCount: groups.missing.size,
    unreadyCount: groups.unready.size,
  };
  if (opts.resource === undefined) {
    for (const s of samples.values()) summary.usageSumMilli += s.valueMilli;
    return summary;
  }

  if (samples.size === 0) return summary; // upstream fails on no metrics before it reads requests
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const request = pod.requests?.[opts.resource];
    if (request === undefined) throw new MetricError(`missing request for ${opts.resource} in Pod ${pod.name}`);
    requests.set(pod.name, toMilli(request));
  }
  let requestSum = 0;
  let entries = 0;
  for (const [name, s] of samples) {
    const request = requests.get(name);
    if (request === undefined) continue; // a sample of a pod we do not know about: extraneous
    summary.usageSumMilli += s.valueMilli;
    requestSum += request;
    entries++;
  }
  summary.requestSumMilli = requestSum;
  summary.requestEntries = entries;
  const fallback = Math.max(100, opts.targetUtilization ?? 100);
  let missingFallback = 0;
  let missingRequests = 0;
  for (const name of groups.missing) {
    const request = requests.get(name) ?? 0;
    missingFallback += Math.trunc((request * fallback) / 100);
    missingRequests += request;
  }
  summary.missingFallbackUsageMilli = missingFallback;
  summary.missingRequestSumMilli = missingRequests;
  let unreadyRequests = 0;
  for (const name of groups.unready) unreadyRequests += requests.get(name) ?? 0;
  summary.unreadyRequestSumMilli = unreadyRequests;
  return summary;
}

/** getReadyPodsCount: pods that are Running with Ready true. */
export function countReadyPods(pods: PodStatus[]): number {
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  let ready = 0;
  for (const pod of pods) if (pod.phase === 'Running' && pod.ready === true) ready++;
  return ready;
}
