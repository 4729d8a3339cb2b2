import assert from 'node:assert/strict';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { LoadDashboard } from '../../../src/ui/components/load-dashboard.js';
import { ReplicasPanel } from '../../../src/ui/components/replicas-panel.js';
import { initialLoadView, reduceLoadView, type LoadViewConfig, type LoadViewState } from '../../../src/ui/load-state.js';
import { initialScalingView } from '../../../src/ui/scaling-state.js';
import { ColorContext } from '../../../src/ui/theme.js';
import { lastValidFrame, stripAnsi } from './frames.js';
import { run } from './snapshots.js';

/** Every character the dashboard draws is one cell wide. */
const stringWidth = (line: string) => [...line].length;

const T0 = 1_700_000_000_000;

function scenario(protocol: LoadViewConfig['protocol'] = 'openai'): LoadViewState {
  let s = initialLoadView({
    url: 'http://127.0.0.1:8080/v1/completions',
    protocol,
    mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' },
    sloLatencyMs: 60,
    evaluateThresholds: (r) => [
      { expression: 'p95<300ms', metric: 'p95', observed: r.latencyMs.p95, limit: 300, unit: 'ms', passed: r.latencyMs.p95 < 300, source: 'flag' },
      { expression: 'error_rate<1%', metric: 'error_rate', observed: 0.02, limit: 0.01, unit: 'ratio', passed: false, source: 'flag' },
    ],
  });
  s = reduceLoadView(s, { type: 'replica', event: { kind: 'replicas', timestampMs: T0, desired: 2, ready: 2, minReplicas: 1, maxReplicas: 6 } });
  for (const snapshot of run(12, { failedPerSecond: 1, llm: protocol === 'openai', startMs: T0 })) {
    if (snapshot.second === 4) {
      s = reduceLoadView(s, { type: 'replica', event: { kind: 'scaling', timestampMs: snapshot.timestampMs, fromReplicas: 2, toReplicas: 4 } });
      s = reduceLoadView(s, { type: 'replica', event: { kind: 'metric', timestampMs: snapshot.timestampMs, metric: 'concurrency', current: 11.3, target: 8, unit: '' } });
    }
    if (snapshot.second === 9) s = reduceLoadView(s, { type: 'replica', event: { kind: 'replicas', timestampMs: snapshot.timestampMs, desired: 4, ready: 4 } });
    s = reduceLoadView(s, { type: 'snapshot', snapshot });
  }
  return s;
}

function frame(state: LoadViewState, columns: number, color = false): string {
  const r = render(
    <ColorContext.Provider value={color}>
      <LoadDashboard state={state} columns={columns} rows={30} keys />
    </ColorContext.Provider>,
  );
  const out = lastValidFrame(r.frames);
  r.unmount();
  return out;
}

