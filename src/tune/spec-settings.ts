/** What the spec itself says about autoscaling: its expected traffic and its current scaling settings, in the
 *  shapes tune, replay and the check compare against. Pure. */
import type { ModelSpec } from '../spec/types.js';
import type { ScalingSettings } from './prove.js';
import type { TrafficShape } from './recommend.js';
import type { Sourced } from './types.js';

export function trafficFromSpec(spec: ModelSpec | null): Sourced<TrafficShape> | null {
  if (!spec?.traffic) return null;
  const t = spec.traffic;
  return {
    value: { baselinePerSecond: t.baselinePerSecond, peakPerSecond: t.peakPerSecond, rampSeconds: t.rampMs / 1000 },
    source: 'spec',
    note: `traffic: baseline ${t.baselinePerSecond}/s, peak ${t.peakPerSecond}/s, ramp ${t.rampMs / 1000} s`,
  };
}

/** The spec's current settings, on their own metric (the simulator drives concurrency, rps or cpu). */
export function currentFromSpec(spec: ModelSpec | null): ScalingSettings | null {
  const type = spec?.scaling.metric.type;
  if (!spec || (type !== 'concurrency' && type !== 'rps' && type !== 'cpu')) return null;
  const s = spec.scaling;
  const rules = (r: { stabilizationMs?: number; policies?: Array<{ type: 'Pods' | 'Percent'; value: number; periodMs: number }> } | undefined, up: boolean) => ({
    stabilizationWindowSeconds: (r?.stabilizationMs ?? (up ? 0 : 300_000)) / 1000,
    policies: (r?.policies ?? (up ? [{ type: 'Pods' as const, value: 4, periodMs: 15_000 }, { type: 'Percent' as const, value: 100, periodMs: 15_000 }] : [{ type: 'Percent' as const, value: 100, periodMs: 15_000 }])).map((p) => ({
      type: p.type,
      value: p.value,
      periodSeconds: p.periodMs / 1000,
    })),
  });
  return { metric: type, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, target: s.metric.target, scaleUp: rules(s.behavior?.scaleUp, true), scaleDown: rules(s.behavior?.scaleDown, false) };
}
