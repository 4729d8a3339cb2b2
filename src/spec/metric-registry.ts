/**
 * The metric registry: for each runtime preset, the Prometheus series that server really exports for each
 * scaling metric type, and whether it is a gauge or a counter. The one table both `mdl render` (through
 * the presets) and `mdl tune` (src/tune/recommend.ts) read; everything else about a metric — the name a
 * Prometheus adapter exposes it under, the PromQL for KEDA, the adapter rule — is derived here from it.
 * The metrics port and path of each server are in its preset file (templates/runtimes/<name>.yaml).
 * Pure: no I/O.
 *
 * Sources (upstream, read for the names): vLLM vllm/v1/metrics/loggers.py; TGI router/src/server.rs and
 * infer/mod.rs (metrics-rs counters carry no _total suffix); Triton docs/user_guide/metrics.md (counters
 * without _total, metrics port 8002); TorchServe ts/configs/metrics.yaml (metrics port 8082); MLServer
 * mlserver/rest/app.py (starlette_exporter with prefix rest_server), handlers/dataplane.py, settings.py
 * (metrics_port 8082); llama.cpp tools/server/server-task.cpp (llamacpp: prefix, behind --metrics).
 * test/integration/real-servers checks the MLServer and llama.cpp names against the running servers.
 */
import type { MetricType, RuntimeName } from './schema.js';

/** A gauge is read as it is; a counter only means something as a rate. */
export type SeriesKind = 'gauge' | 'counter';

export interface RegistryMetric {
  /** The series the server exports, as scraped. */
  series: string;
  kind: SeriesKind;
  /** Unit of a utilization gauge: fraction (0..1) or percent (0..100). */
  scale?: 'fraction' | 'percent';
}

/** The metric types a Prometheus series can back (cpu and memory come from metrics-server, external from outside). */
export type SeriesMetricType = 'concurrency' | 'rps' | 'queue' | 'gpu';
export const SERIES_METRIC_TYPES: readonly SeriesMetricType[] = ['concurrency', 'rps', 'queue', 'gpu'];

export type RuntimeMetrics = Partial<Record<SeriesMetricType, RegistryMetric>>;

/** The window counters are turned into rates over: at least four scrapes at Prometheus's usual 15 s. */
export const RATE_WINDOW = '1m';

/** NVIDIA's DCGM exporter runs beside any GPU server (a DaemonSet), so its utilization gauge fits every runtime. */
const DCGM_GPU: RegistryMetric = { series: 'DCGM_FI_DEV_GPU_UTIL', kind: 'gauge', scale: 'percent' };

/** What a server built on the common Prometheus client libraries exports (the http runtime's metrics). */
const CLIENT_LIBRARY: RuntimeMetrics = {
  concurrency: { series: 'http_requests_in_flight', kind: 'gauge' },
  rps: { series: 'http_requests_total', kind: 'counter' },
};

export const METRIC_REGISTRY: Record<RuntimeName, RuntimeMetrics> = {
  vllm: {
    queue: { series: 'vllm:num_requests_waiting', kind: 'gauge' },
    concurrency: { series: 'vllm:num_requests_running', kind: 'gauge' },
    // KV-cache usage (vllm:gpu_cache_usage_perc before vLLM V1)
    gpu: { series: 'vllm:kv_cache_usage_perc', kind: 'gauge', scale: 'fraction' },
    rps: { series: 'vllm:request_success_total', kind: 'counter' },
  },
  tgi: {
    queue: { series: 'tgi_queue_size', kind: 'gauge' },
    concurrency: { series: 'tgi_batch_current_size', kind: 'gauge' },
    rps: { series: 'tgi_request_success', kind: 'counter' },
  },
  triton: {
    // Requests waiting for a model instance; Triton exports no in-flight gauge.
    queue: { series: 'nv_inference_pending_request_count', kind: 'gauge' },
    rps: { series: 'nv_inference_request_success', kind: 'counter' },
    gpu: { series: 'nv_gpu_utilization', kind: 'gauge', scale: 'fraction' },
  },
  torchserve: {
    // Time requests wait in the job queue, in ms.
    queue: { series: 'QueueTime', kind: 'gauge' },
    rps: { series: 'ts_inference_requests_total', kind: 'counter' },
    gpu: { series: 'GPUUtilization', kind: 'gauge', scale: 'percent' },
  },
  // MLServer, the Python KServe v2 server: REST requests being served, and inference successes (REST and gRPC).
  'kserve-v2': {
    concurrency: { series: 'rest_server_requests_in_progress', kind: 'gauge' },
    rps: { series: 'model_infer_request_success_total', kind: 'counter' },
  },
  // llama.cpp's server (llama-server --metrics): requests in a slot, and requests waiting for one.
  openai: {
    concurrency: { series: 'llamacpp:requests_processing', kind: 'gauge' },
    queue: { series: 'llamacpp:requests_deferred', kind: 'gauge' },
  },
  http: CLIENT_LIBRARY,
};

