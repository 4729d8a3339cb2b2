/**
 * Replica events for a load test against `mdl dev`: the local runtime serves its state at
 * `<url>/.mdl/status`; polling it once a second gives the dashboard replicas, the autoscaler's metric and
 * scaling events with their time to ready, on the same clock as the load. A target that does not serve
 * that document is simply not a replica source (nothing is shown, nothing fails).
 */
import type { ReplicaEvent } from './replica-events.js';

export const LOCAL_STATUS_PATH = '/.mdl/status';

/** The part of the local runtime's status document (src/local/status.ts) read here. */
export interface LocalStatusLike {
  desiredReplicas: number;
  readyReplicas: number;
  minReplicas?: number;
  maxReplicas?: number;
  replicas?: unknown[];
  autoscaler?: { enabled?: boolean; metric?: { type: string; target: number }; lastMetricValue?: number | undefined; currentMetricValue?: number | undefined };
  scalingEvents?: Array<{ at: string; from: number; to: number; reason?: string; timeToReadyMs?: number | undefined }>;
}

/** What the adapter has already reported, so each scaling event and its time to ready is sent once. */
export interface LocalStatusMemory {
  scaling: Set<string>;
  ready: Set<string>;
}

export function newLocalStatusMemory(): LocalStatusMemory {
  return { scaling: new Set(), ready: new Set() };
}

const UNIT: Record<string, string> = { cpu: '%', rps: '/s', concurrency: '' };

/** Pure: one status document → the replica events it implies (new scaling events only). */
export function eventsFromLocalStatus(status: LocalStatusLike, timestampMs: number, memory: LocalStatusMemory): ReplicaEvent[] {
  const events: ReplicaEvent[] = [];
  for (const e of status.scalingEvents ?? []) {
    const at = Date.parse(e.at);
    if (!Number.isFinite(at)) continue;
    if (!memory.scaling.has(e.at)) {
      memory.scaling.add(e.at);
      events.push({ kind: 'scaling', timestampMs: at, fromReplicas: e.from, toReplicas: e.to, ...(e.reason ? { reason: e.reason } : {}) });
    }
    if (e.timeToReadyMs !== undefined && !memory.ready.has(e.at)) {
      memory.ready.add(e.at);
      events.push({ kind: 'scaled-ready', timestampMs: at + e.timeToReadyMs, scalingTimestampMs: at, readyAfterMs: e.timeToReadyMs });
    }
  }
  events.push({
    kind: 'replicas',
    timestampMs,
    desired: status.desiredReplicas,
    ready: status.readyReplicas,
    ...(status.replicas ? { current: status.replicas.length } : {}),
    ...(status.minReplicas !== undefined ? { minReplicas: status.minReplicas } : {}),
    ...(status.maxReplicas !== undefined ? { maxReplicas: status.maxReplicas } : {}),
  });
  const a = status.autoscaler;
  if (a?.metric && a.enabled !== false) {
    events.push({ kind: 'metric', timestampMs, metric: a.metric.type, current: a.lastMetricValue ?? a.currentMetricValue ?? null, target: a.metric.target, unit: UNIT[a.metric.type] ?? '' });
  }
  return events;
}

function isLocalStatus(doc: unknown): doc is LocalStatusLike {
  const d = doc as Partial<LocalStatusLike> | null;
  return typeof d === 'object' && d !== null && typeof d.desiredReplicas === 'number' && typeof d.readyReplicas === 'number';
}

/**
 * Polls `<origin>/.mdl/status` every intervalMs until the signal aborts. Resolves false at once when the
 * first answer is not the local runtime's status (any other server), true when it ran until aborted.
 */
export async function pollLocalStatus(
  targetUrl: string,
  opts: { signal: AbortSignal; onEvent: (e: ReplicaEvent) => void; intervalMs?: number; now?: () => number },
): Promise<boolean> {
  const url = new URL(LOCAL_STATUS_PATH, targetUrl).toString();
  const memory = newLocalStatusMemory();
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 1000;
  let first = true;
  while (!opts.signal.aborted) {
    let doc: unknown;
    try {
      const res = await fetch(url, { signal: AbortSignal.any([opts.signal, AbortSignal.timeout(Math.max(2000, interval * 2))]) });
      doc = res.ok ? await res.json() : undefined;
    } catch {
      doc = undefined;
    }
    if (isLocalStatus(doc)) for (const e of eventsFromLocalStatus(doc, now(), memory)) opts.onEvent(e);
    else if (first) return false;
    first = false;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        opts.signal.removeEventListener('abort', onAbort);
        resolve();
      }, interval);
      opts.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  return true;
}
