import { ExitCode, MdlError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { KubeClient, WatchEvent } from './client.js';
import { recentEvents, type KubeEventSummary } from './events.js';
import { labelSelector, type KubeObject } from './types.js';
import { followCollection } from './watch.js';

export interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; progressDeadlineSeconds?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface RolloutStatus {
  done: boolean;
  /** ProgressDeadlineExceeded: the controller gave up. */
  failed: boolean;
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
}

/** kubectl rollout status's rules for a Deployment (kubectl/pkg/polymorphichelpers/rollout_status.go). */
export function deploymentRolloutStatus(dep: DeploymentLike): RolloutStatus {
  const s = dep.status ?? {};
  const desired = dep.spec?.replicas ?? 1;
  const counts = { desired, updated: s.updatedReplicas ?? 0, ready: s.readyReplicas ?? 0, available: s.availableReplicas ?? 0 };
  const name = dep.metadata.name;
  const generation = Number(dep.metadata.generation ?? 0);
  if (generation > (s.observedGeneration ?? 0)) {
    return { done: false, failed: false, message: `Waiting for deployment "${name}" spec update to be observed...`, ...counts };
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline`, ...counts };
  }
  if (counts.updated < desired) {
    return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${counts.updated} out of ${desired} new replicas have been updated...`, ...counts };
  }
  if ((s.replicas ?? 0) > counts.updated) {
    return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - counts.updated} old replicas are pending termination...`, ...counts };
  }
  if (counts.available < counts.updated) {
    return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${counts.available} of ${counts.updated} updated replicas are available...`, ...counts };
  }
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out`, ...counts };
}

export interface PodProgress {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why a container is waiting (ImagePullBackOff, CrashLoopBackOff), when it is. */
  reason?: string;
  /** What the kubelet said about it: how the last start ended ("StartError: … no such file"), or the
   *  waiting message when there was no start (an image that cannot be pulled). */
  detail?: string;
  deleted?: boolean;
}

type Terminated = { reason?: string; message?: string; exitCode?: number };
type ContainerStatus = {
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
};

function containerDetail(c: ContainerStatus | undefined): string | undefined {
  const last = c?.state?.terminated ?? c?.lastState?.terminated;
  if (last) {
    const how = last.reason ?? `exit code ${last.exitCode ?? '?'}`;
    return last.message?.trim() ? `${how}: ${last.message.trim()}` : how;
  }
  return c?.state?.waiting?.message?.trim() || undefined;
}

export function podProgress(pod: KubeObject, deleted = false): PodProgress {
  const status = (pod.status ?? {}) as {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
  };
  // A container that is not running: waiting (and why), or between restarts with its start failed.
  const stuck = status.containerStatuses?.find((c) => c.state?.waiting?.reason)
    ?? status.containerStatuses?.find((c) => c.state?.terminated?.reason);
  const reason = stuck?.state?.waiting?.reason ?? stuck?.state?.terminated?.reason;
  const detail = containerDetail(stuck);
  return {
    name: pod.metadata.name,
    phase: (pod.metadata as { deletionTimestamp?: string }).deletionTimestamp ? 'Terminating' : (status.phase ?? 'Pending'),
    ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarts: (status.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(reason ? { reason } : {}),
    ...(detail ? { detail } : {}),
    ...(deleted ? { deleted } : {}),
  };
}

export type RolloutEvent =
  | { type: 'rollout'; deployment: string; status: RolloutStatus }
  | { type: 'pod'; deployment: string; pod: PodProgress }
  | { type: 'reconnect'; deployment: string; reason: string };

export interface WaitOptions {
  timeoutMs: number;
  onEvent?: (event: RolloutEvent) => void;
  signal?: AbortSignal;
  /** Overrides the watch's idle timeout (see followCollection). */
  idleTimeoutMs?: number;
}

/**
 * Waits for a Deployment's rollout with kubectl's semantics. Resolves with the final status; throws
 * exit 4 on ProgressDeadlineExceeded (with the last pod events) or when timeoutMs passes.
 */
export async function waitForRollout(client: KubeClient, namespace: string, name: string, options: WaitOptions): Promise<RolloutStatus> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort);
  let status: RolloutStatus | undefined;
  let selector: string | undefined;
  let deleted = false;
  const finished = () => deleted || (status !== undefined && (status.done || status.failed));
  const pods = new Map<string, string>();
  /** The pods as last seen, to say on a timeout which ones are not ready and why. */
  const lastSeen = new Map<string, PodProgress>();

  const emitPod = (event: WatchEvent) => {
    const p = podProgress(event.object, event.type === 'DELETED');
    if (p.deleted) lastSeen.delete(p.name);
    else lastSeen.set(p.name, p);
    const key = JSON.stringify(p);
    if (pods.get(p.name) === key) return;
    pods.set(p.name, key);
    options.onEvent?.({ type: 'pod', deployment: name, pod: p });
  };

  let podWatch: Promise<void> | undefined;
  const podController = new AbortController();
  controller.signal.addEventListener('abort', () => podController.abort());
  const startPodWatch = () => {
    if (podWatch || !selector) return;
    // The pods are shown for information: a failure to follow them does not fail the rollout wait.
    podWatch = followCollection(client, `/api/v1/namespaces/${namespace}/pods`, {
      query: { labelSelector: selector }, onEvent: emitPod, stop: finished, deadline, signal: podController.signal,
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    }).catch(() => undefined);
  };

  try {
    await followCollection(client, `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      query: { fieldSelector: `metadata.name=${name}` },
      onEvent: (event) => {
        if (event.type === 'DELETED') {
          deleted = true;
          controller.abort();
          return;
        }
        const dep = event.object as DeploymentLike;
        const labels = dep.spec?.selector?.matchLabels;
        if (labels && !selector) {
          selector = labelSelector(labels);
          startPodWatch();
        }
        const next = deploymentRolloutStatus(dep);
        if (!status || next.message !== status.message || next.done !== status.done) options.onEvent?.({ type: 'rollout', deployment: name, status: next });
        status = next;
        // Done or failed: end the open watch now rather than when the server closes it.
        if (finished()) controller.abort();
      },
      stop: finished, deadline, signal: controller.signal,
      onReconnect: (reason) => options.onEvent?.({ type: 'reconnect', deployment: name, reason }),
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
  } catch (error) {
    if (Date.now() < deadline || !(error instanceof MdlError && error.exitCode === ExitCode.cluster)) throw error;
    // The API server was still away when time ran out: that is a timeout, reported below.
  } finally {
    podController.abort();
    await podWatch;
    options.signal?.removeEventListener('abort', abort);
  }

  if (deleted) throw new MdlError(`Deployment "${name}" was deleted while waiting for its rollout`, { exitCode: ExitCode.rollout });
  if (status?.done) return status;
  if (status?.failed) {
    const events = await recentEvents(client, namespace, { involvedPrefix: name, limit: 8 }).catch(() => [] as KubeEventSummary[]);
    throw new MdlError(
      [`Rollout of deployment "${name}" failed: ProgressDeadlineExceeded (${status.ready}/${status.desired} ready, ${status.updated} updated)`,
        ...events.map((e) => `  ${e.type} ${e.reason} ${e.object}: ${e.message}`)].join('\n'),
      { exitCode: ExitCode.rollout, hint: 'See why the new pods are not ready (the events above, mdl status), fix the spec and deploy again.' },
    );
  }
  const notReady = [...lastSeen.values()].filter((p) => !p.ready).map((p) =>
    `  pod ${p.name}: ${[p.phase, p.reason, p.restarts ? `${p.restarts} restarts` : undefined].filter(Boolean).join(', ')}` +
    `${p.detail ? ` (${p.detail})` : ''}`);
  throw new MdlError(
    [`Timed out after ${formatDuration(options.timeoutMs)} waiting for deployment "${name}": ${status?.message ?? 'no status seen'}`,
      ...notReady].join('\n'),
    { exitCode: ExitCode.rollout, hint: 'Raise --timeout if the rollout is slow, or check mdl status for pods that are not ready.' },
  );
}
