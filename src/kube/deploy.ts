import { ExitCode, MdlError } from '../errors.js';
import { applyObject, deleteObject, diffObjects, getObject, listByLabel, resourceForGroupKind, type ApplyAction, type ObjectDiff } from './apply.js';
import {
  APPLYSET_GROUP_KINDS, APPLYSET_PART_OF, applySetId, applySetParent, applySetParentName, parseGroupKinds, withApplySetLabel,
} from './applyset.js';
import { ApiError, KubeClient, type ResourceInfo } from './client.js';
import { resolveKubeTarget, type KubeTarget, type KubeTargetOptions } from './context.js';
import type { SpecLocator } from './errors.js';
import { podsMetricLink, probePodsMetric, readHpa, type HpaProblem, type HpaState } from './hpa.js';
import { waitForRollout, type RolloutEvent, type RolloutStatus } from './rollout.js';
import { groupKind, labelSelector, objectRef, type KubeObject } from './types.js';

/** What deploy reports as it goes: the plain-line reporter, the dashboard and --json all read these. */
export type DeployEvent =
  | { type: 'target'; context: string; server: string; namespace: string }
  | { type: 'phase'; phase: 'dry-run' | 'apply' | 'prune' | 'wait' | 'autoscaler' }
  | { type: 'applied'; ref: string; action: ApplyAction; dryRun: boolean }
  | { type: 'pruned'; ref: string; dryRun: boolean }
  | RolloutEvent
  | { type: 'hpa'; state: HpaState }
  | { type: 'warning'; message: string; hint?: string };

export interface DeployOptions extends KubeTargetOptions {
  /** The model's name: it names the ApplySet that tracks what mdl applied. */
  name: string;
  createNamespace?: boolean;
  /** 'server': validate and stop; 'client': print what would be sent, contact nothing. */
  dryRun?: 'server' | 'client';
  wait?: boolean;
  timeoutMs?: number;
  forceConflicts?: boolean;
  prune?: boolean;
  /** Autoscaler problems are errors (exit 4) instead of warnings. */
  strict?: boolean;
  /** How long to wait for the HPA controller's first conditions after the rollout. */
  hpaSettleMs?: number;
  locate?: SpecLocator;
  specPath?: string;
  onEvent?: (event: DeployEvent) => void;
  signal?: AbortSignal;
}

export interface DeployResult {
  context: string;
  server: string;
  namespace: string;
  dryRun: 'server' | 'client' | null;
  applySetId: string;
  objects: { ref: string; action: ApplyAction }[];
  pruned: string[];
  rollouts: { deployment: string; status: RolloutStatus }[];
  autoscalers: HpaState[];
  problems: HpaProblem[];
}

export async function connect(options: KubeTargetOptions): Promise<{ target: KubeTarget; client: KubeClient }> {
  const target = await resolveKubeTarget(options);
  return { target, client: new KubeClient(target) };
}

function namespaced(objects: KubeObject[], namespace: string): KubeObject[] {
  // Namespaces are handled by --create-namespace, not applied as members of the set.
  return objects.filter((o) => o.kind !== 'Namespace').map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } }));
}

async function ensureNamespace(client: KubeClient, namespace: string, create: boolean, dryRun: boolean): Promise<void> {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  if (create) {
    await applyObject(client, ns, namespace, { dryRun });
    return;
  }
  try {
    await client.request('GET', `/api/v1/namespaces/${namespace}`);
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) {
      throw new MdlError(`Namespace "${namespace}" does not exist in context "${client.target.context}"`, {
        exitCode: ExitCode.cluster, hint: 'Pass --create-namespace, or pick another namespace with --namespace.',
      });
    }
    // 403 on reading a namespace is common for restricted users: the apply itself will tell.
    if (!(error instanceof ApiError && error.statusCode === 403)) throw error;
  }
}

