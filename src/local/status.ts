import type { ReplicaState } from './replica.js';
import type { ScalingMetric } from './options.js';

/** The runtime's state as served at /.mdl/status and sent with 'status' events. Plain JSON. */
export interface LocalRuntimeStatus {
  schemaVersion: 1;
  url: string;
  startedAt: string;
  uptimeMs: number;
  desiredReplicas: number;
  readyReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  autoscaler: {
    enabled: boolean;
    metric: ScalingMetric;
    syncPeriodMs: number;
    /** The per-replica metric value at the last sync. */
    lastMetricValue: number | undefined;
    /** The same measure from the last sync (or the start) up to now, so that a run shorter than one sync
     *  period still shows its metric; concurrency and rps only (cpu needs two readings a period apart). */
    currentMetricValue?: number | undefined;
    lastSyncAt: string | undefined;
  };
  totals: {
    inFlight: number;
    queued: number;
    requestsTotal: number;
    errorsTotal: number;
    rejectedTotal: number;
    ratePerSecond: number;
  };
  replicas: ReplicaStatus[];
  scalingEvents: ScalingEvent[];
}

export interface ReplicaStatus {
  id: string;
  state: ReplicaState;
  pid: number | undefined;
  /** The small supervisor process in front of the replica (it stops the replica if mdl dies). */
  guardPid: number | undefined;
  port: number;
  restarts: number;
  startedAt: string | undefined;
  timeToReadyMs: number | undefined;
  inFlight: number;
  requestsTotal: number;
  errorsTotal: number;
  ratePerSecond: number;
  latency: { meanMs: number; p50Ms: number; p95Ms: number; maxMs: number } | undefined;
}

export interface ScalingEvent {
  at: string;
  from: number;
  to: number;
  reason: string;
  metricValue: number | undefined;
  /** For a scale-up: from the decision until every added replica was ready (filled in when they are). */
  timeToReadyMs?: number;
}
