/**
 * Which autoscaler settings a replay runs: the TuneResult's recommendation, the spec's current scaling, a
 * static fleet, or a JSON file with a setting (the shape of a TuneResult's `simulation.candidates[].settings`).
 * Pure: the file's text comes in.
 */
import { badInput } from '../errors.js';
import { settingsFrom, type ScalingSettings } from '../tune/prove.js';
import type { RecommendedSettings } from '../tune/read-result.js';
import type { MetricKind } from '../tune/recommend.js';

export type ReplaySettings = ScalingSettings & { metric: MetricKind };

const SETTINGS_HINT = 'Use --settings recommended (the TuneResult of --from), current (the spec\'s scaling), static:N (N replicas, no scaling) or a JSON file.';

export function recommendedSettings(rec: RecommendedSettings): ReplaySettings {
  return { ...settingsFrom(rec), metric: rec.metric.kind };
}

/** N replicas that never change: min = max = N, on any metric (it is never acted on). */
export function staticSettings(replicas: number, metric: MetricKind, target: number): ReplaySettings {
  const hold = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 15 }] };
  return { metric, minReplicas: replicas, maxReplicas: replicas, target, scaleUp: hold, scaleDown: hold };
}

/** Replicas a static fleet needs to carry the peak at the measured capacity per replica. */
export function staticFleetFor(peakPerSecond: number, capacityPerSecond: number): number {
  return Math.max(1, Math.ceil(peakPerSecond / capacityPerSecond - 1e-9));
}

const METRICS: MetricKind[] = ['concurrency', 'rps', 'cpu'];

/** A settings file: {metric, target, minReplicas, maxReplicas, scaleUp?, scaleDown?}. */
export function parseSettingsFile(text: string, source: string): ReplaySettings {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw badInput(`${source} is not JSON: ${(error as Error).message}`, { where: source, hint: SETTINGS_HINT });
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  const num = (key: string, whole: boolean): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (whole && !Number.isInteger(v))) {
      throw badInput(`"${key}" must be ${whole ? 'a whole number ≥ 1' : 'a number above 0'} (got ${JSON.stringify(v)})`, {
        where: `${source} ${key}`,
        hint: 'Write e.g. {"metric": "rps", "target": 50, "minReplicas": 2, "maxReplicas": 8}.',
      });
    }
    return v;
  };
  const metric = o.metric as MetricKind;
  if (!METRICS.includes(metric)) {
    throw badInput(`"metric" must be one of ${METRICS.join(', ')} (got ${JSON.stringify(o.metric)})`, { where: `${source} metric`, hint: 'The local runtime scales on concurrency, rps or cpu.' });
  }
  const minReplicas = num('minReplicas', true);
  const maxReplicas = num('maxReplicas', true);
  if (maxReplicas < minReplicas) throw badInput(`maxReplicas ${maxReplicas} is below minReplicas ${minReplicas}`, { where: `${source} maxReplicas` });
  const rules = (key: 'scaleUp' | 'scaleDown', fallback: ScalingSettings['scaleUp']) => {
    const r = o[key] as ScalingSettings['scaleUp'] | undefined;
    if (r === undefined) return fallback;
    if (typeof r.stabilizationWindowSeconds !== 'number' || !Array.isArray(r.policies)) {
      throw badInput(`"${key}" needs stabilizationWindowSeconds and policies`, { where: `${source} ${key}`, hint: 'Write e.g. {"stabilizationWindowSeconds": 0, "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}.' });
    }
    return r;
  };
  return {
    metric,
    target: num('target', false),
    minReplicas,
    maxReplicas,
    // Kubernetes' defaults when a direction is not given.
    scaleUp: rules('scaleUp', { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }),
    scaleDown: rules('scaleDown', { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }),
  };
}

export function parseStaticChoice(choice: string): number | null {
  const m = /^static:(\d+)$/.exec(choice);
  if (!m) return null;
  const n = Number(m[1]);
  if (!(n >= 1)) throw badInput(`${choice}: a static fleet needs at least 1 replica`, { where: '--settings', hint: SETTINGS_HINT });
  return n;
}

export { SETTINGS_HINT };
