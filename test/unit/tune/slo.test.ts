import assert from 'node:assert/strict';
import { resolveSlo } from '../../../src/tune/slo.js';

describe('tune/slo', () => {
  it('reads a percentile and an error rate from --slo, comma-separated or repeated', () => {
    assert.deepEqual(resolveSlo(['p95<300ms,error_rate<0.5%'], undefined), { percentile: 'p95', latencyMs: 300, errorRate: 0.005, source: 'flag' });
    assert.deepEqual(resolveSlo(['p99<2s', 'error_rate<2%'], undefined), { percentile: 'p99', latencyMs: 2000, errorRate: 0.02, source: 'flag' });
    assert.equal(resolveSlo(['p95<300ms'], undefined).errorRate, 0.01);
  });
  it('falls back to the spec, taking its highest percentile', () => {
    assert.deepEqual(resolveSlo(undefined, { latency: { p50Ms: 100, p95Ms: 300 }, errorRate: 0.02 }), { percentile: 'p95', latencyMs: 300, errorRate: 0.02, source: 'spec' });
  });
  it('rejects what it cannot keep with exit 2', () => {
    for (const bad of [['rps>10'], ['p95<300ms,p99<1s'], ['error_rate<1%'], ['p95<fast']]) {
      assert.throws(() => resolveSlo(bad, undefined), (e: Error & { exitCode?: number }) => e.exitCode === 2, bad.join());
    }
    assert.throws(() => resolveSlo(undefined, { latency: {} }), /no SLO/);
  });
});
