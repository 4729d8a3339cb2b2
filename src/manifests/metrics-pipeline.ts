/**
 * What the metrics pipeline needs for the spec's scaling metric, beside the manifests, for the user to apply
 * or not: a PodMonitor (monitoring.coreos.com/v1) for Prometheus Operator users, pointed at the metrics port,
 * and, for an HPA on a Pods metric, the prometheus-adapter rule that serves it (a fragment of the adapter's
 * config, to merge into its `rules:`). KEDA queries Prometheus itself, so it needs no adapter. Pure.
 */
import { adapterRule, type AdapterRule } from '../spec/metric-registry.js';
import type { ModelSpec } from '../spec/index.js';
import { commonLabels, selectorLabels } from './labels.js';
import type { KubeObject } from './types.js';
import { metricsPortName } from './workload.js';

export interface MetricsPipeline {
  /** The series the autoscaler reads, from the metric registry; undefined for cpu/memory/external or a custom name. */
  series?: { name: string; kind: 'gauge' | 'counter'; port: number; path: string };
  podMonitor?: KubeObject;
  /** prometheus-adapter config fragment: `rules:` with the rule for the HPA's Pods metric. */
  adapterRules?: { rules: AdapterRule[] };
}

/** Whether the scaling metric is read from the pods' own Prometheus endpoint. */
function scrapesPods(spec: ModelSpec): boolean {
  const t = spec.scaling.metric.type;
  return spec.scaling.autoscaled && t !== 'cpu' && t !== 'memory' && t !== 'external';
}

export function podMonitor(spec: ModelSpec): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: spec.name, labels: commonLabels(spec) },
    spec: {
      selector: { matchLabels: selectorLabels(spec) },
      podMetricsEndpoints: [{ port: metricsPortName(spec), path: spec.metrics.path }],
    },
  };
}

export function metricsPipeline(spec: ModelSpec): MetricsPipeline {
  if (!scrapesPods(spec)) return {};
  const m = spec.scaling.metric;
  const out: MetricsPipeline = { podMonitor: podMonitor(spec) };
  if (m.series !== undefined && m.seriesKind !== undefined) {
    out.series = { name: m.series, kind: m.seriesKind, port: spec.metrics.port, path: spec.metrics.path };
    if (spec.scaling.engine === 'hpa') out.adapterRules = { rules: [adapterRule({ series: m.series, kind: m.seriesKind })] };
  }
  return out;
}
