import assert from 'node:assert/strict';
import { startBatchingServer, type BatchingServer } from '../fixtures/batching-server.js';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { startSharingServer, type SharingServer } from '../fixtures/sharing-server.js';

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; text: string }> {
  const start = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { ms: performance.now() - start, text };
}

const completion = (stream: boolean) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'm', prompt: 'hi', stream, stream_options: { include_usage: true } }),
});

describe('non-M/M/N fixture servers', function () {
  this.timeout(20_000);

  describe('continuous batching', () => {
    let server: BatchingServer;
    before(async () => {
      server = await startBatchingServer({ maxBatch: 4, tokens: 5, stepBaseMs: 20, stepPerRequestMs: 10 });
    });
    after(() => server.close());

    it('streams one token per step over SSE, ending with usage and [DONE]', async () => {
      const { text } = await timed(`${server.url}/v1/completions`, completion(true));
      const data = text.split('\n\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      assert.equal(data.at(-1), '[DONE]');
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      assert.equal(chunks.filter((c) => c.choices.length === 1).length, 5);
      assert.equal(chunks.at(-1).usage.completion_tokens, 5);
    });

    it('serves concurrent requests in one batch whose steps are slower, and queues beyond maxBatch', async () => {
      const alone = await timed(`${server.url}/v1/completions`, completion(false));
      const steps0 = server.stats.steps;
      const four = await Promise.all(Array.from({ length: 4 }, () => timed(`${server.url}/v1/completions`, completion(false))));
      // One batch of four (a request arriving mid-step joins at the next one): 5 or 6 steps, not 20; and
      // at least 4 of the 5 steps a request is in last 20 + 4 × 10 ms.
      assert.ok(server.stats.steps - steps0 <= 7, `${server.stats.steps - steps0} steps`);
      assert.equal(server.stats.maxBatchSeen, 4);
      for (const r of four) assert.ok(r.ms >= 4 * 60 - 5 && r.ms > alone.ms * 1.5, `${r.ms} ms vs ${alone.ms} alone`);
      const six = await Promise.all(Array.from({ length: 6 }, () => timed(`${server.url}/v1/completions`, completion(false))));
      assert.ok(server.stats.maxWaiting >= 2);
      assert.ok(Math.max(...six.map((r) => r.ms)) > 5 * 60 + 5 * 40 - 10);
    });

    it('answers 404 off the completions path', async () => {
      assert.equal((await fetch(`${server.url}/v1/models`)).status, 404);
    });
  });

  describe('processor sharing', () => {
    let server: SharingServer;
    before(async () => {
      server = await startSharingServer({ cores: 1, workMs: 40 });
    });
    after(() => server.close());

    it('slows concurrent requests down instead of queueing them: three at once all take about three works', async () => {
      const alone = await timed(server.url);
      assert.ok(alone.ms >= 39, `alone ${alone.ms}`);
      const three = await Promise.all([timed(server.url), timed(server.url), timed(server.url)]);
      assert.equal(server.stats.maxInService, 3);
      // Shared: every one ends together near 120 ms; a FIFO server would end them at 40, 80, 120.
      for (const r of three) assert.ok(r.ms >= 115, `${r.ms} ms`);
    });
  });

  describe('bimodal service', () => {
    let server: CapacityServer;
    before(async () => {
      server = await startCapacityServer({ slots: 8, serviceMs: 5, slowMs: 100, slowShare: 0.25, seed: 3 });
    });
    after(() => server.close());

    it('gives about slowShare of the requests the slow time, and capacity from the mean', async () => {
      const times = await Promise.all(Array.from({ length: 8 }, () => timed(server.url)));
      const more = await Promise.all(Array.from({ length: 8 }, () => timed(server.url)));
      const slow = [...times, ...more].filter((r) => r.ms >= 95).length;
      assert.ok(slow >= 1 && slow <= 9, `${slow} of 16 slow`);
      assert.ok([...times, ...more].some((r) => r.ms < 50));
      assert.equal(Math.round(server.capacityPerSecond), Math.round((8 * 1000) / (0.75 * 5 + 0.25 * 100)));
    });
  });
});
