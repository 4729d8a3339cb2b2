/**
 * Plays a CPU demand trace against the real HPA on the test control plane and records what it did. The
 * workload is a model's rendered objects (renderManifests, as `mdl render` prints them); the HPA's metric is
 * the spec's, a CPU utilization (a Resource metric), which is what the HPA status polls below read.
 *
 * The demand (total cores) is spread evenly over the Ready pods, as a balancer would, by writing each pod's
 * `kwok.x-k8s.io/usage-cpu` annotation; kwok reports it to metrics-server, which the HPA reads. Recorded with
 * this process's clock: every change of the Deployment's spec.replicas (the controller's decisions), every pod's
 * creation and readiness, every new metrics-server sample, and the HPA status.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { applyObject } from '../../src/kube/apply.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveKubeTarget } from '../../src/kube/context.js';
import type { KubeObject } from '../../src/kube/types.js';
import { apiRequest, kubeconfigPath, runDir, type ClusterState } from '../support/cluster/cluster.js';
import { parseControllerSyncs, type ControllerSync } from '../support/fidelity/controller-log.js';

export interface FidelityRecording {
  /** Wall-clock ms at trace time 0. */
  startMs: number;
  durationMs: number;
  /** The demand in cores at trace time t (ms), as played. */
  demand: { tMs: number; cores: number }[];
  /** Deployment spec.replicas changes, first seen at tMs (trace time). */
  replicas: { tMs: number; replicas: number }[];
  /** Pods: trace times of creation and Ready as seen by this process (first seen), and deletion. */
  pods: { name: string; createdMs: number; readyMs?: number; deletedMs?: number }[];
  /** How often the Deployment and the metrics were polled (ms): how late a change or a sample can be seen. */
  replicaPollMs: number;
  samplePollMs: number;
  /** metrics-server samples: first time a new sample timestamp was seen, the sample timestamp (s precision),
   *  its window, and the utilization the pods' samples add up to. */
  samples: { seenMs: number; timestampMs: number; windowMs: number; pods: number; usageMilli: number }[];
  /** Every sync of the real controller for this HPA, from its log (µs timestamps): trace time, the replicas
   *  the metric proposed and the sample it read. */
  syncs: ControllerSync[];
  /** HPA status polls. */
  hpa: { tMs: number; desiredReplicas: number; currentUtilization?: number }[];
  /** The balancer's rounds: per-pod value and the Ready pods it was spread over. */
  writes: { tMs: number; perPodMilli: number; readyPods: number }[];
}

interface Pod {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string; annotations?: Record<string, string> };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

async function getJson<T>(state: ClusterState, p: string): Promise<T> {
  const res = await apiRequest(state, 'GET', p);
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as T;
}

/** Creates the namespace and applies a model's rendered objects (Service, Deployment, HPA, …) into it, as
 *  `mdl deploy` would without waiting; returns the pods' label selector, from the rendered Deployment. */
