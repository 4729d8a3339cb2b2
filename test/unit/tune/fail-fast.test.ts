import assert from 'node:assert/strict';
import { searchCapacity, type MeasureControl } from '../../../src/tune/capacity-search.js';
import { ErrorBoundExceeded } from '../../../src/load/error-bound.js';
import type { LoadResult, LoadSnapshot } from '../../../src/load/types.js';
import { engineMeasure, type RunLoadFn } from '../../../src/tune/engine-measure.js';
import { modelMeasure } from '../../support/queue-model.js';

const summary = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0 };
const refused = (second: number, warmup: boolean): LoadSnapshot => ({
  second, timestampMs: 0, warmup, elapsedMs: second * 1000, totalMs: undefined, stageIndex: undefined, targetPerSecond: undefined,
  sent: 6, completed: 0, failed: 6, dropped: 0, inFlight: 0, sentPerSecond: 6, completedPerSecond: 0, latencyMs: summary, serviceTimeMs: summary,
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

describe('tune: no latency figure for a step without answers', () => {
  it('text, dashboard, report and --json show none for a step that answered nothing', async () => {
    const { runTune } = await import('../../../src/tune/run-tune.js');
    const { formatTuneEvent } = await import('../../../src/tune/format-text.js');
    const { tuneResultJson } = await import('../../../src/tune/result.js');
    const { renderTuneReport } = await import('../../../src/report/html/tune-report.js');
    const { initialTuneView, reduceTuneView, capacityPanelProps } = await import('../../../src/ui/tune-state.js');
    const { engineMeasure } = await import('../../../src/tune/engine-measure.js');
    const { ManualClock } = await import('../../../src/clock.js');
    // One client is answered in 50 ms; from two on the server stops answering at all (requests stay out).
    const ok = (s: number): LoadSnapshot => ({ ...refused(s, false), sent: 20, completed: 20, failed: 0, errors: {}, inFlight: 1, sentPerSecond: 20, completedPerSecond: 20,
      latencyMs: { min: 50, mean: 50, p50: 50, p90: 50, p95: 50, p99: 50, p999: 50, max: 50, count: 20 } });
    const stuck = (s: number): LoadSnapshot => ({ ...refused(s, false), sent: s === 1 ? 2 : 0, completed: 0, failed: 0, errors: {}, inFlight: 2 });
    const runLoad: RunLoadFn = async (options, hooks) => {
      const clients = options.mode.kind === 'concurrency' ? options.mode.concurrency : 0;
      for (let s = 1; s <= 30 && !hooks.signal?.aborted; s++) hooks.onSnapshot?.(clients === 1 ? ok(s) : stuck(s));
      return {} as LoadResult;
    };
    const lines: string[] = [];
    let view = initialTuneView({ axis: 'concurrency', slo: { percentile: 'p95', latencyMs: 200, errorRate: 0.01 }, maxWindows: 10 });
    const result = await runTune({
      url: 'http://127.0.0.1:9/x', local: false, runtime: 'vllm', replicas: 1,
      slo: { percentile: 'p95', latencyMs: 200, errorRate: 0.01, source: 'flag' },
      measure: engineMeasure({ url: 'http://127.0.0.1:9/x', runLoad }),
      search: { windowMs: 1000 },
      clock: new ManualClock(0, 0),
      onEvent: (e) => {
        const line = formatTuneEvent(e, 'p95');
        if (line) lines.push(line);
        view = reduceTuneView(view, { type: 'tune', event: e });
      },
    });
    const silent = result.search.curve.filter((p) => p.answered === 0);
    assert.ok(silent.length > 0 && silent.every((p) => !p.passed), JSON.stringify(result.search.curve.map((p) => [p.level, p.answered])));
    assert.equal(result.search.capacityLevel, 1);
    const silentLines = lines.filter((l) => silent.some((p) => l.includes(`concurrency ${String(p.level).padStart(7)}:`)));
    assert.ok(silentLines.length === silent.length && silentLines.every((l) => l.includes('no answers') && !/p95 [\d.]+ ms/.test(l)), silentLines.join('\n'));
    const json = JSON.parse(JSON.stringify(tuneResultJson(result)));
    for (const p of json.search.curve) assert.equal(p.latencyMs === null, p.answered === 0);
    const panel = capacityPanelProps(view).steps.filter((s) => silent.some((p) => p.level === s.level));
    assert.ok(panel.length > 0 && panel.every((s) => s.latencyMs === undefined && s.note === 'no answers'));
    assert.match(renderTuneReport(result), /<td colspan="3">no answers<\/td>/);
  });
});
