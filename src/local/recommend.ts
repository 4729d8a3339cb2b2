/**
 * The one place where the local autoscaler asks for a replica count: it hands what the balancer measured to
 * src/autoscale's HPA controller (hpaStep) as a Pods metric with an AverageValue target, so `mdl dev` scales
 * exactly as a cluster's HPA would on the same numbers (tolerance, unready replicas, stabilization windows,
 * rate-limit policies, or the legacy rules when the spec sets no behavior). Pure.
 */
import { createHpaState, hpaStep, type HpaSpec, type HpaState } from '../autoscale/index.js';
import type { ScalingBehavior, ScalingMetric } from './options.js';

export interface RecommendInput {
  nowMs: number;
  currentReplicas: number;
  readyReplicas: number;
  /** Replicas that run but are not ready yet (they count as 0 on a scale-up, as the HPA does). */
  unreadyReplicas: number;
  /** Sum of the metric over ready replicas (their average is what is compared with the target). */
  metricSum: number;
  metric: ScalingMetric;
  minReplicas: number;
  maxReplicas: number;
  behavior: ScalingBehavior | undefined;
}

export type RecommendHistory = HpaState;

export interface Recommendation {
  desiredReplicas: number;
  /** The metric per ready replica (undefined when none was ready). */
  metricValue: number | undefined;
  reason: string;
  history: RecommendHistory;
}

/** The controller's memory at start: the starting count is the first recommendation, as for a new HPA. */
export function initialHistory(replicas: number, nowMs: number): RecommendHistory {
  return { ...createHpaState(), recommendations: [{ replicas, timestampMs: nowMs }] };
}

const METRIC_NAMES: Record<ScalingMetric['type'], string> = {
  concurrency: 'mdl_inflight_requests',
  rps: 'mdl_requests_per_second',
  cpu: 'mdl_cpu_utilization_percent',
};

export function hpaSpecFor(input: Pick<RecommendInput, 'metric' | 'minReplicas' | 'maxReplicas' | 'behavior'>): HpaSpec {
  return {
    minReplicas: input.minReplicas,
    maxReplicas: input.maxReplicas,
    metrics: [
      {
        type: 'Pods',
        pods: { metric: { name: METRIC_NAMES[input.metric.type] }, target: { type: 'AverageValue', averageValue: input.metric.target } },
      },
    ],
    ...(input.behavior ? { behavior: input.behavior } : {}),
  };
}

export function recommendReplicas(input: RecommendInput, history: RecommendHistory): Recommendation {
  const ready = input.readyReplicas;
  const result = hpaStep(
    hpaSpecFor(input),
    history,
    {
      currentReplicas: input.currentReplicas,
      metrics: [
        {
          kind: 'summary',
          summary: {
            readyPodCount: ready,
            sampleCount: ready,
            usageSumMilli: Math.round(input.metricSum * 1000),
            missingCount: 0,
            unreadyCount: input.unreadyReplicas,
          },
        },
      ],
    },
    input.nowMs,
  );
  const limited = result.conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  const reason = !result.rescale
    ? 'no change'
    : limited
      ? `${result.event?.message ?? ''}; ${limited.reason}`
      : (result.event?.message ?? 'metric');
  return {
    desiredReplicas: result.desiredReplicas,
    metricValue: ready === 0 ? undefined : input.metricSum / ready,
    reason,
    history: result.state,
  };
}
