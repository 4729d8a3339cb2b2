import assert from 'node:assert/strict';
import fc from 'fast-check';
import { metricFor, recommend, type RecommendInput } from '../../../src/tune/recommend.js';
import { prove, settingsFrom, type ScalingSettings, type SimulationSummary } from '../../../src/tune/prove.js';

const m = (value: number, note = 'measured') => ({ value, source: 'measured' as const, note });

function input(over: Partial<RecommendInput> = {}): RecommendInput {
  return {
    runtime: 'vllm',
    axis: 'concurrency',
    capacityLevel: m(16),
    capacityPerSecond: m(8),
    latencyAtCapacityMs: 2000,
    coldStartMs: m(60_000),
    traffic: { value: { baselinePerSecond: 4, peakPerSecond: 40, rampSeconds: 600 }, source: 'spec', note: 'traffic' },
    ...over,
  };
}

describe('tune/recommend', () => {
  it('picks concurrency for LLM servers and rps for CPU-bound ones, and concurrency again on a GPU', () => {
    for (const r of ['vllm', 'tgi', 'openai']) assert.equal(metricFor(r).kind, 'concurrency', r);
    // Triton exports no in-flight gauge: its pending-request count, searched on the concurrency axis.
    assert.deepEqual([metricFor('triton').kind, metricFor('triton').axis, metricFor('triton').prometheusMetric], ['queue', 'concurrency', 'nv_inference_pending_request_count']);
    for (const r of ['http', 'kserve-v2', 'torchserve']) assert.equal(metricFor(r).axis, 'rate', r);
    // On a GPU: in-flight requests where the server exports them (MLServer), else its rate still (TorchServe).
    assert.deepEqual([metricFor('kserve-v2', true).kind, metricFor('kserve-v2', true).prometheusMetric], ['concurrency', 'rest_server_requests_in_progress']);
    assert.deepEqual([metricFor('torchserve', true).kind, metricFor('torchserve', true).prometheusMetric], ['rps', 'ts_inference_requests_total']);
    assert.match(metricFor('vllm').why, /CPU/);
  });

  it('keeps headroom for the scale-up lag: cold start × growth rate', () => {
    const rec = recommend(input());
    // growth 36/600 = 0.06/s, lag 30 + 60 = 90 s, mid-ramp 22/s → lag fraction 0.245
    assert.equal(rec.headroom.growthPerSecond.value, 0.06);
    assert.equal(rec.headroom.scaleUpLagSeconds.value, 90);
    assert.ok(Math.abs(rec.headroom.lagFraction.value - (0.06 * 90) / 22) < 1e-3);
    assert.equal(rec.target.value, Math.floor((16 * 0.9) / (1 + (0.06 * 90) / 22)));
    assert.equal(rec.target.source, 'derived');
    const slower = recommend(input({ coldStartMs: m(600_000) }));
    assert.ok(slower.target.value < rec.target.value, 'a longer cold start needs more headroom');
  });

  it('sizes min from baseline (at least 2) and max from peak with margin; scale-down waits longer than a cold start', () => {
    const rec = recommend(input());
    const perReplica = 8 * (rec.target.value / 16);
    assert.equal(rec.minReplicas.value, Math.max(2, Math.ceil(4 / perReplica)));
    assert.equal(rec.maxReplicas.value, Math.ceil((40 * 1.25) / perReplica));
    assert.ok(rec.behavior.scaleDown.stabilizationWindowSeconds.value >= 120);
    assert.equal(recommend(input({ coldStartMs: m(400_000) })).behavior.scaleDown.stabilizationWindowSeconds.value, 810);
    assert.equal(recommend(input({ minReplicasFloor: { value: 1, source: 'flag', note: 'told' } , traffic: undefined })).minReplicas.value, 1);
  });

  it('gives the exact HPA metric and KEDA trigger', () => {
    const rec = recommend(input());
    assert.deepEqual(rec.hpaMetric, { type: 'Pods', pods: { metric: { name: 'vllm_num_requests_running' }, target: { type: 'AverageValue', averageValue: String(rec.target.value) } } });
    assert.equal((rec.kedaTrigger!.metadata as Record<string, string>).query, 'sum(vllm:num_requests_running{pod=~"<name>-.*"})');
    const http = recommend(input({ runtime: 'http', axis: 'rate', capacityLevel: m(100), capacityPerSecond: m(100) }));
    // A fractional rate target as the Kubernetes quantity render writes: 72.26/s → "72260m".
    assert.equal(http.target.value, 72.26);
    assert.deepEqual(http.hpaMetric.pods, { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '72260m' } });
    assert.equal((http.kedaTrigger!.metadata as Record<string, string>).query, 'sum(rate(http_requests_total{pod=~"<name>-.*"}[1m]))');
    // With the spec's deployment known, no placeholder is left.
    const named = recommend(input({ deployment: { name: 'chat', namespace: 'ml', keda: { serverAddress: 'http://prom.monitoring:9090', activationThreshold: 1 } } }));
    assert.deepEqual(named.kedaTrigger!.metadata, {
      serverAddress: 'http://prom.monitoring:9090',
      query: 'sum(vllm:num_requests_running{namespace="ml",pod=~"chat-.*"})',
      threshold: String(named.target.value),
      activationThreshold: '1',
    });
  });

  it('never recommends a target above capacity, nor min above max', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        fc.constantFrom('vllm', 'http', 'torchserve'),
        (cap, baseline, extra, ramp, cold, runtime) => {
          const rec = recommend(input({ runtime, axis: runtime === 'vllm' ? 'concurrency' : 'rate', capacityLevel: m(cap), capacityPerSecond: m(cap), coldStartMs: m(cold), traffic: { value: { baselinePerSecond: baseline, peakPerSecond: baseline + extra, rampSeconds: ramp }, source: 'spec', note: '' } }));
          assert.ok(rec.target.value <= Math.max(1, cap));
          assert.ok(rec.target.value > 0);
          assert.ok(rec.minReplicas.value >= 2 && rec.minReplicas.value <= rec.maxReplicas.value);
        },
      ),
    );
  });
});

