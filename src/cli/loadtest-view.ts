/**
 * What `mdl loadtest` hands its live view: the header, the SLO line and live thresholds from the engine's
 * options, and, when the target is `mdl dev`, its replicas. Kept here so the command stays a few lines.
 */
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
