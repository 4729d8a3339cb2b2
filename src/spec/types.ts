/**
 * The resolved model spec: defaults from the runtime preset applied, the environment overlay merged, and
 * every human unit turned into a number whose unit is in its name. This is what the rest of mdl uses.
 */
import type { MetricType, Protocol, RuntimeName } from './schema.js';

export type { MetricType, Protocol, RuntimeName };

export interface ProbeSpec {
  /** HTTP path; undefined means a TCP check on the port. */
  path?: string;
  port: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export interface StartupSpec {
  /** Worst-case time from container start to ready. */
  maxLoadMs: number;
  periodMs: number;
}

export type EnvVarSpec =
  | { name: string; value: string }
  | { name: string; secret: { name: string; key: string } }
  | { name: string; configMap: { name: string; key: string } };

export interface TolerationSpec {
  key?: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface ResourcesSpec {
  /** Kubernetes quantities as the user wrote them (normalised to strings), for the manifests. */
  cpu?: string;
  memory?: string;
  /** The same as numbers: cores and bytes. */
  cpuCores?: number;
  memoryBytes?: number;
  gpu: number;
  gpuResource: string;
  gpuProduct?: string;
  limits: { cpu?: string; memory?: string };
}

export interface ScalingPolicySpec {
  type: 'Pods' | 'Percent';
  value: number;
  periodMs: number;
}

/** One direction of HPA behaviour; an unset field keeps the Kubernetes default. */
export interface ScalingRulesSpec {
  stabilizationMs?: number;
  policies?: ScalingPolicySpec[];
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  /** A fraction (0.1 = 10 %). */
  tolerance?: number;
}

export interface MetricSpec {
  type: MetricType;
  /**
   * The per-pod target in the metric's own unit: utilization percent for cpu/memory (70), requests for
   * concurrency/queue, requests per second for rps, the metric's scale for gpu (0.8 for a 0..1 gauge,
   * 80 for a percent gauge), the value for external.
   */
  target: number;
  /** How an HPA compares it: resource utilization, per-pod average, or (external) average value. */
  targetKind: 'utilization' | 'averageValue';
  /** Name in the metrics API (HPA Pods/External metric); undefined for cpu/memory. */
  name?: string;
  /** PromQL summed over the replicas, for KEDA; undefined for cpu/memory. */
  query?: string;
  /** Whether query came from the metric registry (then render may scope it to a namespace) or the spec. */
  querySource?: 'registry';
  /** The series the server exports, when known (from the metric registry). */
  series?: string;
  /** The series' Prometheus type, with series: a counter is read as a rate. */
  seriesKind?: 'gauge' | 'counter';
  selector?: Record<string, string>;
}

export interface KedaSpec {
  serverAddress: string;
  pollingIntervalMs: number;
  cooldownPeriodMs: number;
  activationThreshold: number;
}

export interface ScalingSpec {
  minReplicas: number;
  maxReplicas: number;
  metric: MetricSpec;
  behavior?: { scaleUp?: ScalingRulesSpec; scaleDown?: ScalingRulesSpec };
  engine: 'hpa' | 'keda';
  keda: KedaSpec;
  /** True when an autoscaler owns the replica count (max > min, or keda). */
  autoscaled: boolean;
}

export interface SloSpec {
  latency: { p50Ms?: number; p90Ms?: number; p95Ms?: number; p99Ms?: number };
  /** A fraction (0.01 = 1 %). */
  errorRate?: number;
}

export interface TrafficSpec {
  baselinePerSecond: number;
  peakPerSecond: number;
  rampMs: number;
}

export type PayloadSpec = { kind: 'file'; path: string } | { kind: 'inline'; value: Record<string, unknown> };

/** A replica's price, resolved from the spec's `cost` (its own price, or a GPU list price × GPUs). */
export interface CostSpec {
  perReplicaHour: number;
  currency: string;
  /** Where the price came from, in words ("spec", "list price of H100 as of 2024-12 × 2 GPUs"). */
  source: string;
}

export interface LoadtestSpec {
  url?: string;
  protocol: Protocol;
  path: string;
  method: 'GET' | 'POST' | 'PUT';
  model?: string;
  payload?: PayloadSpec;
  headers: Record<string, string>;
}

export interface LocalSpec {
  /** Contains the {port} placeholder. */
  command: string;
  replicas: number;
  /** Fixed port of the local endpoint, if set. */
  port?: number;
  /** Readiness path of a replica. */
  healthPath: string;
  /** Absolute. */
  cwd: string;
  env: Record<string, string>;
}

export interface ModelSpec {
  name: string;
  /** Needed to render manifests (render/validate say so when it is missing); `mdl dev` runs without one. */
  image?: string;
  /** The image tag (or digest), for the app.kubernetes.io/version label ("latest" without an image). */
  version: string;
  runtime: RuntimeName;
  port: number;
  command?: string[];
  args?: string[];
  env: EnvVarSpec[];
  resources: ResourcesSpec;
  nodeSelector: Record<string, string>;
  tolerations: TolerationSpec[];
  /** Annotations on the pod template, beside the ones mdl sets itself. */
  podAnnotations: Record<string, string>;
  health: { readiness: ProbeSpec; liveness: ProbeSpec; startup: StartupSpec };
  metrics: { path: string; port: number };
  shutdown: { drainMs: number; gracePeriodMs: number };
  /** progressDeadlineMs: Kubernetes' 10 minutes unless the spec or a slow startup check asks for more. */
  rollout: { maxSurge: number | string; maxUnavailable: number | string; progressDeadlineMs: number };
  disruption: { maxUnavailable: number };
  scaling: ScalingSpec;
  slo: SloSpec;
  traffic?: TrafficSpec;
  cost?: CostSpec;
  loadtest: LoadtestSpec;
  local?: LocalSpec;
  /** The environment overlay applied, if any. */
  environment?: string;
}
