/**
 * `mdl tune --cluster`: the deployed model as the target. Its autoscaler is pinned to min = max = N for
 * the search (the original bounds recorded in an annotation on it), the search starts once the Deployment
 * and its Service have exactly N Ready replicas, and restore() puts the bounds back. The cold-start probe
 * pins N + 1 and times the new pod: created → Ready → in the Service's endpoints → a request through the
 * tuned URL answered; then back to N.
 */
import { ExitCode, MdlError } from '../errors.js';
import { ApiError, type KubeClient } from '../kube/client.js';
import type { KubeTargetOptions } from '../kube/context.js';
import type { AutoscalerRef, ReplicaCounts, RestoreOutcome } from '../kube/pin.js';
import type { PinnedFrom } from '../kube/pin-plan.js';
import { labelSelector, type KubeObject } from '../kube/types.js';
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
        `${service ? ` and into Service ${service}'s endpoints` : ''}, then to the search's request answered by that pod`;
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
 * N + 1) and the new pod is timed from the watch — created → containers running (startToRunningMs) → Ready
 * (startToReadyMs) → listed ready in the Service's EndpointSlices → the search's request answered by that
 * pod (readyToFirstResponseMs), sent to it through the API server's pod proxy (pods/proxy, as kubectl port-forward
 * needs a similar right), so the answer is the new pod's and not another replica's. When the API server
 * cannot reach the pod that way (no pods/proxy right, or pods it cannot dial), the request goes through the
 * tuned URL instead, and the sample says so. Then the pin goes back to N.
 */
export function clusterColdStartProbe(client: KubeClient, ref: AutoscalerRef,
  o: Pick<ClusterTargetOptions, 'replicas' | 'readyTimeoutMs' | 'firstRequest'> & { service?: string | undefined }): ColdStartProbe {
  return {
    async measure(signal?: AbortSignal): Promise<ColdStartSample> {
      const [pin, { timeNewPod }] = await Promise.all([import('../kube/pin.js'), import('../kube/pod-start.js')]);
      const { selector, port } = await podTemplate(client, ref);
      try {
        const times = await timeNewPod(client, {
          namespace: ref.namespace, selector, ...(o.service ? { service: o.service } : {}),
          trigger: () => pin.repinAutoscaler(client, ref, o.replicas + 1),
          timeoutMs: o.readyTimeoutMs, ...(signal ? { signal } : {}),
        });
        // A Ready pod in the endpoints answers at once when the server is healthy: no need to wait long.
        const deadline = Date.now() + Math.min(o.readyTimeoutMs, FIRST_ANSWER_TIMEOUT_MS);
        const fromPod = port === undefined ? undefined
          : await firstAnswerFromPod(client, { namespace: ref.namespace, pod: times.pod, port, request: o.firstRequest }, deadline, signal);
        const firstAt = fromPod ?? (await firstAnswer(o.firstRequest, deadline, signal));
        return {
          startToReadyMs: times.readyAtMs - times.createdAtMs, readyToFirstResponseMs: firstAt - times.readyAtMs, totalMs: firstAt - times.createdAtMs,
          startToRunningMs: times.runningAtMs - times.createdAtMs, firstAnswerFrom: fromPod !== undefined ? 'pod' : 'url',
        };
      } finally {
        await pin.repinAutoscaler(client, ref, o.replicas);
      }
    },
  };
}

const FIRST_ANSWER_TIMEOUT_MS = 30_000;

interface DeploymentTemplate extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: { spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] } };
  };
}

/** The Deployment's pod selector, and the port its pods serve on (the one named http, else the first). */
async function podTemplate(client: KubeClient, ref: AutoscalerRef): Promise<{ selector: string; port: number | undefined }> {
  const dep = await client.request<DeploymentTemplate>(
    'GET', `/apis/apps/v1/namespaces/${ref.namespace}/deployments/${encodeURIComponent(ref.deployment)}`,
  ).catch((e: unknown) => { throw client.explain(e); });
  const labels = dep.spec?.selector?.matchLabels ?? {};
  if (Object.keys(labels).length === 0) throw new MdlError(`Deployment "${ref.deployment}" selects its pods by expressions only; mdl tune needs matchLabels`, { exitCode: ExitCode.badInput });
  const ports = dep.spec?.template?.spec?.containers?.[0]?.ports ?? [];
  const port = (ports.find((p) => p.name === 'http') ?? ports[0])?.containerPort;
  return { selector: labelSelector(labels), port };
}

/**
 * The path the pod serves for the tuned URL: a URL through the API server's service proxy
 * (…/services/NAME[:PORT]/proxy/PATH) names it after the proxy prefix; any other URL (an ingress, a
 * load balancer) is taken to pass its path through unchanged.
 */
export function podPathOf(url: string): string {
  const u = new URL(url);
  const m = /^\/api\/v1\/namespaces\/[^/]+\/services\/[^/]+\/proxy(\/.*)?$/.exec(u.pathname);
  return `${m ? (m[1] ?? '/') : u.pathname}${u.search}`;
}

/** The API server cannot reach the pod itself (forbidden, or it cannot dial it; not the pod's own HTTP error),
 *  or the request through it never completed. */
function podUnreachable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.statusCode === 403 || /error trying to reach|dial tcp|no route|connection refused|i\/o timeout/i.test(error.message);
}

/**
 * Sends the search's request to one pod through the API server's pod proxy until it answers with a 2xx;
 * returns when (performance.now()), or undefined when the API server cannot reach that pod (then the caller
 * uses the tuned URL).
 */
async function firstAnswerFromPod(client: KubeClient, o: { namespace: string; pod: string; port: number; request: FirstRequest }, deadline: number, signal?: AbortSignal): Promise<number | undefined> {
  const path = `/api/v1/namespaces/${o.namespace}/pods/${encodeURIComponent(o.pod)}:${o.port}/proxy${podPathOf(o.request.url)}`;
  const method = o.request.method ?? (o.request.body ? 'POST' : 'GET');
  let unreachable = 0;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('interrupted');
    try {
      await client.request(method, path, { ...(o.request.body ? { body: o.request.body } : {}), timeoutMs: 10_000, ...(signal ? { signal } : {}) });
      return performance.now();
    } catch (error) {
      // A pod just Ready is dialled at once; two failed dials mean the API server cannot reach it at all.
      if (podUnreachable(error) && ++unreachable >= 2) return undefined;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
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
