/**
 * Choosing the setting that is written: simulate the expected traffic for the derived setting (the
 * formula's, the starting point) and for candidates around it — target, minReplicas with a buffer for the
 * scale-up lag, and the scale-up policy — and pick the cheapest (replica-hours) whose seconds over the SLO
 * stay within budget. That one setting is what tune prints, reports and writes. The simulator is injected
 * (src/autoscale provides it), so this is pure.
 */
import { hpaMetricBlock, kedaTrigger, type MetricKind, type Recommendation, type ScalingPolicy } from './recommend.js';
import type { Sourced } from './types.js';

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
  /** What varied from the derived setting, in words ("derived", "target 55 %, min +3, fast scale-up"). */
  label: string;
  origin: 'derived' | 'search';
  /** target ÷ capacity per replica. */
  targetFraction: number;
  summary: Omit<SimulationSummary, 'series'>;
  withinBudget: boolean;
}

export interface Proof {
  budgetSeconds: number;
  /** True when the chosen setting stays within budget; false when no candidate did (chosen is then the best found). */
  passed: boolean;
  /** The one setting tune recommends and writes: the cheapest within budget, else the fewest seconds over the SLO. */
  chosen: Candidate;
  /** Why the chosen one won, in one sentence. */
  reason: string;
  /** The chosen setting's simulation, with its series (for charts). */
  recommended: SimulationSummary;
  /** The formula's setting (the search's starting point). */
  derived: Omit<SimulationSummary, 'series'>;
  current: SimulationSummary | null;
  /** Every candidate simulated, the derived one first. */
  candidates: Candidate[];
  /** The most replicas any candidate was allowed. */
  maxReplicasLimit: number | null;
}

export function settingsFrom(rec: Pick<Recommendation, 'target' | 'minReplicas' | 'maxReplicas' | 'behavior'>): ScalingSettings {
  return {
    minReplicas: rec.minReplicas.value,
    maxReplicas: rec.maxReplicas.value,
    target: rec.target.value,
    scaleUp: { stabilizationWindowSeconds: rec.behavior.scaleUp.stabilizationWindowSeconds.value, policies: rec.behavior.scaleUp.policies },
    scaleDown: { stabilizationWindowSeconds: rec.behavior.scaleDown.stabilizationWindowSeconds.value, policies: rec.behavior.scaleDown.policies },
  };
}

export interface ProveOptions {
  /** Seconds over the SLO allowed, as a share of the simulated time (default DEFAULT_BUDGET_FRACTION, 0.5 %). */
  budgetFraction?: number;
  /** Target fractions of capacity to try. */
  fractions?: number[];
  integerTarget?: boolean;
  /** Completions per second per replica at capacity (to size the lag buffer in replicas); default: capacity when the metric is rps. */
  capacityPerSecond?: number;
  /** No candidate gets more than this many replicas. */
  maxReplicasLimit?: number;
}

/** Seconds over the SLO allowed, as a share of the simulated time: tune's selection and `tune --check`. */
export const DEFAULT_BUDGET_FRACTION = 0.005;

/** The SLO budget of a simulation lasting `durationSeconds`: the seconds over the SLO a setting may have. */
export function sloBudgetSeconds(durationSeconds: number, budgetFraction = DEFAULT_BUDGET_FRACTION): number {
  return budgetFraction * durationSeconds;
}

/** Whether a simulated setting keeps the SLO: its seconds over the SLO stay within the budget. */
export function keepsSlo(summary: Pick<SimulationSummary, 'secondsOverSlo'>, budgetSeconds: number): boolean {
  return summary.secondsOverSlo <= budgetSeconds;
}

/**
 * The largest buffer tried on top of minReplicas, as a share of the replicas the ramp needs during one
 * scale-up lag. Every whole buffer up to it is tried: the cheapest passing minimum is often one replica
 * above the baseline's, which coarse shares of a large lag skip.
 */
const MAX_BUFFER_SHARE = 1.5;

