/** Deployment, Service and PodDisruptionBudget for a model server. Pure. */
import type { ModelSpec, ProbeSpec } from '../spec/index.js';
import { RENDERED_POD_ANNOTATIONS } from '../spec/schema.js';
import { KUBERNETES_PROGRESS_DEADLINE_MS, startupChecks } from '../spec/startup.js';
import { SPEC_HASH_ANNOTATION, commonLabels, seconds, selectorLabels, specHash } from './labels.js';
import type { KubeObject } from './types.js';

const HTTP_PORT_NAME = 'http';
const METRICS_PORT_NAME = 'metrics';

/** The name of the container port Prometheus scrapes: the metrics port's own, or http when they are one. */
export function metricsPortName(spec: ModelSpec): string {
  return spec.metrics.port === spec.port ? HTTP_PORT_NAME : METRICS_PORT_NAME;
}

function portRef(spec: ModelSpec, port: number): string | number {
  if (port === spec.port) return HTTP_PORT_NAME;
  if (port === spec.metrics.port) return METRICS_PORT_NAME;
  return port;
}

function probe(spec: ModelSpec, p: ProbeSpec, overrides: { periodMs?: number; failureThreshold?: number } = {}): Record<string, unknown> {
  const port = portRef(spec, p.port);
  const handler = p.path !== undefined ? { httpGet: { path: p.path, port } } : { tcpSocket: { port } };
  return {
    ...handler,
    periodSeconds: seconds(overrides.periodMs ?? p.periodMs),
    timeoutSeconds: seconds(p.timeoutMs),
    failureThreshold: overrides.failureThreshold ?? p.failureThreshold,
  };
}

/**
 * The startup probe gives the slowest model load room to finish: failureThreshold × period is above
 * the worst-case load time, so liveness never kills a pod that is still loading.
 */
export function startupFailureThreshold(spec: ModelSpec): number {
  return startupChecks(spec.health.startup).failureThreshold;
}

function envVars(spec: ModelSpec): Record<string, unknown>[] {
  return spec.env.map((e) => {
    if ('value' in e) return { name: e.name, value: e.value };
    if ('secret' in e) return { name: e.name, valueFrom: { secretKeyRef: { name: e.secret.name, key: e.secret.key } } };
    return { name: e.name, valueFrom: { configMapKeyRef: { name: e.configMap.name, key: e.configMap.key } } };
  });
}

function resources(spec: ModelSpec): Record<string, unknown> {
  const r = spec.resources;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r.cpu !== undefined) requests.cpu = r.cpu;
  if (r.memory !== undefined) requests.memory = r.memory;
  if (r.limits.cpu !== undefined) limits.cpu = r.limits.cpu;
  if (r.limits.memory !== undefined) limits.memory = r.limits.memory;
  // Extended resources such as GPUs must be in limits; a request, if given, must equal the limit.
  if (r.gpu > 0) {
    limits[r.gpuResource] = String(r.gpu);
    requests[r.gpuResource] = String(r.gpu);
  }
  const out: Record<string, unknown> = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

function tolerations(spec: ModelSpec): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = spec.tolerations.map((t) => ({ ...t }));
  const gpuKey = spec.resources.gpuResource;
  if (spec.resources.gpu > 0 && !spec.tolerations.some((t) => t.key === gpuKey)) {
    // GPU node pools are usually tainted with the resource name (GKE, AKS, the NVIDIA operator's docs).
    list.push({ key: gpuKey, operator: 'Exists', effect: 'NoSchedule' });
  }
  return list;
}

function nodeSelector(spec: ModelSpec): Record<string, string> {
  const sel = { ...spec.nodeSelector };
  if (spec.resources.gpuProduct !== undefined) sel['nvidia.com/gpu.product'] = spec.resources.gpuProduct;
  return sel;
}

