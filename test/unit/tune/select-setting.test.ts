import assert from 'node:assert/strict';
import fc from 'fast-check';
import { searchCapacity } from '../../../src/tune/capacity-search.js';
import { adoptChosen, prove, settingsFrom } from '../../../src/tune/prove.js';
import { recommend, type Recommendation, type TrafficShape } from '../../../src/tune/recommend.js';
import { simulatorFor } from '../../../src/tune/simulate-adapter.js';
import type { CapacityPoint, Slo } from '../../../src/tune/types.js';
import { writeDecision } from '../../../src/tune/write-back.js';
import { ISSUE_REPLICA_COLD_START_MS, ISSUE_REPLICA_SLO, issueReplica } from '../../support/issue-replica.js';
import { modelMeasure } from '../../support/queue-model.js';

const m = (value: number) => ({ value, source: 'measured' as const, note: '' });

/** An open-loop capacity curve of an M/M/1-like replica: p95 = 3 × service / (1 − ρ), measured below saturation. */
function rateCurve(capacityPerSecond: number, serviceMs: number): CapacityPoint[] {
  return [0.2, 0.4, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95].map((rho) => {
    const p95 = (3 * serviceMs) / (1 - rho);
    return {
      axis: 'rate',
      level: capacityPerSecond * rho,
      latencyMs: { mean: p95 / 3, p50: p95 / 4, p90: p95 * 0.77, p95, p99: p95 * 1.5, max: p95 * 2 },
      errorRate: 0,
      completedPerSecond: capacityPerSecond * rho,
      peakWindowPerSecond: capacityPerSecond * rho,
      passed: true,
      steady: true,
      backlog: false,
      ended: 'steady',
      windows: 3,
      loadSeconds: 15,
      phase: 'bracket',
    };
  });
}

function httpRecommendation(curve: CapacityPoint[], slo: Slo, coldStartMs: number, traffic: TrafficShape): Recommendation {
  const passing = curve.filter((p) => p.latencyMs[slo.percentile] <= slo.latencyMs);
  const cap = passing[passing.length - 1]!;
  return recommend({
    runtime: 'http',
    axis: 'rate',
    capacityLevel: m(cap.level),
    capacityPerSecond: m(cap.completedPerSecond),
    latencyAtCapacityMs: cap.latencyMs.mean,
    coldStartMs: m(coldStartMs),
    traffic: { value: traffic, source: 'spec', note: '' },
  });
}

