import assert from 'node:assert/strict';
import { initialLoadView, MAX_SERIES, provisionalResult, reduceLoadView, sloLineFrom, type LoadViewConfig, type LoadViewEvent, type LoadViewState } from '../../../src/ui/load-state.js';
import type { LoadResult, ThresholdOutcome } from '../../../src/load/types.js';
import { latency, run } from './snapshots.js';

const config: LoadViewConfig = { url: 'http://127.0.0.1:1/', protocol: 'http', mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' } };

function feed(state: LoadViewState, events: LoadViewEvent[]): LoadViewState {
  return events.reduce(reduceLoadView, state);
}

describe('ui load view state', () => {
  it('sums errors and totals over measured seconds only, and remembers the worst second', () => {
    const snaps = run(6, { warmup: 2, failedPerSecond: 2 });
    const s = feed(initialLoadView(config), snaps.map((snapshot) => ({ type: 'snapshot', snapshot })));
    assert.equal(s.phase, 'running');
    assert.equal(s.measuredSeconds, 4);
    assert.deepEqual(s.errors, { http_503: 8 });
    assert.deepEqual(s.totals, snaps[5]!.totals);
    assert.equal(s.series.length, 6);
    // p50 grows by 1 ms a second in the fixture, so the last second has the highest p99.
    assert.deepEqual(s.worst, { second: 5, p99Ms: snaps[5]!.latencyMs.p99 });
    assert.equal(s.elapsedMs, 6000);
    assert.equal(s.startedAtMs, snaps[0]!.timestampMs - 1000);
  });

  it('puts replicas on the same per-second axis as latency, carried forward', () => {
    const snaps = run(4);
    let s = initialLoadView(config);
    s = reduceLoadView(s, { type: 'snapshot', snapshot: snaps[0]! });
    s = reduceLoadView(s, { type: 'replica', event: { kind: 'replicas', timestampMs: snaps[0]!.timestampMs + 100, desired: 3, ready: 2 } });
    s = feed(s, snaps.slice(1).map((snapshot) => ({ type: 'snapshot', snapshot })));
    assert.deepEqual(
      s.series.map((p) => [p.desiredReplicas, p.readyReplicas]),
      [[undefined, undefined], [3, 2], [3, 2], [3, 2]],
    );
  });

  it('keeps at most an hour of per-second points', () => {
    let s = initialLoadView(config);
    const one = run(1)[0]!;
    for (let i = 0; i < MAX_SERIES + 5; i++) s = reduceLoadView(s, { type: 'snapshot', snapshot: { ...one, second: i } });
    assert.equal(s.series.length, MAX_SERIES);
    assert.equal(s.series[0]!.second, 5);
  });

  it('evaluates thresholds live on a provisional result, and the final result replaces them', () => {
    const seen: LoadResult[] = [];
    const evaluate = (r: LoadResult): ThresholdOutcome[] => {
      seen.push(r);
      const observed = r.latencyMs.p95;
      return [{ expression: 'p95<25ms', metric: 'p95', observed, limit: 25, unit: 'ms', passed: observed < 25, source: 'flag' }];
    };
    const snaps = run(10, { p50Ms: 10 });
    let s = feed(initialLoadView({ ...config, evaluateThresholds: evaluate }), snaps.slice(0, 2).map((snapshot) => ({ type: 'snapshot', snapshot })));
    assert.equal(s.thresholds[0]!.passed, true);
    assert.equal(s.thresholdsProvisional, true);
    s = feed(s, snaps.slice(2).map((snapshot) => ({ type: 'snapshot', snapshot })));
    // p95 per second is 2×p50 = 20..38 ms over the run: the run's p95 is well above 25 ms.
    assert.equal(s.thresholds[0]!.passed, false);
    const last = seen[seen.length - 1]!;
    assert.equal(last.requests.completed, snaps[9]!.totals.completed);
    assert.ok(last.latencyMs.p95 > 30 && last.latencyMs.p95 <= 38 * 1.05, `p95 ${last.latencyMs.p95}`);

    const final: ThresholdOutcome = { expression: 'p95<25ms', metric: 'p95', observed: 36, limit: 25, unit: 'ms', passed: false, source: 'flag' };
    const result = { ...provisionalResult(s), interrupted: true, thresholds: [final] };
    s = reduceLoadView(s, { type: 'stopping' });
    assert.equal(s.phase, 'stopping');
    s = reduceLoadView(s, { type: 'result', result });
    assert.equal(s.phase, 'done');
    assert.equal(s.interrupted, true);
    assert.equal(s.thresholdsProvisional, false);
    assert.deepEqual(s.thresholds, [final]);
    // A late snapshot after the result does not re-evaluate the final thresholds.
    s = reduceLoadView(s, { type: 'snapshot', snapshot: { ...snaps[9]!, second: 10 } });
    assert.deepEqual(s.thresholds, [final]);
  });

  it('gives a provisional LLM summary when snapshots carry LLM timings', () => {
    const s = feed(initialLoadView({ ...config, protocol: 'openai' }), run(3, { llm: true }).map((snapshot) => ({ type: 'snapshot', snapshot })));
    const r = provisionalResult(s);
    assert.ok(r.llm);
    assert.equal(r.llm.outputTokensPerSecond, 50 * 20);
    assert.ok(r.llm.ttftMs.p50 > 40 && r.llm.ttftMs.p50 < 160);
  });

  it('ignores seconds without responses for latency', () => {
    const snap = { ...run(1)[0]!, latencyMs: { ...latency(10), count: 0 } };
    const s = reduceLoadView(initialLoadView(config), { type: 'snapshot', snapshot: snap });
    assert.equal(s.series[0]!.p95Ms, undefined);
    assert.equal(s.worst, undefined);
    assert.equal(provisionalResult(s).latencyMs.count, 0);
  });
});

describe('ui SLO line from thresholds', () => {
  it('prefers a p95 latency limit, takes another percentile otherwise, ignores other metrics', () => {
    assert.deepEqual(sloLineFrom([{ metric: 'p99', unit: 'ms', limit: 900 }, { metric: 'latency_p95', unit: 'ms', limit: 300 }]), { sloLatencyMs: 300, sloLabel: 'p95' });
    assert.deepEqual(sloLineFrom([{ metric: 'error_rate', unit: 'ratio', limit: 0.01 }, { metric: 'p99', unit: 'ms', limit: 900 }]), { sloLatencyMs: 900, sloLabel: 'p99' });
    assert.equal(sloLineFrom([{ metric: 'ttft_p95', unit: 'ms', limit: 2000 }]), undefined);
  });
});
