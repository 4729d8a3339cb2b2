/**
 * The cluster watcher's reports (src/kube: rollout and pod progress, HPA state, the HPA's events) as the
 * shared ReplicaEvents, so `mdl deploy --wait`, `mdl status --watch` and a load test against a deployed
 * model feed the same views as `mdl dev`. Pure.
 */
import type { DeployEvent } from '../kube/deploy.js';
import type { KubeEventSummary } from '../kube/events.js';
import type { HpaState } from '../kube/hpa.js';
import type { PodProgress, RolloutStatus } from '../kube/rollout.js';
import type { ModelStatus } from '../kube/status.js';
import type { PodPhase, ReplicaEvent } from '../load/replica-events.js';
import { parseQuantity } from '../units.js';

export function fromRollout(deployment: string, s: RolloutStatus, timestampMs: number): ReplicaEvent {
  return {
    kind: 'rollout',
    timestampMs,
    name: deployment,
    desired: s.desired,
    updated: s.updated,
    ready: s.ready,
    available: s.available,
    done: s.done,
    ...(s.failed ? { failed: s.message } : {}),
  };
}

function podPhase(p: PodProgress): PodPhase {
  if (p.phase === 'Terminating') return 'terminating';
  if (p.phase === 'Failed' || /BackOff|Err|Invalid/.test(p.reason ?? '')) return 'failed';
  if (p.ready) return 'ready';
  if (p.phase === 'Running') return 'starting';
  return 'pending';
}

export function fromPod(p: PodProgress, timestampMs: number): ReplicaEvent {
  return {
    kind: 'pod',
    timestampMs,
    name: p.name,
    phase: podPhase(p),
    restarts: p.restarts,
    ...(p.reason ? { message: p.reason } : {}),
    ...(p.deleted ? { deleted: true } : {}),
  };
}

/** "85%" → 85 with unit "%"; "500m" → 0.5; "12" → 12; undefined or garbage → null. */
function metricValue(text: string | undefined): { value: number | null; unit: string } {
  if (text === undefined) return { value: null, unit: '' };
  const t = text.trim();
  if (t.endsWith('%')) {
    const v = Number(t.slice(0, -1));
    return { value: Number.isFinite(v) ? v : null, unit: '%' };
  }
  try {
    return { value: parseQuantity(t), unit: '' };
  } catch {
    return { value: null, unit: '' };
  }
}

/** Replicas and the first metric of an HPA. */
export function fromHpa(h: HpaState, readyReplicas: number | undefined, timestampMs: number): ReplicaEvent[] {
  const events: ReplicaEvent[] = [
    {
      kind: 'replicas',
      timestampMs,
      desired: h.desiredReplicas,
      ready: readyReplicas ?? h.currentReplicas,
      current: h.currentReplicas,
      minReplicas: h.minReplicas,
      maxReplicas: h.maxReplicas,
    },
  ];
  const m = h.metrics[0];
  if (m) {
    const target = metricValue(m.target);
    const current = metricValue(m.current);
    if (target.value !== null) events.push({ kind: 'metric', timestampMs, metric: m.name, current: current.value, target: target.value, unit: target.unit });
  }
  return events;
}

/**
 * The HPA's SuccessfulRescale events ("New size: 3; reason: cpu … above target") as scaling events, each
 * once (`seen` remembers them); the size before is the one the previous rescale set, or `previousReplicas`.
 */
export function fromHpaEvents(events: readonly KubeEventSummary[], previousReplicas: number | undefined, seen: Set<string>): ReplicaEvent[] {
  const out: ReplicaEvent[] = [];
  let from = previousReplicas;
  for (const e of events) {
    if (e.reason !== 'SuccessfulRescale') continue;
    const m = /New size: (\d+)(?:; reason: (.*))?/.exec(e.message);
    if (!m) continue;
    const to = Number(m[1]);
    const key = `${e.lastSeen} ${e.message}`;
    const at = Date.parse(e.lastSeen);
    if (!seen.has(key) && Number.isFinite(at) && from !== undefined) {
      out.push({ kind: 'scaling', timestampMs: at, fromReplicas: from, toReplicas: to, ...(m[2] ? { reason: m[2] } : {}) });
    }
    seen.add(key);
    from = to;
  }
  return out;
}

/** One event of `mdl deploy` (src/kube/deploy.ts) as replica events; the others (apply, prune…) are none. */
export function fromDeployEvent(event: DeployEvent, timestampMs: number, readyReplicas?: number): ReplicaEvent[] {
  switch (event.type) {
    case 'rollout':
      return [fromRollout(event.deployment, event.status, timestampMs)];
    case 'pod':
      return [fromPod(event.pod, timestampMs)];
    case 'hpa':
      return fromHpa(event.state, readyReplicas, timestampMs);
    default:
      return [];
  }
}

/** What `mdl status --watch` reads each interval (src/kube/status.ts) as replica events. */
export function fromModelStatus(status: ModelStatus, timestampMs: number, seenRescales: Set<string>, previousReplicas?: number): ReplicaEvent[] {
  const out: ReplicaEvent[] = [];
  const ready = status.deployments.reduce((n, d) => n + d.rollout.ready, 0);
  for (const d of status.deployments) {
    out.push(fromRollout(d.name, d.rollout, timestampMs));
    for (const p of d.pods) out.push(fromPod(p, timestampMs));
  }
  out.push(...fromHpaEvents(status.scalingEvents, previousReplicas, seenRescales));
  const hpa = status.autoscalers[0];
  if (hpa) out.push(...fromHpa(hpa, ready, timestampMs));
  else out.push({ kind: 'replicas', timestampMs, desired: status.deployments.reduce((n, d) => n + d.rollout.desired, 0), ready });
  return out;
}