describe('tune/prove', () => {
  // A toy simulator: over SLO whenever replicas × target × slack < traffic; cost = replicas.
  const simulate = (s: ScalingSettings): SimulationSummary => {
    const traffic = [10, 20, 40, 40, 20, 10];
    let over = 0;
    let hours = 0;
    let peak = 0;
    for (const t of traffic) {
      const replicas = Math.min(s.maxReplicas, Math.max(s.minReplicas, Math.ceil(t / s.target)));
      if (replicas * 16 < t * 1.2) over += 600;
      hours += replicas / 6;
      peak = Math.max(peak, replicas);
    }
    return { durationSeconds: 3600, secondsOverSlo: over, replicaHours: hours, peakReplicas: peak, series: [] };
  };

  it('simulates the derived and current settings and chooses the cheapest setting within budget', () => {
    const rec = recommend(input());
    const current = { ...settingsFrom(rec), target: 16, minReplicas: 1, maxReplicas: 2 };
    const proof = prove(rec, current, simulate, { integerTarget: true });
    assert.ok(proof.current!.secondsOverSlo > 0);
    assert.ok(proof.passed && proof.chosen.withinBudget);
    const within = proof.candidates.filter((c) => c.withinBudget);
    assert.ok(within.every((c) => c.summary.replicaHours >= proof.chosen.summary.replicaHours));
    assert.equal(proof.candidates[0]!.origin, 'derived');
    assert.deepEqual(proof.candidates[0]!.settings, settingsFrom(rec));
    const keys = proof.candidates.map((c) => JSON.stringify(c.settings));
    assert.equal(new Set(keys).size, keys.length, 'each setting simulated once');
  });
});
