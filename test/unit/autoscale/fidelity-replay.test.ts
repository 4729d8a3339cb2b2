/**
 * Replays real HPA runs recorded on the test control plane (test/cluster/hpa-fidelity.test.ts) against the
 * simulator, so that the simulator's fidelity is checked on every unit run and not only on the cluster: with
 * the cluster's settings it must reproduce the real controller, and a wrong setting must show.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareWithSimulator, servedPhase, syncGrid, type RecordedRun } from '../../support/fidelity/compare.js';
import { parseControllerSyncs } from '../../support/fidelity/controller-log.js';
import { demandAt, FIDELITY_SETTINGS } from '../../support/fidelity/trace.js';
import { hpaSpecFor, prepareCapacity, simulate } from '../../../src/autoscale/simulator.js';

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

  it('reads the controller’s syncs of one HPA from its log, to the microsecond', () => {
    const startMs = new Date(2026, 10, 28, 20, 28, 0, 0).getTime();
    const log = [
      'I1128 20:28:04.225581    2709 horizontal.go:907] "Proposing desired replicas" logger="horizontal-pod-autoscaler-controller" desiredReplicas=4 metric="cpu resource utilization (percentage of request)" tolerances="[down:10.0%, up:10.0%]" timestamp="2026-11-28 20:28:03 +0000 UTC" scaleTarget="Deployment/ns-a/cpu-trace"',
      'I1128 20:28:05.000100    2709 horizontal.go:907] "Proposing desired replicas" desiredReplicas=9 scaleTarget="Deployment/ns-b/cpu-trace"',
      'I1128 20:28:04.230000    2709 horizontal.go:981] "Successfully rescaled" HPA="ns-a/cpu-trace" currentReplicas=2 desiredReplicas=4',
      'I1128 20:28:06.239046    2709 horizontal.go:907] "Proposing desired replicas" desiredReplicas=6 scaleTarget="Deployment/ns-a/cpu-trace"',
    ].join('\n');
    const syncs = parseControllerSyncs(log, 'ns-a', 'cpu-trace', startMs);
    assert.deepEqual(syncs.map((s) => s.proposed), [4, 6]);
    assert.ok(Math.abs(syncs[0]!.tMs - 4225.581) < 1e-3 && Math.abs(syncs[1]!.tMs - 6239.046) < 1e-3, JSON.stringify(syncs));
  });

  it('places when samples are served between the last sync that read an older one and the first that read it', () => {
    // Scrapes every 15 s stamped at 0, 15, 30 s; served 400 ms later; syncs every 2 s from 0.3 s, so the
    // sample of 15 s is first read at 16.3 s, after 14.3 s read the one of 0 s.
    const samples = [0, 15_000, 30_000].map((ts) => ({ seenMs: ts + 450, timestampMs: ts, windowMs: 1000, pods: 1, usageMilli: 400 }));
    const syncs = Array.from({ length: 20 }, (_, k) => 300 + 2000 * k).map((tMs) => ({ tMs, proposed: 1, sampleMs: Math.floor((tMs - 400) / 15_000) * 15_000 }));
    const phase = servedPhase(samples, syncs, 15_000)!;
    // Each window is (ts, min(first read, seen)) = (ts, ts + 450) ∩ after the sync before: served in (ts + 0, ts + 450).
    assert.ok(phase > 0 && phase < 450, `phase ${phase}`);
    assert.equal(servedPhase(samples, syncs.map(({ tMs, proposed }) => ({ tMs, proposed })), 15_000), null, 'no sample named: no phase');
  });

  it('replays given sync times instead of a fixed period', () => {
    // 40 % → 90 % at 20 s; the scrape at 30 s sees it. Periodic syncs (every 2 s) act at 32 s; syncs replayed
    // at 31.3 s and 37.1 s act at the step the first falls in (31 s, so from 32 s on).
    const rates = new Float64Array(60).map((_, i) => (i < 20 ? 0.4 : 0.9));
    const run = (syncTimesMs?: number[]) => Array.from(simulate({
      hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 8, metric: 'cpu', target: 50 }), signal: 'cpu', sloLatencyMs: 1e9,
      syncPeriodMs: 2000, metricWindowMs: 1000, podStartMs: 1000, cpuSaturationRatePerReplica: 1,
      metricScrape: { intervalMs: 15_000 }, ...(syncTimesMs ? { syncTimesMs } : {}), recordSteps: true,
    }, { stepMs: 1000, ratesPerSecond: rates, source: 'test' }, prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 1e6, latencyMs: 1 }] })).steps!.desiredReplicas);
    assert.equal(run().indexOf(2), 32);
    const replayed = run([29_300, 31_300, 37_100]);
    assert.equal(replayed.indexOf(2), 32);
    assert.equal(run([29_300, 33_700]).indexOf(2), 34);
  });

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
