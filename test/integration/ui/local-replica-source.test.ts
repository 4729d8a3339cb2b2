import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pollLocalStatus } from '../../../src/load/local-replica-source.js';
import type { ReplicaEvent } from '../../../src/load/replica-events.js';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/predict`, server };
}

describe('polling the local runtime status (loopback)', () => {
  it('emits replica events from <origin>/.mdl/status until aborted', async () => {
    let polls = 0;
    const { url, server } = await serve((req, res) => {
      assert.equal(req.url, '/.mdl/status');
      polls++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ desiredReplicas: 2, readyReplicas: polls > 1 ? 2 : 1, scalingEvents: [] }));
    });
    try {
      const events: ReplicaEvent[] = [];
      const controller = new AbortController();
      const done = pollLocalStatus(url, { signal: controller.signal, intervalMs: 20, onEvent: (e) => events.push(e) });
      let ended = false;
      void done.then(() => (ended = true));
      for (let i = 0; i < 500 && events.length < 3 && !ended; i++) await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      assert.equal(await done, true);
      assert.deepEqual(events.slice(0, 2).map((e) => e.kind === 'replicas' && e.ready), [1, 2]);
    } finally {
      server.close();
    }
  });

  it('gives up at once on a server that is not mdl dev', async () => {
    const { url, server } = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    try {
      const events: ReplicaEvent[] = [];
      assert.equal(await pollLocalStatus(url, { signal: new AbortController().signal, intervalMs: 20, onEvent: (e) => events.push(e) }), false);
      assert.equal(events.length, 0);
    } finally {
      server.close();
    }
  });
});
