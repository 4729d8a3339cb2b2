/**
 * How long the startup check lets a model load, in the whole seconds Kubernetes counts: the one place the
 * probe's sizing and the rollout's progress deadline both read. Pure.
 */
import type { StartupSpec } from './types.js';

/** Kubernetes' own progressDeadlineSeconds when a Deployment sets none. */
export const KUBERNETES_PROGRESS_DEADLINE_MS = 600_000;
/** After the startup check passes, the readiness check and the Deployment's availability still take a few
 *  periods: a new pod that loaded within its budget must not be called a stalled rollout. */
const PROGRESS_MARGIN_MS = 60_000;

export interface StartupChecks {
  periodSeconds: number;
  /** failureThreshold × period is above the worst-case load time, so liveness never kills a pod still loading. */
  failureThreshold: number;
  /** failureThreshold × period, in ms: the longest a pod may load before the kubelet restarts it. */
  budgetMs: number;
}

export function startupChecks(startup: StartupSpec): StartupChecks {
  const periodSeconds = Math.ceil(startup.periodMs / 1000);
  const failureThreshold = Math.floor(startup.maxLoadMs / (periodSeconds * 1000)) + 1;
  return { periodSeconds, failureThreshold, budgetMs: failureThreshold * periodSeconds * 1000 };
}

/** Kubernetes' 10 minutes, or longer when one pod may take longer than that to load. */
export function defaultProgressDeadlineMs(startup: StartupSpec): number {
  return Math.max(KUBERNETES_PROGRESS_DEADLINE_MS, startupChecks(startup).budgetMs + PROGRESS_MARGIN_MS);
}
