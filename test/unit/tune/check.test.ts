import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MdlError } from '../../../src/errors.js';
import { judgeSettings, measuredCapacity } from '../../../src/tune/check.js';
import type { ScalingSettings, SimulationSummary } from '../../../src/tune/prove.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/tune-check/tune-result.json', import.meta.url));
const settings: ScalingSettings = {
  metric: 'rps',
  minReplicas: 2,
  maxReplicas: 10,
  target: 100,
  scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};
/** A simulation outcome given outright, to pin the budget rule at its edge. */
const outcome = (secondsOverSlo: number): SimulationSummary => ({ durationSeconds: 3600, secondsOverSlo, replicaHours: 5, peakReplicas: 4, series: [] });

describe('tune --check (src/tune/check.ts)', () => {
  it('reads the curve, axis and cold start of a TuneResult that mdl tune --local wrote', () => {
    const m = measuredCapacity(JSON.parse(readFileSync(FIXTURE, 'utf8')), 'tune-result.json');
    assert.equal(m.axis, 'rate');
    assert.equal(m.curve.length, 7);
    assert.equal(m.coldStartMs?.source, 'measured');
    assert.equal(m.coldStartMs?.value, 961);
    assert.equal(m.slo.percentile, 'p95');
  });

  it('allows 0.5 % of the simulated time over the SLO, as tune’s selection does', () => {
    // 3600 s simulated → 18 s allowed.
    assert.deepEqual([judgeSettings(settings, () => outcome(18)).passed, judgeSettings(settings, () => outcome(18.5)).passed], [true, false]);
    const v = judgeSettings(settings, () => outcome(3));
    assert.equal(v.budgetSeconds, 18);
    assert.equal('series' in v.simulation, false);
  });

  it('rejects what is not a TuneResult, naming the key', () => {
    const cases: Array<[unknown, RegExp, string]> = [
      [[1, 2], /not a JSON object/, 'f.json'],
      [{ schemaVersion: 2 }, /schemaVersion is 2, not 1/, 'f.json schemaVersion'],
      [{ schemaVersion: 1 }, /no search\.curve/, 'f.json search.curve'],
      [{ schemaVersion: 1, search: { axis: 'time', curve: [] } }, /search\.axis is "time"/, 'f.json search.axis'],
      [{ schemaVersion: 1, search: { axis: 'rate', curve: [{ level: 5 }] } }, /step 0 lacks/, 'f.json search.curve[0]'],
      [{ schemaVersion: 1, search: { axis: 'rate', curve: [] } }, /no slo/, 'f.json slo'],
    ];
    for (const [doc, message, where] of cases) {
      assert.throws(
        () => measuredCapacity(doc, 'f.json'),
        (e: unknown) => e instanceof MdlError && e.exitCode === 2 && message.test(e.message) && e.where === where,
        String(message),
      );
    }
  });
});
