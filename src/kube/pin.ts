/**
 * The cluster side of `mdl tune`: find the model's autoscaler (HPA or KEDA ScaledObject), pin its replica
 * count (min = max = N) with the original bounds recorded in an annotation, wait until the Deployment and
 * its Service have exactly N Ready replicas, and restore the bounds afterwards. See pin-plan.ts for why the
 * writes are merge patches by field manager `mdl-tune`.
 */
import { systemClock } from '../clock.js';
import { ExitCode, MdlError } from '../errors.js';
import { formatDuration } from '../units.js';
import { ApiError, type KubeClient } from './client.js';
import {
  boundsOf, formatBounds, pinnedFromOf, pinPatch, PinAnnotationError, releasePatch, restorePatch,
  TUNE_FIELD_MANAGER, TUNE_PINNED_FROM_ANNOTATION, type AutoscalerKind, type MergePatch, type PinnedFrom, type ReplicaBounds,
} from './pin-plan.js';
import type { KubeObject } from './types.js';

export interface AutoscalerRef {
  kind: AutoscalerKind;
  name: string;
  namespace: string;
  /** The object's REST path. */
  path: string;
  /** scaleTargetRef.name: the Deployment whose replicas it sets. */
  deployment: string;
}

/** "HorizontalPodAutoscaler/sentiment" */
export function autoscalerLabel(ref: Pick<AutoscalerRef, 'kind' | 'name'>): string {
  return `${ref.kind}/${ref.name}`;
}

