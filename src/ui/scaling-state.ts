/**
 * View state of a scaling target (replicas, the autoscaler's metric, scaling events with their time to
 * ready, pods of a rollout), reduced from ReplicaEvents. Pure: no Ink, no clock.
 */
import type { PodPhase, ReplicaEvent } from '../load/replica-events.js';

export interface ScalingEventView {
  timestampMs: number;
  fromReplicas: number;
  toReplicas: number;
  reason?: string;
  /** Time from the decision until that many replicas were ready; undefined while waiting. */
  readyAfterMs?: number;
}

export interface PodView {
  name: string;
  phase: PodPhase;
  updated: boolean;
  restarts: number;
  message?: string;
  sinceMs: number;
}

export interface ScalingView {
  /** True once any event arrived: a view shows the scaling panels only for a target that reports them. */
  known: boolean;
  desired?: number;
  ready?: number;
  current?: number;
  minReplicas?: number;
  maxReplicas?: number;
  metric?: { name: string; current: number | null; target: number; unit: string };
  /** Newest last; at most MAX_EVENTS. */
  events: ScalingEventView[];
  pods: PodView[];
  rollout?: { name: string; desired: number; updated: number; ready: number; available: number; done: boolean; failed?: string };
  lastEventMs?: number;
}

const MAX_EVENTS = 50;

export function initialScalingView(): ScalingView {
  return { known: false, events: [], pods: [] };
}

export function reduceScaling(state: ScalingView, event: ReplicaEvent): ScalingView {
  const base: ScalingView = { ...state, known: true, lastEventMs: Math.max(state.lastEventMs ?? 0, event.timestampMs) };
  switch (event.kind) {
    case 'replicas': {
      const next: ScalingView = {
        ...base,
        desired: event.desired,
        ready: event.ready,
        current: event.current ?? base.current,
        minReplicas: event.minReplicas ?? base.minReplicas,
        maxReplicas: event.maxReplicas ?? base.maxReplicas,
      };
      // Derive the time to ready of pending scale-ups: the first moment ready reaches what was asked.
      if (next.events.some((e) => e.readyAfterMs === undefined && e.toReplicas > e.fromReplicas && event.ready >= e.toReplicas)) {
        next.events = next.events.map((e) =>
          e.readyAfterMs === undefined && e.toReplicas > e.fromReplicas && event.ready >= e.toReplicas && event.timestampMs >= e.timestampMs
            ? { ...e, readyAfterMs: event.timestampMs - e.timestampMs }
            : e,
        );
      }
      return next;
    }
    case 'metric':
      return { ...base, metric: { name: event.metric, current: event.current, target: event.target, unit: event.unit } };
    case 'scaling': {
      const view: ScalingEventView = { timestampMs: event.timestampMs, fromReplicas: event.fromReplicas, toReplicas: event.toReplicas };
      if (event.reason !== undefined) view.reason = event.reason;
      // A scale-down is ready at once: nothing has to start.
      if (event.toReplicas <= event.fromReplicas) view.readyAfterMs = 0;
      const events = [...base.events, view].slice(-MAX_EVENTS);
      return { ...base, events, desired: event.toReplicas };
    }
    case 'scaled-ready':
      return {
        ...base,
        events: base.events.map((e) => (e.timestampMs === event.scalingTimestampMs ? { ...e, readyAfterMs: event.readyAfterMs } : e)),
      };
    case 'pod': {
      const others = base.pods.filter((p) => p.name !== event.name);
      if (event.deleted) return { ...base, pods: others };
      const prev = base.pods.find((p) => p.name === event.name);
      const pod: PodView = {
        name: event.name,
        phase: event.phase,
        updated: event.updated ?? prev?.updated ?? true,
        restarts: event.restarts ?? prev?.restarts ?? 0,
        sinceMs: prev && prev.phase === event.phase ? prev.sinceMs : event.timestampMs,
      };
      if (event.message !== undefined) pod.message = event.message;
      const pods = [...others, pod].sort((a, b) => a.name.localeCompare(b.name));
      return { ...base, pods };
    }
    case 'rollout': {
      const rollout: NonNullable<ScalingView['rollout']> = {
        name: event.name,
        desired: event.desired,
        updated: event.updated,
        ready: event.ready,
        available: event.available,
        done: event.done,
      };
      if (event.failed !== undefined) rollout.failed = event.failed;
      return { ...base, rollout, desired: base.desired ?? event.desired, ready: event.ready };
    }
  }
}

/** Scale-up lag: the slowest completed scale-up, and how many are still waiting for ready replicas. */
export function scaleUpLag(view: ScalingView): { worstMs: number | undefined; pending: number } {
  let worstMs: number | undefined;
  let pending = 0;
  for (const e of view.events) {
    if (e.toReplicas <= e.fromReplicas) continue;
    if (e.readyAfterMs === undefined) pending++;
    else worstMs = Math.max(worstMs ?? 0, e.readyAfterMs);
  }
  return { worstMs, pending };
}