/** Renders the objects for --dry-run=client: no cluster contact beyond the kubeconfig. */
export function clientDryRun(objects: KubeObject[], namespace: string, name: string): KubeObject[] {
  const parent = applySetParentName(name);
  const id = applySetId(parent, namespace);
  return namespaced(objects, namespace).map((o) => withApplySetLabel(o, id));
}

/**
 * Deploys objects (already rendered, in dependency order): server-side dry-run of all of them first,
 * then server-side apply with field manager `mdl`, ApplySet membership labels, optional prune of members
 * no longer rendered, then the rollout wait and the autoscaler check.
 */
export async function deploy(objects: KubeObject[], options: DeployOptions): Promise<DeployResult> {
  const emit = options.onEvent ?? (() => undefined);
  const { target, client } = await connect(options);
  const namespace = target.namespace;
  emit({ type: 'target', context: target.context, server: target.server, namespace });
  const parentName = applySetParentName(options.name);
  const id = applySetId(parentName, namespace);
  const members = namespaced(objects, namespace).map((o) => withApplySetLabel(o, id));
  const result: DeployResult = {
    context: target.context, server: target.server, namespace, dryRun: options.dryRun ?? null, applySetId: id,
    objects: [], pruned: [], rollouts: [], autoscalers: [], problems: [],
  };
  const serverDryRun = options.dryRun === 'server';

  // 1. Validate everything before changing anything.
  emit({ type: 'phase', phase: 'dry-run' });
  // A namespace to create is created first (outside a dry run), so that the dry run can validate into it.
  await ensureNamespace(client, namespace, Boolean(options.createNamespace), serverDryRun);
  const namespaceExists = options.createNamespace && serverDryRun
    ? await getObject(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, namespace)
    : true;
  if (namespaceExists) {
    for (const obj of members) {
      const r = await applyObject(client, obj, namespace, { dryRun: true, forceConflicts: options.forceConflicts, locate: options.locate, specPath: options.specPath });
      if (serverDryRun) {
        result.objects.push({ ref: r.ref, action: r.action });
        emit({ type: 'applied', ref: r.ref, action: r.action, dryRun: true });
      }
    }
  }
  if (serverDryRun) {
    if (!namespaceExists) for (const obj of members) result.objects.push({ ref: objectRef(obj), action: 'created' });
    return result;
  }

  // 2. Apply, in order. The parent records every kind the set may contain before members are written,
  //    so an interrupted deploy can still be pruned later (KEP-3659).
  emit({ type: 'phase', phase: 'apply' });
  const parentNow = await getObject(client, applySetParent(parentName, namespace, []), namespace);
  const previousKinds = parseGroupKinds(parentNow?.metadata.annotations?.[APPLYSET_GROUP_KINDS]);
  const currentKinds = members.map(groupKind);
  await applyObject(client, applySetParent(parentName, namespace, [...previousKinds, ...currentKinds]), namespace, { forceConflicts: true });
  const applied: string[] = [];
  for (const obj of members) {
    try {
      const r = await applyObject(client, obj, namespace, { forceConflicts: options.forceConflicts, locate: options.locate, specPath: options.specPath });
      applied.push(r.ref);
      result.objects.push({ ref: r.ref, action: r.action });
      emit({ type: 'applied', ref: r.ref, action: r.action, dryRun: false });
    } catch (error) {
      if (error instanceof MdlError && applied.length > 0) {
        error.message += `\n  (already applied before this failure: ${applied.join(', ')})`;
      }
      throw error;
    }
  }

  // 3. Prune members that are no longer rendered.
  if (options.prune) {
    emit({ type: 'phase', phase: 'prune' });
    const keep = new Set(members.map((o) => `${groupKind(o)}/${o.metadata.name}`));
    for (const gk of new Set([...previousKinds, ...currentKinds])) {
      const listed = await listByLabel(client, gk, namespace, `${APPLYSET_PART_OF}=${id}`);
      if (!listed) continue;
      for (const item of listed.items) {
        if (keep.has(`${gk}/${item.metadata.name}`)) continue;
        await deleteObject(client, listed.info, namespace, item.metadata.name);
        const ref = `${item.kind ?? gk.split('.')[0]}/${item.metadata.name}`;
        result.pruned.push(ref);
        emit({ type: 'pruned', ref, dryRun: false });
      }
    }
    await applyObject(client, applySetParent(parentName, namespace, currentKinds), namespace, { forceConflicts: true });
  }

  // 4. Wait for the rollouts, then read the autoscalers.
  if (options.wait !== false) {
    emit({ type: 'phase', phase: 'wait' });
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (const dep of members.filter((o) => o.kind === 'Deployment')) {
      const status = await waitForRollout(client, namespace, dep.metadata.name, {
        timeoutMs: Math.max(1000, deadline - Date.now()), onEvent: emit, ...(options.signal ? { signal: options.signal } : {}),
      });
      result.rollouts.push({ deployment: dep.metadata.name, status });
    }
    emit({ type: 'phase', phase: 'autoscaler' });
    for (const hpa of members.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
      const state = await settleHpa(client, namespace, hpa.metadata.name, Math.min(options.hpaSettleMs ?? 20_000, Math.max(0, deadline - Date.now())));
      if (!state) continue;
      await explainPodsMetricProblems(client, namespace, state, hpa, members);
      result.autoscalers.push(state);
      emit({ type: 'hpa', state });
      result.problems.push(...state.problems);
    }
    for (const p of result.problems) emit({ type: 'warning', message: `HPA cannot read ${p.which}: ${p.message}`, hint: p.fix });
    if (options.strict && result.problems.length > 0) {
      throw new MdlError(`The autoscaler cannot work: ${result.problems.map((p) => `${p.which}: ${p.message}`).join('; ')}`, {
        exitCode: ExitCode.rollout, hint: result.problems.map((p) => p.fix).join(' '),
      });
    }
  }
  return result;
}

