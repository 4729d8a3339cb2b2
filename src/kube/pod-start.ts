/**
 * Times one new pod of a Deployment from the watch: created (the pod's ADDED event) → its containers
 * running (the image was there or pulled, and the runtime started them) → Ready (its Ready condition turns
 * True) → listed as a ready endpoint of the Service (from then on the Service routes to it). The times are this machine's monotonic clock at the moment each change was seen, in milliseconds:
 * the API's own timestamps have one-second resolution.
 */
import { ExitCode, MdlError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { KubeClient, WatchEvent } from './client.js';
import { readyEndpointPods } from './pin.js';
import type { KubeObject } from './types.js';
import { followCollection } from './watch.js';

export interface PodStartTimes {
  pod: string;
  /** The pod's metadata.creationTimestamp (second resolution), for the record. */
  creationTimestamp: string;
  createdAtMs: number;
  /** When every container was first seen running (image ready, process started); at most readyAtMs. */
  runningAtMs: number;
  readyAtMs: number;
  /** When the Service's EndpointSlices first listed it as ready; null without a Service. */
  inEndpointsAtMs: number | null;
}

export interface TimeNewPodOptions {
  namespace: string;
  /** Label selector of the Deployment's pods. */
  selector: string;
  /** The Service whose EndpointSlices must list the pod; omit when there is none. */
  service?: string;
  /** What makes the pod appear (raise the pinned replica count); called once the watch is in place. */
  trigger: () => Promise<void>;
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

function containersRunning(pod: KubeObject): boolean {
  const statuses = ((pod.status ?? {}) as { containerStatuses?: { state?: { running?: unknown } }[] }).containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((c) => c.state?.running !== undefined);
}

function isReady(pod: KubeObject): boolean {
  const conditions = ((pod.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function timeNewPod(client: KubeClient, o: TimeNewPodOptions): Promise<PodStartTimes> {
  const now = o.now ?? (() => performance.now());
  const deadline = Date.now() + o.timeoutMs;
  const path = `/api/v1/namespaces/${o.namespace}/pods`;
  const listPods = () => client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>('GET', path, { query: { labelSelector: o.selector } });
  const list = await listPods().catch((e: unknown) => { throw client.explain(e); });
  const before = new Set(list.items.map((p) => p.metadata.name));
  const resourceVersion = list.metadata.resourceVersion;
  let pod: { name: string; creationTimestamp: string; createdAtMs: number; runningAtMs?: number; readyAtMs?: number } | undefined;

  const stop = new AbortController();
  const abort = () => stop.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  // A pod first seen in a re-list (after 410 Gone) is timed from then, later than it was made.
  const onEvent = (event: WatchEvent) => {
    const obj = event.object;
    if (event.type === 'DELETED' || before.has(obj.metadata.name) || obj.metadata.deletionTimestamp) return;
    const seenAt = now();
    if (!pod) pod = { name: obj.metadata.name, creationTimestamp: String(obj.metadata.creationTimestamp ?? ''), createdAtMs: seenAt };
    if (obj.metadata.name === pod.name && pod.runningAtMs === undefined && (containersRunning(obj) || isReady(obj))) pod.runningAtMs = seenAt;
    if (obj.metadata.name === pod.name && pod.readyAtMs === undefined && isReady(obj)) {
      pod.readyAtMs = seenAt;
      stop.abort();
    }
  };
  // Resolves with the watch's failure rather than rejecting, so that a failure while trigger() runs is not
  // an unhandled rejection. The API server still away at the deadline is reported below as the pod not seen.
  const watching = followCollection(client, path, {
    query: { labelSelector: o.selector }, onEvent, resourceVersion, stop: () => stop.signal.aborted, deadline, signal: stop.signal,
  }).then(() => undefined, (error: unknown) =>
    (error instanceof MdlError && error.exitCode === ExitCode.cluster && Date.now() >= deadline ? undefined : { error }));
  try {
    try {
      await o.trigger();
    } catch (error) {
      stop.abort();
      await watching;
      throw error;
    }
    const failed = await watching;
    if (failed) throw failed.error;
  } finally {
    stop.abort();
    o.signal?.removeEventListener('abort', abort);
  }
  if (o.signal?.aborted) throw new Error('interrupted');
  if (!pod || pod.readyAtMs === undefined) {
    throw new MdlError(`${pod ? `pod ${pod.name} was not Ready` : 'no new pod appeared'} within ${formatDuration(o.timeoutMs)} of adding a replica`, { exitCode: ExitCode.rollout });
  }
  let inEndpointsAtMs: number | null = null;
  if (o.service) {
    while (inEndpointsAtMs === null) {
      if (o.signal?.aborted) throw new Error('interrupted');
      if (Date.now() >= deadline) throw new MdlError(`pod ${pod.name} was Ready but not in Service ${o.service}'s endpoints within ${formatDuration(o.timeoutMs)}`, { exitCode: ExitCode.rollout });
      if ((await readyEndpointPods(client, o.namespace, o.service)).has(pod.name)) inEndpointsAtMs = now();
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { pod: pod.name, creationTimestamp: pod.creationTimestamp, createdAtMs: pod.createdAtMs, runningAtMs: pod.runningAtMs ?? pod.readyAtMs, readyAtMs: pod.readyAtMs, inEndpointsAtMs };
}
