import { ApiError, type KubeClient } from './client.js';
import type { KubeObject } from './types.js';

interface MetricSpec {
  type: 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: { name: string }; target: MetricTarget };
  object?: { metric: { name: string }; target: MetricTarget; describedObject?: { kind: string; name: string } };
  external?: { metric: { name: string }; target: MetricTarget };
}
interface MetricTarget { type: string; averageUtilization?: number; averageValue?: string; value?: string }
interface MetricStatus {
  type: string;
  resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } };
  containerResource?: { name: string; current: { averageUtilization?: number; averageValue?: string } };
  pods?: { metric: { name: string }; current: { averageValue?: string } };
  object?: { metric: { name: string }; current: { value?: string; averageValue?: string } };
  external?: { metric: { name: string }; current: { value?: string; averageValue?: string } };
}

export interface HpaLike extends KubeObject {
  spec?: { minReplicas?: number; maxReplicas?: number; metrics?: MetricSpec[] };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    lastScaleTime?: string;
    currentMetrics?: MetricStatus[];
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  };
}

/** The metrics API group that serves each HPA metric type, and what provides it. */
export const metricApis = {
  'metrics.k8s.io': 'metrics-server (it serves metrics.k8s.io: CPU and memory of pods)',
  'custom.metrics.k8s.io': 'a custom metrics adapter such as prometheus-adapter (it serves custom.metrics.k8s.io)',
  'external.metrics.k8s.io': 'KEDA or another external metrics adapter (it serves external.metrics.k8s.io)',
} as const;
export type MetricApi = keyof typeof metricApis;

export function metricApiOf(type: MetricSpec['type']): MetricApi {
  if (type === 'Resource' || type === 'ContainerResource') return 'metrics.k8s.io';
  if (type === 'External') return 'external.metrics.k8s.io';
  return 'custom.metrics.k8s.io';
}

export interface HpaMetricView {
  /** "cpu", "http_requests_in_flight" */
  name: string;
  type: string;
  current: string | undefined;
  target: string;
}

export interface HpaProblem {
  /** Which metric or API cannot be read. */
  which: string;
  message: string;
  /** What to install or change. */
  fix: string;
}

export interface HpaState {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  lastScaleTime?: string;
  metrics: HpaMetricView[];
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  ableToScale?: boolean;
  scalingActive?: boolean;
  scalingLimited?: boolean;
  problems: HpaProblem[];
}

function metricName(m: MetricSpec | MetricStatus): string {
  return m.resource?.name ?? m.containerResource?.name ?? m.pods?.metric.name ?? m.object?.metric.name ?? m.external?.metric.name ?? '?';
}

function formatTarget(t: MetricTarget | undefined): string {
  if (!t) return '?';
  if (t.averageUtilization !== undefined) return `${t.averageUtilization}%`;
  return t.averageValue ?? t.value ?? '?';
}

function formatCurrent(m: MetricStatus | undefined): string | undefined {
  if (!m) return undefined;
  const c = (m.resource ?? m.containerResource ?? m.pods ?? m.object ?? m.external)?.current as
    { averageUtilization?: number; averageValue?: string; value?: string } | undefined;
  if (!c) return undefined;
  if (c.averageUtilization !== undefined) return `${c.averageUtilization}%`;
  return c.averageValue ?? c.value;
}

/** The HPA's state and what keeps it from working, from the object and the set of metrics APIs served.
 *  Pure: the caller reads the cluster. */
export function hpaState(hpa: HpaLike, servedMetricApis: ReadonlySet<MetricApi>): HpaState {
  const specMetrics = hpa.spec?.metrics ?? [];
  const current = hpa.status?.currentMetrics ?? [];
  const conditions = (hpa.status?.conditions ?? []).map(({ type, status, reason, message }) => ({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) }));
  const cond = (type: string) => conditions.find((c) => c.type === type);
  const flag = (type: string) => (cond(type) ? cond(type)!.status === 'True' : undefined);
  const problems: HpaProblem[] = [];
  for (const m of specMetrics) {
    const api = metricApiOf(m.type);
    if (!servedMetricApis.has(api)) {
      problems.push({
        which: `${m.type} metric "${metricName(m)}"`,
        message: `the cluster does not serve ${api}, so the HPA cannot read ${metricName(m)}`,
        fix: `Install ${metricApis[api]}, or choose a scaling metric the cluster can read.`,
      });
    }
  }
  const active = cond('ScalingActive');
  if (active && active.status === 'False' && problems.length === 0 && /^FailedGet/.test(active.reason ?? '')) {
    const failing = specMetrics.find((m) => (active.message ?? '').includes(metricName(m))) ?? specMetrics[0];
    problems.push({
      which: failing ? `${failing.type} metric "${metricName(failing)}"` : 'metrics',
      message: `${active.reason}: ${active.message ?? ''}`.trim(),
      fix: failing && failing.type !== 'Resource' && failing.type !== 'ContainerResource'
        ? `Check that the metric name "${metricName(failing)}" is served by ${metricApis[metricApiOf(failing.type)]}, or fix scaling.metric in the spec.`
        : 'Check that metrics-server is running and that the pods have resource requests for this metric.',
    });
  }
  return {
    name: hpa.metadata.name,
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 1,
    currentReplicas: hpa.status?.currentReplicas ?? 0,
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
    ...(hpa.status?.lastScaleTime ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
    metrics: specMetrics.map((m) => ({
      name: metricName(m),
      type: m.type,
      current: formatCurrent(current.find((c) => c.type === m.type && metricName(c) === metricName(m))),
      target: formatTarget((m.resource ?? m.containerResource ?? m.pods ?? m.object ?? m.external)?.target),
    })),
    conditions,
    ...(flag('AbleToScale') !== undefined ? { ableToScale: flag('AbleToScale') } : {}),
    ...(flag('ScalingActive') !== undefined ? { scalingActive: flag('ScalingActive') } : {}),
    ...(flag('ScalingLimited') !== undefined ? { scalingLimited: flag('ScalingLimited') } : {}),
    problems,
  };
}

/** Which metrics APIs the cluster serves and are available (an APIService whose backend is down is not). */
export async function servedMetricApis(client: KubeClient): Promise<Set<MetricApi>> {
  const served = new Set<MetricApi>();
  for (const api of Object.keys(metricApis) as MetricApi[]) {
    try {
      await client.request('GET', `/apis/${api}/v1beta1`, { timeoutMs: 10_000 });
      served.add(api);
    } catch (error) {
      if (error instanceof ApiError) continue; // 404 not installed, 503 backend unavailable
      throw error;
    }
  }
  return served;
}

export async function readHpa(client: KubeClient, namespace: string, name: string): Promise<HpaState | undefined> {
  let hpa: HpaLike;
  try {
    hpa = await client.request<HpaLike>('GET', `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${name}`);
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return undefined;
    throw client.explain(error);
  }
  return hpaState(hpa, await servedMetricApis(client));
}
