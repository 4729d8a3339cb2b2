import assert from 'node:assert/strict';
import { parseProfileShape, profileFromTraffic } from '../../../src/autoscale/profile.js';
import { MdlError } from '../../../src/errors.js';
import type { LoadSnapshot } from '../../../src/load/types.js';
import { differences, measuredSeconds, secondOverSlo, summarize } from '../../../src/replay/compare.js';
import { parseSettingsFile, parseStaticChoice, staticFleetFor } from '../../../src/replay/settings.js';
import { simulateReplay } from '../../../src/replay/simulate-replay.js';
import type { CapacityPoint } from '../../../src/tune/types.js';

const SLO = { percentile: 'p95' as const, latencyMs: 200, errorRate: 0.01 };

function snap(second: number, o: { completed?: number; failed?: number; p95?: number }): LoadSnapshot {
  const completed = o.completed ?? 10;
  const lat = { min: 1, mean: 1, p50: 1, p90: 1, p95: o.p95 ?? 50, p99: 1, p999: 1, max: 1, count: completed };
  return {
    second, timestampMs: second * 1000, warmup: false, elapsedMs: second * 1000, totalMs: undefined, stageIndex: undefined, targetPerSecond: 10,
    sent: 10, completed, failed: o.failed ?? 0, dropped: 0, inFlight: 0, sentPerSecond: 10, completedPerSecond: 10,
    latencyMs: lat, serviceTimeMs: lat, errors: {}, totals: { sent: 0, completed: 0, failed: 0, dropped: 0 },
  };
}

