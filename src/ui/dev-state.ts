/**
 * View state of `mdl dev`: the watch view (replicas over time, the autoscaler's metric, scaling events with
 * their time to ready, each replica) plus traffic through the balancer and the replicas' last output lines.
 * Pure: the controller maps runtime events to these events; no Ink, no clock.
 */
import type { ReplicaEvent } from '../load/replica-events.js';
import type { LocalRuntimeStatus } from '../local/status.js';
import { initialWatchView, MAX_HISTORY, reduceWatchView, type WatchViewState } from './status-state.js';

export interface DevTraffic {
  ratePerSecond: number;
  inFlight: number;
  queued: number;
  requestsTotal: number;
  errorsTotal: number;
  /** The slowest replica's p50/p95 (the balancer keeps them per replica); undefined before any request. */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
}

export interface DevViewState {
  watch: WatchViewState;
  url: string | undefined;
  traffic: DevTraffic | undefined;
  /** Requests per second, one point per status event, on the same axis as the replicas chart. */
  rateHistory: number[];
  /** The replicas' newest output lines, "[replica-1] …", newest last. */
  output: string[];
  phase: 'starting' | 'running' | 'stopping' | 'stopped';
}

export type DevViewEvent =
  | { type: 'replica'; event: ReplicaEvent }
  | { type: 'traffic'; traffic: DevTraffic }
  | { type: 'output'; line: string }
  | { type: 'url'; url: string }
  | { type: 'stopping' }
  | { type: 'stopped' };

export const MAX_OUTPUT_LINES = 4;

export function initialDevView(title: string): DevViewState {
  return { watch: initialWatchView(title), url: undefined, traffic: undefined, rateHistory: [], output: [], phase: 'starting' };
}

export function reduceDevView(state: DevViewState, e: DevViewEvent): DevViewState {
  switch (e.type) {
    case 'replica':
      return { ...state, watch: reduceWatchView(state.watch, { type: 'replica', event: e.event }) };
    case 'traffic': {
      const rateHistory = state.rateHistory.length >= MAX_HISTORY ? [...state.rateHistory.slice(1), e.traffic.ratePerSecond] : [...state.rateHistory, e.traffic.ratePerSecond];
      return { ...state, traffic: e.traffic, rateHistory };
    }
    case 'output':
      return { ...state, output: [...state.output, e.line].slice(-MAX_OUTPUT_LINES) };
    case 'url':
      return { ...state, url: e.url, phase: state.phase === 'starting' ? 'running' : state.phase };
    case 'stopping':
      return state.phase === 'stopped' ? state : { ...state, phase: 'stopping' };
    case 'stopped':
      return { ...state, phase: 'stopped' };
  }
}

/** Traffic through the balancer from the runtime's status: totals, and the slowest replica's latency. */
export function trafficFromStatus(s: LocalRuntimeStatus): DevTraffic {
  const withLatency = s.replicas.filter((r) => r.latency !== undefined);
  return {
    ratePerSecond: s.totals.ratePerSecond,
    inFlight: s.totals.inFlight,
    queued: s.totals.queued,
    requestsTotal: s.totals.requestsTotal,
    errorsTotal: s.totals.errorsTotal,
    p50Ms: withLatency.length ? Math.max(...withLatency.map((r) => r.latency!.p50Ms)) : undefined,
    p95Ms: withLatency.length ? Math.max(...withLatency.map((r) => r.latency!.p95Ms)) : undefined,
  };
}
