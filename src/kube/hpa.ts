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
  /**
   * The link of the chain that is missing: the metrics API is not served; the controller failed to read the
   * metric; (Pods metrics) the custom metrics API does not list it, or has no value for the pods.
   */
  link: 'metrics-api' | 'metric-read' | 'metric-listed' | 'pods-scraped';
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
        link: 'metrics-api',
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
      link: 'metric-read',
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

/** What the custom metrics API answered about one Pods metric, for `podsMetricLink`. */
export interface PodsMetricProbe {
  /** The metric names the API lists (its discovery document: "pods/<name>" resources). */
  listed: readonly string[];
  /** Pods of the target with a value, and the selector asked with. */
  podsWithValue: number;
  selector: string;
}

/**
 * Which link of the Pods-metric chain is missing, when the HPA cannot read the metric: the adapter does not
 * list it at all (no rule for it, or no pod exports a series by that name), or lists it but has no value for
 * these pods (Prometheus does not scrape them, or not yet). Undefined when both links hold. Pure.
 */
export function podsMetricLink(metric: string, namespace: string, probe: PodsMetricProbe): HpaProblem | undefined {
  const which = `Pods metric "${metric}"`;
  if (!probe.listed.includes(metric)) {
    const near = probe.listed.filter((m) => m.includes(metric.split('_')[0]!) || metric.includes(m.split('_')[0]!)).slice(0, 3);
    return {
      which,
      link: 'metric-listed',
      message: `custom.metrics.k8s.io lists no metric ${metric}: the adapter has no rule that exposes it, or no pod exports its series` +
        (near.length > 0 ? ` (it lists ${near.join(', ')})` : ''),
      fix: 'Add the rule `mdl render --metrics-pipeline` writes to the adapter\'s config; check with curl that the server exports the series at the port and path of its prometheus.io annotations; or set scaling.metric.name to a metric the adapter lists.',
    };
  }
  if (probe.podsWithValue === 0) {
    return {
      which,
      link: 'pods-scraped',
      message: `custom.metrics.k8s.io has ${metric}, but no value for the pods of ${probe.selector} in ${namespace}: Prometheus has not scraped them`,
      fix: 'Check that Prometheus scrapes this namespace\'s pods by their prometheus.io annotations (or apply the PodMonitor from `mdl render --metrics-pipeline`), and the state of their targets in Prometheus.',
    };
  }
  return undefined;
}

/** Asks the custom metrics API about a Pods metric for the pods of `selector`: listed at all, and with values. */
export async function probePodsMetric(client: KubeClient, namespace: string, metric: string, selector: string): Promise<PodsMetricProbe | undefined> {
  let listed: string[];
  try {
    const discovery = await client.request<{ resources?: { name: string }[] }>('GET', '/apis/custom.metrics.k8s.io/v1beta1', { timeoutMs: 10_000 });
    listed = (discovery.resources ?? []).filter((r) => r.name.startsWith('pods/')).map((r) => r.name.slice('pods/'.length));
  } catch (error) {
    if (error instanceof ApiError) return undefined; // not served: hpaState names that link already
    throw client.explain(error);
  }
  if (!listed.includes(metric)) return { listed, podsWithValue: 0, selector };
  try {
    const values = await client.request<{ items?: unknown[] }>('GET', `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${namespace}/pods/*/${metric}`, {
      query: { labelSelector: selector }, timeoutMs: 10_000,
    });
    return { listed, podsWithValue: values.items?.length ?? 0, selector };
  } catch (error) {
    if (error instanceof ApiError) return { listed, podsWithValue: 0, selector }; // the adapter answers 404 when no pod has the series
    throw client.explain(error);
  }
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