describe('replay: measured seconds, summaries, differences', () => {
  it('a second is over the SLO on its percentile, its error rate, or offered load with nothing served', () => {
    assert.equal(secondOverSlo(snap(1, { p95: 199 }), SLO, 10), false);
    assert.equal(secondOverSlo(snap(1, { p95: 201 }), SLO, 10), true);
    assert.equal(secondOverSlo(snap(1, { completed: 98, failed: 2 }), SLO, 10), true);
    assert.equal(secondOverSlo(snap(1, { completed: 0 }), SLO, 10), true);
    assert.equal(secondOverSlo(snap(1, { completed: 0 }), SLO, 0.2), false, 'no load offered, nothing owed');
  });

  it('numbers measured seconds from 0 like the simulator, with the offered rate of that second', () => {
    const p = parseProfileShape('step,from=10,to=30,at=2s,duration=4s');
    const series = { source: 'local-runtime' as const, seconds: [1, 2, 3, 4].map((s) => ({ second: s, desired: s < 3 ? 1 : 2, ready: 1 })), replicaSeconds: 6, readyReplicaSeconds: 4, peakReplicas: 2, scalingEvents: [] };
    // A fifth second (the engine waiting for the last requests after the 4 s profile) is not the profile's.
    const m = measuredSeconds([1, 2, 3, 4, 5].map((s) => snap(s, {})), series, p, SLO);
    assert.deepEqual(m.map((x) => [x.second, x.offeredPerSecond, x.desired]), [[0, 10, 1], [1, 10, 1], [2, 30, 2], [3, 30, 2]]);
    assert.equal(m[0]!.completedPerSecond, 10);
  });

  it('summarizes seconds over the SLO, replica-seconds, peak and time to scale up after the ramp', () => {
    const seconds = [
      { second: 0, desired: 2, ready: 2, overSlo: false },
      { second: 1, desired: 2, ready: 2, overSlo: false },
      { second: 2, desired: 2, ready: 2, overSlo: true },
      { second: 3, desired: 4, ready: 2, overSlo: true },
      { second: 4, desired: 4, ready: 2, overSlo: false },
      { second: 5, desired: 4, ready: 4, overSlo: false },
    ];
    assert.deepEqual(summarize(seconds, 1), { durationSeconds: 6, secondsOverSlo: 2, replicaSeconds: 18, peakReplicas: 4, scaleUpDecisionS: 3, scaleUpReadyS: 5 });
    assert.equal(summarize(seconds, null).scaleUpDecisionS, null);
  });

  it('says where simulation and runtime differ beyond max(5 s, 30 %) and 15 %', () => {
    const base = { durationSeconds: 100, secondsOverSlo: 10, replicaSeconds: 400, peakReplicas: 5, scaleUpDecisionS: 15, scaleUpReadyS: 20 };
    assert.deepEqual(differences(base, { ...base, secondsOverSlo: 14, replicaSeconds: 450 }), []);
    const d = differences(base, { ...base, secondsOverSlo: 2, replicaSeconds: 300, peakReplicas: 4, scaleUpReadyS: 30 });
    assert.equal(d.length, 4);
    assert.match(d[0]!, /measured 10 s, simulated 2 s \(the simulation is optimistic/);
    assert.match(d[1]!, /replica-seconds: measured 400, simulated 300 \(-25 %/);
    assert.match(d[2]!, /peak replicas: measured 5, simulated 4/);
    assert.match(d[3]!, /measured 20 s, simulated 30 s/);
  });
});

describe('replay: the simulation with the local lag chain', () => {
  // One replica carries 50/s within 60 ms; beyond it requests queue.
  const curve: CapacityPoint[] = [10, 30, 50].map((level) => ({
    axis: 'rate', level, latencyMs: { mean: 40, p50: 40, p90: 50, p95: level === 50 ? 60 : 45, p99: 70, max: 90 },
    errorRate: 0, completedPerSecond: level, peakWindowPerSecond: level, passed: true, steady: true, backlog: false, ended: 'steady', windows: 3, loadSeconds: 3, phase: 'bracket',
  }));
  const settings = {
    metric: 'rps' as const, target: 25, minReplicas: 1, maxReplicas: 6,
    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 900, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
  };

  it('scales at the first sync that sees the ramp and serves after the cold start', () => {
    const profile = parseProfileShape('step,from=20,to=100,at=10s,duration=60s');
    const { seconds, lagChain } = simulateReplay({ profile, settings, curve, axis: 'rate', slo: SLO, coldStartMs: 4000, coldStartSource: 'test', syncPeriodMs: 5000, maxQueueMs: 5000 });
    assert.equal(seconds.length, 60);
    assert.deepEqual([lagChain.metricWindowMs, lagChain.metricLagMs, lagChain.syncPeriodMs], [5000, 0, 5000]);
    // Syncs at 5, 10, 15 s: the one at 15 s reads seconds 10–14 after the step. The rps metric counts
    // completions, and one replica completes at most 50/s: it asks for 50 / 25 = 2, not the 4 the demand needs.
    assert.equal(seconds[14]!.desired, 1);
    assert.equal(seconds[15]!.desired, 2);
    // Ready 4 s after the decision at 15 s.
    assert.equal(seconds[18]!.ready, 1);
    assert.equal(seconds[19]!.ready, 2);
    // One replica at 100/s is over capacity until the new ones serve.
    assert.equal(seconds[12]!.overSlo, true);
    assert.equal(seconds[40]!.overSlo, false);
  });

  it('syncs when the runtime did, given its times', () => {
    const profile = parseProfileShape('step,from=20,to=100,at=10s,duration=30s');
    const { seconds } = simulateReplay({ profile, settings, curve, axis: 'rate', slo: SLO, coldStartMs: 1000, coldStartSource: 'test', syncPeriodMs: 5000, syncTimesMs: [3500, 8500, 13500, 18500], maxQueueMs: 5000 });
    assert.equal(seconds[12]!.desired, 1);
    assert.equal(seconds[13]!.desired, 2, 'the sync at 13.5 s acts within second 13, as the runtime reports it');
  });

  it('uses the spec traffic profile the replay plays', () => {
    const profile = profileFromTraffic({ baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 15 });
    const { seconds } = simulateReplay({ profile, settings: { ...settings, maxReplicas: 20 }, curve, axis: 'rate', slo: SLO, coldStartMs: 4400, coldStartSource: 'test', syncPeriodMs: 15_000, maxQueueMs: 5000 });
    assert.equal(seconds.length, 180);
    assert.equal(seconds[100]!.offeredPerSecond, 300);
  });
});

describe('replay: settings', () => {
  it('a static fleet sized for the peak at the measured capacity', () => {
    assert.equal(staticFleetFor(300, 91), 4);
    assert.equal(staticFleetFor(273, 91), 3);
    assert.equal(parseStaticChoice('static:4'), 4);
    assert.equal(parseStaticChoice('recommended'), null);
  });

  it('reads a settings file and names the key that is wrong', () => {
    const s = parseSettingsFile('{"metric":"rps","target":50,"minReplicas":2,"maxReplicas":8}', 'a.json');
    assert.deepEqual([s.metric, s.target, s.minReplicas, s.maxReplicas, s.scaleDown.stabilizationWindowSeconds], ['rps', 50, 2, 8, 300]);
    const bad = (text: string, where: RegExp) =>
      assert.throws(() => parseSettingsFile(text, 'a.json'), (e: unknown) => e instanceof MdlError && e.exitCode === 2 && where.test(e.where ?? ''));
    bad('{"metric":"queue","target":5,"minReplicas":1,"maxReplicas":2}', /a\.json metric/);
    bad('{"metric":"rps","target":-5,"minReplicas":1,"maxReplicas":2}', /a\.json target/);
    bad('{"metric":"rps","target":5,"minReplicas":1.5,"maxReplicas":2}', /a\.json minReplicas/);
    bad('{"metric":"rps","target":5,"minReplicas":3,"maxReplicas":2}', /a\.json maxReplicas/);
    bad('not json', /a\.json/);
  });
});
