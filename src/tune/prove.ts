/**
 * Proving a recommendation: simulate the expected traffic with the recommended and the current settings,
 * and search the target space for the cheapest setting whose seconds over the SLO stay within budget.
 * The simulator is injected (src/autoscale provides it), so this is pure.
 */
import type { MetricKind, Recommendation, ScalingPolicy } from './recommend.js';

export interface ScalingSettings {
  /** The metric the target is in, when not the recommendation's (the spec's current settings). */
  metric?: MetricKind;
  minReplicas: number;
  maxReplicas: number;
  /** Per-replica target in the metric's unit. */
  target: number;
  scaleUp: { stabilizationWindowSeconds: number; policies: ScalingPolicy[] };
  scaleDown: { stabilizationWindowSeconds: number; policies: ScalingPolicy[] };
}

export interface SimulationPoint {
  second: number;
  trafficPerSecond: number;
  replicas: number;
  readyReplicas: number;
  latencyMs: number;
}

export interface SimulationSummary {
  durationSeconds: number;
  secondsOverSlo: number;
  replicaHours: number;
  peakReplicas: number;
  series: SimulationPoint[];
}

export type SimulateFn = (settings: ScalingSettings) => SimulationSummary;

export interface Candidate {
  settings: ScalingSettings;
  /** target ÷ capacity per replica. */
  targetFraction: number;
  summary: Omit<SimulationSummary, 'series'>;
  withinBudget: boolean;
}

export interface Proof {
  budgetSeconds: number;
  recommended: SimulationSummary;
  current: SimulationSummary | null;
  /** The cheapest candidate within budget (by replica-hours), or null if none was. */
  cheapest: Candidate | null;
  candidates: Candidate[];
}

export function settingsFrom(rec: Recommendation): ScalingSettings {
  return {
    minReplicas: rec.minReplicas.value,
    maxReplicas: rec.maxReplicas.value,
    target: rec.target.value,
    scaleUp: { stabilizationWindowSeconds: rec.behavior.scaleUp.stabilizationWindowSeconds.value, policies: rec.behavior.scaleUp.policies },
    scaleDown: { stabilizationWindowSeconds: rec.behavior.scaleDown.stabilizationWindowSeconds.value, policies: rec.behavior.scaleDown.policies },
  };
}

export interface ProveOptions {
  /** Seconds over the SLO allowed, as a share of the simulated time (default 0.5 %). */
  budgetFraction?: number;
  /** Target fractions of capacity to try. */
  fractions?: number[];
  integerTarget?: boolean;
}

export function prove(rec: Recommendation, current: ScalingSettings | null, simulate: SimulateFn, options: ProveOptions = {}): Proof {
  const base = settingsFrom(rec);
  const recommended = simulate(base);
  const budgetSeconds = (options.budgetFraction ?? 0.005) * recommended.durationSeconds;
  const capacity = rec.capacityPerReplica.value;
  const fractions = options.fractions ?? Array.from({ length: 15 }, (_, i) => 0.3 + i * 0.05);
  const seen = new Set<number>();
  const candidates: Candidate[] = [];
  for (const f of fractions) {
    const raw = capacity * f;
    const target = options.integerTarget ? Math.max(1, Math.floor(raw)) : Math.round(raw * 100) / 100;
    if (target <= 0 || seen.has(target)) continue;
    seen.add(target);
    // Replica bounds scale with the target so that a lower target is not capped by the recommended max.
    const scale = base.target / target;
    const settings: ScalingSettings = {
      ...base,
      target,
      minReplicas: Math.max(base.minReplicas, Math.ceil(base.minReplicas * scale * 0.999)),
      maxReplicas: Math.max(base.maxReplicas, Math.ceil(base.maxReplicas * scale)),
    };
    const { series: _series, ...summary } = simulate(settings);
    candidates.push({ settings, targetFraction: target / capacity, summary, withinBudget: summary.secondsOverSlo <= budgetSeconds });
  }
  const cheapest =
    candidates.filter((c) => c.withinBudget).sort((a, b) => a.summary.replicaHours - b.summary.replicaHours || b.settings.target - a.settings.target)[0] ?? null;
  return { budgetSeconds, recommended, current: current ? simulate(current) : null, cheapest, candidates };
}
