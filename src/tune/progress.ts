/**
 * The search's progress as plain state, folded from its events: what a live view (the dashboard, the plain
 * reporter) shows — steps tried, the bracket, the current level and its windows, the capacity estimate.
 * Pure: reduce(state, event) → state.
 */
import type { TuneEvent } from './run-tune.js';
import type { CapacityPoint, SaturationProbe, WindowResult } from './types.js';

export interface SearchProgress {
  phase: 'search' | 'cold-start' | 'recommend' | 'simulate' | 'done';
  message: string;
  steps: CapacityPoint[];
  bracket: { lo: number | null; hi: number | null };
  current: { level: number; phase: CapacityPoint['phase']; estimate: number | null; windows: WindowResult[] } | null;
  /** The best level passed so far. */
  capacityEstimate: number | null;
  /** Open loop: the closed-loop saturation probe, while it runs (concurrency) and once done. */
  probe: { concurrency: number; result: SaturationProbe | null } | null;
}

export const initialProgress: SearchProgress = {
  phase: 'search',
  message: '',
  steps: [],
  bracket: { lo: null, hi: null },
  current: null,
  capacityEstimate: null,
  probe: null,
};

export function reduceProgress(state: SearchProgress, event: TuneEvent): SearchProgress {
  switch (event.type) {
    case 'phase':
      return { ...state, phase: event.phase, message: event.message };
    case 'step-start':
      return { ...state, bracket: event.bracket, current: { level: event.level, phase: event.phase, estimate: event.estimate, windows: [] } };
    case 'window':
      return state.current ? { ...state, current: { ...state.current, windows: [...state.current.windows, event.window] } } : state;
    case 'step-end':
      return { ...state, steps: [...state.steps, event.point], bracket: event.bracket, current: null, capacityEstimate: event.bracket.lo };
    case 'probe-start':
      return { ...state, current: null, probe: { concurrency: event.concurrency, result: null } };
    case 'probe-end':
      return { ...state, probe: { concurrency: event.probe.concurrency, result: event.probe } };
    case 'done':
      return { ...state, current: null, capacityEstimate: event.result.capacityLevel };
  }
}
