/**
 * The live view of `mdl tune`: the search's progress (folded by src/tune/progress.ts) plus what the panel
 * needs around it, and the mapping to the capacity-search panel's props. Pure: no React, no clock.
 */
import { initialProgress, reduceProgress, type SearchProgress } from '../tune/progress.js';
import type { TuneEvent } from '../tune/run-tune.js';
import type { SearchAxis, Slo } from '../tune/types.js';
import type { LoadProtocol, LoadSnapshot } from '../load/types.js';
import type { CapacitySearchPanelProps, CapacityStep } from './components/capacity-search-panel.js';
import { initialLoadView, reduceLoadView, type LoadViewState } from './load-state.js';

export interface TuneViewConfig {
  axis: SearchAxis;
  slo: Slo;
  /** Windows a step may take at most; the "measuring" bar's full length. */
  maxWindows: number;
  /** The target, for the live load panels of the step being measured. */
  url?: string;
  protocol?: LoadProtocol;
}

export interface TuneViewState {
  config: TuneViewConfig;
  progress: SearchProgress;
  /** running → stopping (q / Ctrl+C) → done. */
  phase: 'running' | 'stopping' | 'done';
  /** The load engine's view of the step being measured (its per-second snapshots); null between steps. */
  load: LoadViewState | null;
}

export type TuneViewEvent = { type: 'tune'; event: TuneEvent } | { type: 'snapshot'; snapshot: LoadSnapshot } | { type: 'stopping' } | { type: 'done' };

export function initialTuneView(config: TuneViewConfig): TuneViewState {
  return { config, progress: initialProgress, phase: 'running', load: null };
}

export function reduceTuneView(state: TuneViewState, e: TuneViewEvent): TuneViewState {
  switch (e.type) {
    case 'tune': {
      const progress = reduceProgress(state.progress, e.event);
      const load = e.event.type === 'step-start' ? initialLoadView(stepLoadConfig(state.config, e.event.level)) : progress.current ? state.load : null;
      return { ...state, progress, load };
    }
    case 'snapshot':
      return state.load ? { ...state, load: reduceLoadView(state.load, { type: 'snapshot', snapshot: e.snapshot }) } : state;
    case 'stopping':
      return state.phase === 'running' ? { ...state, phase: 'stopping' } : state;
    case 'done':
      return { ...state, phase: 'done' };
  }
}

function stepLoadConfig(config: TuneViewConfig, level: number) {
  return {
    url: config.url ?? '',
    protocol: config.protocol ?? 'http',
    mode:
      config.axis === 'rate'
        ? { kind: 'rate' as const, ratePerSecond: level, arrival: 'constant' as const }
        : { kind: 'concurrency' as const, concurrency: Math.max(1, Math.round(level)) },
    sloLatencyMs: config.slo.latencyMs,
    sloLabel: config.slo.percentile,
  };
}

const pct = (slo: Slo) => slo.percentile;

export function sloText(slo: Slo): string {
  return `${pct(slo)} < ${slo.latencyMs} ms, errors ≤ ${Number((slo.errorRate * 100).toFixed(2))}%`;
}

/** The capacity-search panel's props from the view state (width is the caller's). */
export function capacityPanelProps(state: TuneViewState): Omit<CapacitySearchPanelProps, 'width'> {
  const { progress, config } = state;
  const key = (['p50', 'p90', 'p95', 'p99'] as const).find((k) => k === config.slo.percentile) ?? 'p95';
  const steps: CapacityStep[] = progress.steps.map((p) => {
    // A step without answers has no latency to show, only a placeholder the search uses.
    const latencyMs = p.answered === 0 ? undefined : p.latencyMs[key];
    const note = p.passed
      ? undefined
      : p.errorRate > config.slo.errorRate
        ? `errors ${(p.errorRate * 100).toFixed(1)}% > ${(config.slo.errorRate * 100).toFixed(1)}%`
        : latencyMs === undefined
          ? 'no answers'
          : latencyMs > config.slo.latencyMs
            ? `${key} ${Math.round(latencyMs)} ms > ${config.slo.latencyMs} ms`
            : p.ended;
    return { level: p.level, completedPerSecond: p.completedPerSecond, ...(latencyMs !== undefined ? { latencyMs } : {}), errorRate: p.errorRate, passed: p.passed, ...(note ? { note } : {}) };
  });
  const b = progress.bracket;
  const bracket = b.lo !== null || b.hi !== null ? { ...(b.lo !== null ? { passing: b.lo } : {}), ...(b.hi !== null ? { failing: b.hi } : {}) } : undefined;
  const cur = progress.current;
  return {
    unit: config.axis === 'rate' ? 'rps' : 'concurrency',
    slo: sloText(config.slo),
    steps,
    ...(bracket ? { bracket } : {}),
    ...(cur ? { current: { level: cur.level, fraction: Math.min(1, cur.windows.length / Math.max(1, config.maxWindows)) } } : {}),
  };
}

/** Lines under the panel: the phase, then the newest window of the running step and the capacity estimate. */
export function tuneStatusLines(state: TuneViewState): string[] {
  const { progress } = state;
  const lines: string[] = [];
  if (progress.message) lines.push(progress.message);
  const parts: string[] = [];
  const w = progress.current?.windows.at(-1);
  if (progress.current && w) {
    const key = (['p50', 'p90', 'p95', 'p99'] as const).find((k) => k === state.config.slo.percentile) ?? 'p95';
    const latency = w.completed > 0 ? `${key} ${w.latencyMs[key].toFixed(1)} ms` : 'no answers';
    parts.push(`window ${progress.current.windows.length}: ${w.completedPerSecond.toFixed(1)}/s, ${latency}, ${w.failed} failed`);
  }
  const probe = progress.probe;
  if (probe && !probe.result) parts.push(`measuring saturation: closed loop at ${probe.concurrency} in flight`);
  else if (probe?.result?.saturated) parts.push(`saturation ${probe.result.completedPerSecond.toFixed(1)}/s`);
  if (progress.capacityEstimate !== null) parts.push(`capacity estimate ${progress.capacityEstimate}${state.config.axis === 'rate' ? '/s' : ' in flight'}`);
  if (parts.length > 0) lines.push(parts.join(' · '));
  return lines;
}
