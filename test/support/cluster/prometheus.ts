/**
 * Prometheus (built from source by build.sh: Debian's 2.42 package is built without the Kubernetes service
 * discovery, "field kubernetes_sd_configs not found") beside the real node: it discovers the pods on rn1
 * through the API server (kubernetes_sd, role pod, field selector spec.nodeName=rn1: kwok's pods have
 * addresses nothing answers on) and scrapes the ones annotated prometheus.io/scrape, at the port and path
 * of their annotations, as mdl renders them. Listens on 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { realNode } from './real-node.js';

/** Short, so a new pod's first samples arrive within seconds. */
export const SCRAPE_INTERVAL = '5s';

/** Writes the config; returns the arguments to start Prometheus with. */
export function prometheusArgs(runDir: string, port: number, kubeconfig: string): string[] {
  const dir = path.join(runDir, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'prometheus.yml');
  // JSON is YAML. The relabelling is the one of Prometheus' own documentation/examples/prometheus-kubernetes.yml.
  writeFileSync(config, JSON.stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [{
      job_name: `${realNode.name}-pods`,
      kubernetes_sd_configs: [{ role: 'pod', kubeconfig_file: kubeconfig, selectors: [{ role: 'pod', field: `spec.nodeName=${realNode.name}` }] }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
        { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', target_label: '__metrics_path__', regex: '(.+)' },
        {
          source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace',
          regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__',
        },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      ],
    }],
  }, null, 2));
  return [
    `--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ];
}
