import assert from 'node:assert/strict';
import { shapePercentileMs } from '../../../src/tune/queue-shape.js';
import { runTune } from '../../../src/tune/run-tune.js';
import { formatTuneResult } from '../../../src/tune/format-text.js';
import { curveMeasure, scatterMeasure } from '../../support/queue-model.js';
import { sampleTuneOptions } from '../../support/tune-fixtures.js';

/** An M/M/16 server at 50 ms under an SLO on the p95, searched in open loop with 2 s windows. */
function tune(sloMs: number) {
  const shape = { servers: 16, serviceMs: 50 };
  return runTune({
    ...sampleTuneOptions(),
    url: 'http://127.0.0.1:8080/predict',
    runtime: 'http',
    axis: 'rate',
    slo: { percentile: 'p95', latencyMs: sloMs, errorRate: 0.01, source: 'flag' },
    search: { windowMs: 2000 },
    measure: curveMeasure({ percentileMs: (x) => shapePercentileMs('rate', x, shape, 0.95), serviceMs: 50, saturationPerSecond: 320, noise: 0.02, seed: 3 }),
  });
}

describe('tune notes', () => {
  it('says when the capacity stopped at what one window can judge, and how to reach further', async () => {
    // p95 ≤ 1 s crosses at ρ ≈ 0.98, past the settled limit of 2 s windows.
    const capped = await tune(1000);
    assert.ok(capped.search.settledLimit !== null);
    const note = capped.notes.find((n) => n.includes('longer --window'));
    assert.ok(note?.includes(`${capped.search.settledLimit}/s`), `${capped.notes.join('\n')}`);
    // p95 ≤ 150 ms crosses far below it: no such note.
    const plain = await tune(150);
    assert.equal(plain.search.settledLimit, null);
    assert.ok(!plain.notes.some((n) => n.includes('longer --window')), plain.notes.join('\n'));
  });

  it('says which hold its fresh-run margin refuted, what the search aimed at then, and the margin of the answer', async () => {
    // Windows at 0.8, 1.2, 1.0 × a curve that crosses the 300 ms SLO at 24.5/s (test/unit/tune/steady.test.ts).
    const r = await runTune({
      ...sampleTuneOptions(),
      url: 'http://127.0.0.1:8080/predict',
      runtime: 'http',
      axis: 'rate',
      slo: { percentile: 'p95', latencyMs: 300, errorRate: 0.01, source: 'flag' },
      measure: scatterMeasure((x) => 150 + 100 * (x / 20) ** 2, [0.8, 1.2, 1]),
    });
    const refuted = r.search.unconfirmed![0]!;
    const note = r.notes.find((n) => n.startsWith(`${refuted.level} passed its step but failed a fresh`));
    assert.ok(note, r.notes.join('\n'));
    assert.match(note, new RegExp(`p95 ${Math.round(refuted.latencyMs.p95)} ms, but a fresh run of its length may read up to ${Math.round(refuted.marginMs!)} ms more`));
    assert.match(note, new RegExp(`aiming at p95 ≤ ${Math.round(300 - refuted.marginMs!)} ms`));
    const text = formatTuneResult(r);
    assert.match(text, /confirmed by a fresh 30 s hold at [\d.]+\/s: p95 [\d.]+ ms, its 6 windows .* within the SLO with a fresh run's margin of [\d.]+ ms/);
  });
});
