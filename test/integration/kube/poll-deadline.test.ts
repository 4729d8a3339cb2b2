/**
 * Polls against an API server double on 127.0.0.1 that answers once and then accepts requests without ever
 * answering (a half-open connection, an overloaded server): the overall deadline still ends the wait on
 * time, instead of the client's 30 s socket timeout.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';
import { waitForReplicas } from '../../../src/kube/pin.js';
import { ExitCode, MdlError } from '../../../src/errors.js';
import { listen, type RunningServer } from '../../fixtures/serve.js';

function target(server: string) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'double', server, skipTLSVerify: true }], users: [{ name: 'nobody' }],
    contexts: [{ name: 'double', cluster: 'double', user: 'nobody' }], currentContext: 'double',
  });
  return { kubeConfig, context: 'double', server, namespace: 'ml', source: 'test' };
}

const deployment = {
  metadata: { name: 'sentiment', namespace: 'ml', generation: 1 },
  spec: { replicas: 2 },
  status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1 },
};

describe('polls with an overall deadline (against a server that stops answering)', function () {
  this.timeout(20_000);
  let server: RunningServer | undefined;
  const held: ServerResponse[] = [];
  afterEach(async () => {
    for (const res of held.splice(0)) res.destroy();
    await server?.close();
    server = undefined;
  });

  /** Answers the first `answered` requests, then holds every later one open, unanswered. */
  async function answeringOnly(answered: number): Promise<RunningServer & { requests: () => number }> {
    let n = 0;
    const running = await listen((_req, res) => {
      if (++n <= answered) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deployment));
      else held.push(res);
    });
    server = running;
    return { ...running, requests: () => n };
  }

  it('waitForReplicas: a poll the server never answers ends by the deadline with exit 4', async () => {
    const api = await answeringOnly(1);
    const timeoutMs = 1500;
    const started = Date.now();
    const progress: string[] = [];
    const error = await waitForReplicas(new KubeClient(target(api.url)), {
      namespace: 'ml', deployment: 'sentiment', replicas: 2, timeoutMs, intervalMs: 100, onProgress: (c) => progress.push(`${c.ready}/${c.desired}`),
    }).then(() => undefined, (e: unknown) => e);
    const elapsed = Date.now() - started;
    assert.ok(error instanceof MdlError, `expected an MdlError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.rollout);
    assert.match(error.message, /did not reach exactly 2 Ready replicas within 2s \(2 desired, 2 pods, 2 updated, 1 ready\)/);
    assert.deepEqual(progress, ['1/2']);
    assert.ok(api.requests() >= 2, 'the second poll was sent');
    assert.ok(elapsed >= timeoutMs - 50 && elapsed < timeoutMs + 1500, `ended after ${elapsed} ms for a ${timeoutMs} ms deadline`);
  });

  it('a client made with a signal aborts its unanswered requests when the signal fires', async () => {
    const api = await answeringOnly(0);
    const client = new KubeClient(target(api.url), AbortSignal.timeout(300));
    const started = Date.now();
    const error = await client.request('GET', '/apis/apps/v1/namespaces/ml/deployments/sentiment').then(() => undefined, (e: unknown) => e);
    const elapsed = Date.now() - started;
    assert.ok(error !== undefined, 'the request resolved');
    assert.equal((error as Error).name, 'TimeoutError');
    assert.ok(elapsed < 3000, `aborted after ${elapsed} ms`);
  });
});
