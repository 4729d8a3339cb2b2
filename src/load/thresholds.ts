/**
 * Thresholds: "p95<300ms", "error_rate<1%", "ttft_p99<2s", "rps>=100". Parsing and evaluation are pure;
 * evaluation reads a finished LoadResult. Each outcome carries the observed value, so a report can say
 * by how much a threshold passed or failed.
 */
import { parseDurationMs, parsePercent, parseRatePerSecond, UnitError } from '../units.js';
import type { GoodputLimits } from './recorder.js';
import type { LatencySummary, LoadResult, ThresholdOutcome } from './types.js';

export type Operator = '<' | '<=' | '>' | '>=';

export interface Threshold {
  expression: string;
  metric: string;
  operator: Operator;
  limit: number;
  unit: ThresholdOutcome['unit'];
  source: ThresholdOutcome['source'];
}

const PERCENTILE_KEYS: Record<string, keyof LatencySummary> = {
  p50: 'p50', p90: 'p90', p95: 'p95', p99: 'p99', p999: 'p999', 'p99.9': 'p999',
  avg: 'mean', mean: 'mean', min: 'min', max: 'max', med: 'p50',
};
const LATENCY_FAMILIES = ['latency', 'service', 'ttft', 'itl', 'tpot'] as const;
const RATIO_METRICS = new Set(['error_rate', 'drop_rate']);
const RATE_METRICS = new Set(['rps', 'throughput', 'goodput', 'output_tokens_per_second']);

export const THRESHOLD_EXPECTED =
  'metric<value such as p95<300ms, error_rate<1%, ttft_p99<2s, tpot_p95<50ms, rps>=100 or goodput>10';

/** Normalises a latency metric name: "p95" → "latency_p95"; "ttft_p99" stays. Undefined if not latency. */
function latencyMetric(name: string): { family: (typeof LATENCY_FAMILIES)[number]; key: keyof LatencySummary } | undefined {
  const parts = name.split('_');
  if (parts.length === 1) {
    const key = PERCENTILE_KEYS[parts[0]!];
    return key ? { family: 'latency', key } : undefined;
  }
  if (parts.length === 2) {
    const family = LATENCY_FAMILIES.find((f) => f === parts[0]);
    const key = PERCENTILE_KEYS[parts[1]!];
    return family && key ? { family, key } : undefined;
  }
  return undefined;
}

export function parseThreshold(input: string, source: ThresholdOutcome['source'] = 'flag'): Threshold {
  const expression = input.trim();
  const m = /^([a-z][a-z0-9_.]*)\s*(<=|>=|<|>)\s*(.+)$/i.exec(expression);
  if (!m) throw new UnitError(`"${input}" is not a threshold`, THRESHOLD_EXPECTED);
  const metric = m[1]!.toLowerCase();
  const operator = m[2] as Operator;
  const valueText = m[3]!.trim();
  if (latencyMetric(metric)) {
    return { expression, metric, operator, limit: parseDurationMs(valueText), unit: 'ms', source };
  }
  if (RATIO_METRICS.has(metric)) {
    const limit = valueText.endsWith('%') ? parsePercent(valueText) : Number(valueText);
    if (!Number.isFinite(limit) || limit < 0 || limit > 1) {
      throw new UnitError(`"${valueText}" is not a ratio`, 'a percentage such as 1% or a fraction such as 0.01');
    }
    return { expression, metric, operator, limit, unit: 'ratio', source };
  }
  if (RATE_METRICS.has(metric)) {
    return { expression, metric, operator, limit: parseRatePerSecond(valueText.replace(/tok\/s$|tokens\/s$/, '/s')), unit: 'perSecond', source };
  }
  throw new UnitError(`unknown threshold metric "${metric}"`, THRESHOLD_EXPECTED);
}

/** The spec's slo section ({p95: 300ms, errorRate: 1%, ttftP99: 2s}) as thresholds. */
export function sloToThresholds(slo: Record<string, unknown> | undefined): Threshold[] {
  if (!slo) return [];
  const out: Threshold[] = [];
  for (const [key, value] of Object.entries(slo)) {
    if (value === undefined || value === null) continue;
    const metric = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const text = typeof value === 'number' ? (metric.endsWith('rate') ? `${value}` : `${value}ms`) : String(value);
    const operator = RATE_METRICS.has(metric) ? '>=' : '<=';
    const t = parseThreshold(`${metric}${operator}${text}`, 'spec');
    out.push({ ...t, expression: `${key}: ${String(value)}` });
  }
  return out;
}

/** Per-request limits for goodput: the latency-type thresholds that apply to a single request. */
export function goodputLimits(thresholds: Threshold[]): GoodputLimits {
  const limits: GoodputLimits = {};
  for (const t of thresholds) {
    if (t.unit !== 'ms' || (t.operator !== '<' && t.operator !== '<=')) continue;
    const lm = latencyMetric(t.metric);
    if (!lm) continue;
    const field = lm.family === 'latency' ? 'latencyMs' : lm.family === 'ttft' ? 'ttftMs' : lm.family === 'tpot' ? 'tpotMs' : undefined;
    if (field) limits[field] = Math.min(limits[field] ?? Infinity, t.limit);
  }
  return limits;
}

export function observedValue(metric: string, result: LoadResult): number | null {
  const lm = latencyMetric(metric);
  if (lm) {
    const summary =
      lm.family === 'latency' ? result.latencyMs
      : lm.family === 'service' ? result.serviceTimeMs
      : lm.family === 'ttft' ? result.llm?.ttftMs
      : lm.family === 'itl' ? result.llm?.itlMs
      : result.llm?.tpotMs;
    if (!summary || summary.count === 0) return null;
    return summary[lm.key];
  }
  const { sent, completed, failed, dropped } = result.requests;
  switch (metric) {
    case 'error_rate':
      return completed + failed === 0 ? null : failed / (completed + failed);
    case 'drop_rate':
      return sent + dropped === 0 ? null : dropped / (sent + dropped);
    case 'rps':
    case 'throughput':
      // Completed, not sent: a server that times every request out must not pass rps>=N.
      return result.throughput.completedPerSecond;
    case 'goodput':
      return result.llm?.goodputPerSecond ?? null;
    case 'output_tokens_per_second':
      return result.llm?.outputTokensPerSecond ?? null;
    default:
      return null;
  }
}

function compare(observed: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
  }
}

/** A threshold with no observation (no requests completed) fails: nothing was shown to meet it. */
export function evaluateThresholds(thresholds: Threshold[], result: LoadResult): ThresholdOutcome[] {
  return thresholds.map((t) => {
    const observed = observedValue(t.metric, result);
    return {
      expression: t.expression,
      metric: t.metric,
      observed,
      limit: t.limit,
      unit: t.unit,
      passed: observed !== null && compare(observed, t.operator, t.limit),
      source: t.source,
    };
  });
}
