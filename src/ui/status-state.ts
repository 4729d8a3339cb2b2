/**
 * View state of `mdl deploy --wait` and `mdl status --watch`: the scaling view plus a history of
 * desired/ready replicas, one point per `replicas` event, for a chart. Pure.
 */
import type { ReplicaEvent } from '../load/replica-events.js';
import { initialScalingView, reduceScaling, type ScalingView } from './scaling-state.js';

export const MAX_HISTORY = 600;

export interface WatchViewState {
  /** What is watched: "deployment/sentiment in ml-prod" or "mdl dev sentiment". */
  title: string;
  scaling: ScalingView;
  history: { desired: number[]; ready: number[] };
  startedAtMs: number | undefined;
  phase: 'watching' | 'done';
  /** Set by the command when the watch ends: "rolled out in 42 s", "rollout failed: …". */
  outcome?: { ok: boolean; message: string };
}

export type WatchViewEvent = { type: 'replica'; event: ReplicaEvent } | { type: 'done'; ok: boolean; message: string };

export function initialWatchView(title: string): WatchViewState {
  return { title, scaling: initialScalingView(), history: { desired: [], ready: [] }, startedAtMs: undefined, phase: 'watching' };
}

export function reduceWatchView(state: WatchViewState, e: WatchViewEvent): WatchViewState {
  if (e.type === 'done') return { ...state, phase: 'done', outcome: { ok: e.ok, message: e.message } };
  const scaling = reduceScaling(state.scaling, e.event);
  const next: WatchViewState = { ...state, scaling, startedAtMs: state.startedAtMs ?? e.event.timestampMs };
  if (e.event.kind === 'replicas') {
    const push = (xs: number[], v: number) => (xs.length >= MAX_HISTORY ? [...xs.slice(1), v] : [...xs, v]);
    next.history = { desired: push(state.history.desired, e.event.desired), ready: push(state.history.ready, e.event.ready) };
  }
  return next;
}

/** One plain line for CI logs; the controller prints it when it changes. */
export function formatWatchLine(state: WatchViewState): string {
  const s = state.scaling;
  const parts = [state.title];
  if (s.rollout) {
    const r = s.rollout;
    parts.push(`rollout ${r.updated}/${r.desired} updated, ${r.ready}/${r.desired} ready, ${r.available} available${r.done ? ' (done)' : ''}${r.failed ? ` (failed: ${r.failed})` : ''}`);
  }
  if (s.desired !== undefined || s.ready !== undefined) parts.push(`replicas ${s.ready ?? '?'}/${s.desired ?? '?'}`);
  if (s.metric) parts.push(`${s.metric.name} ${s.metric.current === null ? '<unknown>' : round(s.metric.current)}${s.metric.unit} / ${round(s.metric.target)}${s.metric.unit}`);
  const waiting = s.pods.filter((p) => p.phase !== 'ready' && p.message).map((p) => `${p.name}: ${p.message}`);
  if (waiting.length) parts.push(waiting.slice(0, 3).join('; '));
  if (state.outcome) parts.push(state.outcome.message);
  return parts.join(' | ');
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
