import assert from 'node:assert/strict';
import { localMetricPipeline } from '../../../src/replay/simulate-replay.js';
import { prove, settingsFrom } from '../../../src/tune/prove.js';
import { simulatorFor } from '../../../src/tune/simulate-adapter.js';
import { ISSUE_REPLICA_COLD_START_MS, ISSUE_REPLICA_SLO, issueReplica } from '../../support/issue-replica.js';

describe("tune --local: the proof models the local runtime's metric pipeline", () => {
  it('reacts a sync after the ramp instead of a minute later, so the derived setting misses less and the chosen one costs less', async () => {
    // The issue's replica: 4 slots of 40 ms, 4.4 s cold start, p95 < 200 ms; 20 → 300/s in a minute (on the issue's
    // 15 s ramp both pipelines end at the same static-like setting: four replicas from the start).
    const slo = ISSUE_REPLICA_SLO;
    const traffic = { baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 60 };
    const { curve, rec } = await issueReplica(traffic);
    const input = { curve, axis: 'rate' as const, slo, coldStartMs: ISSUE_REPLICA_COLD_START_MS, traffic, metric: 'rps' as const };
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
