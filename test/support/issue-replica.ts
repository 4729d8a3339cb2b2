/**
 * The slot-bound replica of issue 13, measured by the capacity search on the queue model (4 slots of 40 ms,
 * p95 < 200 ms, a 4.4 s cold start) and recommended for a given spec traffic: the starting point of the tests
 * of tune's proof.
 */
import { searchCapacity } from '../../src/tune/capacity-search.js';
import { recommend, type Recommendation, type TrafficShape } from '../../src/tune/recommend.js';
import type { CapacityPoint, Slo } from '../../src/tune/types.js';
import { modelMeasure } from './queue-model.js';

export const ISSUE_REPLICA_SLO: Slo = { percentile: 'p95', latencyMs: 200, errorRate: 0.01 };
export const ISSUE_REPLICA_COLD_START_MS = 4400;

export async function issueReplica(traffic: TrafficShape): Promise<{ curve: CapacityPoint[]; point: CapacityPoint; rec: Recommendation }> {
  const m = (value: number) => ({ value, source: 'measured' as const, note: '' });
  const search = await searchCapacity({ axis: 'rate', slo: ISSUE_REPLICA_SLO, measure: modelMeasure({ slots: 4, serviceMs: 40 }) });
  const point = search.curve.find((p) => p.level === search.capacityLevel)!;
  const rec = recommend({
    runtime: 'http', axis: 'rate', capacityLevel: m(point.level), capacityPerSecond: m(point.completedPerSecond),
    latencyAtCapacityMs: point.latencyMs.mean, coldStartMs: m(ISSUE_REPLICA_COLD_START_MS), traffic: { value: traffic, source: 'spec', note: '' },
  });
  return { curve: search.curve, point, rec };
}