export async function createWorkload(state: ClusterState, ns: string, objects: KubeObject[]): Promise<string> {
  const res = await apiRequest(state, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (res.status !== 201) throw new Error(`POST namespace ${ns}: ${res.status} ${res.body.slice(0, 300)}`);
  for (let i = 0; i < 60; i++) {
    if ((await apiRequest(state, 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200) break;
    await sleep(500);
  }
  const client = new KubeClient(await resolveKubeTarget({ kubeconfig: kubeconfigPath }));
  for (const obj of objects) await applyObject(client, obj, ns);
  const dep = objects.find((o) => o.kind === 'Deployment') as (KubeObject & { spec: { selector: { matchLabels: Record<string, string> } } }) | undefined;
  if (!dep) throw new Error('the rendered objects hold no Deployment');
  return Object.entries(dep.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
}

export async function waitForMetrics(state: ClusterState, ns: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hpa = await getJson<{ status?: { currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] } }>(
      state, `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`);
    if (hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined) return;
    await sleep(1000);
  }
  throw new Error(`the HPA ${ns}/${name} read no CPU metric within ${timeoutMs / 1000} s`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a scrape's sample reaches the controller before or after a sync can turn on tens of ms: the
 *  recorder polls both ends that often (a few dozen small GETs a second). */
const REPLICA_POLL_MS = 50;
const SAMPLE_POLL_MS = 50;
const BALANCE_MS = 100;

function isReady(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Plays `demandAt` (cores at trace time ms) for `durationMs`, spreading it over the Ready pods. */
export async function playTrace(state: ClusterState, ns: string, name: string, selector: string, demandAt: (tMs: number) => number,
  durationMs: number): Promise<FidelityRecording> {
  const bySelector = `labelSelector=${encodeURIComponent(selector)}`;
  const startMs = Date.now();
  const rec: FidelityRecording = { startMs, durationMs, replicaPollMs: REPLICA_POLL_MS, samplePollMs: SAMPLE_POLL_MS, demand: [], replicas: [], pods: [], samples: [], syncs: [], hpa: [], writes: [] };
  const pods = new Map<string, FidelityRecording['pods'][number]>();
  const written = new Map<string, string>();
  let lastReplicas = -1;
  let lastSampleTs = '';
  const now = () => Date.now() - startMs;

  // Deployment replicas: polled often, so a decision's time is known to a few tens of ms.
  const watchReplicas = (async () => {
    while (now() < durationMs) {
      const dep = await getJson<{ spec: { replicas: number } }>(state, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
      if (dep.spec.replicas !== lastReplicas) {
        lastReplicas = dep.spec.replicas;
        rec.replicas.push({ tMs: now(), replicas: lastReplicas });
      }
      await sleep(REPLICA_POLL_MS);
    }
  })();
  // metrics-server samples: polled as often, so the time a sample is served is known as closely.
  const watchSamples = (async () => {
    while (now() < durationMs) {
      const list = await getJson<{ items: { timestamp: string; window: string; containers: { usage: { cpu: string } }[] }[] }>(
        state, `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?${bySelector}`);
      const newest = list.items.map((i) => i.timestamp).sort().pop() ?? '';
      if (newest !== lastSampleTs) {
        lastSampleTs = newest;
        const fresh = list.items.filter((i) => i.timestamp === newest);
        const usageMilli = fresh.reduce((s, i) => s + i.containers.reduce((c, x) => c + cpuMilli(x.usage.cpu), 0), 0);
        rec.samples.push({ seenMs: now(), timestampMs: Date.parse(newest) - startMs, windowMs: parseFloat(fresh[0]!.window) * 1000,
          pods: fresh.length, usageMilli });
      }
      await sleep(SAMPLE_POLL_MS);
    }
  })();
  // The balancer: every 100 ms, the demand now over the pods Ready now (a scrape between a scale event and
  // the re-spread reads the old split, which the simulator, spreading at once, never sees); the HPA status
  // every fifth round.
  let round = 0;
  const balance = (async () => {
    while (now() < durationMs) {
      const t = now();
      const cores = demandAt(t);
      rec.demand.push({ tMs: t, cores });
      const list = await getJson<{ items: Pod[] }>(state, `/api/v1/namespaces/${ns}/pods?${bySelector}`);
      const seen = new Set<string>();
      for (const p of list.items) {
        seen.add(p.metadata.name);
        let r = pods.get(p.metadata.name);
        if (!r) {
          r = { name: p.metadata.name, createdMs: Math.min(now(), Date.parse(p.metadata.creationTimestamp) - startMs + 999) };
          pods.set(p.metadata.name, r);
          rec.pods.push(r);
        }
        if (r.readyMs === undefined && isReady(p)) r.readyMs = now();
        if (r.deletedMs === undefined && p.metadata.deletionTimestamp) r.deletedMs = now();
      }
      for (const r of pods.values()) if (r.deletedMs === undefined && !seen.has(r.name)) r.deletedMs = now();
      const ready = list.items.filter(isReady);
      const perPodMilli = ready.length > 0 ? Math.round((cores * 1000) / ready.length) : 0;
      rec.writes.push({ tMs: t, perPodMilli, readyPods: ready.length });
      await Promise.all(ready.filter((p) => written.get(p.metadata.name) !== `${perPodMilli}m`).map(async (p) => {
        const res = await apiRequest(state, 'PATCH', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`,
          { metadata: { annotations: { 'kwok.x-k8s.io/usage-cpu': `${perPodMilli}m` } } }, 'application/merge-patch+json');
        if (res.status === 200) written.set(p.metadata.name, `${perPodMilli}m`);
      }));
      if (round++ % 5 !== 0) {
        await sleep(Math.max(0, BALANCE_MS - (now() - t)));
        continue;
      }
      const hpa = await getJson<{ status?: { desiredReplicas?: number; currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] } }>(
        state, `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`);
      rec.hpa.push({ tMs: now(), desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        currentUtilization: hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization });
      await sleep(Math.max(0, BALANCE_MS - (now() - t)));
    }
  })();
  await Promise.all([watchReplicas, watchSamples, balance]);
  rec.syncs = parseControllerSyncs(readFileSync(path.join(runDir, 'logs', 'kube-controller-manager.log'), 'utf8'), ns, name, startMs)
    .filter((s) => s.tMs >= 0 && s.tMs <= durationMs);
  return rec;
}

/** A CPU quantity ("12345678n", "250m", "1") in millicores. */
function cpuMilli(q: string): number {
  if (q.endsWith('n')) return parseFloat(q) / 1e6;
  if (q.endsWith('u')) return parseFloat(q) / 1e3;
  if (q.endsWith('m')) return parseFloat(q);
  return parseFloat(q) * 1000;
}