const HPA_COLLECTION = (ns: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`;
const SCALED_OBJECT_COLLECTION = (ns: string) => `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects`;
const MAX_ATTEMPTS = 6;

/** The object at `path`, or undefined when there is none (404); other failures explained. */
export async function getOrUndefined(client: KubeClient, path: string, signal?: AbortSignal): Promise<KubeObject | undefined> {
  try {
    return await client.request<KubeObject>('GET', path, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return undefined;
    throw client.explain(error);
  }
}

/**
 * The autoscaler named `name`: the engine's when it is known (the spec's scaling.engine), else a KEDA
 * ScaledObject first (KEDA owns the HPA it creates, so that HPA must not be edited) and then an HPA.
 */
export async function findAutoscaler(client: KubeClient, namespace: string, name: string, engine?: 'hpa' | 'keda'): Promise<AutoscalerRef> {
  const candidates: AutoscalerKind[] = engine === 'hpa' ? ['HorizontalPodAutoscaler'] : engine === 'keda' ? ['ScaledObject'] : ['ScaledObject', 'HorizontalPodAutoscaler'];
  for (const kind of candidates) {
    if (kind === 'ScaledObject' && !(await client.resourceFor('keda.sh/v1alpha1', 'ScaledObject').catch((e: unknown) => { throw client.explain(e); }))) continue;
    const path = `${kind === 'ScaledObject' ? SCALED_OBJECT_COLLECTION(namespace) : HPA_COLLECTION(namespace)}/${encodeURIComponent(name)}`;
    const live = await getOrUndefined(client, path);
    if (!live) continue;
    const target = ((live.spec ?? {}) as { scaleTargetRef?: { name?: string; kind?: string } }).scaleTargetRef;
    if (target?.kind && target.kind !== 'Deployment') {
      throw new MdlError(`${kind}/${name} scales a ${target.kind}; mdl tune pins autoscalers of Deployments only`, { exitCode: ExitCode.badInput });
    }
    return { kind, name, namespace, path, deployment: target?.name ?? name };
  }
  const what = candidates.map((k) => (k === 'ScaledObject' ? 'KEDA ScaledObject' : 'HorizontalPodAutoscaler')).join(' or ');
  throw new MdlError(`No ${what} named "${name}" in namespace "${namespace}" (context "${client.target.context}")`, {
    exitCode: ExitCode.badInput,
    hint: 'Deploy the model first (mdl deploy), or name it with --name and its namespace with --namespace.',
  });
}

/** A write that retries when the object changed between the read and the write: 409 for a merge patch with a
 *  stale resourceVersion, 422 "testing value … failed: test failed" for a JSON patch's test op. */
async function readModifyWrite<T>(client: KubeClient, ref: AutoscalerRef, step: (live: KubeObject) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const live = await getOrUndefined(client, ref.path);
    if (!live) {
      throw new MdlError(`${autoscalerLabel(ref)} was deleted from namespace "${ref.namespace}" while mdl tune was using it`, { exitCode: ExitCode.cluster });
    }
    try {
      return await step(live);
    } catch (error) {
      const stale = error instanceof ApiError && (error.statusCode === 409 || (error.statusCode === 422 && /test failed/.test(error.status.message ?? '')));
      if (!stale) throw client.explain(error);
      if (attempt >= MAX_ATTEMPTS) throw new MdlError(`${autoscalerLabel(ref)} kept changing while mdl tune wrote it (${attempt} attempts)`, { exitCode: ExitCode.cluster, cause: error });
    }
  }
}

function mergePatch(client: KubeClient, ref: AutoscalerRef, body: MergePatch): Promise<KubeObject> {
  return client.request<KubeObject>('PATCH', ref.path, { query: { fieldManager: TUNE_FIELD_MANAGER }, body, contentType: 'application/merge-patch+json' });
}

function decoded(ref: AutoscalerRef, live: KubeObject): PinnedFrom | null {
  try {
    return pinnedFromOf(ref.kind, live);
  } catch (error) {
    if (!(error instanceof PinAnnotationError)) throw error;
    throw new MdlError(`${autoscalerLabel(ref)} carries a damaged ${TUNE_PINNED_FROM_ANNOTATION} annotation: ${error.message}`, {
      exitCode: ExitCode.badInput,
      hint: `Set its replica bounds by hand and remove the annotation (kubectl annotate ${ref.kind.toLowerCase()} ${ref.name} ${TUNE_PINNED_FROM_ANNOTATION}-).`,
    });
  }
}

/**
 * Pins min = max = replicas and records the original bounds in the same write. Refuses an autoscaler that
 * is already pinned: another tune runs, or one crashed and `mdl tune --restore` has to repair it first.
 */
export async function pinAutoscaler(client: KubeClient, ref: AutoscalerRef, replicas: number, pinnedAt: string): Promise<PinnedFrom> {
  return readModifyWrite(client, ref, async (live) => {
    const earlier = decoded(ref, live);
    if (earlier) {
      throw new MdlError(
        `${autoscalerLabel(ref)} is already pinned by mdl tune (to ${earlier.replicas} replicas since ${earlier.pinnedAt || 'an unknown time'}; originally ${formatBounds(earlier.original)})`,
        { exitCode: ExitCode.badInput, hint: 'Another mdl tune may be running against it. If none is (an earlier one was killed), run mdl tune --restore first.' },
      );
    }
    const record: PinnedFrom = { original: boundsOf(ref.kind, live), replicas, pinnedAt };
    await mergePatch(client, ref, pinPatch(ref.kind, String(live.metadata.resourceVersion), replicas, record));
    return record;
  });
}

/** Moves a pinned autoscaler to another count (the cold-start probe's N + 1 and back); the record stays. */
export async function repinAutoscaler(client: KubeClient, ref: AutoscalerRef, replicas: number): Promise<void> {
  await readModifyWrite(client, ref, async (live) => {
    if (!decoded(ref, live)) {
      throw new MdlError(`${autoscalerLabel(ref)} is no longer pinned (its ${TUNE_PINNED_FROM_ANNOTATION} annotation was removed)`, { exitCode: ExitCode.cluster });
    }
    await mergePatch(client, ref, pinPatch(ref.kind, String(live.metadata.resourceVersion), replicas));
    return undefined;
  });
}

export interface RestoreOutcome {
  autoscaler: string;
  namespace: string;
  /** False when it was not pinned (nothing to do). */
  restored: boolean;
  /** The bounds written back. */
  bounds?: ReplicaBounds;
  pinnedReplicas?: number;
  pinnedAt?: string;
}

/**
 * Writes the recorded bounds back, removes the annotation, then gives up `mdl-tune`'s field ownership.
 * Idempotent: on an autoscaler that is not pinned it only finishes the ownership step a crash may have cut.
 */
export async function restoreAutoscaler(client: KubeClient, ref: AutoscalerRef): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = await readModifyWrite(client, ref, async (live) => {
    const record = decoded(ref, live);
    if (!record) return { autoscaler: autoscalerLabel(ref), namespace: ref.namespace, restored: false };
    await mergePatch(client, ref, restorePatch(ref.kind, String(live.metadata.resourceVersion), record.original));
    return { autoscaler: autoscalerLabel(ref), namespace: ref.namespace, restored: true, bounds: record.original, pinnedReplicas: record.replicas, pinnedAt: record.pinnedAt };
  });
  await readModifyWrite(client, ref, async (live) => {
    const ops = releasePatch(live);
    if (ops) await client.request('PATCH', ref.path, { body: ops, contentType: 'application/json-patch+json' });
    return undefined;
  });
  return outcome;
}

/** The annotation's record on the live object, or null (for tests and `mdl status`-like readers). */
export async function readPin(client: KubeClient, ref: AutoscalerRef): Promise<PinnedFrom | null> {
  const live = await getOrUndefined(client, ref.path);
  return live ? decoded(ref, live) : null;
}

export interface ReplicaCounts {
  /** The Deployment's spec.replicas (what the autoscaler set). */
  desired: number;
  /** Pods that exist (status.replicas), updated to the current template, Ready. */
  current: number;
  updated: number;
  ready: number;
  /** Ready endpoints in the Service's EndpointSlices; undefined without a Service of that name. */
  endpoints: number | undefined;
}

interface DeploymentView extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

interface EndpointSliceView {
  endpoints?: { conditions?: { ready?: boolean; terminating?: boolean }; targetRef?: { kind?: string; name?: string } }[];
}

/** Ready endpoints of a Service across its EndpointSlices, by pod name (an address may appear in two slices). */
export async function readyEndpointPods(client: KubeClient, namespace: string, service: string, signal?: AbortSignal): Promise<Set<string>> {
  const list = await client.request<{ items: EndpointSliceView[] }>('GET', `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, {
    query: { labelSelector: `kubernetes.io/service-name=${service}` },
    ...(signal ? { signal } : {}),
  }).catch((e: unknown) => { throw client.explain(e); });
  const pods = new Set<string>();
  for (const slice of list.items) {
    for (const ep of slice.endpoints ?? []) {
      // A nil ready condition means ready (discovery.k8s.io/v1).
      if (ep.conditions?.ready !== false && ep.targetRef?.name) pods.add(ep.targetRef.name);
    }
  }
  return pods;
}

