/** HorizontalPodAutoscaler (autoscaling/v2) and KEDA ScaledObject (keda.sh/v1alpha1). Pure. */
import { replicaSumQuery } from '../spec/metric-registry.js';
import type { KedaSpec, MetricSpec, ModelSpec, ScalingRulesSpec } from '../spec/index.js';
import { commonLabels, seconds, toQuantity } from './labels.js';
import type { KubeObject } from './types.js';

/** Where the rendered objects go; a known namespace scopes the KEDA query to it. */
export interface RenderScope {
  namespace?: string | undefined;
}

/** One entry of an HPA's spec.metrics (autoscaling/v2). */
export function hpaMetric(metric: MetricSpec): Record<string, unknown> {
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

/** The KEDA trigger for a metric: cpu/memory, or a Prometheus query summed over the replicas. */
export function kedaTrigger(metric: MetricSpec, keda: Pick<KedaSpec, 'serverAddress' | 'activationThreshold'>, name: string, scope: RenderScope = {}): Record<string, unknown> {
  const m = metric;
  if (m.type === 'cpu' || m.type === 'memory') {
    return { type: m.type, metricType: 'Utilization', metadata: { value: String(m.target) } };
  }
  // KEDA divides the query's value by the replica count and compares it with threshold (AverageValue),
  // so the query sums over all replicas and the threshold is the per-pod target. A query from the metric
  // registry is rebuilt for the namespace when it is known; a query from the spec is the user's own.
  const query =
    m.querySource === 'registry' && m.series !== undefined && m.seriesKind !== undefined
      ? replicaSumQuery({ series: m.series, kind: m.seriesKind }, { name, namespace: scope.namespace })
      : (m.query ?? '');
  return {
    type: 'prometheus',
    name: m.type,
    metricType: 'AverageValue',
    metadata: {
      serverAddress: keda.serverAddress,
      query,
      threshold: formatNumber(m.target),
      activationThreshold: formatNumber(keda.activationThreshold),
    },
  };
}

/** KEDA reads thresholds as decimal strings. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

export function scaledObject(spec: ModelSpec, scope: RenderScope = {}): KubeObject {
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
      triggers: [kedaTrigger(spec.scaling.metric, spec.scaling.keda, spec.name, scope)],
    },
  };
}