export function deployment(spec: ModelSpec): KubeObject {
  const labels = commonLabels(spec);
  const hash = specHash(spec);
  const ports: Record<string, unknown>[] = [{ name: HTTP_PORT_NAME, containerPort: spec.port, protocol: 'TCP' }];
  if (spec.metrics.port !== spec.port) ports.push({ name: METRICS_PORT_NAME, containerPort: spec.metrics.port, protocol: 'TCP' });

  if (spec.image === undefined) throw new Error('renderManifests needs spec.image; check it with requireImage() first');
  const container: Record<string, unknown> = { name: 'server', image: spec.image };
  if (spec.command) container.command = spec.command;
  if (spec.args) container.args = spec.args;
  container.ports = ports;
  if (spec.env.length > 0) container.env = envVars(spec);
  const res = resources(spec);
  if (Object.keys(res).length > 0) container.resources = res;
  container.startupProbe = probe(spec, spec.health.readiness, {
    periodMs: spec.health.startup.periodMs,
    failureThreshold: startupFailureThreshold(spec),
  });
  container.readinessProbe = probe(spec, spec.health.readiness);
  container.livenessProbe = probe(spec, spec.health.liveness);
  // Endpoints are removed asynchronously: keep serving while load balancers catch up, then stop.
  container.lifecycle = { preStop: { sleep: { seconds: seconds(spec.shutdown.drainMs) } } };

  const podSpec: Record<string, unknown> = {
    terminationGracePeriodSeconds: seconds(spec.shutdown.drainMs + spec.shutdown.gracePeriodMs),
  };
  const ns = nodeSelector(spec);
  if (Object.keys(ns).length > 0) podSpec.nodeSelector = ns;
  const tol = tolerations(spec);
  if (tol.length > 0) podSpec.tolerations = tol;
  podSpec.topologySpreadConstraints = ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorLabels(spec) },
  }));
  podSpec.containers = [container];

  const deploymentSpec: Record<string, unknown> = {};
  // With an autoscaler the replica count is its to own; a value here would fight it on every apply.
  if (!spec.scaling.autoscaled) deploymentSpec.replicas = spec.scaling.minReplicas;
  // Kubernetes' default deadline stays implicit; a longer one (a slow model load) or the user's is written.
  if (spec.rollout.progressDeadlineMs !== KUBERNETES_PROGRESS_DEADLINE_MS) {
    deploymentSpec.progressDeadlineSeconds = seconds(spec.rollout.progressDeadlineMs);
  }
  Object.assign(deploymentSpec, {
    revisionHistoryLimit: 5,
    selector: { matchLabels: selectorLabels(spec) },
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: spec.rollout.maxSurge, maxUnavailable: spec.rollout.maxUnavailable },
    },
    template: {
      metadata: {
        labels,
        annotations: { ...spec.podAnnotations, ...renderedPodAnnotations(spec, hash) },
      },
      spec: podSpec,
    },
  });

  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, labels, annotations: { [SPEC_HASH_ANNOTATION]: hash } },
    spec: deploymentSpec,
  };
}

/** What the renderer itself annotates the pods with: every key of RENDERED_POD_ANNOTATIONS, none other. */
function renderedPodAnnotations(spec: ModelSpec, hash: string): Record<(typeof RENDERED_POD_ANNOTATIONS)[keyof typeof RENDERED_POD_ANNOTATIONS], string> {
  const keys = RENDERED_POD_ANNOTATIONS;
  return {
    [keys.specHash]: hash,
    [keys.scrape]: 'true',
    [keys.port]: String(spec.metrics.port),
    [keys.path]: spec.metrics.path,
  };
}

export function service(spec: ModelSpec): KubeObject {
  const ports: Record<string, unknown>[] = [{ name: HTTP_PORT_NAME, port: spec.port, targetPort: HTTP_PORT_NAME, protocol: 'TCP' }];
  if (spec.metrics.port !== spec.port) {
    ports.push({ name: METRICS_PORT_NAME, port: spec.metrics.port, targetPort: METRICS_PORT_NAME, protocol: 'TCP' });
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, labels: commonLabels(spec) },
    spec: { type: 'ClusterIP', selector: selectorLabels(spec), ports },
  };
}

export function podDisruptionBudget(spec: ModelSpec): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: spec.name, labels: commonLabels(spec) },
    spec: {
      maxUnavailable: spec.disruption.maxUnavailable,
      selector: { matchLabels: selectorLabels(spec) },
      // A pod that never became ready (a crash-looping model) must not block node drains.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
