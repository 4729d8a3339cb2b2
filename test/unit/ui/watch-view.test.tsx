import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import type { ReplicaEvent } from '../../../src/load/replica-events.js';
import { CapacitySearchPanel } from '../../../src/ui/components/capacity-search-panel.js';
import { WatchView } from '../../../src/ui/components/watch-view.js';
import { formatWatchLine, initialWatchView, MAX_HISTORY, reduceWatchView, type WatchViewState } from '../../../src/ui/status-state.js';
import { ColorContext } from '../../../src/ui/theme.js';
import { startWatchView } from '../../../src/ui/watch-controller.js';
import { lastValidFrame } from './frames.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const rolloutEvents: ReplicaEvent[] = [
  { kind: 'rollout', timestampMs: T0, name: 'sentiment', desired: 3, updated: 1, ready: 2, available: 2, done: false },
  { kind: 'pod', timestampMs: T0, name: 'sentiment-6c1a-old1', phase: 'ready', updated: false },
  { kind: 'pod', timestampMs: T0, name: 'sentiment-7d9f-new1', phase: 'pending', updated: true },
  { kind: 'pod', timestampMs: T0 + 3000, name: 'sentiment-7d9f-new1', phase: 'starting', message: 'readiness probe failed', restarts: 1 },
  { kind: 'replicas', timestampMs: T0 + 9000, desired: 3, ready: 2 },
];

function feed(events: ReplicaEvent[], title = 'deployment/sentiment in ml'): WatchViewState {
  return events.reduce((s, event) => reduceWatchView(s, { type: 'replica', event }), initialWatchView(title));
}

function frame(node: React.ReactElement): string {
  const r = render(<ColorContext.Provider value={false}>{node}</ColorContext.Provider>);
  const out = lastValidFrame(r.frames);
  r.unmount();
  return out;
}

describe('ui deploy/status/tune views', () => {
  it('deploy --wait: rollout counters and each pod with phase, age, revision and why it waits', () => {
    const text = frame(<WatchView state={feed(rolloutEvents)} columns={80} kind="rollout" />);
    assert.match(text, /mdl deploy deployment\/sentiment in ml/);
    assert.match(text, /Rollout sentiment 1\/3 updated · 2\/3 ready · 2 available/);
    assert.match(text, /✓ sentiment-6c1a-old1 +ready +9\.0 s old revision/);
    assert.match(text, /◐ sentiment-7d9f-new1 +starting +6\.0 s · 1 restarts · readiness probe failed/);
    assert.match(text, /Replicas ready 2\/3/);
    for (const line of text.split('\n')) assert.ok([...line].length <= 79, line);
  });

  it('status --watch: replicas over time, HPA metric, scaling events, and the outcome', () => {
    let s = feed([
      { kind: 'replicas', timestampMs: T0, desired: 2, ready: 2, minReplicas: 2, maxReplicas: 10 },
      { kind: 'metric', timestampMs: T0, metric: 'cpu', current: 92, target: 70, unit: '%' },
      { kind: 'scaling', timestampMs: T0 + 1000, fromReplicas: 2, toReplicas: 3, reason: 'cpu above target' },
      { kind: 'replicas', timestampMs: T0 + 1000, desired: 3, ready: 2 },
      { kind: 'replicas', timestampMs: T0 + 8000, desired: 3, ready: 3 },
    ], 'sentiment in ml');
    s = reduceWatchView(s, { type: 'done', ok: true, message: 'stopped watching' });
    const text = frame(<WatchView state={s} columns={120} kind="status" />);
    assert.match(text, /Replicas ready 3\/3 \(2–10\) · cpu 92% \/ 70% · scale-up lag 7\.0 s/);
    assert.match(text, /desired ┤ *▂▃▃/);
    assert.match(text, /0:01 +scale up 2→3 · ready after 7\.0 s · cpu above target/);
    assert.match(text, /✓ stopped watching/);
    assert.equal(formatWatchLine(s), 'sentiment in ml | replicas 3/3 | cpu 92% / 70% | stopped watching');
  });

  it('keeps a bounded replicas history', () => {
    let s = initialWatchView('x');
    for (let i = 0; i < MAX_HISTORY + 3; i++) s = reduceWatchView(s, { type: 'replica', event: { kind: 'replicas', timestampMs: i, desired: i, ready: i } });
    assert.equal(s.history.desired.length, MAX_HISTORY);
    assert.equal(s.history.desired[0], 3);
  });

  it('plain watch prints a line only when what it shows changes', async () => {
    const writes: string[] = [];
    const stream = Object.assign(new EventEmitter(), { isTTY: false, write: (c: string) => writes.push(c) });
    const view = await startWatchView({ mode: 'plain', kind: 'rollout', title: 'deployment/sentiment', onStop: () => {}, stream: stream as unknown as NodeJS.WriteStream });
    view.event({ kind: 'rollout', timestampMs: 1, name: 'sentiment', desired: 2, updated: 1, ready: 1, available: 1, done: false });
    view.event({ kind: 'rollout', timestampMs: 2, name: 'sentiment', desired: 2, updated: 1, ready: 1, available: 1, done: false });
    view.event({ kind: 'rollout', timestampMs: 3, name: 'sentiment', desired: 2, updated: 2, ready: 2, available: 2, done: true });
    await view.finish({ ok: true, message: 'rolled out in 3 s' });
    assert.deepEqual(writes, [
      'deployment/sentiment | rollout 1/2 updated, 1/2 ready, 1 available | replicas 1/2\n',
      'deployment/sentiment | rollout 2/2 updated, 2/2 ready, 2 available (done) | replicas 2/2\n',
      'deployment/sentiment | rollout 2/2 updated, 2/2 ready, 2 available (done) | replicas 2/2 | rolled out in 3 s\n',
    ]);
  });

  it('tune: capacity search steps with pass/fail, the bracket and the level being measured', () => {
    const text = frame(
      <CapacitySearchPanel
        unit="rps"
        slo="p95 < 300 ms"
        steps={[
          { level: 50, completedPerSecond: 50, latencyMs: 40, errorRate: 0, passed: true },
          { level: 200, completedPerSecond: 171, latencyMs: 912, errorRate: 0.02, passed: false, note: 'p95 912 ms > 300 ms' },
        ]}
        bracket={{ passing: 50, failing: 200 }}
        current={{ level: 125, fraction: 0.5 }}
        width={79}
      />,
    );
    assert.match(text, /Capacity search SLO p95 < 300 ms · capacity ≥ 50\/s and < 200\/s/);
    assert.match(text, /✓ +50\/s .* 50\/s · 40\.0 ms · 0\.0% err/);
    assert.match(text, /✗ +200\/s .* 171\/s · 912 ms · 2\.0% err · p95 912 ms > 300 ms/);
    assert.match(text, /measuring 125\/s/);
  });
});
