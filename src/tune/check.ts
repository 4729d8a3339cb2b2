/**
 * `mdl tune --check`: a regression gate that sends no load. The spec's CURRENT scaling settings are
 * simulated on the capacity curve a past `mdl tune --json` measured, over the spec's traffic, and judged by
 * the SLO budget tune's own selection uses (sloBudgetSeconds and keepsSlo in ./prove.ts). Pure: the
 * simulator is injected, the TuneResult is a parsed JSON value.
 */
import { badInput } from '../errors.js';
import { keepsSlo, sloBudgetSeconds, type ScalingSettings, type SimulateFn, type SimulationSummary } from './prove.js';
import type { MetricKind, TrafficShape } from './recommend.js';
import { TUNE_RESULT_SCHEMA_VERSION, type TuneResult } from './result.js';
import type { CapacityPoint, SearchAxis, Slo, Sourced } from './types.js';

/** What the check needs from a TuneResult: the measured curve, its axis and the cold start. */
export interface MeasuredCapacity {
  axis: SearchAxis;
  curve: CapacityPoint[];
  coldStartMs: Sourced<number> | null;
  capacityPerSecond: number | null;
  startedAt: string;
  targetUrl: string;
  runtime: string;
  slo: Slo;
}

/**
 * The parts of a TuneResult the check uses, validated: a clear exit-2 error naming the file and the key
 * when the document is not a TuneResult this mdl can read.
 */
export function measuredCapacity(doc: unknown, file: string): MeasuredCapacity {
  const bad = (what: string, where: string) =>
    badInput(`${file} is not a TuneResult mdl can check against: ${what}`, {
      where: `${file} ${where}`.trim(),
      hint: 'Give the JSON that mdl tune --json printed (mdl tune --local --json > tune-result.json).',
    });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('it is not a JSON object', '');
  const d = doc as Partial<Record<keyof TuneResult, unknown>>;
  if (d.schemaVersion !== TUNE_RESULT_SCHEMA_VERSION) {
    throw bad(`schemaVersion is ${JSON.stringify(d.schemaVersion)}, not ${TUNE_RESULT_SCHEMA_VERSION}`, 'schemaVersion');
  }
  const search = d.search as Partial<TuneResult['search']> | undefined;
  if (!search || !Array.isArray(search.curve)) throw bad('it has no search.curve', 'search.curve');
  const axis = search.axis;
  if (axis !== 'concurrency' && axis !== 'rate') throw bad(`search.axis is ${JSON.stringify(axis)}`, 'search.axis');
  search.curve.forEach((p: Partial<CapacityPoint>, i) => {
    if (typeof p?.level !== 'number' || typeof p.latencyMs !== 'object' || p.latencyMs === null || typeof p.achievedPerSecond !== 'number') {
      throw bad(`step ${i} lacks level, latencyMs or achievedPerSecond`, `search.curve[${i}]`);
    }
  });
  const slo = d.slo as Partial<Slo> | undefined;
  if (!slo || typeof slo.latencyMs !== 'number' || typeof slo.percentile !== 'string') throw bad('it has no slo', 'slo');
  const cold = d.coldStartMs as Partial<Sourced<number>> | null | undefined;
  if (cold !== null && cold !== undefined && typeof cold.value !== 'number') throw bad('coldStartMs.value is not a number', 'coldStartMs');
  const target = d.target as Partial<TuneResult['target']> | undefined;
  return {
    axis,
    curve: search.curve as CapacityPoint[],
    coldStartMs: (cold as Sourced<number> | null | undefined) ?? null,
    capacityPerSecond: typeof search.capacityPerSecond === 'number' ? search.capacityPerSecond : null,
    startedAt: typeof d.startedAt === 'string' ? d.startedAt : 'unknown',
    targetUrl: typeof target?.url === 'string' ? target.url : 'unknown',
    runtime: typeof target?.runtime === 'string' ? target.runtime : 'http',
    slo: slo as Slo,
  };
}

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
