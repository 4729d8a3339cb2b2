import assert from 'node:assert/strict';
import { EMPTY_SUMMARY } from '../../../src/load/recorder.js';
import { evaluateThresholds, goodputLimits, parseThreshold, sloToThresholds } from '../../../src/load/thresholds.js';
import type { LoadResult } from '../../../src/load/types.js';
import { UnitError } from '../../../src/units.js';

function result(over: Partial<LoadResult> = {}): LoadResult {
  return {
    schemaVersion: 2,
    target: { url: 'http://x', protocol: 'http', method: 'GET', headers: {} },
    mode: { kind: 'rate', ratePerSecond: 10, arrival: 'constant' },
    startedAt: '',
    durationMs: 1000,
    warmupMs: 0,
    interrupted: false,
    requests: { sent: 100, completed: 98, failed: 2, dropped: 0 },
    throughput: { targetPerSecond: 10, sentPerSecond: 100, completedPerSecond: 100 },
    latencyMs: { ...EMPTY_SUMMARY, p95: 250, p99: 400, count: 98 },
    serviceTimeMs: { ...EMPTY_SUMMARY },
    errors: {},
    thresholds: [],
    series: [],
    ...over,
  };
}

describe('thresholds', () => {
  it('parses latency, ratio and rate thresholds with units', () => {
    assert.deepEqual(parseThreshold('p95<300ms'), { expression: 'p95<300ms', metric: 'p95', operator: '<', limit: 300, unit: 'ms', source: 'flag' });
    assert.equal(parseThreshold('ttft_p99<2s').limit, 2000);
    assert.equal(parseThreshold('error_rate<1%').limit, 0.01);
    assert.equal(parseThreshold('error_rate<=0.05').limit, 0.05);
    assert.equal(parseThreshold('rps>=100').operator, '>=');
    assert.equal(parseThreshold('tpot_p95 < 50ms').limit, 50);
  });

  it('rejects unknown metrics and bad values with what was expected', () => {
    assert.throws(() => parseThreshold('p97<3ms'), (e: unknown) => e instanceof UnitError && /unknown threshold metric/.test(e.message));
    assert.throws(() => parseThreshold('p95<300'), UnitError);
    assert.throws(() => parseThreshold('p95'), /not a threshold/);
    assert.throws(() => parseThreshold('error_rate<150%'), UnitError);
  });

  it('evaluates against a result with the observed value', () => {
    const out = evaluateThresholds([parseThreshold('p95<300ms'), parseThreshold('p99<300ms'), parseThreshold('error_rate<1%'), parseThreshold('rps>50')], result());
    assert.deepEqual(out.map((o) => o.passed), [true, false, false, true]);
    assert.equal(out[2]!.observed, 0.02);
    assert.equal(out[1]!.observed, 400);
  });

  it('fails a threshold that has no data (e.g. ttft on a plain HTTP run)', () => {
    const [o] = evaluateThresholds([parseThreshold('ttft_p99<2s')], result());
    assert.equal(o!.observed, null);
    assert.equal(o!.passed, false);
  });

  it('turns the spec slo into thresholds and per-request goodput limits', () => {
    const t = sloToThresholds({ p95: '300ms', errorRate: '1%', ttftP99: '2s' });
    assert.deepEqual(t.map((x) => [x.metric, x.limit, x.source]), [['p95', 300, 'spec'], ['error_rate', 0.01, 'spec'], ['ttft_p99', 2000, 'spec']]);
    assert.deepEqual(goodputLimits(t), { latencyMs: 300, ttftMs: 2000 });
  });
});
