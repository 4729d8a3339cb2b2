/**
 * The replay document (`mdl replay --json`, and each entry of a TuneResult's `verification`): one profile
 * played against the local runtime running one autoscaler setting, what it measured second by second, and
 * the simulation of the same profile with the same setting beside it. Plain JSON; seconds from the start of
 * the load.
 */
import type { ProfilePoint } from '../autoscale/profile.js';
import type { CostSpec } from '../spec/types.js';
import type { ScalingSettings } from '../tune/prove.js';
import type { MetricKind } from '../tune/recommend.js';
import type { Slo } from '../tune/types.js';

export const REPLAY_SCHEMA_VERSION = 1;

export interface MeasuredSecond {
  second: number;
  /** Requests per second the profile asked for in this second. */
  offeredPerSecond: number;
  /** Completions in this second. */
  completedPerSecond: number;
  /** Latency of the requests completed in this second (from their scheduled send time); null when none completed. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Failed requests (errors and timeouts) in this second. */
  errors: number;
  desired: number;
  ready: number;
  overSlo: boolean;
}

export interface SimulatedSecond {
  second: number;
  offeredPerSecond: number;
  desired: number;
  ready: number;
  latencyMs: number;
  overSlo: boolean;
}

export interface ReplaySummary {
  durationSeconds: number;
  secondsOverSlo: number;
  /** Σ replicas that existed (starting or ready), per second. */
  replicaSeconds: number;
  peakReplicas: number;
  /** From the profile's ramp start to the first scale-up decision; null when there is no ramp or no scale-up. */
  scaleUpDecisionS: number | null;
  /** From the ramp start until the first added replica served (ready rose); null when it did not happen. */
  scaleUpReadyS: number | null;
}

export interface ReplayScaling {
  second: number;
  from: number;
  to: number;
  reason?: string;
  readyAfterMs?: number;
}

/** The lag chain the simulation modelled, each link with where its number came from. */
export interface LagChain {
  /** The metric the autoscaler reads: the balancer's average over the sync period, read at the sync. */
  metricWindowMs: number;
  metricLagMs: number;
  syncPeriodMs: number;
  /** Syncs at the times the runtime's autoscaler ran (its phase), when recorded. */
  syncTimesReplayed: boolean;
  /** Replica start → ready → first request served (tune's measured cold start; readiness polling included). */
  coldStartMs: number;
  coldStartSource: string;
  /** Requests wait at most this long (the request timeout) before they count as dropped. */
  maxQueueMs: number;
  /** Scale-down: the runtime drains a replica (it takes no new requests at once); the simulator removes it at once. */
  drain: 'immediate';
}

export interface ReplayRun {
  /** "recommended", "current", "static 4", or the settings file's name. */
  label: string;
  settings: ScalingSettings & { metric: MetricKind };
  measured: { seconds: MeasuredSecond[]; scalingEvents: ReplayScaling[]; summary: ReplaySummary; overallP95Ms: number | null; interrupted: boolean };
  simulated: { seconds: SimulatedSecond[]; summary: ReplaySummary; lagChain: LagChain };
  /** Where the simulation and the runtime differ, in words (empty when they agree within the bounds). */
  differences: string[];
}

export interface ReplayDocument {
  schemaVersion: typeof REPLAY_SCHEMA_VERSION;
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  /** The spec's model name (each run has its own runtime, on its own port). */
  model: string;
  profile: { source: string; points: ProfilePoint[]; rampStartS: number | null; peakPerSecond: number };
  slo: Slo;
  capacity: { source: string; perSecond: number | null };
  /** The spec's cost, when it has one: the text shows each run's replica-seconds in money. */
  price?: CostSpec;
  runs: ReplayRun[];
}
