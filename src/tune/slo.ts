/**
 * The SLO tune keeps: one latency percentile and an error rate, from --slo flags ("p95<300ms",
 * "error_rate<1%", or both comma-separated) or else the spec's slo section.
 */
import { badInput } from '../errors.js';
import { parseThreshold } from '../load/thresholds.js';
import { UnitError } from '../units.js';
import type { PercentileName, Slo } from './types.js';

export const DEFAULT_ERROR_RATE = 0.01;
const PERCENTILES: PercentileName[] = ['p50', 'p90', 'p95', 'p99'];

export interface SpecSlo {
  latency: { p50Ms?: number; p90Ms?: number; p95Ms?: number; p99Ms?: number };
  errorRate?: number;
}

export function resolveSlo(flags: string[] | undefined, spec: SpecSlo | undefined): Slo & { source: 'flag' | 'spec' } {
  const parts = (flags ?? []).flatMap((f) => f.split(',')).map((s) => s.trim()).filter(Boolean);
  if (parts.length > 0) {
    let latency: { percentile: PercentileName; latencyMs: number } | undefined;
    let errorRate: number | undefined;
    for (const part of parts) {
      let t;
      try {
        t = parseThreshold(part, 'flag');
      } catch (error) {
        if (error instanceof UnitError) throw badInput(`--slo: ${error.message}`, { where: '--slo', hint: 'Write it as --slo "p95<300ms" or --slo "p95<300ms,error_rate<1%".' });
        throw error;
      }
      const metric = t.metric.replace(/^latency_/, '') as PercentileName;
      if (PERCENTILES.includes(metric) && t.operator.startsWith('<')) {
        if (latency) throw badInput('--slo names more than one latency percentile', { where: '--slo', hint: 'tune keeps one percentile: pick the one your users feel, usually p95 or p99.' });
        latency = { percentile: metric, latencyMs: t.limit };
      } else if (t.metric === 'error_rate' && t.operator.startsWith('<')) {
        errorRate = t.limit;
      } else {
        throw badInput(`--slo "${part}" is not a latency percentile or error-rate limit`, { where: '--slo', hint: 'Use p50/p90/p95/p99<duration and error_rate<percent.' });
      }
    }
    if (!latency) throw badInput('--slo has no latency percentile', { where: '--slo', hint: 'Add one, e.g. --slo "p95<300ms".' });
    return { ...latency, errorRate: errorRate ?? spec?.errorRate ?? DEFAULT_ERROR_RATE, source: 'flag' };
  }
  if (spec) {
    // The spec may list several percentiles; the tightest relative to its typical spread wins — in
    // practice, the highest percentile given, which is the one a server breaks first under load.
    for (const p of ['p99', 'p95', 'p90', 'p50'] as const) {
      const ms = spec.latency[`${p}Ms`];
      if (ms !== undefined) return { percentile: p, latencyMs: ms, errorRate: spec.errorRate ?? DEFAULT_ERROR_RATE, source: 'spec' };
    }
  }
  throw badInput('no SLO to tune for', { where: '--slo', hint: 'Pass --slo "p95<300ms" or set slo: { p95: 300ms } in the spec.' });
}