describe('tune: the setting written is the setting that passed', () => {
  it('on a slot-bound replica with a fast spike, replaces the derived setting its own simulation puts over budget', async () => {
    // 4 slots of 40 ms, 4.4 s cold start, 20 → 300/s in 15 s, p95 < 200 ms: the derived setting is over budget.
    const slo = ISSUE_REPLICA_SLO;
    const traffic = { baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 15 };
    const { curve, rec } = await issueReplica(traffic);
    const simulate = simulatorFor({ curve, axis: 'rate', slo, coldStartMs: ISSUE_REPLICA_COLD_START_MS, traffic, metric: 'rps' });
    const proof = prove(rec, null, simulate);
    assert.ok(simulate(settingsFrom(rec)).secondsOverSlo > proof.budgetSeconds, 'the formula alone is over budget here');
    assert.ok(proof.passed, proof.reason);
    const written = adoptChosen(rec, proof);
    assert.notDeepEqual(settingsFrom(written), settingsFrom(rec));
    assert.ok(simulate(settingsFrom(written)).secondsOverSlo <= proof.budgetSeconds);
    assert.equal(written.target.source === 'simulated' || written.minReplicas.source === 'simulated', true);
    assert.deepEqual(writeDecision({ recommendation: written, interrupted: false, simulation: proof }), { write: true });
  });

  it('on a spike that is mostly peak, finds a setting no costlier than a static fleet for the peak (every minReplicas is tried)', async () => {
    // The issue's replica (4 slots of 40 ms, 4.4 s cold start) on its spike, 20 → 300/s in 15 s: 4 replicas carry
    // the peak. Coarse minReplicas buffers (+0, +3, +5, +8 here) skipped the minimum of 4 and chose a setting that
    // ran 6–7 replicas at the peak.
    const traffic = { baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 15 };
    const { curve, rec } = await issueReplica(traffic);
    const simulate = simulatorFor({ curve, axis: 'rate', slo: ISSUE_REPLICA_SLO, coldStartMs: ISSUE_REPLICA_COLD_START_MS, traffic, metric: 'rps' });
    const proof = prove(rec, null, simulate);
    assert.ok(proof.passed, proof.reason);
    const staticFleet = { ...settingsFrom(rec), minReplicas: 4, maxReplicas: 4 };
    const fleet = simulate(staticFleet);
    assert.equal(fleet.secondsOverSlo, 0, 'four replicas carry the peak');
    assert.ok(proof.chosen.summary.replicaHours <= fleet.replicaHours + 1e-9,
      `chosen ${JSON.stringify(proof.chosen.settings)}: ${proof.chosen.summary.replicaHours} replica-hours, a static 4: ${fleet.replicaHours}`);
  });

  it('never lets --write write a setting its own simulation puts over budget (any capacity, cold start, traffic)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 400 }),
        fc.integer({ min: 5, max: 80 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 5, max: 900 }),
        fc.option(fc.integer({ min: 2, max: 30 }), { nil: undefined }),
        (capacity, serviceMs, coldS, baseline, extra, ramp, limit) => {
          const slo: Slo = { percentile: 'p95', latencyMs: serviceMs * 12, errorRate: 0.01 };
          const curve = rateCurve(capacity, serviceMs);
          const traffic = { baselinePerSecond: baseline, peakPerSecond: baseline + extra, rampSeconds: ramp };
          const rec = httpRecommendation(curve, slo, coldS * 1000, traffic);
          const simulate = simulatorFor({ curve, axis: 'rate', slo, coldStartMs: coldS * 1000, traffic, metric: 'rps' });
          const proof = prove(rec, null, simulate, { ...(limit !== undefined ? { maxReplicasLimit: limit } : {}) });
          const written = adoptChosen(rec, proof);
          const settings = settingsFrom(written);
          if (limit !== undefined) assert.ok(settings.maxReplicas <= limit);
          const decision = writeDecision({ recommendation: written, interrupted: false, simulation: proof });
          const over = simulate(settings).secondsOverSlo;
          if (decision.write) assert.ok(over <= proof.budgetSeconds, `wrote a setting ${over} s over a ${proof.budgetSeconds} s budget`);
          else assert.ok(over > proof.budgetSeconds && !proof.passed);
          // Nothing within budget was cheaper than what was chosen.
          if (proof.passed) {
            for (const c of proof.candidates) if (c.withinBudget) assert.ok(c.summary.replicaHours >= proof.chosen.summary.replicaHours - 1e-9);
          }
          assert.equal(writeDecision({ recommendation: written, interrupted: false, simulation: proof }, true).write, true, '--force writes');
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps --max-replicas when the derived setting itself is chosen (found by the property above: capacity 20/s, 5 ms, cold start 0, baseline 21/s, ramp 5 s, at most 2)', () => {
    const slo: Slo = { percentile: 'p95', latencyMs: 60, errorRate: 0.01 };
    const curve = rateCurve(20, 5);
    const traffic = { baselinePerSecond: 21, peakPerSecond: 21, rampSeconds: 5 };
    const rec = httpRecommendation(curve, slo, 0, traffic);
    const simulate = simulatorFor({ curve, axis: 'rate', slo, coldStartMs: 0, traffic, metric: 'rps' });
    const proof = prove(rec, null, simulate, { maxReplicasLimit: 2 });
    assert.ok(rec.maxReplicas.value > 2, `the formula's max is above the limit (${rec.maxReplicas.value})`);
    assert.equal(proof.chosen.origin, 'derived');
    const written = adoptChosen(rec, proof);
    assert.equal(written.maxReplicas.value, 2);
    assert.equal(written.maxReplicas.source, 'flag');
    assert.match(written.maxReplicas.note, /--max-replicas 2/);
    assert.deepEqual(settingsFrom(written), proof.chosen.settings);
  });

  it('with too few replicas allowed, no setting passes: says so and writes nothing', () => {
    const slo: Slo = { percentile: 'p95', latencyMs: 300, errorRate: 0.01 };
    const curve = rateCurve(50, 20);
    const traffic = { baselinePerSecond: 10, peakPerSecond: 500, rampSeconds: 60 };
    const rec = httpRecommendation(curve, slo, 30_000, traffic);
    const simulate = simulatorFor({ curve, axis: 'rate', slo, coldStartMs: 30_000, traffic, metric: 'rps' });
    const proof = prove(rec, null, simulate, { maxReplicasLimit: 4 });
    assert.equal(proof.passed, false);
    assert.match(proof.reason, /no setting with at most 4 replicas/);
    assert.ok(proof.candidates.every((c) => c.summary.secondsOverSlo >= proof.chosen.summary.secondsOverSlo));
    const decision = writeDecision({ recommendation: adoptChosen(rec, proof), interrupted: false, simulation: proof });
    assert.equal(decision.write, false);
    assert.match(!decision.write ? decision.why : '', /--force/);
  });
});

describe('tune: the chosen setting in the text, the report and the TuneResult', () => {
  it('prints, reports and carries the one chosen setting and why it won', async () => {
    const { sampleTuneResult } = await import('../../support/tune-fixtures.js');
    const { renderTuneReport } = await import('../../../src/report/html/tune-report.js');
    const { formatTuneResult } = await import('../../../src/tune/format-text.js');
    const result = await sampleTuneResult();
    const sim = result.simulation!;
    assert.ok(sim.passed);
    const rec = result.recommendation!;
    assert.deepEqual(
      { target: rec.target.value, min: rec.minReplicas.value, max: rec.maxReplicas.value },
      { target: sim.chosen.settings.target, min: sim.chosen.settings.minReplicas, max: sim.chosen.settings.maxReplicas },
    );
    const text = formatTuneResult(result);
    assert.match(text, /recommended \(chosen\)/);
    assert.match(text, new RegExp(`why: cheapest of \\d+ of ${sim.candidates.length} settings`));
    const html = renderTuneReport(result);
    assert.match(html, /<h3>Settings tried<\/h3>/);
    assert.match(html, /<td>chosen<\/td>/);
    assert.ok((html.match(/<tr class="(pass|fail)"><td>(derived|target )/g) ?? []).length >= 2, 'chosen and other candidates listed');
    assert.ok(result.notes.some((n) => /^Settings search: \d+ settings simulated in \d+ ms/.test(n)));
  });
});
