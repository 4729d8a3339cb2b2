import assert from 'node:assert/strict';
import { searchCapacity } from '../../../src/tune/capacity-search.js';
import { prove, settingsFrom } from '../../../src/tune/prove.js';
import { recommend } from '../../../src/tune/recommend.js';
import { profileDurationS, profileFromTraffic } from '../../../src/autoscale/profile.js';
import { simulatorFor } from '../../../src/tune/simulate-adapter.js';
import type { Slo } from '../../../src/tune/types.js';
import { modelMeasure } from '../../support/queue-model.js';

describe('tune/simulate-adapter (the HPA simulator of src/autoscale)', () => {
  it('proves the recommendation over the spec traffic: within budget where an undersized current setting is not', async () => {
    const slo: Slo = { percentile: 'p95', latencyMs: 150, errorRate: 0.01 };
    const search = await searchCapacity({ axis: 'concurrency', slo, measure: modelMeasure({ slots: 8, serviceMs: 100 }) });
    const traffic = { baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 600 };
    const point = search.curve.find((p) => p.level === search.capacityLevel)!;
    const rec = recommend({
      runtime: 'vllm',
      axis: 'concurrency',
      capacityLevel: { value: point.level, source: 'measured', note: '' },
      capacityPerSecond: { value: point.completedPerSecond, source: 'measured', note: '' },
      latencyAtCapacityMs: point.latencyMs.mean,
      coldStartMs: { value: 60_000, source: 'measured', note: '' },
      traffic: { value: traffic, source: 'spec', note: '' },
    });
    const simulate = simulatorFor({ curve: search.curve, axis: 'concurrency', slo, coldStartMs: 60_000, traffic, metric: 'concurrency' });
    const undersized = { ...settingsFrom(rec), minReplicas: 1, maxReplicas: 3 };
    const proof = prove(rec, undersized, simulate, { integerTarget: true });
    // The replay's layout of the spec traffic: 60 s baseline, 600 s ramp, 180 s peak, 600 s ramp down, 60 s baseline.
    const duration = 60 + 600 + 180 + 600 + 60;
    assert.equal(proof.recommended.durationSeconds, duration);
    assert.ok(proof.recommended.peakReplicas <= proof.chosen.settings.maxReplicas);
    assert.ok(proof.recommended.peakReplicas >= Math.ceil(300 / point.completedPerSecond), 'enough replicas for the peak');
    assert.ok(proof.passed);
    assert.ok(proof.recommended.secondsOverSlo <= proof.budgetSeconds, `recommended ${proof.recommended.secondsOverSlo}s over SLO`);
    assert.ok(proof.current!.secondsOverSlo > proof.budgetSeconds, 'three replicas cannot carry 300/s');
    assert.ok(proof.recommended.series.length > 0 && proof.recommended.series.length <= 720);
    assert.ok(proof.recommended.replicaHours <= proof.derived.replicaHours + 1e-9 || proof.derived.secondsOverSlo > proof.budgetSeconds, 'never costlier than a derived setting that passes');
  });

  it('simulates the very profile --verify and mdl replay play: baseline, ramp, hold, ramp down, baseline, second by second', () => {
    const slo: Slo = { percentile: 'p95', latencyMs: 100, errorRate: 0.01 };
    const curve = [10, 20, 30].map((level) => ({
      axis: 'rate' as const, level, latencyMs: { mean: 20, p50: 18, p90: 30, p95: 40, p99: 50, max: 60 }, errorRate: 0,
      completedPerSecond: level, peakWindowPerSecond: level, passed: true, steady: true, backlog: false, ended: 'steady' as const,
      windows: 3, loadSeconds: 15, phase: 'bracket' as const,
    }));
    const traffic = { baselinePerSecond: 5, peakPerSecond: 50, rampSeconds: 120 };
    const simulate = simulatorFor({ curve, axis: 'rate', slo, coldStartMs: 1000, traffic, metric: 'rps' });
    const r = simulate({ metric: 'rps', target: 20, minReplicas: 1, maxReplicas: 5, scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } });
    // 60 s at 5/s, 120 s up to 50/s, 180 s at 50/s, 120 s down, 60 s at 5/s.
    assert.equal(r.durationSeconds, 60 + 120 + 180 + 120 + 60);
    assert.equal(r.durationSeconds, profileDurationS(profileFromTraffic(traffic)));
    const at = (s: number) => r.series.find((p) => p.second === s)!.trafficPerSecond;
    assert.equal(at(30), 5);
    assert.ok(Math.abs(at(120) - (5 + 45 * 60.5 / 120)) < 1e-9, `mid-ramp ${at(120)}`);
    assert.equal(at(250), 50);
    assert.equal(at(520), 5);
  });
});
