/**
 * `mdl tune --cluster`: the deployed model as the target. Its autoscaler is pinned to min = max = N for
 * the search (the original bounds recorded in an annotation on it), the search starts once the Deployment
 * and its Service have exactly N Ready replicas, and restore() puts the bounds back. The cold-start probe
 * pins N + 1 and times the new pod: created → Ready → in the Service's endpoints → a request through the
 * tuned URL answered; then back to N.
 */
import { ExitCode, MdlError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeTargetOptions } from '../kube/context.js';
import type { AutoscalerRef, ReplicaCounts, RestoreOutcome } from '../kube/pin.js';
import type { PinnedFrom } from '../kube/pin-plan.js';
import type { KubeObject } from '../kube/types.js';
import type { ColdStartProbe, ColdStartSample } from './cold-start.js';
import { sendFirstRequest, type FirstRequest } from './local-target.js';

/** What the TuneResult records about a cluster target. */
export interface TuneClusterInfo {
  context: string;
  namespace: string;
  /** "HorizontalPodAutoscaler/sentiment" or "ScaledObject/sentiment" */
  autoscaler: string;
  deployment: string;
  /** The Service whose endpoints were counted; null when there is none of the model's name. */
  service: string | null;
  pinnedReplicas: number;
  /** The bounds before the pin, restored afterwards (null: the field was absent). */
  original: { min: number | null; max: number | null };
}

export interface ClusterTargetOptions extends KubeTargetOptions {
  /** The model's name: its autoscaler, Deployment and Service are named after it. */
  name: string;
  engine?: 'hpa' | 'keda';
  replicas: number;
  /** How long to wait for exactly N (or N + 1) Ready replicas. */
  readyTimeoutMs: number;
  /** The first request of the cold-start probe: the search's request, through the tuned URL. */
  firstRequest: FirstRequest;
  signal?: AbortSignal;
  note?: (message: string) => void;
}

export interface ClusterTarget {
  info: TuneClusterInfo;
  coldStart: ColdStartProbe;
  /** Where the cold start comes from, for the TuneResult's note. */
  where: string;
  /** Restores the autoscaler's bounds; safe to call more than once. */
  restore(): Promise<RestoreOutcome>;
}

/** Pins the model's autoscaler and waits for exactly N Ready replicas. On failure or interruption while
 *  waiting, restores before throwing (exit 130 when interrupted). */
export async function startClusterTarget(o: ClusterTargetOptions): Promise<ClusterTarget> {
  const [{ connect }, pin, { formatBounds }] = await Promise.all([import('../kube/deploy.js'), import('../kube/pin.js'), import('../kube/pin-plan.js')]);
  const { target, client } = await connect(o);
  const namespace = target.namespace;
  const ref = await pin.findAutoscaler(client, namespace, o.name, o.engine);
  // The model's Service (named after it), if there is one.
  const service = (await pin.getOrUndefined(client, `/api/v1/namespaces/${namespace}/services/${encodeURIComponent(o.name)}`)) ? o.name : undefined;
  const note = o.note ?? (() => undefined);
  const label = pin.autoscalerLabel(ref);

  const record: PinnedFrom = await pin.pinAutoscaler(client, ref, o.replicas, new Date().toISOString());
  note(`» pinned ${label} to ${o.replicas} replica(s) (was ${formatBounds(record.original)}) in namespace ${namespace} of context ${target.context}; mdl tune --restore undoes it after a crash`);
  const restore = () => pin.restoreAutoscaler(client, ref);
  try {
    await waitFor(client, pin, ref, service, o.replicas, o, note);
  } catch (error) {
    const outcome = await restore();
    note(`» restored ${label} (${outcome.bounds ? formatBounds(outcome.bounds) : 'it was no longer pinned'})`);
    if (error instanceof pin.WaitInterrupted) {
      throw new MdlError(`Interrupted while waiting for ${o.replicas} Ready replica(s) of ${ref.deployment}; ${label} was restored`, { exitCode: ExitCode.interrupted });
    }
    throw error;
  }

  return {
    info: {
      context: target.context, namespace, autoscaler: label, deployment: ref.deployment, service: service ?? null,
      pinnedReplicas: o.replicas, original: record.original,
    },
    // Read after the search: the tuned URL is filled in once the request is built.
    get where() {
      return `cluster ${target.context}, namespace ${namespace}: a pod added by pinning ${label} to ${o.replicas + 1}, timed from its creation to Ready` +
        `${service ? ` and into Service ${service}'s endpoints` : ''}, then to a request through ${o.firstRequest.url} answered`;
    },
    coldStart: clusterColdStartProbe(client, ref, { ...o, service }),
    restore,
  };
}

