/**
 * Replays real HPA runs recorded on the test control plane (test/cluster/hpa-fidelity.test.ts) against the
 * simulator, so that the simulator's fidelity is checked on every unit run and not only on the cluster: with
 * the cluster's settings it must reproduce the real controller, and a wrong setting must show.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareWithSimulator, syncGrid, type RecordedRun } from '../../support/fidelity/compare.js';
import { demandAt, FIDELITY_SETTINGS } from '../../support/fidelity/trace.js';

const { recordings } = JSON.parse(readFileSync(new URL('../../fixtures/hpa-fidelity/recordings.json', import.meta.url), 'utf8')) as {
  recordings: (RecordedRun & { label: string })[];
};

describe('HPA simulator fidelity on recorded real-controller runs', () => {
  for (const rec of recordings) {
    it(`${rec.label}: agrees at ≥ 95 % of the sync points, never more than one replica apart`, () => {
      const c = compareWithSimulator(rec, FIDELITY_SETTINGS, (t) => demandAt(t));
      assert.ok(c.syncPoints >= 90, `${c.syncPoints} sync points`);
      assert.ok(c.agreement >= 0.95, `agreement ${c.agreement}`);
      assert.ok(c.maxDifference <= 1, `max difference ${c.maxDifference}`);
    });
  }

  const wrong: [string, Partial<typeof FIDELITY_SETTINGS>][] = [
    ['a pod has a sample after two scrapes (a kubelet, not kwok)', { scrapesToFirstSample: 2 }],
    ['the default 5 min downscale stabilization', { downscaleStabilizationMs: 300_000 }],
    ['a 30 s metric resolution', { scrapeIntervalMs: 30_000 }],
    ['a tolerance of 0.05', { tolerance: 0.05 }],
    ['the fixed-lag metric model', { metricModel: 'lag' }],
  ];
  for (const [what, override] of wrong) {
    it(`fails with a wrong setting: ${what}`, () => {
      const worst = Math.min(...recordings.map((rec) => compareWithSimulator(rec, { ...FIDELITY_SETTINGS, ...override }, (t) => demandAt(t)).agreement));
      assert.ok(worst < 0.95, `agreement ${worst}`);
    });
  }

  it('fits the sync grid: period and phase of events seen up to 400 ms late', () => {
    const events = [3, 11, 12, 40, 41, 77].map((k) => 700 + k * 2013 + (k % 3) * 100);
    const g = syncGrid(events, 2000, 400);
    assert.ok(Math.abs(g.periodMs - 2013) <= 3, `period ${g.periodMs}`);
    for (const e of events) {
      const after = (((e - g.phaseMs) % g.periodMs) + g.periodMs) % g.periodMs;
      assert.ok(after <= 400, `event ${e} is ${after} ms after the grid`);
    }
  });
});
