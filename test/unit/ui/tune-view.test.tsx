import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { TuneView } from '../../../src/ui/components/tune-app.js';
import { ColorContext } from '../../../src/ui/theme.js';
import { initialTuneView, reduceTuneView, type TuneViewConfig, type TuneViewState } from '../../../src/ui/tune-state.js';
import { startTuneView } from '../../../src/ui/tune-view.js';
import type { TuneEvent } from '../../../src/tune/run-tune.js';
import type { CapacityPoint, WindowResult } from '../../../src/tune/types.js';
import { FakeTerminalOut, FakeTtyIn, lastValidFrame, stripAnsi } from './frames.js';
import { run } from './snapshots.js';

const config: TuneViewConfig = { axis: 'rate', slo: { percentile: 'p95', latencyMs: 200, errorRate: 0.01 }, maxWindows: 10 };

const lat = (p95: number) => ({ mean: p95 / 2, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.2, max: p95 * 1.5 });

function win(completedPerSecond: number, p95: number, failed = 0): WindowResult {
  return { durationMs: 1000, sent: completedPerSecond, completed: completedPerSecond, failed, dropped: 0, completedPerSecond, latencyMs: lat(p95), inFlightStart: 0, inFlightEnd: 0 };
}

function point(level: number, p95: number, passed: boolean, errorRate = 0): CapacityPoint {
  return {
    axis: 'rate', level, latencyMs: lat(p95), errorRate, completedPerSecond: level, peakWindowPerSecond: level, passed,
    steady: passed, backlog: false, ended: passed ? 'steady' : 'breach', windows: 3, loadSeconds: 3, phase: 'bracket',
  };
}

/** A search as run-tune emits it: 8/s passes, 64/s fails on p95, refining at 36/s with two windows in. */
const events: TuneEvent[] = [
  { type: 'phase', phase: 'search', message: 'searching rate per replica for p95 < 200 ms' },
  { type: 'step-start', level: 8, phase: 'bracket', bracket: { lo: null, hi: null }, estimate: null },
  { type: 'window', level: 8, index: 0, window: win(8, 20) },
  { type: 'step-end', point: point(8, 20, true), bracket: { lo: 8, hi: null } },
  { type: 'step-start', level: 64, phase: 'bracket', bracket: { lo: 8, hi: null }, estimate: null },
  { type: 'step-end', point: point(64, 480, false), bracket: { lo: 8, hi: 64 } },
  { type: 'step-start', level: 36, phase: 'refine', bracket: { lo: 8, hi: 64 }, estimate: 40 },
  { type: 'window', level: 36, index: 0, window: win(36, 150) },
  { type: 'window', level: 36, index: 1, window: win(35.5, 160, 1) },
];

const fold = (es: TuneEvent[]): TuneViewState => es.reduce((s, event) => reduceTuneView(s, { type: 'tune', event }), initialTuneView(config));

function frame(state: TuneViewState, columns = 80, keys = false): string {
  const r = render(
    <ColorContext.Provider value={false}>
      <TuneView state={state} columns={columns} keys={keys} />
    </ColorContext.Provider>,
  );
  const out = lastValidFrame(r.frames);
  r.unmount();
  return out;
}

describe('ui tune view', () => {
  it('shows the steps tried, the bracket, the SLO line and the step being measured at 80 columns', () => {
    const text = frame(fold(events));
    assert.match(text, /Capacity search SLO p95 < 200 ms, errors ≤ 1% · capacity ≥ 8\/s and < 64\/s/);
    assert.match(text, /✓ +8\/s .* 8\/s · 20\.0 ms · 0\.0% err/);
    assert.match(text, /✗ +64\/s .* 64\/s · 480 ms · 0\.0% err · p95 480 ms > 200 ms/);
    assert.match(text, /measuring 36\/s/);
    assert.match(text, /window 2: 35\.5\/s, p95 160\.0 ms, 1 failed/);
    assert.match(text, /capacity estimate 8\/s/);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, `wider than 80 columns: ${JSON.stringify(line)}`);
  });

  it('after the step ends, the measuring line goes and the step is listed', () => {
    const text = frame(fold([...events, { type: 'step-end', point: point(36, 170, true), bracket: { lo: 36, hi: 64 } }]));
    assert.doesNotMatch(text, /measuring/);
    assert.match(text, /capacity ≥ 36\/s and < 64\/s/);
    assert.match(text, /✓ +36\/s/);
  });

  it('says when the saturation probe runs, and what it measured once done', () => {
    const running = fold([...events.slice(0, 6), { type: 'probe-start', concurrency: 48 }]);
    assert.match(frame(running), /measuring saturation: closed loop at 48 in flight/);
    const probe = { concurrency: 48, completedPerSecond: 61.5, meanLatencyMs: 780, saturated: true, loadSeconds: 2 };
    const done = fold([...events.slice(0, 6), { type: 'probe-start', concurrency: 48 }, { type: 'probe-end', probe }]);
    const text = frame(done);
    assert.match(text, /saturation 61\.5\/s/);
    assert.doesNotMatch(text, /measuring saturation/);
  });

  it('the error rate is named as the reason when it broke the SLO', () => {
    const text = frame(fold([events[0]!, { type: 'step-end', point: point(64, 50, false, 0.05), bracket: { lo: null, hi: 64 } }]));
    assert.match(text, /✗ +64\/s .* errors 5\.0% > 1\.0%/);
    assert.match(text, /capacity < 64\/s/);
  });

  it("the step being measured shows the load engine's throughput and latency panels; they go when it ends", () => {
    let state = fold(events);
    for (const snapshot of run(3)) state = reduceTuneView(state, { type: 'snapshot', snapshot });
    const text = frame(state);
    assert.match(text, /Throughput sent 50\/s/);
    assert.match(text, /Latency ms p50/);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, `wider than 80 columns: ${JSON.stringify(line)}`);
    const ended = reduceTuneView(state, { type: 'tune', event: { type: 'step-end', point: point(36, 170, true), bracket: { lo: 36, hi: 64 } } });
    assert.equal(ended.load, null);
    assert.doesNotMatch(frame(ended), /Throughput/);
  });

  it('ink controller: draws on the given stream, q asks to stop, the final frame stays and raw mode is released', async () => {
    const out = new FakeTerminalOut(true);
    out.columns = 80;
    const stdin = new FakeTtyIn();
    let stops = 0;
    const view = await startTuneView({
      mode: 'ink', config, onStop: () => stops++,
      stream: out as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, env: { NO_COLOR: '1' }, maxFps: 1000,
    });
    for (const e of events) view.event(e);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stdin.rawMode, true);
    assert.match(stripAnsi(out.writes.join('')), /q stop/);
    stdin.type('x');
    stdin.type('q');
    assert.equal(stops, 1);
    view.stopping();
    await view.finish();
    assert.equal(stdin.rawMode, false);
    const text = lastValidFrame(out.writes.map(stripAnsi));
    assert.match(text, /capacity ≥ 8\/s and < 64\/s/);
    assert.equal(view.store.getState().phase, 'done');
  });

  it('plain and json: the controller draws nothing (plain lines stay with the command)', async () => {
    for (const mode of ['plain', 'json'] as const) {
      const out = new FakeTerminalOut(false);
      const view = await startTuneView({ mode, config, onStop: () => {}, stream: out as unknown as NodeJS.WriteStream });
      for (const e of events) view.event(e);
      await view.finish();
      assert.deepEqual(out.writes, []);
      assert.equal(view.store.getState().progress.steps.length, 2);
    }
  });
});
