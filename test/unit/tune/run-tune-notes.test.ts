import assert from 'node:assert/strict';
import { shapePercentileMs } from '../../../src/tune/queue-shape.js';
import { runTune } from '../../../src/tune/run-tune.js';
import { curveMeasure } from '../../support/queue-model.js';
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
});
