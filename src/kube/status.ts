import { ExitCode, MdlError } from '../errors.js';
import { listByLabel } from './apply.js';
import { APPLYSET_PART_OF, applySetId, applySetParentName } from './applyset.js';
import type { KubeTargetOptions } from './context.js';
import { connect } from './deploy.js';
import { recentEvents, type KubeEventSummary } from './events.js';
import { hpaState, servedMetricApis, type HpaLike, type HpaState } from './hpa.js';
import { deploymentRolloutStatus, podProgress, type DeploymentLike, type PodProgress, type RolloutStatus } from './rollout.js';
import { kubectlName, labelSelector, type KubeObject } from './types.js';
import { KubeClient } from './client.js';

export interface ModelStatus {
  schemaVersion: 1;
  context: string;
  namespace: string;
  name: string;
  deployments: { name: string; rollout: RolloutStatus; pods: PodProgress[] }[];
  autoscalers: HpaState[];
  /** The HPA's scaling events (SuccessfulRescale and failures), oldest first. */
  scalingEvents: KubeEventSummary[];
}

/** Everything `mdl status` shows, read from the members of the model's ApplySet. */
export async function readStatus(options: KubeTargetOptions & { name: string; signal?: AbortSignal }): Promise<ModelStatus> {
  const connected = await connect(options);
  const target = connected.target;
  // The signal (status --watch's deadline, a stop) aborts a reading that the API server does not answer.
  const client = options.signal ? new KubeClient(target, options.signal) : connected.client;
  const namespace = target.namespace;
  const id = applySetId(applySetParentName(options.name), namespace);
  const selector = `${APPLYSET_PART_OF}=${id}`;
  const deps = (await listByLabel(client, 'Deployment.apps', namespace, selector))?.items ?? [];
  if (deps.length === 0) {
    throw new MdlError(`Model "${options.name}" is not deployed in namespace "${namespace}" (context "${target.context}")`, {
      exitCode: ExitCode.badInput, hint: 'Deploy it with mdl deploy, or pick the namespace it runs in with --namespace.',
    });
  }
  const deployments: ModelStatus['deployments'] = [];
  for (const dep of deps as DeploymentLike[]) {
    const labels = dep.spec?.selector?.matchLabels ?? {};
    const podSelector = labelSelector(labels);
    const pods = await client.request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector: podSelector } })
      .catch((error: unknown) => { throw client.explain(error); });
    deployments.push({
      name: dep.metadata.name,
      rollout: deploymentRolloutStatus(dep),
      pods: pods.items.map((p) => podProgress(p)).sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  const hpas = ((await listByLabel(client, 'HorizontalPodAutoscaler.autoscaling', namespace, selector))?.items ?? []) as HpaLike[];
  const served = hpas.length > 0 ? await servedMetricApis(client) : new Set<never>();
  const autoscalers = hpas.map((h) => hpaState(h, served));
  const scalingEvents = hpas.length > 0
    ? (await recentEvents(client, namespace, { kind: 'HorizontalPodAutoscaler' })).filter((e) => hpas.some((h) => e.object === `HorizontalPodAutoscaler/${h.metadata.name}`)).slice(-10)
    : [];
  return { schemaVersion: 1, context: target.context, namespace, name: options.name, deployments, autoscalers, scalingEvents };
}

/** Plain lines for a terminal or CI log. */
export function formatStatus(s: ModelStatus): string[] {
  const lines: string[] = [`${s.name} in ${s.namespace} (context ${s.context})`];
  for (const d of s.deployments) {
    const r = d.rollout;
    lines.push(`deployment ${d.name}: ${r.ready}/${r.desired} ready, ${r.updated} updated, ${r.available} available${r.done ? '' : ` — ${r.message}`}`);
    for (const p of d.pods) lines.push(`  pod ${p.name}: ${p.phase}${p.ready ? ', ready' : ', not ready'}, ${p.restarts} restarts${p.reason ? ` (${p.reason})` : ''}`);
  }
  for (const h of s.autoscalers) {
    lines.push(`hpa ${h.name}: ${h.currentReplicas} replicas (desired ${h.desiredReplicas}, min ${h.minReplicas}, max ${h.maxReplicas})`);
    for (const m of h.metrics) lines.push(`  ${m.type} ${m.name}: ${m.current ?? '<unknown>'} / ${m.target}`);
    for (const c of h.conditions) lines.push(`  ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
    for (const p of h.problems) lines.push(`  ! ${p.which}: ${p.message}. ${p.fix}`);
  }
  for (const e of s.scalingEvents) lines.push(`event ${e.lastSeen} ${e.reason}: ${e.message}`);
  return lines;
}

/** `mdl status -o name`: kubectl's `kind.group/name` lines for the model's Deployments, pods and HPAs. */
export function statusNames(s: ModelStatus): string[] {
  const lines: string[] = [];
  for (const d of s.deployments) {
    lines.push(kubectlName({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d.name } }));
    for (const p of d.pods) lines.push(kubectlName({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name } }));
  }
  for (const h of s.autoscalers) lines.push(kubectlName({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: h.name } }));
  return lines;
}

/** One reading in the -o format: YAML or JSON of the status document, or the name lines. */
export function formatStatusAs(s: ModelStatus, format: 'yaml' | 'json' | 'name', toYaml: (value: unknown) => string): string {
  if (format === 'json') return JSON.stringify(s, null, 2);
  if (format === 'yaml') return toYaml(s).trimEnd();
  return statusNames(s).join('\n');
}