async function waitFor(client: KubeClient, pin: typeof import('../kube/pin.js'), ref: AutoscalerRef, service: string | undefined, replicas: number,
  o: Pick<ClusterTargetOptions, 'readyTimeoutMs' | 'signal'>, note: (m: string) => void): Promise<ReplicaCounts> {
  return pin.waitForReplicas(client, {
    namespace: ref.namespace, deployment: ref.deployment, ...(service ? { service } : {}), replicas, timeoutMs: o.readyTimeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (c) => note(`  ${ref.deployment}: ${pin.formatCounts(c)} (waiting for exactly ${replicas})`),
  });
}

/**
 * Cold start on the cluster, as the autoscaler lives it: one more replica is asked for (the pin moves to
 * N + 1) and the new pod is timed from the watch — created → Ready (startToReadyMs) → listed ready in the
 * Service's EndpointSlices → a request through the tuned URL answered (readyToFirstResponseMs). The request
 * goes through the Service, so it shows the Service serves with the new pod in it; which replica answered
 * it is not known. Then the pin goes back to N.
 */
export function clusterColdStartProbe(client: KubeClient, ref: AutoscalerRef,
  o: Pick<ClusterTargetOptions, 'replicas' | 'readyTimeoutMs' | 'firstRequest'> & { service?: string | undefined }): ColdStartProbe {
  return {
    async measure(signal?: AbortSignal): Promise<ColdStartSample> {
      const [pin, { timeNewPod }] = await Promise.all([import('../kube/pin.js'), import('../kube/pod-start.js')]);
      const selector = await podSelector(client, ref);
      try {
        const times = await timeNewPod(client, {
          namespace: ref.namespace, selector, ...(o.service ? { service: o.service } : {}),
          trigger: () => pin.repinAutoscaler(client, ref, o.replicas + 1),
          timeoutMs: o.readyTimeoutMs, ...(signal ? { signal } : {}),
        });
        // A Ready pod in the endpoints answers at once when the server is healthy: no need to wait long.
        const firstAt = await firstAnswer(o.firstRequest, Date.now() + Math.min(o.readyTimeoutMs, FIRST_ANSWER_TIMEOUT_MS), signal);
        return { startToReadyMs: times.readyAtMs - times.createdAtMs, readyToFirstResponseMs: firstAt - times.readyAtMs, totalMs: firstAt - times.createdAtMs };
      } finally {
        await pin.repinAutoscaler(client, ref, o.replicas);
      }
    },
  };
}

const FIRST_ANSWER_TIMEOUT_MS = 30_000;

async function podSelector(client: KubeClient, ref: AutoscalerRef): Promise<string> {
  const dep = await client.request<KubeObject & { spec?: { selector?: { matchLabels?: Record<string, string> } } }>(
    'GET', `/apis/apps/v1/namespaces/${ref.namespace}/deployments/${encodeURIComponent(ref.deployment)}`,
  ).catch((e: unknown) => { throw client.explain(e); });
  const labels = dep.spec?.selector?.matchLabels ?? {};
  if (Object.keys(labels).length === 0) throw new MdlError(`Deployment "${ref.deployment}" selects its pods by expressions only; mdl tune needs matchLabels`, { exitCode: ExitCode.badInput });
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/** Sends the search's request until one is answered with a 2xx; returns when (performance.now()). */
async function firstAnswer(request: FirstRequest, deadline: number, signal?: AbortSignal): Promise<number> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('interrupted');
    try {
      const status = await sendFirstRequest(request, signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000));
      if (status >= 200 && status < 300) return performance.now();
      last = `HTTP ${status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no request through ${request.url} was answered after the pod was Ready (last: ${last})`);
}

export interface RestoreResult extends RestoreOutcome {
  context: string;
}

/** `mdl tune --restore`: puts back the bounds recorded on the model's autoscaler. Idempotent. */
export async function restorePinnedAutoscaler(o: KubeTargetOptions & { name: string; engine?: 'hpa' | 'keda' }): Promise<RestoreResult> {
  const [{ connect }, pin] = await Promise.all([import('../kube/deploy.js'), import('../kube/pin.js')]);
  const { target, client } = await connect(o);
  const ref = await pin.findAutoscaler(client, target.namespace, o.name, o.engine);
  return { context: target.context, ...(await pin.restoreAutoscaler(client, ref)) };
}
