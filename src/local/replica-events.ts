/**
 * The local runtime's events as the shared ReplicaEvents (src/load/replica-events.ts) that the dashboard,
 * the plain reporter and reports consume for a cluster too. Pure.
 */
import type { ReplicaEvent } from '../load/replica-events.js';
import type { LocalRuntimeEvent } from './events.js';

const UNIT: Record<string, string> = { cpu: '%', rps: '/s', concurrency: '' };

export interface ReplicaEventMemory {
  /** Scale events already completed (by their time), so each scaled-ready is sent once. */
  readyReported: Set<string>;
}

export function newReplicaEventMemory(): ReplicaEventMemory {
  return { readyReported: new Set() };
}

export function toReplicaEvents(e: LocalRuntimeEvent, memory: ReplicaEventMemory): ReplicaEvent[] {
  switch (e.type) {
    case 'replica-starting':
      return [{ kind: 'pod', timestampMs: e.at, name: e.replica, phase: 'starting' }];
    case 'replica-ready':
      return [{ kind: 'pod', timestampMs: e.at, name: e.replica, phase: 'ready' }];
    case 'replica-unready':
      return [{ kind: 'pod', timestampMs: e.at, name: e.replica, phase: 'starting', message: 'readiness check failed' }];
    case 'replica-draining':
      return [{ kind: 'pod', timestampMs: e.at, name: e.replica, phase: 'terminating' }];
    case 'replica-stopped':
      return [{ kind: 'pod', timestampMs: e.at, name: e.replica, phase: 'terminating', deleted: true }];
    case 'replica-crashed':
      return [
        {
          kind: 'pod',
          timestampMs: e.at,
          name: e.replica,
          phase: 'failed',
          restarts: e.restarts,
          message: `exited with code ${e.exitCode ?? 'unknown'}`,
        },
      ];
    case 'scale':
      return [{ kind: 'scaling', timestampMs: e.at, fromReplicas: e.from, toReplicas: e.to, reason: e.reason }];
    case 'status': {
      const s = e.status;
      const now = Date.parse(s.startedAt) + s.uptimeMs;
      const out: ReplicaEvent[] = [
        {
          kind: 'replicas',
          timestampMs: now,
          desired: s.desiredReplicas,
          ready: s.readyReplicas,
          current: s.replicas.length,
          minReplicas: s.minReplicas,
          maxReplicas: s.maxReplicas,
        },
      ];
      if (s.autoscaler.enabled) {
        out.push({
          kind: 'metric',
          timestampMs: now,
          metric: s.autoscaler.metric.type,
          current: s.autoscaler.lastMetricValue ?? null,
          target: s.autoscaler.metric.target,
          unit: UNIT[s.autoscaler.metric.type] ?? '',
        });
      }
      for (const ev of s.scalingEvents) {
        if (ev.timeToReadyMs === undefined || memory.readyReported.has(ev.at)) continue;
        memory.readyReported.add(ev.at);
        const at = Date.parse(ev.at);
        out.push({ kind: 'scaled-ready', timestampMs: at + ev.timeToReadyMs, scalingTimestampMs: at, readyAfterMs: ev.timeToReadyMs });
      }
      return out;
    }
    default:
      return [];
  }
}
