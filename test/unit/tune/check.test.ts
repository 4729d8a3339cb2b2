import assert from 'node:assert/strict';
import { judgeSettings } from '../../../src/tune/check.js';
import type { ScalingSettings, SimulationSummary } from '../../../src/tune/prove.js';

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

// Reading the TuneResult it checks against: test/unit/tune/read-result.test.ts.
describe('tune --check (src/tune/check.ts)', () => {
  it('allows 0.5 % of the simulated time over the SLO, as tune’s selection does', () => {
    // 3600 s simulated → 18 s allowed.
    assert.deepEqual([judgeSettings(settings, () => outcome(18)).passed, judgeSettings(settings, () => outcome(18.5)).passed], [true, false]);
    const v = judgeSettings(settings, () => outcome(3));
    assert.equal(v.budgetSeconds, 18);
    assert.equal('series' in v.simulation, false);
  });
});
