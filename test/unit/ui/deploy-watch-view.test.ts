import assert from 'node:assert/strict';
import { deployLiveView } from '../../../src/cli/deploy-watch-view.js';
import { FakeTerminalOut, lastValidFrame, stripAnsi } from './frames.js';

describe('mdl deploy --wait live view', () => {
  it('leaves apply notes to the caller, shows the rollout from the wait phase, prints held warnings after', async () => {
    const out = new FakeTerminalOut();
    const notes: string[] = [];
    const live = deployLiveView({ title: 'sentiment', note: (l) => notes.push(l), onStop: () => {}, stream: out as unknown as NodeJS.WriteStream });
    assert.equal(live.onEvent({ type: 'applied', ref: 'Deployment/sentiment', action: 'created', dryRun: false }), false);
    assert.equal(live.onEvent({ type: 'phase', phase: 'wait' }), true);
    // Before the view is up: queued, not lost.
    live.onEvent({ type: 'rollout', deployment: 'sentiment', status: { done: false, failed: false, message: '', desired: 2, updated: 1, ready: 0, available: 0 } });
    live.onEvent({ type: 'pod', deployment: 'sentiment', pod: { name: 'sentiment-a', phase: 'Pending', ready: false, restarts: 0, reason: 'ContainerCreating' } });
    assert.equal(live.onEvent({ type: 'warning', message: 'HPA cannot read cpu', hint: 'install metrics-server' }), true);
    await new Promise((r) => setTimeout(r, 50));
    live.onEvent({ type: 'rollout', deployment: 'sentiment', status: { done: true, failed: false, message: '', desired: 2, updated: 2, ready: 2, available: 2 } });
    live.onEvent({ type: 'pod', deployment: 'sentiment', pod: { name: 'sentiment-a', phase: 'Running', ready: true, restarts: 0 } });
    await live.finish({ ok: true, message: 'rolled out: sentiment 2/2 ready' });
    const frame = lastValidFrame(out.writes.map(stripAnsi));
    assert.match(frame, /mdl deploy sentiment/);
    assert.match(frame, /Rollout sentiment 2\/2 updated · 2\/2 ready · 2 available · done/);
    assert.match(frame, /✓ sentiment-a +ready/);
    assert.match(frame, /✓ rolled out: sentiment 2\/2 ready/);
    assert.deepEqual(notes, ['Warning: HPA cannot read cpu\n  install metrics-server']);
  });

  it('does nothing when no wait phase came (nothing to finish)', async () => {
    const out = new FakeTerminalOut();
    const live = deployLiveView({ title: 'x', note: () => {}, onStop: () => {}, stream: out as unknown as NodeJS.WriteStream });
    assert.equal(live.onEvent({ type: 'target', context: 'c', server: 's', namespace: 'n' }), false);
    await live.finish({ ok: true, message: '' });
    assert.deepEqual(out.writes, []);
  });
});
