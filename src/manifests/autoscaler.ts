/** HorizontalPodAutoscaler (autoscaling/v2) and KEDA ScaledObject (keda.sh/v1alpha1). Pure. */
import type { MetricSpec, ModelSpec, ScalingRulesSpec } from '../spec/index.js';
import { commonLabels, seconds, toQuantity } from './labels.js';
import type { KubeObject } from './types.js';

function hpaMetric(metric: MetricSpec): Record<string, unknown> {
  if (metric.type === 'cpu' || metric.type === 'memory') {
    return { type: 'Resource', resource: { name: metric.type, target: { type: 'Utilization', averageUtilization: metric.target } } };
  }
  const target = { type: 'AverageValue', averageValue: toQuantity(metric.target) };
  const m: Record<string, unknown> = { name: metric.name };
  if (metric.selector) m.selector = { matchLabels: metric.selector };
  if (metric.type === 'external') return { type: 'External', external: { metric: m, target } };
  return { type: 'Pods', pods: { metric: m, target } };
}

function rules(r: ScalingRulesSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.stabilizationMs !== undefined) out.stabilizationWindowSeconds = seconds(r.stabilizationMs);
  if (r.selectPolicy !== undefined) out.selectPolicy = r.selectPolicy;
  if (r.policies) out.policies = r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: seconds(p.periodMs) }));
  if (r.tolerance !== undefined) out.tolerance = toQuantity(r.tolerance);
  return out;
}

/** spec.behavior of an HPA, or undefined to keep the controller's defaults. */
export function hpaBehavior(spec: ModelSpec): Record<string, unknown> | undefined {
  const b = spec.scaling.behavior;
  if (!b) return undefined;
  const out: Record<string, unknown> = {};
  if (b.scaleUp) out.scaleUp = rules(b.scaleUp);
  if (b.scaleDown) out.scaleDown = rules(b.scaleDown);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function horizontalPodAutoscaler(spec: ModelSpec): KubeObject {
  const hpaSpec: Record<string, unknown> = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
    minReplicas: spec.scaling.minReplicas,
    maxReplicas: spec.scaling.maxReplicas,
    metrics: [hpaMetric(spec.scaling.metric)],
  };
  const behavior = hpaBehavior(spec);
  if (behavior) hpaSpec.behavior = behavior;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: spec.name, labels: commonLabels(spec) },
    spec: hpaSpec,
  };
}

function kedaTrigger(spec: ModelSpec): Record<string, unknown> {
  const m = spec.scaling.metric;
  if (m.type === 'cpu' || m.type === 'memory') {
    return { type: m.type, metricType: 'Utilization', metadata: { value: String(m.target) } };
  }
  // KEDA divides the query's value by the replica count and compares it with threshold (AverageValue),
  // so the query sums over all replicas and the threshold is the per-pod target.
  return {
    type: 'prometheus',
    name: m.type,
    metricType: 'AverageValue',
    metadata: {
      serverAddress: spec.scaling.keda.serverAddress,
      query: m.query ?? '',
      threshold: formatNumber(m.target),
      activationThreshold: formatNumber(spec.scaling.keda.activationThreshold),
    },
  };
}

/** KEDA reads thresholds as decimal strings. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

export function scaledObject(spec: ModelSpec): KubeObject {
  const advanced: Record<string, unknown> = {};
  const behavior = hpaBehavior(spec);
  advanced.horizontalPodAutoscalerConfig = { name: spec.name, ...(behavior ? { behavior } : {}) };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: spec.name, labels: commonLabels(spec) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      minReplicaCount: spec.scaling.minReplicas,
      maxReplicaCount: spec.scaling.maxReplicas,
      pollingInterval: seconds(spec.scaling.keda.pollingIntervalMs),
      cooldownPeriod: seconds(spec.scaling.keda.cooldownPeriodMs),
      advanced,
      triggers: [kedaTrigger(spec)],
    },
  };
}