describe('ui load dashboard (Ink)', () => {
  let level: typeof chalk.level;
  // Colour output in a test depends on chalk's detection of the test's stdout; fix it so both cases are real.
  before(() => {
    level = chalk.level;
    chalk.level = 1;
  });
  after(() => {
    chalk.level = level;
  });

  for (const columns of [80, 120]) {
    it(`shows every panel within ${columns} columns`, () => {
      const text = stripAnsi(frame(scenario(), columns));
      const lines = text.split('\n');
      for (const line of lines) assert.ok(stringWidth(line) <= columns - 1, `too wide (${stringWidth(line)}): ${line}`);
      assert.ok(lines.length <= 28, `${lines.length} lines do not fit a 30-row terminal`);
      assert.match(text, /mdl loadtest http:\/\/127\.0\.0\.1:8080\/v1\/completions/);
      assert.match(text, /0:12 \/ 0:20 +0:08 left +running/);
      assert.match(text, /Throughput sent 50\/s of 50\/s · completed 49\/s · dropped 0 · in flight 3/);
      assert.match(text, /Latency ms p50 21\.0 · p95 42\.0 · p99 63\.0 · worst 63\.0 @0:11 · SLO p95 60\.0/);
      assert.match(text, /Replicas ready 4\/4 \(1–6\) · concurrency 11 \/ 8 · scale-up lag 5\.0 s/);
      assert.match(text, /scale up 2→4 · ready after 5\.0 s/);
      assert.match(text, /Errors 12 failed \(2\.0%\) of 600 · http_503 12/);
      assert.match(text, /LLM TTFT p50 80\.0 p95 160 · ITL p50 12\.0 p95 24\.0 ms · 980 tok\/s/);
      assert.match(text, /Thresholds 1\/2 pass so far +✓ p95<300ms \(≈\d+\.\d ms\) +✗ error_rate<1% \(≈2\.0%\)/);
      assert.match(text, /q stop/);
      // The SLO line and three series on the chart, on one axis with the replicas.
      assert.match(text, /─{10,}/);
      for (const mark of ['·', '•', '×']) assert.ok(text.includes(mark));
      const axis = lines.filter((l) => /┤/.test(l)).map((l) => [...l].indexOf('┤'));
      assert.ok(axis.length >= 9 && new Set(axis).size === 1, `charts start in different columns: ${axis.join(',')}`);
      // Newest second in the last column of every chart (trailing blanks are trimmed by Ink, data are not).
      const ends = lines.filter((l) => /(target|rps|ready|desired) ┤/.test(l)).map((l) => stringWidth(l));
      assert.deepEqual(ends, [columns - 1, columns - 1, columns - 1, columns - 1]);
    });
  }

  it('gives wider terminals longer charts', () => {
    const narrow = stripAnsi(frame(scenario(), 80)).split('\n').find((l) => l.includes('rps ┤'))!;
    const wide = stripAnsi(frame(scenario(), 120)).split('\n').find((l) => l.includes('rps ┤'))!;
    assert.equal(stringWidth(wide) - stringWidth(narrow), 40);
  });

  it('has no escape sequence at all when colour is off (NO_COLOR), and colours when on', () => {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(frame(scenario(), 100, false), /\u001b\[/);
    // eslint-disable-next-line no-control-regex
    assert.match(frame(scenario(), 100, true), /\u001b\[3\dm/);
  });

  it('hides the LLM panel for plain HTTP and says where replicas would come from', () => {
    let s = initialLoadView({ url: 'http://127.0.0.1:1/', protocol: 'http', mode: { kind: 'concurrency', concurrency: 8 } });
    for (const snapshot of run(3)) s = reduceLoadView(s, { type: 'snapshot', snapshot });
    const text = stripAnsi(frame(s, 80));
    assert.doesNotMatch(text, /LLM/);
    assert.match(text, /Replicas not reported/);
    assert.match(text, /concurrency 8/);
    assert.match(text, /Thresholds none set/);
  });

  it('keeps the final frame: done, final thresholds, no key hint', () => {
    let s = scenario('http');
    s = reduceLoadView(s, {
      type: 'result',
      result: {
        schemaVersion: 2,
        target: { url: s.config.url, protocol: 'http', method: 'POST', headers: {} },
        mode: s.config.mode,
        startedAt: new Date(T0).toISOString(),
        durationMs: 12_000,
        warmupMs: 0,
        interrupted: true,
        requests: { sent: 600, completed: 588, failed: 12, dropped: 0 },
        throughput: { targetPerSecond: 50, sentPerSecond: 50, completedPerSecond: 49 },
        latencyMs: s.last!.latencyMs,
        serviceTimeMs: s.last!.latencyMs,
        errors: { http_503: 12 },
        thresholds: [{ expression: 'p95<300ms', metric: 'p95', observed: 40, limit: 300, unit: 'ms', passed: true, source: 'flag' }],
        series: [],
      },
    });
    const text = stripAnsi(frame(s, 80));
    assert.match(text, /interrupted/);
    assert.match(text, /Thresholds 1\/1 pass +✓ p95<300ms \(40\.0 ms\)/);
    assert.doesNotMatch(text, /q stop/);
  });

  it('renders a replicas-only panel for status views', () => {
    const r = render(
      <ColorContext.Provider value={false}>
        <ReplicasPanel scaling={{ ...initialScalingView(), known: true, desired: 3, ready: 1, metric: { name: 'cpu', current: null, target: 70, unit: '%' }, events: [{ timestampMs: Date.UTC(2026, 0, 1, 12, 0, 5), fromReplicas: 1, toReplicas: 3 }] }} nowMs={Date.UTC(2026, 0, 1, 12, 0, 9)} width={79} />
      </ColorContext.Provider>,
    );
    const text = lastValidFrame(r.frames);
    r.unmount();
    assert.match(text, /ready 1\/3 · cpu <unknown> \/ 70%/);
    assert.match(text, /12:00:05 +scale up 1→3 · waiting for ready \(4\.0 s\)/);
  });
});