/** The series a runtime exports for a metric type, or undefined when mdl knows none (gpu falls back to DCGM). */
export function registryMetric(runtime: RuntimeName, type: MetricType): RegistryMetric | undefined {
  if (!isSeriesMetricType(type)) return undefined;
  return METRIC_REGISTRY[runtime][type] ?? (type === 'gpu' ? DCGM_GPU : undefined);
}

export function isSeriesMetricType(type: string): type is SeriesMetricType {
  return (SERIES_METRIC_TYPES as readonly string[]).includes(type);
}

/**
 * The name a Prometheus adapter exposes the series under, for an HPA Pods metric: Kubernetes metric names
 * take no ':', and a counter becomes a per-second rate (the adapter's own convention: x_total → x_per_second).
 */
export function podsMetricName(m: Pick<RegistryMetric, 'series' | 'kind'>): string {
  const base = m.series.replace(/:/g, '_');
  return m.kind === 'counter' ? `${base.replace(/_total$/, '')}_per_second` : base;
}

export interface SeriesScope {
  /** The Deployment's name: its pods are "<name>-…". */
  name: string;
  /** The namespace, when known; without it the query matches pods of that name in every namespace. */
  namespace?: string | undefined;
}

/** PromQL over all replicas: the gauge summed, or the counter's rate summed. KEDA divides by the replica count. */
export function replicaSumQuery(m: Pick<RegistryMetric, 'series' | 'kind'>, scope: SeriesScope): string {
  const matchers = [...(scope.namespace !== undefined ? [`namespace="${scope.namespace}"`] : []), `pod=~"${scope.name}-.*"`];
  const selector = `${m.series}{${matchers.join(',')}}`;
  return m.kind === 'counter' ? `sum(rate(${selector}[${RATE_WINDOW}]))` : `sum(${selector})`;
}

/** One prometheus-adapter rule (an entry of its config's `rules:`) serving the series as the Pods metric podsMetricName. */
export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: { namespace: { resource: 'namespace' }; pod: { resource: 'pod' } } };
  name: { matches: string; as: string };
  metricsQuery: string;
}

/**
 * The rule for every pod exporting the series, not one model's pods: the adapter exposes one metric per
 * name, so two models on the same server software share one rule, and the HPA's pod selector does the rest.
 */
export function adapterRule(m: Pick<RegistryMetric, 'series' | 'kind'>): AdapterRule {
  const perPod = m.kind === 'counter' ? `rate(<<.Series>>{<<.LabelMatchers>>}[${RATE_WINDOW}])` : '<<.Series>>{<<.LabelMatchers>>}';
  return {
    seriesQuery: `${m.series}{namespace!="",pod!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
    name: { matches: `^${escapeRegExp(m.series)}$`, as: podsMetricName(m) },
    metricsQuery: `sum(${perPod}) by (<<.GroupBy>>)`,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const REGISTRY_TABLE_START = '<!-- metric-registry:start -->';
export const REGISTRY_TABLE_END = '<!-- metric-registry:end -->';

/** The registry as the Markdown table in docs/spec.md (generated by `npm run docs:spec`, checked by a test). */
export function registryMarkdown(): string {
  const cell = (runtime: RuntimeName, type: SeriesMetricType): string => {
    const own = METRIC_REGISTRY[runtime][type];
    const m = own ?? (type === 'gpu' ? DCGM_GPU : undefined);
    if (!m) return '—';
    const scale = m.scale === 'fraction' ? ' (0..1)' : m.scale === 'percent' ? ' (%)' : '';
    return own ? `\`${m.series}\`${m.kind === 'counter' ? ' †' : ''}${scale}` : 'DCGM';
  };
  const rows = (Object.keys(METRIC_REGISTRY) as RuntimeName[]).map((r) => `| ${r} | ${SERIES_METRIC_TYPES.map((t) => cell(r, t)).join(' | ')} |`);
  return [
    '<!-- Generated from src/spec/metric-registry.ts by `npm run docs:spec`; do not edit by hand. -->',
    '',
    `| runtime | ${SERIES_METRIC_TYPES.join(' | ')} |`,
    `|---|${SERIES_METRIC_TYPES.map(() => '---').join('|')}|`,
    ...rows,
    '',
    `† a counter, read as a rate over ${RATE_WINDOW}. DCGM: \`${DCGM_GPU.series}\` (%) from NVIDIA's DCGM exporter.`,
    '',
  ].join('\n');
}

/** docs/spec.md with the table between the markers replaced. */
export function replaceRegistryTable(doc: string): string {
  const start = doc.indexOf(REGISTRY_TABLE_START);
  const end = doc.indexOf(REGISTRY_TABLE_END);
  if (start < 0 || end < start) throw new Error(`the registry markers ${REGISTRY_TABLE_START} … ${REGISTRY_TABLE_END} are missing`);
  return `${doc.slice(0, start)}${REGISTRY_TABLE_START}\n${registryMarkdown()}${doc.slice(end)}`;
}
