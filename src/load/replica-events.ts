/**
 * What a scaling target tells its viewers while it runs: the local runtime (`mdl dev`) and the cluster
 * watcher (`mdl deploy --wait`, `mdl status --watch`, a loadtest against a deployed model) both emit these,
 * and the dashboard, the plain reporter and reports consume them. Plain JSON data, no UI, no I/O, so
 * src/local and src/kube can import it. Times are wall-clock milliseconds since the epoch.
 */

/** Replicas the autoscaler wants and how many of them serve traffic, at one moment. */
export interface ReplicasEvent {
  kind: 'replicas';
  timestampMs: number;
  desired: number;
  ready: number;
  /** Replicas that exist (started, maybe not ready yet) when known. */
  current?: number;
  minReplicas?: number;
  maxReplicas?: number;
}

/** The autoscaler's metric against its target, e.g. concurrency 7.2 of 8 per replica. */
export interface ScalingMetricEvent {
  kind: 'metric';
  timestampMs: number;
  /** As the spec names it: "cpu", "concurrency", "rps", "queue", or an external metric's name. */
  metric: string;
  /** Null while the metric cannot be read (the HPA's "<unknown>"). */
  current: number | null;
  target: number;
  /** "%" for utilization, "" for plain values, "/s" for rates. */
  unit: string;
}

/** The autoscaler changed the desired replicas (a scale-up or scale-down decision). */
export interface ScalingEvent {
  kind: 'scaling';
  timestampMs: number;
  fromReplicas: number;
  toReplicas: number;
  reason?: string;
}

/**
 * The replicas a scaling event asked for are all ready. Optional: when an emitter does not send it, viewers
 * derive the time to ready from later `replicas` events (ready >= toReplicas).
 */
export interface ScaledReadyEvent {
  kind: 'scaled-ready';
  timestampMs: number;
  /** timestampMs of the ScalingEvent this completes. */
  scalingTimestampMs: number;
  readyAfterMs: number;
}

export type PodPhase = 'pending' | 'starting' | 'ready' | 'terminating' | 'failed';

/** One pod's (or local replica's) progress, for rollout views. */
export interface PodEvent {
  kind: 'pod';
  timestampMs: number;
  name: string;
  phase: PodPhase;
  /** Whether this pod belongs to the revision being rolled out. */
  updated?: boolean;
  restarts?: number;
  /** Why it is not ready yet: "ImagePullBackOff", "readiness probe failed", … */
  message?: string;
  /** Gone: the pod was deleted. */
  deleted?: boolean;
}

/** A Deployment's rollout counters, as `kubectl rollout status` reads them. */
export interface RolloutEvent {
  kind: 'rollout';
  timestampMs: number;
  name: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  done: boolean;
  /** Set when the rollout failed (progress deadline exceeded, crash loop). */
  failed?: string;
}

export type ReplicaEvent = ReplicasEvent | ScalingMetricEvent | ScalingEvent | ScaledReadyEvent | PodEvent | RolloutEvent;
