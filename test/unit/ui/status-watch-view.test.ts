import assert from 'node:assert/strict';
import { watchStatusLive } from '../../../src/cli/status-watch-view.js';
import type { ModelStatus } from '../../../src/kube/status.js';
import { FakeTerminalOut, lastValidFrame, stripAnsi } from './frames.js';

function reading(ready: number): ModelStatus {
  return {
    schemaVersion: 1,
    context: 'kind',
    namespace: 'ml',
    name: 'm',
    deployments: [{ name: 'm', rollout: { done: ready === 2, failed: false, message: '', desired: 2, updated: 2, ready, available: ready }, pods: [{ name: 'm-1', phase: 'Running', ready: ready > 0, restarts: 0 }] }],
    autoscalers: [{ name: 'm', minReplicas: 1, maxReplicas: 4, currentReplicas: 2, desiredReplicas: 2, metrics: [{ name: 'cpu', type: 'Resource', current: '85%', target: '70%' }], conditions: [], problems: [] }],
    scalingEvents: [],
  };
}

describe('mdl status --watch live view', () => {
  it('reads every interval until --watch-for, shows replicas, HPA and pods, returns the last reading', async () => {
    const out = new FakeTerminalOut();
    let reads = 0;
    const last = await watchStatusLive(reading(1), async () => reading(++reads > 1 ? 2 : 1), { intervalMs: 40, forMs: 300, stream: out as unknown as NodeJS.WriteStream });
    assert.ok(reads >= 3, `${reads} readings`);
    assert.equal(last.deployments[0]!.rollout.ready, 2);
    const frame = lastValidFrame(out.writes.map(stripAnsi));
    assert.match(frame, /mdl status m in ml \(context kind\)/);
    assert.match(frame, /Replicas ready 2\/2 \(1–4\) · cpu 85% \/ 70%/);
    assert.match(frame, /Rollout m 2\/2 updated · 2\/2 ready · 2 available · done/);
    assert.match(frame, /✓ m-1 +ready/);
    assert.match(frame, /✓ stopped watching/);
  });
});
