/**
 * `mdl tune --check`: a regression gate that sends no load. The spec's CURRENT scaling settings are
 * simulated on the capacity curve a past `mdl tune --json` measured, over the spec's traffic, and judged by
 * the SLO budget tune's own selection uses (sloBudgetSeconds and keepsSlo in ./prove.ts). Pure: the
 * simulator is injected; the TuneResult is read by ./read-result.ts.
 */
import { keepsSlo, sloBudgetSeconds, type ScalingSettings, type SimulateFn, type SimulationSummary } from './prove.js';
import type { MetricKind, TrafficShape } from './recommend.js';
import type { SearchAxis, Slo, Sourced } from './types.js';

export interface TuneCheckVerdict {
  passed: boolean;
  budgetSeconds: number;
  simulation: Omit<SimulationSummary, 'series'>;
}

/** The current settings on the simulator, judged by tune's SLO budget. */
export function judgeSettings(settings: ScalingSettings, simulate: SimulateFn): TuneCheckVerdict {
  const { series: _series, ...simulation } = simulate(settings);
  const budgetSeconds = sloBudgetSeconds(simulation.durationSeconds);
  return { passed: keepsSlo(simulation, budgetSeconds), budgetSeconds, simulation };
}

/** `mdl tune --check --json`: the verdict and every input it rests on, with where each came from. */
export interface TuneCheckResult {
  kind: 'tune-check';
  passed: boolean;
  /** The TuneResult file and what it measured. */
  from: { file: string; startedAt: string; url: string; axis: SearchAxis; capacityPerSecond: number | null };
  settings: ScalingSettings & { metric: MetricKind; source: string };
  slo: Slo & { source: string };
  traffic: TrafficShape & { source: string };
  coldStartMs: Sourced<number>;
  budgetSeconds: number;
  simulation: Omit<SimulationSummary, 'series'>;
  /** One sentence: why it passed or failed. */
  reason: string;
}

export function checkReason(v: TuneCheckVerdict, slo: Slo): string {
  const over = Math.round(v.simulation.secondsOverSlo);
  const budget = Math.round(v.budgetSeconds);
  const minutes = Math.round(v.simulation.durationSeconds / 60);
  const sloText = `${slo.percentile} < ${slo.latencyMs} ms`;
  return v.passed
    ? `the current settings keep ${sloText}: ${over} s over it in ${minutes} min of the spec's traffic, within the ${budget} s budget`
    : `the current settings no longer keep ${sloText}: ${over} s over it in ${minutes} min of the spec's traffic, above the ${budget} s budget (peak ${v.simulation.peakReplicas} replicas)`;
}

/** The check as text (stderr): the verdict, then its inputs. */
export function formatTuneCheck(r: TuneCheckResult): string {
  const s = r.settings;
  const cap = r.from.capacityPerSecond === null ? 'no capacity found' : `${Math.round(r.from.capacityPerSecond * 10) / 10}/s per replica`;
  return [
    `tune --check: ${r.passed ? 'PASS' : 'FAIL'}: ${r.reason}.`,
    `  settings   ${s.metric} target ${s.target}, ${s.minReplicas}–${s.maxReplicas} replicas (${s.source})`,
    `  capacity   ${cap} on ${r.from.axis}, measured ${r.from.startedAt} at ${r.from.url} (${r.from.file})`,
    `  cold start ${Math.round(r.coldStartMs.value / 1000)} s (${r.coldStartMs.source}: ${r.coldStartMs.note})`,
    `  traffic    ${r.traffic.baselinePerSecond}/s → ${r.traffic.peakPerSecond}/s, ramp ${r.traffic.rampSeconds} s (${r.traffic.source})`,
    `  simulated  ${Math.round(r.simulation.secondsOverSlo)} s over ${r.slo.percentile} < ${r.slo.latencyMs} ms (${r.slo.source}), budget ${Math.round(r.budgetSeconds)} s; ` +
      `${r.simulation.replicaHours.toFixed(2)} replica-hours, peak ${r.simulation.peakReplicas} replicas`,
  ].join('\n');
}
