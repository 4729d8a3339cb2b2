import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import type { LocalRuntimeEvent } from '../../../src/local/events.js';
import { newReplicaEventMemory } from '../../../src/local/replica-events.js';
import type { LocalRuntimeStatus } from '../../../src/local/status.js';
import { DevView } from '../../../src/ui/components/dev-view.js';
import { initialDevView, MAX_OUTPUT_LINES, reduceDevView, trafficFromStatus, type DevViewState } from '../../../src/ui/dev-state.js';
import { devViewEvents, startDevView } from '../../../src/ui/dev-view.js';
import { ColorContext } from '../../../src/ui/theme.js';
import { FakeTerminalOut, FakeTtyIn, lastValidFrame, stripAnsi } from './frames.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const URL_ = 'http://127.0.0.1:40123';

function status(atMs: number, over: Partial<LocalRuntimeStatus> = {}): LocalRuntimeStatus {
  return {
    schemaVersion: 1,
    url: URL_,
    startedAt: new Date(T0).toISOString(),
    uptimeMs: atMs - T0,
    desiredReplicas: 1,
    readyReplicas: 1,
    minReplicas: 1,
    maxReplicas: 4,
    autoscaler: { enabled: true, metric: { type: 'concurrency', target: 4 } as LocalRuntimeStatus['autoscaler']['metric'], syncPeriodMs: 5000, lastMetricValue: 2, lastSyncAt: undefined },
    totals: { inFlight: 3, queued: 0, requestsTotal: 120, errorsTotal: 0, rejectedTotal: 0, ratePerSecond: 12.5 },
    replicas: [
      { id: 'replica-1', state: 'ready', pid: 10, guardPid: 11, port: 1, restarts: 0, startedAt: undefined, timeToReadyMs: 800, inFlight: 2, requestsTotal: 80, errorsTotal: 0, ratePerSecond: 8, latency: { meanMs: 5, p50Ms: 4, p95Ms: 9, maxMs: 20 } },
      { id: 'replica-2', state: 'ready', pid: 12, guardPid: 13, port: 2, restarts: 0, startedAt: undefined, timeToReadyMs: 900, inFlight: 1, requestsTotal: 40, errorsTotal: 0, ratePerSecond: 4.5, latency: { meanMs: 6, p50Ms: 5, p95Ms: 14, maxMs: 30 } },
    ],
    scalingEvents: [],
    ...over,
  };
}

/** A dev session: one replica starts, the autoscaler scales 1 → 2 under load, the second is ready 3 s later. */
function session(): DevViewState {
  const memory = newReplicaEventMemory();
  const runtime: LocalRuntimeEvent[] = [
    { type: 'replica-starting', replica: 'replica-1', pid: 10, port: 1, at: T0 },
    { type: 'replica-output', replica: 'replica-1', stream: 'stdout', line: 'listening' },
    { type: 'replica-ready', replica: 'replica-1', timeToReadyMs: 800, at: T0 + 800 },
    { type: 'status', status: status(T0 + 1000, { totals: { inFlight: 0, queued: 0, requestsTotal: 0, errorsTotal: 0, rejectedTotal: 0, ratePerSecond: 0 }, replicas: [] }) },
    { type: 'scale', from: 1, to: 2, reason: 'concurrency 7 above target 4', metricValue: 7, at: T0 + 5000 },
    { type: 'status', status: status(T0 + 6000, { desiredReplicas: 2, readyReplicas: 1, autoscaler: { ...status(0).autoscaler, lastMetricValue: 7 } }) },
    {
      type: 'status',
      status: status(T0 + 8000, {
        desiredReplicas: 2,
        readyReplicas: 2,
        scalingEvents: [{ at: new Date(T0 + 5000).toISOString(), from: 1, to: 2, reason: 'concurrency 7 above target 4', metricValue: 7, timeToReadyMs: 3000 }],
      }),
    },
  ];
  let state = initialDevView('sentiment');
  for (const e of runtime) for (const ev of devViewEvents(e, memory)) state = reduceDevView(state, ev);
  return reduceDevView(state, { type: 'url', url: URL_ });
}

