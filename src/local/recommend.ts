/**
 * The one place where the local autoscaler asks for a replica count. It follows the HPA controller's
 * algorithm (tolerance, unready replicas on a scale-up, stabilization windows, rate-limit policies with
 * Kubernetes' defaults) for a per-replica averaged metric. Pure: history is passed in and returned.
 */
import type { ScalingBehavior, ScalingPolicy, ScalingRules } from './options.js';

export interface RecommendInput {
  nowMs: number;
  currentReplicas: number;
  readyReplicas: number;
  /** Replicas that run but are not ready yet (they count as 0 on a scale-up, as the HPA does). */
  unreadyReplicas: number;
  /** Sum of the metric over ready replicas (their average is what is compared with the target). */
  metricSum: number;
  target: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: ScalingBehavior | undefined;
}

export interface RecommendHistory {
  /** Raw desired counts with their times, for the stabilization windows. */
  recommendations: Array<{ atMs: number; replicas: number }>;
  /** Applied changes (+ added, − removed) with their times, for the rate-limit policies. */
  changes: Array<{ atMs: number; delta: number }>;
}

export interface Recommendation {
  desiredReplicas: number;
  /** The metric per ready replica (undefined when none was ready). */
  metricValue: number | undefined;
  reason: string;
  history: RecommendHistory;
}

const DEFAULT_TOLERANCE = 0.1;
const DEFAULT_UP: Required<Omit<ScalingRules, 'tolerance'>> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: Required<Omit<ScalingRules, 'tolerance'>> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** The HPA's proposal from the metric alone (horizontal.go computeReplicasForMetrics, Pods metric). */
export function proposeFromMetric(input: RecommendInput): { replicas: number; metricValue: number | undefined } {
  const { currentReplicas, readyReplicas, unreadyReplicas, metricSum, target } = input;
  if (readyReplicas === 0) return { replicas: currentReplicas, metricValue: undefined };
  const metricValue = metricSum / readyReplicas;
  const ratio = metricValue / target;
  const tolUp = input.behavior?.scaleUp?.tolerance ?? DEFAULT_TOLERANCE;
  const tolDown = input.behavior?.scaleDown?.tolerance ?? DEFAULT_TOLERANCE;
  if (ratio >= 1 - tolDown && ratio <= 1 + tolUp) return { replicas: currentReplicas, metricValue };
  if (ratio > 1 && unreadyReplicas > 0) {
    // Unready replicas count as using nothing; keep the count if that takes the ratio back within tolerance.
    const counted = readyReplicas + unreadyReplicas;
    const newRatio = metricSum / (target * counted);
    if (newRatio <= 1 + tolUp) return { replicas: currentReplicas, metricValue };
    return { replicas: Math.ceil(newRatio * counted), metricValue };
  }
  return { replicas: Math.ceil(ratio * readyReplicas), metricValue };
}

function rateLimit(
  current: number,
  desired: number,
  rules: Required<Omit<ScalingRules, 'tolerance'>>,
  changes: RecommendHistory['changes'],
  nowMs: number,
  up: boolean,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = rules.policies.map((p: ScalingPolicy) => {
    const since = nowMs - p.periodSeconds * 1000;
    let added = 0;
    let removed = 0;
    for (const c of changes) {
      if (c.atMs <= since) continue;
      if (c.delta > 0) added += c.delta;
      else removed -= c.delta;
    }
    const start = current - (up ? added : -removed);
    if (up) return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    return p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
  });
  if (limits.length === 0) return desired;
  const pickMax = rules.selectPolicy === 'Max';
  const limit = up === pickMax ? Math.max(...limits) : Math.min(...limits);
  return up ? Math.min(desired, Math.max(limit, current)) : Math.max(desired, Math.min(limit, current));
}

export function recommendReplicas(input: RecommendInput, history: RecommendHistory): Recommendation {
  const { nowMs, currentReplicas: current, minReplicas, maxReplicas } = input;
  const up = { ...DEFAULT_UP, ...stripUndefined(input.behavior?.scaleUp) };
  const down = { ...DEFAULT_DOWN, ...stripUndefined(input.behavior?.scaleDown) };
  const { replicas: proposed, metricValue } = proposeFromMetric(input);

  const keepMs = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds) * 1000;
  const recommendations = [...history.recommendations.filter((r) => r.atMs > nowMs - keepMs), { atMs: nowMs, replicas: proposed }];
  const inWindow = (seconds: number) => recommendations.filter((r) => r.atMs > nowMs - seconds * 1000 || r.atMs === nowMs);
  const upBound = Math.min(...inWindow(up.stabilizationWindowSeconds).map((r) => r.replicas));
  const downBound = Math.max(...inWindow(down.stabilizationWindowSeconds).map((r) => r.replicas));
  const stabilized = Math.min(Math.max(current, upBound), downBound);

  let desired = stabilized;
  let reason = stabilized === proposed ? 'metric' : 'stabilization window';
  if (desired > current) desired = rateLimit(current, desired, up, history.changes, nowMs, true);
  else if (desired < current) desired = rateLimit(current, desired, down, history.changes, nowMs, false);
  if (desired !== stabilized) reason = 'rate limit';
  if (desired > maxReplicas) [desired, reason] = [maxReplicas, 'maxReplicas'];
  if (desired < minReplicas) [desired, reason] = [minReplicas, 'minReplicas'];

  const keepChangesMs = Math.max(...[...up.policies, ...down.policies].map((p) => p.periodSeconds), 0) * 1000;
  const changes = history.changes.filter((c) => c.atMs > nowMs - keepChangesMs);
  if (desired !== current) changes.push({ atMs: nowMs, delta: desired - current });
  return { desiredReplicas: desired, metricValue, reason, history: { recommendations, changes } };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
