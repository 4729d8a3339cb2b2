import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Recorder, tpotMs } from '../../../src/load/recorder.js';

const second = (n: number, warmup = false) => ({
  second: n, timestampMs: 0, elapsedMs: n * 1000, totalMs: undefined, warmup, stageIndex: undefined, targetPerSecond: undefined, inFlight: 0, windowMs: 1000,
});

describe('Recorder', () => {
  it('summarises per second and overall, excluding warm-up', () => {
    const r = new Recorder();
    for (let i = 0; i < 10; i++) {
      r.sent(true);
      r.record({ latencyMs: 500, serviceTimeMs: 400 }, true);
    }
    const w = r.endSecond(second(0, true));
    assert.equal(w.completed, 10);
    assert.equal(w.totals.completed, 0);
    for (let i = 1; i <= 100; i++) {
      r.sent();
      r.record({ latencyMs: i, serviceTimeMs: i / 2 });
    }
    r.sent();
    r.record({ latencyMs: 3, serviceTimeMs: 3, error: 'http_503' });
    r.dropped();
    // A warm-up straggler ending in a measured second is not measured, only counted as delivered.
    r.record({ latencyMs: 900, serviceTimeMs: 900 }, true);
    const s = r.endSecond(second(1));
    assert.equal(s.completed, 100);
    assert.equal(s.warmupCompleted, 1);
    assert.equal(r.endSecond(second(2)).warmupCompleted, undefined, 'counted in the second it ended in only');
    assert.equal(s.failed, 1);
    assert.equal(s.dropped, 1);
    assert.deepEqual(s.errors, { http_503: 1 });
    assert.ok(Math.abs(s.latencyMs.p50 - 50) <= 0.05);
    assert.ok(Math.abs(s.latencyMs.p99 - 99) <= 0.1);
    assert.equal(s.latencyMs.max, 100);
    assert.ok(Math.abs(s.serviceTimeMs.p50 - 25) <= 0.05);
    const t = r.totals();
    assert.equal(t.completed, 100);
    assert.equal(t.sent, 101);
    assert.equal(t.latencyMs.count, 100, 'warm-up samples are not in the totals');
    r.destroy();
  });

  it('keeps sub-millisecond precision', () => {
    const r = new Recorder();
    r.record({ latencyMs: 20.25, serviceTimeMs: 0.125 });
    const s = r.endSecond(second(1));
    assert.ok(Math.abs(s.latencyMs.p50 - 20.25) < 0.02);
    assert.ok(Math.abs(s.serviceTimeMs.p50 - 0.125) < 0.001);
  });

  it('means are exact to the microsecond, per second and overall', () => {
    const r = new Recorder();
    // HDR buckets are 16 µs wide at 20 ms, so its bucket-based mean would be off by up to 8 µs here.
    r.record({ latencyMs: 20.001, serviceTimeMs: 20.001 });
    r.record({ latencyMs: 21.2345, serviceTimeMs: 0.5 });
    const first = r.endSecond(second(1));
    assert.equal(first.latencyMs.mean, 20.618); // (20 001 + 21 235) / 2 µs, rounded
    assert.equal(first.serviceTimeMs.mean, 10.251); // (20 001 + 500) / 2 µs, rounded
    r.record({ latencyMs: 30.003, serviceTimeMs: 1 });
    const next = r.endSecond(second(2));
    assert.equal(next.latencyMs.mean, 30.003, 'a second starts from nothing');
    assert.equal(r.endSecond(second(3)).latencyMs.mean, 0, 'an empty second has no mean');
    assert.equal(r.totals().latencyMs.mean, 23.746); // (20 001 + 21 235 + 30 003) / 3 µs, rounded
    r.destroy();
  });

  it('percentiles are monotone and within [min, max] (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const r = new Recorder();
        for (const v of values) r.record({ latencyMs: v, serviceTimeMs: v });
        const s = r.endSecond(second(1)).latencyMs;
        const seq = [s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max];
        for (let i = 1; i < seq.length; i++) assert.ok(seq[i]! >= seq[i - 1]!, JSON.stringify(s));
        r.destroy();
      }),
      { numRuns: 50 },
    );
  });

  it('records LLM samples: ITL pooled, TPOT per request, tokens, goodput against limits', () => {
    const r = new Recorder({ goodput: { ttftMs: 100 } });
    r.record({ latencyMs: 300, serviceTimeMs: 300, llm: { ttftMs: 50, itlMs: [10, 10, 30], e2eMs: 110, outputTokens: 4, tokensApproximate: false } });
    r.record({ latencyMs: 300, serviceTimeMs: 300, llm: { ttftMs: 150, itlMs: [20], e2eMs: 170, outputTokens: 2, tokensApproximate: true } });
    const s = r.endSecond(second(1));
    assert.equal(s.llm!.ttftMs.count, 2);
    assert.equal(s.llm!.itlMs.count, 4);
    assert.equal(s.llm!.outputTokensPerSecond, 6);
    const t = r.totals();
    assert.equal(t.good, 1);
    assert.equal(t.llm!.tokenCountsApproximate, true);
    assert.equal(t.llm!.tpotMs.count, 2);
    assert.ok(Math.abs(t.llm!.tpotMs.min - 20) < 0.05);
  });

  it('tpotMs follows vLLM: (e2e − TTFT) / (tokens − 1)', () => {
    assert.equal(tpotMs({ ttftMs: 100, itlMs: [], e2eMs: 1000, outputTokens: 10, tokensApproximate: false }), 100);
    assert.equal(tpotMs({ ttftMs: 100, itlMs: [], e2eMs: 1000, outputTokens: 1, tokensApproximate: false }), undefined);
  });
});