/** One reading; `signal` aborts its requests (an overall deadline). */
export async function readReplicaCounts(client: KubeClient, namespace: string, deployment: string, service: string | undefined, signal?: AbortSignal): Promise<ReplicaCounts & { settled: boolean }> {
  const dep = (await getOrUndefined(client, `/apis/apps/v1/namespaces/${namespace}/deployments/${encodeURIComponent(deployment)}`, signal)) as DeploymentView | undefined;
  if (!dep) throw new MdlError(`Deployment "${deployment}" does not exist in namespace "${namespace}"`, { exitCode: ExitCode.badInput, hint: 'Deploy the model first (mdl deploy).' });
  const s = dep.status ?? {};
  let endpoints: number | undefined;
  if (service && (await getOrUndefined(client, `/api/v1/namespaces/${namespace}/services/${encodeURIComponent(service)}`, signal))) {
    endpoints = (await readyEndpointPods(client, namespace, service, signal)).size;
  }
  return {
    desired: dep.spec?.replicas ?? 1,
    current: s.replicas ?? 0,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    endpoints,
    settled: Number(dep.metadata.generation ?? 0) <= (s.observedGeneration ?? 0),
  };
}

export function formatCounts(c: ReplicaCounts): string {
  return `${c.desired} desired, ${c.current} pods, ${c.updated} updated, ${c.ready} ready${c.endpoints === undefined ? '' : `, ${c.endpoints} in the Service's endpoints`}`;
}

/** Exactly `replicas` pods, all on the current template and Ready, and as many ready Service endpoints. */
export function hasExactly(c: ReplicaCounts & { settled: boolean }, replicas: number): boolean {
  return c.settled && c.desired === replicas && c.current === replicas && c.updated === replicas && c.ready === replicas && (c.endpoints === undefined || c.endpoints === replicas);
}

export class WaitInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'WaitInterrupted';
  }
}

/**
 * Polls until the Deployment has exactly `replicas` Ready pods (and its Service as many ready endpoints).
 * Throws exit 4 after timeoutMs, WaitInterrupted when the signal fires. The deadline holds inside a poll
 * too: a request the API server accepts and never answers is aborted when the time is up.
 */
export async function waitForReplicas(client: KubeClient, o: {
  namespace: string; deployment: string; service?: string; replicas: number; timeoutMs: number; signal?: AbortSignal; intervalMs?: number;
  onProgress?: (counts: ReplicaCounts) => void;
}): Promise<ReplicaCounts> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  const timedOut = (text: string) =>
    new MdlError(`Deployment "${o.deployment}" did not reach exactly ${o.replicas} Ready replicas within ${formatDuration(o.timeoutMs)} (${text})`, {
      exitCode: ExitCode.rollout,
      hint: 'See why with mdl status (pending pods, quota, a rollout in progress); raise --ready-timeout if pods start slowly.',
    });
  for (;;) {
    if (o.signal?.aborted) throw new WaitInterrupted();
    const pollSignal = AbortSignal.any([AbortSignal.timeout(Math.max(1, deadline - Date.now())), ...(o.signal ? [o.signal] : [])]);
    let counts: ReplicaCounts & { settled: boolean };
    try {
      counts = await readReplicaCounts(client, o.namespace, o.deployment, o.service, pollSignal);
    } catch (error) {
      if (o.signal?.aborted) throw new WaitInterrupted();
      if (pollSignal.aborted) throw timedOut(last || 'the API server did not answer in time');
      throw error;
    }
    const text = formatCounts(counts);
    if (text !== last) o.onProgress?.(counts);
    last = text;
    if (hasExactly(counts, o.replicas)) return counts;
    if (Date.now() >= deadline) throw timedOut(text);
    // An abort ends the sleep; the loop then throws WaitInterrupted.
    await systemClock.sleep(o.intervalMs ?? 500, o.signal).catch(() => undefined);
  }
}
