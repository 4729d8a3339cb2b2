import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';
import { waitForRollout } from '../../../src/kube/rollout.js';
import { followCollection } from '../../../src/kube/watch.js';
import { ExitCode, MdlError } from '../../../src/errors.js';
import { startScriptedWatchSocket, watchLine, type ScriptedWatchSocket } from '../../fixtures/scripted-watch-socket.js';

function clientFor(server: string): KubeClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'double', server, skipTLSVerify: true }], users: [{ name: 'nobody' }],
    contexts: [{ name: 'double', cluster: 'double', user: 'nobody' }], currentContext: 'double',
  });
  return new KubeClient({ kubeConfig, context: 'double', server, namespace: 'ml', source: 'test' });
}

function deployment(resourceVersion: string, ready: number) {
  return {
    metadata: { name: 'sentiment', namespace: 'ml', generation: 1, resourceVersion },
    spec: { replicas: 1 },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: ready, availableReplicas: ready },
  };
}

describe('watches: deadline, idle timeout, malformed lines (against a scripted socket on 127.0.0.1)', function () {
  this.timeout(15_000);
  let socket: ScriptedWatchSocket | undefined;
  afterEach(async () => {
    await socket?.close();
    socket = undefined;
  });

  it('a watch that sends headers and one event, then never answers, ends the rollout wait by its deadline with exit 4', async () => {
    socket = await startScriptedWatchSocket({ resourceVersion: '1', items: [deployment('1', 0)] }, (_n, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(watchLine('MODIFIED', deployment('2', 0)));
      // ...and then nothing: no event, no bookmark, no end.
    });
    const timeoutMs = 1500;
    const started = Date.now();
    const error = await waitForRollout(clientFor(socket.url), 'ml', 'sentiment', { timeoutMs }).then(() => undefined, (e: unknown) => e);
    const elapsed = Date.now() - started;
    assert.ok(error instanceof MdlError, `expected an MdlError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.rollout);
    assert.match(error.message, /Timed out after .* waiting for deployment "sentiment"/);
    assert.ok(elapsed >= timeoutMs - 50, `ended after ${elapsed} ms, before the deadline`);
    assert.ok(elapsed < timeoutMs + 2000, `ended after ${elapsed} ms, long past the ${timeoutMs} ms deadline`);
  });

  it('a silent watch is dropped after the idle timeout and resumed from the last resourceVersion', async () => {
    socket = await startScriptedWatchSocket({ resourceVersion: '1', items: [] }, (n, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (n === 1) res.write(watchLine('MODIFIED', deployment('7', 0)));
      else res.end(watchLine('MODIFIED', deployment('8', 1)));
    });
    const seen: string[] = [];
    const reconnects: string[] = [];
    await followCollection(clientFor(socket.url), '/apis/apps/v1/namespaces/ml/deployments', {
      query: {}, onEvent: (e) => seen.push(String(e.object.metadata.resourceVersion)), stop: () => seen.includes('8'),
      deadline: Date.now() + 10_000, signal: new AbortController().signal, idleTimeoutMs: 300, onReconnect: (r) => reconnects.push(r),
    });
    assert.deepEqual(seen, ['7', '8']);
    assert.equal(socket.watchUrls.length, 2);
    assert.equal(socket.watchUrls[1]!.searchParams.get('resourceVersion'), '7');
    assert.equal(reconnects.length, 1);
    assert.match(reconnects[0]!, /no event .* reconnecting/);
  });

  it('a line that is not JSON drops the stream and the rollout wait resumes, without an exception in a socket handler', async () => {
    socket = await startScriptedWatchSocket({ resourceVersion: '1', items: [deployment('1', 0)] }, (n, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (n === 1) res.write('{"type":"MODIFIED","object":{"metadata":\n');
      else res.write(watchLine('MODIFIED', deployment('3', 1)));
    });
    const reconnects: string[] = [];
    const status = await waitForRollout(clientFor(socket.url), 'ml', 'sentiment', {
      timeoutMs: 8000, onEvent: (e) => { if (e.type === 'reconnect') reconnects.push(e.reason); },
    });
    assert.equal(status.done, true);
    assert.equal(socket.watchUrls.length, 2);
    assert.equal(socket.watchUrls[1]!.searchParams.get('resourceVersion'), '1');
    assert.ok(reconnects.some((r) => /not JSON/.test(r)), `reconnect reasons: ${reconnects.join('; ')}`);
  });
});
