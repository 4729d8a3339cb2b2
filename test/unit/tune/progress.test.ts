import assert from 'node:assert/strict';
import { searchCapacity } from '../../../src/tune/capacity-search.js';
import { formatTuneEvent, formatTuneResult } from '../../../src/tune/format-text.js';
import { initialProgress, reduceProgress, type SearchProgress } from '../../../src/tune/progress.js';
import type { TuneEvent } from '../../../src/tune/run-tune.js';
import { modelMeasure } from '../../support/queue-model.js';
import { sampleTuneResult } from '../../support/tune-fixtures.js';

describe('tune/progress and text', () => {
  it('folds the search events into the state a live view shows', async () => {
    const states: SearchProgress[] = [];
    let state = initialProgress;
    const seenCurrent: number[] = [];
    const result = await searchCapacity({
      axis: 'concurrency',
      slo: { percentile: 'p95', latencyMs: 150, errorRate: 0.01 },
      measure: modelMeasure({ slots: 6, serviceMs: 100 }),
      onEvent: (e) => {
        state = reduceProgress(state, e as TuneEvent);
        if (state.current) seenCurrent.push(state.current.windows.length);
        states.push(state);
      },
    });
    assert.equal(state.steps.length, result.curve.length + 1, 'the steps, then the confirming hold');
    assert.equal(state.steps.at(-1)?.phase, 'confirm');
    assert.equal(state.capacityEstimate, 6);
    assert.equal(state.current, null);
    assert.ok(Math.max(...seenCurrent) >= 3, 'windows of the running step are visible while it runs');
    assert.ok(states.some((s) => s.bracket.lo !== null && s.bracket.hi !== null));
  });

  it('shows the saturation probe while it runs and what it measured, in the state and as a line', () => {
    let state = reduceProgress(initialProgress, { type: 'probe-start', concurrency: 24 });
    assert.deepEqual(state.probe, { concurrency: 24, result: null });
    const probe = { concurrency: 24, completedPerSecond: 155.5, meanLatencyMs: 154, saturated: true, loadSeconds: 10 };
    state = reduceProgress(state, { type: 'probe-end', probe });
    assert.equal(state.probe?.result, probe);
    assert.match(formatTuneEvent({ type: 'probe-end', probe }, 'p95')!, /probe\s+concurrency\s+24: mean 154 ms, 155.5\/s — saturation throughput/);
    assert.match(formatTuneEvent({ type: 'probe-end', probe: { ...probe, saturated: false } }, 'p95')!, /not saturated .* not used/);
  });

  it('prints every number with its source, and one line per finished step', async () => {
    const r = await sampleTuneResult();
    const text = formatTuneResult(r);
    for (const s of ['[measured:', '[derived:', '[spec:', 'recommended', 'current (spec)', 'HPA metric']) assert.ok(text.includes(s), s);
    const line = formatTuneEvent({ type: 'step-end', point: r.search.curve[0]!, bracket: { lo: 1, hi: null } }, 'p95');
    assert.match(line!, /pass \(steady, \d+ windows\)\s+bracket \[1, –\]/);
  });
});