describe('mdl dev view', () => {
  it('reduces runtime events to replicas over time, the metric, scaling with time to ready, traffic and output', () => {
    const s = session();
    assert.equal(s.phase, 'running');
    assert.equal(s.url, URL_);
    assert.deepEqual(s.watch.history.desired, [1, 2, 2]);
    assert.deepEqual(s.watch.history.ready, [1, 1, 2]);
    assert.deepEqual(s.watch.scaling.metric, { name: 'concurrency', current: 2, target: 4, unit: '' });
    assert.deepEqual(
      s.watch.scaling.events.map((e) => [e.fromReplicas, e.toReplicas, e.readyAfterMs]),
      [[1, 2, 3000]],
    );
    assert.deepEqual(s.rateHistory, [0, 12.5, 12.5]);
    assert.deepEqual(s.traffic, { ratePerSecond: 12.5, inFlight: 3, queued: 0, requestsTotal: 120, errorsTotal: 0, p50Ms: 5, p95Ms: 14 });
    assert.deepEqual(s.output, ['[replica-1] listening']);
    // Stopping then stopped; a late stop request does not reopen a stopped view.
    const stopped = reduceDevView(reduceDevView(s, { type: 'stopping' }), { type: 'stopped' });
    assert.equal(reduceDevView(stopped, { type: 'stopping' }).phase, 'stopped');
  });

  it('keeps only the newest output lines and has no latency before any request', () => {
    let s = initialDevView('x');
    for (let i = 0; i < MAX_OUTPUT_LINES + 3; i++) s = reduceDevView(s, { type: 'output', line: `line ${i}` });
    assert.equal(s.output.length, MAX_OUTPUT_LINES);
    assert.equal(s.output.at(-1), `line ${MAX_OUTPUT_LINES + 2}`);
    const t = trafficFromStatus(status(T0, { replicas: [] }));
    assert.equal(t.p50Ms, undefined);
    assert.equal(t.p95Ms, undefined);
  });

  it('draws the URL, replicas chart, metric vs target, scaling event with time to ready and traffic at 80 columns', () => {
    const r = render(
      <ColorContext.Provider value={false}>
        <DevView state={session()} columns={80} keys />
      </ColorContext.Provider>,
    );
    const text = lastValidFrame(r.frames);
    r.unmount();
    assert.match(text, /mdl dev sentiment http:\/\/127\.0\.0\.1:40123/);
    assert.match(text, /Replicas ready 2\/2 \(1–4\) · concurrency 2 \/ 4 · scale-up lag 3\.0 s/);
    assert.match(text, /desired ┤/);
    assert.match(text, /ready ┤/);
    assert.match(text, /scale up 1→2 · ready after 3\.0 s/);
    assert.match(text, /Traffic 12\.5 req\/s · 3 in flight · p50 5\.00 · p95 14\.0 ms · 120 req, 0 err/);
    assert.match(text, /replicas  replica-1 ready/);
    assert.match(text, /\[replica-1\] listening/);
    assert.match(text, /q stop/);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, `wider than 80 columns: ${JSON.stringify(line)}`);
  });

  it('shows that it is starting before the URL is known and draining after a stop', () => {
    const frame = (state: DevViewState) => {
      const r = render(
        <ColorContext.Provider value={false}>
          <DevView state={state} columns={80} />
        </ColorContext.Provider>,
      );
      const text = lastValidFrame(r.frames);
      r.unmount();
      return text;
    };
    assert.match(frame(initialDevView('sentiment')), /mdl dev sentiment starting…/);
    assert.match(frame(reduceDevView(session(), { type: 'stopping' })), /draining and stopping replicas…/);
  });

  it('ink controller: draws live on the given terminal (CI or not), q asks to stop, the last frame stays', async () => {
    const out = new FakeTerminalOut(true);
    out.columns = 80;
    const stdin = new FakeTtyIn();
    let stops = 0;
    const view = await startDevView({
      title: 'iris', onStop: () => stops++,
      stream: out as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, env: { NO_COLOR: '1' }, maxFps: 1000,
    });
    let printed = false;
    view.url('http://127.0.0.1:4321', () => (printed = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(printed, 'the URL line is printed by the caller');
    assert.match(stripAnsi(out.writes.join('')), /127\.0\.0\.1:4321/, 'a frame is drawn while the view is live');
    stdin.type('q');
    assert.equal(stops, 1);
    await view.finish();
    assert.equal(stdin.rawMode, false);
  });
});
