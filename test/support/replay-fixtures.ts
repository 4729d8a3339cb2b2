/**
 * A TuneResult with a verification document, for report tests: the sample tune result's curve replayed in
 * simulation (src/replay/simulate-replay.ts), with a "measured" side that lags the simulation by 3 s.
 */
import { profileFromTraffic, rampStartS } from '../../src/autoscale/profile.js';
import { differences, summarize } from '../../src/replay/compare.js';
import { recommendedSettings } from '../../src/replay/settings.js';
import { simulateReplay } from '../../src/replay/simulate-replay.js';
import type { MeasuredSecond, ReplayDocument } from '../../src/replay/types.js';
import type { TuneResult } from '../../src/tune/result.js';
import { sampleTuneResult } from './tune-fixtures.js';

export async function sampleVerifiedTuneResult(): Promise<TuneResult> {
  const result = await sampleTuneResult();
  const profile = profileFromTraffic({ baselinePerSecond: 10, peakPerSecond: 200, rampSeconds: 15 });
  const settings = recommendedSettings(result.recommendation!);
  const slo = { percentile: result.slo.percentile, latencyMs: result.slo.latencyMs, errorRate: result.slo.errorRate };
  const sim = simulateReplay({
    profile, settings, curve: result.search.curve, axis: result.search.axis, slo,
    coldStartMs: 4000, coldStartSource: 'test', syncPeriodMs: 15_000, maxQueueMs: 5000,
  });
  const measured: MeasuredSecond[] = sim.seconds.map((s, i) => {
    const late = sim.seconds[Math.max(0, i - 3)]!;
    const p95 = late.latencyMs * 1.1;
    return {
      second: s.second, offeredPerSecond: s.offeredPerSecond, completedPerSecond: s.offeredPerSecond,
      p50Ms: p95 / 2, p95Ms: p95, p99Ms: p95 * 1.2, errors: 0, desired: late.desired, ready: late.ready, overSlo: p95 > slo.latencyMs,
    };
  });
  const m = summarize(measured, rampStartS(profile));
  const s = summarize(sim.seconds, rampStartS(profile));
  const doc: ReplayDocument = {
    schemaVersion: 1, startedAt: result.startedAt, durationMs: 180_000, interrupted: false, model: 'sample',
    profile: { source: profile.source, points: profile.points, rampStartS: rampStartS(profile), peakPerSecond: 200 },
    slo, capacity: { source: 'test', perSecond: result.capacityPerReplica?.perSecond.value ?? null },
    runs: [{
      label: 'chosen', settings,
      measured: { seconds: measured, scalingEvents: [], summary: m, overallP95Ms: 150, interrupted: false },
      simulated: { seconds: sim.seconds, summary: s, lagChain: sim.lagChain },
      differences: differences(m, s),
    }],
  };
  return { ...result, verification: doc };
}
