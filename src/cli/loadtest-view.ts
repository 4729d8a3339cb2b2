/**
 * What `mdl loadtest` hands its live view: the header, the SLO line and live thresholds from the engine's
 * options, and the replicas behind the target when there is a source of them: `mdl dev`, or the deployed
 * model in a cluster (--name, --namespace, --context). Kept here so the command stays a few lines.
 */
import { pollWait } from '../clock.js';
import type { KubeTargetOptions } from '../kube/context.js';
import type { ModelStatus } from '../kube/status.js';
import type { LoadOptions } from '../load/engine.js';
import { pollLocalStatus } from '../load/local-replica-source.js';
import { redactUrl } from '../load/redact.js';
import { evaluateThresholds, type Threshold } from '../load/thresholds.js';
import type { LoadViewConfig } from '../ui/load-state.js';
import { sloLineFrom } from '../ui/load-state.js';
import type { ReplicaEvent } from '../load/replica-events.js';

/** Metrics that the per-second snapshots cannot estimate; they are judged on the final result only. */
function estimableLive(t: Threshold): boolean {
  return t.metric !== 'goodput' && !t.metric.startsWith('tpot') && !t.metric.startsWith('service');
}

export function loadViewConfig(options: LoadOptions): LoadViewConfig {
  const thresholds = options.thresholds ?? [];
  const live = thresholds.filter(estimableLive);
  return {
    url: redactUrl(options.url, options.showSecrets === true),
    protocol: options.protocol ?? 'http',
    mode: options.mode,
    ...sloLineFrom(thresholds),
    ...(live.length > 0 ? { evaluateThresholds: (r) => evaluateThresholds(live, r) } : {}),
  };
}

/** Feeds the listener the replicas of an `mdl dev` target until the returned stop() is called. */
export function followLocalReplicas(url: string, onEvent: (e: ReplicaEvent) => void): () => void {
  const controller = new AbortController();
  void pollLocalStatus(url, { signal: controller.signal, onEvent }).catch(() => undefined);
  return () => controller.abort();
}

/** A deployed model to watch while the load runs: its name and where it runs. */
export interface ClusterWatch {
  name: string;
  kube: KubeTargetOptions;
}

/** How often the cluster's Deployment and HPA are read during a load test: the replica series is per second. */
const CLUSTER_POLL_MS = 1000;

/**
 * Feeds the listener the replicas of a deployed model (its Deployment, pods and HPA, read as `mdl status`
 * reads them) every second until the returned stop() is called. The first reading is awaited, so a cluster
 * or model that cannot be read fails the run before any load is sent; a later reading that fails is skipped
 * (`onMissed` hears of the first), so a slow API server costs a second of the series, not the run.
 */
export async function followClusterReplicas(watch: ClusterWatch, onEvent: (e: ReplicaEvent) => void, onMissed: (error: unknown) => void): Promise<() => void> {
  const [{ readStatus }, { fromModelStatus }] = await Promise.all([import('../kube/status.js'), import('../ui/kube-events.js')]);
  const controller = new AbortController();
  const seen = new Set<string>();
  let previous: number | undefined;
  const feed = (s: ModelStatus) => {
    for (const e of fromModelStatus(s, Date.now(), seen, previous)) {
      if (e.kind === 'replicas') previous = e.desired;
      onEvent(e);
    }
  };
  feed(await readStatus({ name: watch.name, ...watch.kube }));
  let missed = false;
  void (async () => {
    while (!controller.signal.aborted) {
      await pollWait(CLUSTER_POLL_MS, controller.signal);
      if (controller.signal.aborted) return;
      try {
        feed(await readStatus({ name: watch.name, ...watch.kube, signal: controller.signal }));
      } catch (error) {
        if (controller.signal.aborted) return;
        if (!missed) onMissed(error);
        missed = true;
      }
    }
  })();
  return () => controller.abort();
}