export function prove(rec: Recommendation, current: ScalingSettings | null, simulate: SimulateFn, options: ProveOptions = {}): Proof {
  const base = settingsFrom(rec);
  const limit = options.maxReplicasLimit ?? null;
  const capacity = rec.capacityPerReplica.value;
  const perSecondAtCapacity = options.capacityPerSecond ?? capacity;
  const fractions = options.fractions ?? Array.from({ length: 15 }, (_, i) => 0.3 + i * 0.05);
  // The lag chain: traffic grows by growth × lag before a new replica serves. Replicas kept warm for that.
  const lagS = rec.headroom.scaleUpLagSeconds.value;
  const growth = rec.headroom.growthPerSecond.value;
  const fast: ScalingPolicy[] = [{ type: 'Percent', value: 900, periodSeconds: 15 }];
  const policies: Array<{ name: string; policies: ScalingPolicy[] }> = [
    { name: '', policies: base.scaleUp.policies },
    { name: ', scale-up ×10 per 15 s', policies: fast },
  ];

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const add = (settings: ScalingSettings, label: string, origin: Candidate['origin']): SimulationSummary | null => {
    const key = JSON.stringify(settings);
    if (seen.has(key)) return null;
    seen.add(key);
    const full = simulate(settings);
    const { series: _series, ...summary } = full;
    candidates.push({ settings, label, origin, targetFraction: settings.target / capacity, summary, withinBudget: false });
    return full;
  };
  const clampMax = (n: number) => (limit === null ? n : Math.min(limit, n));

  const derivedSettings = { ...base, maxReplicas: clampMax(base.maxReplicas), minReplicas: Math.min(base.minReplicas, clampMax(base.maxReplicas)) };
  const derivedSummary = add(derivedSettings, 'derived', 'derived')!;
  const budgetSeconds = sloBudgetSeconds(derivedSummary.durationSeconds, options.budgetFraction);

  // Above capacity × (1 − noise) the simulator would be trusting the measurement's noise to be in our favour.
  const highest = 1 - rec.headroom.noiseFraction.value + 1e-9;
  for (const f of fractions) {
    if (f > highest) continue;
    const raw = capacity * f;
    const target = options.integerTarget ? Math.max(1, Math.floor(raw)) : Math.round(raw * 100) / 100;
    if (target <= 0) continue;
    // Replica bounds scale with the target so that a lower target is not capped by the derived max.
    const scale = base.target / target;
    const minBase = Math.max(base.minReplicas, Math.ceil(base.minReplicas * scale * 0.999));
    const maxReplicas = clampMax(Math.max(base.maxReplicas, Math.ceil(base.maxReplicas * scale)));
    const perReplicaPerSecond = Math.max(perSecondAtCapacity * (target / capacity), 1e-9);
    const lagReplicas = Math.ceil((growth * lagS) / perReplicaPerSecond);
    const maxBuffer = Math.min(Math.ceil(MAX_BUFFER_SHARE * lagReplicas), Math.max(0, maxReplicas - minBase));
    for (let buffer = 0; buffer <= maxBuffer; buffer++) {
      const minReplicas = Math.min(maxReplicas, minBase + buffer);
      for (const p of policies) {
        const settings: ScalingSettings = { ...base, target, minReplicas, maxReplicas, scaleUp: { ...base.scaleUp, policies: p.policies } };
        add(settings, `target ${Math.round(f * 100)} %${buffer ? `, min +${buffer} (lag buffer)` : ''}${p.name}`, 'search');
      }
    }
  }
  for (const c of candidates) c.withinBudget = keepsSlo(c.summary, budgetSeconds);
  const within = candidates.filter((c) => c.withinBudget);
  const byCost = (a: Candidate, b: Candidate) =>
    a.summary.replicaHours - b.summary.replicaHours || a.summary.secondsOverSlo - b.summary.secondsOverSlo || b.settings.target - a.settings.target;
  const byOver = (a: Candidate, b: Candidate) => a.summary.secondsOverSlo - b.summary.secondsOverSlo || byCost(a, b);
  const passed = within.length > 0;
  const chosen = passed ? [...within].sort(byCost)[0]! : [...candidates].sort(byOver)[0]!;
  const recommended = chosen.origin === 'derived' ? derivedSummary : simulate(chosen.settings);
  const derived = candidates[0]!;
  const h = (x: number) => x.toFixed(2);
  const reason = passed
    ? `cheapest of ${within.length} of ${candidates.length} settings within the ${Math.round(budgetSeconds)} s budget: ${h(chosen.summary.replicaHours)} replica-hours, ${Math.round(chosen.summary.secondsOverSlo)} s over the SLO` +
      (chosen === derived
        ? ' (the derived setting itself)'
        : derived.withinBudget
          ? ` (derived: ${h(derived.summary.replicaHours)} replica-hours)`
          : ` (derived: ${Math.round(derived.summary.secondsOverSlo)} s over the SLO, over budget)`)
    : `no setting${limit !== null ? ` with at most ${limit} replicas` : ''} of ${candidates.length} tried stays within the ${Math.round(budgetSeconds)} s budget; the fewest seconds over the SLO: ${Math.round(chosen.summary.secondsOverSlo)} s`;
  return {
    budgetSeconds,
    passed,
    chosen,
    reason,
    recommended,
    derived: derived.summary,
    current: current ? simulate(current) : null,
    candidates,
    maxReplicasLimit: limit,
  };
}

/**
 * The recommendation with the chosen setting in it: what tune prints, reports and writes. Values the
 * search changed carry source `simulated` (bounds that only --max-replicas capped: `flag`) and say what the
 * formula gave; the rest stay as derived.
 */
export function adoptChosen(rec: Recommendation, proof: Proof): Recommendation {
  const s = proof.chosen.settings;
  // The derived setting differs from the formula's only where --max-replicas capped its bounds.
  const derived = proof.chosen.origin === 'derived';
  if (derived && s.minReplicas === rec.minReplicas.value && s.maxReplicas === rec.maxReplicas.value) return rec;
  const why = derived ? `capped by --max-replicas ${proof.maxReplicasLimit}` : `chosen by simulation: ${proof.reason}`;
  const sim = (value: number, was: Sourced<number>): Sourced<number> =>
    value === was.value ? was : { value, source: derived ? ('flag' as const) : ('simulated' as const), note: `${why}; the formula gave ${was.value} (${was.note})` };
  const policiesChanged = JSON.stringify(s.scaleUp.policies) !== JSON.stringify(rec.behavior.scaleUp.policies);
  return {
    ...rec,
    target: sim(s.target, rec.target),
    minReplicas: sim(s.minReplicas, rec.minReplicas),
    maxReplicas: sim(s.maxReplicas, rec.maxReplicas),
    behavior: {
      ...rec.behavior,
      scaleUp: policiesChanged
        ? { ...rec.behavior.scaleUp, policies: s.scaleUp.policies, note: `${why}; the formula gave ${rec.behavior.scaleUp.policies.map((p) => `${p.type} ${p.value}/${p.periodSeconds}s`).join(', ')}` }
        : rec.behavior.scaleUp,
    },
    hpaMetric: hpaMetricBlock(rec.metric, s.target),
    kedaTrigger: kedaTrigger(rec.metric, s.target, rec.deployment),
  };
}
