import assert from 'node:assert/strict';
import { searchCapacity, type MeasureControl } from '../../../src/tune/capacity-search.js';
import { ErrorBoundExceeded } from '../../../src/load/error-bound.js';
import type { LoadResult, LoadSnapshot } from '../../../src/load/types.js';
import { engineMeasure, type RunLoadFn } from '../../../src/tune/engine-measure.js';
import { modelMeasure } from '../../support/queue-model.js';

const summary = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0 };
const refused = (second: number, warmup: boolean): LoadSnapshot => ({
  second, timestampMs: 0, warmup, elapsedMs: second * 1000, totalMs: undefined, stageIndex: undefined, targetPerSecond: undefined,
  sent: 6, completed: 0, failed: 6, dropped: 0, inFlight: 0, achievedPerSecond: 0, latencyMs: summary, serviceTimeMs: summary,
  errors: { connect_refused: 6 }, totals: { sent: 0, completed: 0, failed: 0, dropped: 0 },
});

describe('tune: failing loudly', () => {
  it('stops a run whose requests mostly fail at once, warm-up included, naming the error class', async () => {
    let snapshots = 0;
    const runLoad: RunLoadFn = async (_options, hooks) => {
      for (let s = 0; s < 60 && !hooks.signal?.aborted; s++) {
        snapshots++;
        hooks.onSnapshot?.(refused(s, s === 0));
      }
      return {} as LoadResult;
    };
    const control: MeasureControl = { axis: 'rate', windowMs: 5000, maxWindows: 10, shouldStop: () => false, failFast: { maxErrorRate: 0.5 } };
    await assert.rejects(engineMeasure({ url: 'http://127.0.0.1:1/x', runLoad })(4, control), (e: unknown) => {
      assert.ok(e instanceof ErrorBoundExceeded);
      assert.equal(e.breach.dominant, 'connect_refused');
      assert.equal(e.maxErrorRate, 0.5);
      return true;
    });
    // 10 requests must have ended before the bound is judged: the second snapshot (12 failures) breaches it.
    assert.equal(snapshots, 2);
  });

  it('without failFast, failures are only what the windows count', async () => {
    const runLoad: RunLoadFn = async (_options, hooks) => {
      for (let s = 0; s < 30 && !hooks.signal?.aborted; s++) hooks.onSnapshot?.(refused(s, false));
      return {} as LoadResult;
    };
    const windows = await engineMeasure({ url: 'http://127.0.0.1:1/x', runLoad })(4, { axis: 'rate', windowMs: 5000, maxWindows: 2, shouldStop: () => false });
    assert.deepEqual(windows.map((w) => w.failed), [30, 30]);
  });

  it('asks for fail-fast until a level has passed, and not after: then errors are how overload fails', async () => {
    const inner = modelMeasure({ slots: 4, serviceMs: 50 });
    const asked: Array<{ level: number; failFast: number | undefined }> = [];
    await searchCapacity({
      axis: 'concurrency',
      slo: { percentile: 'p95', latencyMs: 120, errorRate: 0.01 },
      maxErrorRate: 0.3,
      measure: (level, control) => {
        asked.push({ level, failFast: control.failFast?.maxErrorRate });
        return inner(level, control);
      },
    });
    assert.deepEqual(asked[0], { level: 1, failFast: 0.3 }, 'the first step, before anything passed');
    assert.ok(asked.length > 2);
    assert.ok(asked.slice(1).every((a) => a.failFast === undefined), JSON.stringify(asked));
  });
});