/**
 * Reads an HPA until the controller has set ScalingActive, up to settleMs. A failed metric read is waited out
 * until then (a new pod's metric reaches the HPA only after a scrape and the adapter's next relist); a missing
 * metrics API is known at once.
 */
async function settleHpa(client: KubeClient, namespace: string, name: string, settleMs: number): Promise<HpaState | undefined> {
  const until = Date.now() + settleMs;
  for (;;) {
    const state = await readHpa(client, namespace, name);
    if (!state || state.scalingActive === true || Date.now() >= until) return state;
    const apiMissing = state.problems.some((p) => p.link === 'metrics-api');
    if (apiMissing || (state.scalingActive === false && state.problems.length === 0)) return state;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** For each Pods metric the HPA cannot read, which link is missing (podsMetricLink), in place of the controller's bare reason. */
async function explainPodsMetricProblems(client: KubeClient, namespace: string, state: HpaState, hpa: KubeObject, members: KubeObject[]): Promise<void> {
  if (state.scalingActive !== false || state.problems.length === 0) return;
  const target = (hpa as { spec?: { scaleTargetRef?: { name?: string } } }).spec?.scaleTargetRef?.name;
  const dep = members.find((o) => o.kind === 'Deployment' && o.metadata.name === target) as { spec?: { selector?: { matchLabels?: Record<string, string> } } } | undefined;
  const labels = dep?.spec?.selector?.matchLabels;
  if (!labels) return;
  const selector = labelSelector(labels);
  for (const m of state.metrics.filter((x) => x.type === 'Pods')) {
    const probe = await probePodsMetric(client, namespace, m.name, selector);
    const link = probe && podsMetricLink(m.name, namespace, probe);
    if (!link) continue;
    const i = state.problems.findIndex((p) => p.link === 'metric-read' && p.which === link.which);
    const controller = i >= 0 ? ` (the HPA: ${state.problems[i]!.message})` : '';
    const explained = { ...link, message: `${link.message}${controller}` };
    if (i >= 0) state.problems[i] = explained;
    else state.problems.push(explained);
  }
}

/** What deploy would change, from a server-side dry-run; prune candidates are listed as deletions. */
export async function diff(objects: KubeObject[], options: DeployOptions): Promise<{ context: string; namespace: string; diffs: ObjectDiff[]; changed: boolean }> {
  const { target, client } = await connect(options);
  const namespace = target.namespace;
  const parentName = applySetParentName(options.name);
  const id = applySetId(parentName, namespace);
  const members = namespaced(objects, namespace).map((o) => withApplySetLabel(o, id));
  const diffs = await diffObjects(client, members, namespace, { forceConflicts: options.forceConflicts, locate: options.locate, specPath: options.specPath });
  if (options.prune) {
    const parent = await getObject(client, applySetParent(parentName, namespace, []), namespace);
    const keep = new Set(members.map((o) => `${groupKind(o)}/${o.metadata.name}`));
    for (const gk of parseGroupKinds(parent?.metadata.annotations?.[APPLYSET_GROUP_KINDS])) {
      const listed = await listByLabel(client, gk, namespace, `${APPLYSET_PART_OF}=${id}`);
      for (const item of listed?.items ?? []) {
        if (keep.has(`${gk}/${item.metadata.name}`)) continue;
        diffs.push({ ref: `${item.kind ?? gk}/${item.metadata.name}`, action: 'configured', patch: `--- live/${item.kind ?? gk}/${item.metadata.name}\n+++ (pruned)\n` });
      }
    }
  }
  return { context: target.context, namespace, diffs, changed: diffs.some((d) => d.patch !== '') };
}

export interface DeleteResult {
  context: string;
  namespace: string;
  /** What was deleted, or with a dry run what would be. */
  deleted: string[];
  /** client: listed, nothing sent that changes anything; server: DELETE with dryRun=All. */
  dryRun: 'client' | 'server' | null;
}

/** Deletes every member of the model's ApplySet, then the parent. With dryRun, only reads (client) or asks
 *  the API server to dry-run each DELETE (server): nothing is removed. */
export async function deleteModel(options: KubeTargetOptions & {
  name: string; kinds?: string[]; dryRun?: 'client' | 'server'; onEvent?: (event: DeployEvent) => void;
}): Promise<DeleteResult> {
  const { target, client } = await connect(options);
  const namespace = target.namespace;
  const parentName = applySetParentName(options.name);
  const id = applySetId(parentName, namespace);
  const parentObj = applySetParent(parentName, namespace, []);
  const parent = await getObject(client, parentObj, namespace);
  const kinds = new Set([...parseGroupKinds(parent?.metadata.annotations?.[APPLYSET_GROUP_KINDS]), ...(options.kinds ?? [])]);
  const deleted: string[] = [];
  const dryRun = options.dryRun;
  // Client dry run: the members as listed; server dry run: what the API server says it would delete.
  const remove = (info: ResourceInfo, objectName: string) =>
    dryRun === 'client' ? Promise.resolve(true) : deleteObject(client, info, namespace, objectName, dryRun === 'server');
  for (const gk of kinds) {
    const listed = await listByLabel(client, gk, namespace, `${APPLYSET_PART_OF}=${id}`);
    for (const item of listed?.items ?? []) {
      if (await remove(listed!.info, item.metadata.name)) {
        const ref = `${item.kind ?? gk.split('.')[0]}/${item.metadata.name}`;
        deleted.push(ref);
        options.onEvent?.({ type: 'pruned', ref, dryRun: dryRun !== undefined });
      }
    }
  }
  if (parent) {
    const info = await resourceForGroupKind(client, 'Secret');
    if (info) await remove(info, parentName);
  }
  return { context: target.context, namespace, deleted, dryRun: dryRun ?? null };
}
