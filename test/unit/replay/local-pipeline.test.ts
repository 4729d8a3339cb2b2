import assert from 'node:assert/strict';
import { localMetricPipeline } from '../../../src/replay/simulate-replay.js';
import { searchCapacity } from '../../../src/tune/capacity-search.js';
import { prove, settingsFrom } from '../../../src/tune/prove.js';
import { recommend } from '../../../src/tune/recommend.js';
import { simulatorFor } from '../../../src/tune/simulate-adapter.js';
import type { Slo } from '../../../src/tune/types.js';
import { modelMeasure } from '../../support/queue-model.js';

describe("tune --local: the proof models the local runtime's metric pipeline", () => {
  it('reacts a sync after the ramp instead of a minute later, so the derived setting misses less and the chosen one costs less', async () => {
    // The replica: 4 slots of 40 ms, 4.4 s cold start, p95 < 200 ms; 20 → 300/s in a minute (on the issue's
    // 15 s ramp both pipelines end at the same static-like setting: four replicas from the start).
    const m = (value: number) => ({ value, source: 'measured' as const, note: '' });
    const slo: Slo = { percentile: 'p95', latencyMs: 200, errorRate: 0.01 };
    const search = await searchCapacity({ axis: 'rate', slo, measure: modelMeasure({ slots: 4, serviceMs: 40 }) });
    const point = search.curve.find((p) => p.level === search.capacityLevel)!;
    const traffic = { baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 60 };
    const rec = recommend({
      runtime: 'http', axis: 'rate', capacityLevel: m(point.level), capacityPerSecond: m(point.completedPerSecond),
      latencyAtCapacityMs: point.latencyMs.mean, coldStartMs: m(4400), traffic: { value: traffic, source: 'spec', note: '' },
    });
    const input = { curve: search.curve, axis: 'rate' as const, slo, coldStartMs: 4400, traffic, metric: 'rps' as const };
    const cluster = simulatorFor(input);
    const local = simulatorFor({ ...input, metricPipeline: localMetricPipeline(15_000) });
    const derived = settingsFrom(rec);
    assert.ok(local(derived).secondsOverSlo < cluster(derived).secondsOverSlo, `local ${local(derived).secondsOverSlo} s vs cluster ${cluster(derived).secondsOverSlo} s over the SLO`);
    const onCluster = prove(rec, null, cluster);
    const onLocal = prove(rec, null, local);
    assert.ok(onLocal.passed && onCluster.passed);
    assert.ok(onLocal.chosen.summary.replicaHours < onCluster.chosen.summary.replicaHours, `${onLocal.chosen.summary.replicaHours} vs ${onCluster.chosen.summary.replicaHours} replica-hours`);
  });
});
