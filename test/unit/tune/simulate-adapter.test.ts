import assert from 'node:assert/strict';
import { searchCapacity } from '../../../src/tune/capacity-search.js';
import { prove, settingsFrom } from '../../../src/tune/prove.js';
import { recommend } from '../../../src/tune/recommend.js';
import { simulatorFor, trafficProfile } from '../../../src/tune/simulate-adapter.js';
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
    const duration = (2 * 10 * 60 + 2 * 600 + 30 * 60);
    assert.equal(proof.recommended.durationSeconds, duration);
    assert.ok(proof.recommended.peakReplicas <= proof.chosen.settings.maxReplicas);
    assert.ok(proof.recommended.peakReplicas >= Math.ceil(300 / point.completedPerSecond), 'enough replicas for the peak');
    assert.ok(proof.passed);
    assert.ok(proof.recommended.secondsOverSlo <= proof.budgetSeconds, `recommended ${proof.recommended.secondsOverSlo}s over SLO`);
    assert.ok(proof.current!.secondsOverSlo > proof.budgetSeconds, 'three replicas cannot carry 300/s');
    assert.ok(proof.recommended.series.length > 0 && proof.recommended.series.length <= 720);
    assert.ok(proof.recommended.replicaHours <= proof.derived.replicaHours + 1e-9 || proof.derived.secondsOverSlo > proof.budgetSeconds, 'never costlier than a derived setting that passes');
  });

  it('lays the spec traffic out as baseline, ramp, hold, ramp down, baseline', () => {
    const p = trafficProfile({ baselinePerSecond: 5, peakPerSecond: 50, rampSeconds: 120 });
    assert.equal(p.kind, 'spike');
    assert.equal(p.riseMs, 120_000);
    assert.equal(p.durationMs, 2 * 600_000 + 2 * 120_000 + 1_800_000);
  });
});
