/**
 * prometheus-adapter beside Prometheus (prometheus.ts): it serves custom.metrics.k8s.io from what Prometheus
 * scraped off rn1's pods, so the real HPA controller reads the Pods metrics mdl renders. Built from source in
 * its own Go module (prometheus-adapter/: its Kubernetes libraries are older than the control plane's) and
 * registered with the aggregator the way metrics-server is (an ExternalName Service on loopback and an
 * APIService). Its rules are the ones `mdl render` emits (adapterRule of src/spec/metric-registry.ts), one
 * for every series in the registry, as a platform serving several runtimes would configure it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapterRule, METRIC_REGISTRY, type RegistryMetric } from '../../../src/spec/metric-registry.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * How often the adapter lists the series Prometheus has (its default is 10 minutes): a new model's metric
 * appears within this. The lag chain a Pods metric adds on top of the scrape interval.
 */
export const ADAPTER_RELIST_INTERVAL = '5s';
/** The series listed are those seen within this: longer than a scrape interval, so none drops between scrapes. */
const METRICS_MAX_AGE = '1m';

/** Builds the adapter when its cached binary is missing (prometheus-adapter/build.sh); returns its path. */
export function adapterBinary(): string {
  const out = execFileSync('bash', [path.join(here, 'prometheus-adapter', 'build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return out.trim().split('\n').pop()!.trim();
}

/** One rule per series the registry knows, first occurrence kept (two runtimes may share a series). */
export function adapterRules(): { rules: ReturnType<typeof adapterRule>[] } {
  const seen = new Map<string, RegistryMetric>();
  for (const metrics of Object.values(METRIC_REGISTRY)) {
    for (const m of Object.values(metrics)) if (m && !seen.has(m.series)) seen.set(m.series, m);
  }
  return { rules: [...seen.values()].map((m) => adapterRule(m)) };
}

export interface AdapterStart {
  runDir: string;
  port: number;
  prometheusPort: number;
  kubeconfig: string;
  cert: string;
  key: string;
}

/** Writes the rules; returns the arguments to start the adapter with. */
export function adapterArgs(s: AdapterStart): string[] {
  const dir = path.join(s.runDir, 'prometheus-adapter');
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify(adapterRules(), null, 2)); // JSON is YAML
  return [
    `--prometheus-url=http://127.0.0.1:${s.prometheusPort}/`, `--config=${config}`,
    `--metrics-relist-interval=${ADAPTER_RELIST_INTERVAL}`, `--metrics-max-age=${METRICS_MAX_AGE}`,
    '--bind-address=127.0.0.1', `--secure-port=${s.port}`, `--cert-dir=${dir}`,
    `--tls-cert-file=${s.cert}`, `--tls-private-key-file=${s.key}`,
    `--lister-kubeconfig=${s.kubeconfig}`, `--authentication-kubeconfig=${s.kubeconfig}`, `--authorization-kubeconfig=${s.kubeconfig}`,
  ];
}

/** The aggregator's route to the adapter: an ExternalName Service pointing at loopback, and the APIService. */
export function adapterRegistration(port: number): Array<{ url: string; object: { kind: string } & Record<string, unknown> }> {
  return [
    {
      url: '/api/v1/namespaces/kube-system/services',
      object: {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'prometheus-adapter', namespace: 'kube-system' },
        spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port }] },
      },
    },
    {
      url: '/apis/apiregistration.k8s.io/v1/apiservices',
      object: {
        apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
        metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
        spec: {
          group: 'custom.metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100,
          insecureSkipTLSVerify: true,
          service: { name: 'prometheus-adapter', namespace: 'kube-system', port },
        },
      },
    },
  ];
}
