import assert from 'node:assert/strict';
import net from 'node:net';
import { H1Pool } from '../../../src/load/h1-client.js';
import { startPreciseServer, type PreciseServer } from '../../fixtures/precise-server.js';

/** Writes raw bytes on one socket and collects what comes back until `answers` responses have arrived. */
async function exchange(url: string, bytes: string, answers: number): Promise<string> {
  const { port } = new URL(url);
  const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
  let text = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.split('HTTP/1.1 200 OK').length - 1 >= answers && text.endsWith('ok')) resolve(text);
      });
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
}

describe('precise server (the truth for the latency benchmark)', function () {
  this.timeout(10_000);
  let server: PreciseServer;
  before(async () => {
    server = await startPreciseServer({ holdMs: 30 });
  });
  after(() => server.close());

  it('answers a request no earlier than its hold after the last byte was read, and reports the holds', async () => {
    server.takeStats();
    const startedMs = performance.now();
    const text = await exchange(server.url, 'POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\n\r\nhello', 1);
    assert.ok(performance.now() - startedMs >= 30, 'the client waited at least the hold');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n.*content-length: 2\r\n\r\nok$/s);
    const stats = server.takeStats();
    assert.equal(stats.served, 1);
    assert.ok(stats.holdMinMs! >= 30, `hold ${stats.holdMinMs} ms`);
    assert.equal(server.takeStats().served, 0, 'taking the stats starts a new sample');
  });

  it('answers /ping at once and several requests sent in one write each in turn', async () => {
    server.takeStats();
    const text = await exchange(server.url, 'GET /a HTTP/1.1\r\nhost: a\r\n\r\nGET /ping HTTP/1.1\r\nhost: a\r\n\r\nGET /b HTTP/1.1\r\nhost: a\r\n\r\n', 3);
    assert.equal(text.split('\r\n\r\nok').length - 1, 3);
    assert.equal(server.takeStats().served, 2, '/ping is not a held request');
  });

  it('serves the stats as JSON over HTTP for a benchmark in another process', async () => {
    const stats = (await (await fetch(`${server.url}/__stats`)).json()) as { served: number };
    assert.equal(typeof stats.served, 'number');
  });
});

describe('lean HTTP/1.1 client: receive time', () => {
  it("stamps each response with the time its bytes were read, on the pool's clock, before the handler runs", async () => {
    const server = await startPreciseServer({ holdMs: 1 });
    const pool = new H1Pool(server.url, { connections: 1, rejectUnauthorized: true, connectTimeoutMs: 5000, now: () => performance.now() });
    try {
      const beforeMs = performance.now();
      const { receivedMs, endMs } = await new Promise<{ receivedMs: number | undefined; endMs: number }>((resolve, reject) =>
        pool.dispatch(
          { path: '/', method: 'GET', headers: {}, body: undefined },
          { onResponseEnd: (c) => resolve({ receivedMs: c.receivedMs, endMs: performance.now() }), onResponseError: (_c, e) => reject(e) },
        ),
      );
      assert.ok(receivedMs !== undefined && receivedMs > beforeMs && receivedMs <= endMs, `${beforeMs} < ${receivedMs} <= ${endMs}`);
    } finally {
      await pool.destroy();
      await server.close();
    }
  });
});
