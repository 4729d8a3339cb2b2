/**
 * Plays a demand trace (requests in flight over all pods) against the real HPA on a Pods gauge and records
 * what it did. The pods run the gauge fixture (test/fixtures/gauge-server.mjs) on the real node; the
 * balancer here spreads the demand evenly over the Ready pods, as a load balancer would, by setting each
 * pod's gauge over the node's bridge; Prometheus scrapes it and prometheus-adapter serves it to the
 * controller. Recorded with this process's clock: every change of the Deployment's spec.replicas (the
 * controller's decisions), every pod's creation and readiness, the HPA's status, the scrapes each pod saw,
 * and the controller's own syncs from its log (reported, not replayed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apiRequest, runDir, type ClusterState } from '../support/cluster/cluster.js';
import { parseControllerSyncs, type ControllerSync } from '../support/fidelity/controller-log.js';
import type { GaugeRun } from '../support/fidelity/pods-compare.js';

export interface GaugeRecording extends GaugeRun {
  startMs: number;
  pods: { name: string; createdMs: number; readyMs?: number; deletedMs?: number }[];
  /** The HPA's status, polled: what the controller last read (average per pod) and decided. */
  hpa: { tMs: number; desiredReplicas: number; averageValue?: string }[];
  /** The balancer's rounds: per-pod value and the Ready pods it was spread over. */
  writes: { tMs: number; perPod: number; readyPods: number }[];
  /** Scrape times each pod recorded (trace time). */
  scrapes: Record<string, number[]>;
  syncs: ControllerSync[];
}

interface Pod {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REPLICA_POLL_MS = 100;
const BALANCE_MS = 250;
const GAUGE_PORT = 8080;

async function getJson<T>(state: ClusterState, p: string): Promise<T> {
  const res = await apiRequest(state, 'GET', p);
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as T;
}

function isReady(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function setGauge(ip: string, value: number): Promise<boolean> {
  const res = await fetch(`http://${ip}:${GAUGE_PORT}/value?v=${value}`, { method: 'PUT', signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return res?.status === 204;
}

/** Sets every pod's gauge to `value` (before the trace: the pipeline warms up at the first level). */
export async function setAllGauges(state: ClusterState, ns: string, selector: string, value: number): Promise<number> {
  const list = await getJson<{ items: Pod[] }>(state, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
  const ready = list.items.filter(isReady);
  const ok = await Promise.all(ready.map((p) => setGauge(p.status!.podIP!, value / ready.length)));
  return ok.filter(Boolean).length;
}

export async function playGaugeTrace(state: ClusterState, ns: string, name: string, selector: string,
  demandAt: (tMs: number) => number, durationMs: number): Promise<GaugeRecording> {
  const bySelector = `labelSelector=${encodeURIComponent(selector)}`;
  const startMs = Date.now();
  const rec: GaugeRecording = { startMs, durationMs, replicas: [], pods: [], hpa: [], writes: [], scrapes: {}, syncs: [] };
  const pods = new Map<string, GaugeRecording['pods'][number]>();
  const ips = new Map<string, string>();
  const written = new Map<string, number>();
  let lastReplicas = -1;
  const now = () => Date.now() - startMs;

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
  let round = 0;
  const balance = (async () => {
    while (now() < durationMs) {
      const t = now();
      const demand = demandAt(t);
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
        if (p.status?.podIP) ips.set(p.metadata.name, p.status.podIP);
        if (r.readyMs === undefined && isReady(p)) r.readyMs = now();
        if (r.deletedMs === undefined && p.metadata.deletionTimestamp) r.deletedMs = now();
      }
      for (const r of pods.values()) if (r.deletedMs === undefined && !seen.has(r.name)) r.deletedMs = now();
      const ready = list.items.filter((p) => isReady(p) && p.status?.podIP);
      // Three decimals: the gauge is read in milli-units.
      const perPod = ready.length > 0 ? Math.round((demand * 1000) / ready.length) / 1000 : 0;
      rec.writes.push({ tMs: t, perPod, readyPods: ready.length });
      await Promise.all(ready.filter((p) => written.get(p.metadata.name) !== perPod).map(async (p) => {
        if (await setGauge(p.status!.podIP!, perPod)) written.set(p.metadata.name, perPod);
      }));
      if (round++ % 4 === 0) {
        const hpa = await getJson<{ status?: { desiredReplicas?: number; currentMetrics?: { pods?: { current?: { averageValue?: string } } }[] } }>(
          state, `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`);
        rec.hpa.push({ tMs: now(), desiredReplicas: hpa.status?.desiredReplicas ?? 0,
          ...(hpa.status?.currentMetrics?.[0]?.pods?.current?.averageValue !== undefined ? { averageValue: hpa.status.currentMetrics[0].pods.current.averageValue } : {}) });
        // Each pod's scrape times, while it is there to ask.
        await Promise.all([...seen].map(async (pod) => {
          const ip = ips.get(pod);
          if (!ip) return;
          const res = await fetch(`http://${ip}:${GAUGE_PORT}/scrapes`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          if (!res?.ok) return;
          const { scrapes } = await res.json() as { scrapes: number[] };
          rec.scrapes[pod] = scrapes.map((s) => s - startMs);
        }));
      }
      await sleep(Math.max(0, BALANCE_MS - (now() - t)));
    }
  })();
  await Promise.all([watchReplicas, balance]);
  rec.syncs = parseControllerSyncs(readFileSync(path.join(runDir, 'logs', 'kube-controller-manager.log'), 'utf8'), ns, name, startMs)
    .filter((s) => s.tMs >= 0 && s.tMs <= durationMs);
  return rec;
}
