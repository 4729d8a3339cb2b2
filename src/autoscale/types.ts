/**
 * The HorizontalPodAutoscaler's spec in the Kubernetes autoscaling/v2 shape, so that a rendered HPA object's
 * `spec` can be fed to the controller functions as it is, plus the controller's own settings and the data it
 * observes on each sync. Quantities may be given as Kubernetes quantity strings ("500m", "4Gi") or numbers.
 */

export type Quantity = string | number;

export type MetricTargetType = 'Utilization' | 'Value' | 'AverageValue';

export interface MetricTarget {
  type: MetricTargetType;
  value?: Quantity;
  averageValue?: Quantity;
  /** Percent of the pods' request, for Resource metrics. */
  averageUtilization?: number;
}

export interface MetricIdentifier {
  name: string;
  selector?: unknown;
}

export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

export type MetricSpec =
  | { type: 'Resource'; resource: { name: string; target: MetricTarget } }
  | { type: 'ContainerResource'; containerResource: { name: string; container: string; target: MetricTarget } }
  | { type: 'Pods'; pods: { metric: MetricIdentifier; target: MetricTarget } }
  | {
      type: 'Object';
      object: { describedObject: CrossVersionObjectReference; metric: MetricIdentifier; target: MetricTarget };
    }
  | { type: 'External'; external: { metric: MetricIdentifier; target: MetricTarget } };

export type ScalingPolicyType = 'Pods' | 'Percent';
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface HpaScalingPolicy {
  type: ScalingPolicyType;
  value: number;
  periodSeconds: number;
}

export interface HpaScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: SelectPolicy;
  policies?: HpaScalingPolicy[];
  /** Per-direction tolerance (autoscaling/v2 since Kubernetes 1.33), e.g. "0.05" or 0.05. */
  tolerance?: Quantity;
}

export interface HpaBehavior {
  scaleUp?: HpaScalingRules;
  scaleDown?: HpaScalingRules;
}

/** `spec` of an autoscaling/v2 HorizontalPodAutoscaler (scaleTargetRef is accepted and ignored). */
export interface HpaSpec {
  scaleTargetRef?: CrossVersionObjectReference;
  /** Defaults to 1, as the API server does. */
  minReplicas?: number;
  maxReplicas: number;
  /** Defaults to CPU at 80 % utilization, as the API server does. */
  metrics?: MetricSpec[];
  behavior?: HpaBehavior;
}

/** kube-controller-manager flags that shape the HPA controller. */
export interface HpaControllerOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
  /** Feature gate HPAConfigurableTolerance: honour behavior.scaleUp/scaleDown.tolerance. */
  configurableTolerance: boolean;
}

export const DEFAULT_CONTROLLER_OPTIONS: HpaControllerOptions = {
  tolerance: 0.1,
  downscaleStabilizationMs: 300_000,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
  configurableTolerance: true,
};

/** The controller's sync period (--horizontal-pod-autoscaler-sync-period). */
export const DEFAULT_SYNC_PERIOD_MS = 15_000;

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** What the controller's pod lister sees of one pod. Times are milliseconds on the caller's time scale. */
export interface PodStatus {
  name: string;
  phase: PodPhase;
  /** A deletion timestamp is set. */
  deleting?: boolean;
  /** Status of the Ready condition; undefined = the pod has no Ready condition. */
  ready?: boolean;
  /** lastTransitionTime of the Ready condition. */
  readyTransitionMs?: number;
  /** status.startTime; undefined = not set. */
  startTimeMs?: number;
  /** Requests summed over the pod's containers, per resource name, in natural units (cores, bytes). */
  requests?: Record<string, Quantity>;
}

/** One pod's metric sample. */
export interface PodMetricSample {
  value: Quantity;
  timestampMs?: number;
  /** The sample's window (metrics-server reports one per sample). */
  windowMs?: number;
}

/**
 * The pods' samples for a Resource or Pods metric already reduced to the sums the controller uses. The
 * simulator builds these directly; `summarizePodMetric` builds them from pods and samples. Values are in
 * milli-units, as the controller computes (Quantity.MilliValue()).
 */
export interface PodMetricSummary {
  /** Pods in the list that are running, have a sample and are not unready. */
  readyPodCount: number;
  /** Samples left after dropping ignored and unready pods (may include samples of pods not in the list). */
  sampleCount: number;
  /** Σ sample values over those samples (Pods metrics), or over those with a request (Resource metrics). */
  usageSumMilli: number;
  /** Resource metrics: Σ requests and the number of samples that matched a pod with a request. */
  requestSumMilli?: number;
  requestEntries?: number;
  missingCount: number;
  /** Resource Utilization: Σ over missing pods of request·max(100, target)/100 (integer division per pod). */
  missingFallbackUsageMilli?: number;
  missingRequestSumMilli?: number;
  unreadyCount: number;
  unreadyRequestSumMilli?: number;
}

/** What the metrics APIs returned for one metric of the spec; undefined = the metric could not be read. */
export type MetricObservation =
  | { kind: 'pods'; samples: Record<string, PodMetricSample | Quantity> }
  | { kind: 'summary'; summary: PodMetricSummary }
  | { kind: 'value'; value: Quantity }
  | { kind: 'values'; values: Quantity[] };

/** Everything one sync of the controller reads from the cluster. */
export interface HpaObservation {
  /** scale.spec.replicas. */
  currentReplicas: number;
  /** scale.status.replicas; defaults to currentReplicas. */
  statusReplicas?: number;
  /** The pods matched by the target's selector. */
  pods?: PodStatus[];
  /** Running and Ready pods, when `pods` is not given (Object/External Value metrics use it). */
  readyPodCount?: number;
  /** One entry per spec metric, in order. */
  metrics: (MetricObservation | undefined)[];
}

export interface TimestampedRecommendation {
  replicas: number;
  timestampMs: number;
}

export interface ScaleEvent {
  /** Always positive: pods added (scale-up list) or removed (scale-down list). */
  replicaChange: number;
  timestampMs: number;
  outdated: boolean;
}

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface HpaCondition {
  type: ConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** The controller's memory of one HPA between syncs (upstream keeps it in maps keyed by the HPA). */
export interface HpaState {
  /** null until the first sync records the current size as the initial recommendation. */
  recommendations: TimestampedRecommendation[] | null;
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
  conditions: HpaCondition[];
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface MetricResult {
  /** Upstream's metric description, e.g. "cpu resource utilization (percentage of request)". */
  name: string;
  /** The replica count this metric proposes; undefined when the metric was invalid. */
  proposal?: number;
  /** The current value the controller computed (utilization percent, or milli-units). */
  current?: number;
  error?: string;
}

export interface HpaStepResult {
  desiredReplicas: number;
  /** Whether the scale subresource would be updated. */
  rescale: boolean;
  state: HpaState;
  conditions: HpaCondition[];
  event?: HpaEvent;
  /** Warnings the controller would record as events (failed metrics). */
  warnings: HpaEvent[];
  metrics: MetricResult[];
}
