import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runMdl } from '../support/run-mdl.js';
import { startOpenAiServer } from '../fixtures/openai-server.js';

const mdl = (args: string[]) => runMdl(args, { timeoutMs: 120_000 });

describe('what is loaded is what is shown; nothing extra is sent (built CLI)', function () {
  this.timeout(150_000);

  it('sends a plain server only the load: no GET /.mdl/status', async () => {
    const paths: string[] = [];
    const server: Server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
      const r = await mdl(['loadtest', url, '--rate', '20', '--duration', '3s', '--no-ui']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(paths.length >= 60, `${paths.length} requests`);
      assert.deepEqual([...new Set(paths)], ['GET /predict']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('given a base URL, loadtest shows and records the protocol path it loaded', async () => {
    const server = await startOpenAiServer({ ttftMs: 5, tokenIntervalMs: 2, tokens: 4 });
    try {
      const base = server.url.replace(/\/+$/, '');
      const r = await mdl(['loadtest', base, '--protocol', 'openai', '--model', 'm', '--rate', '5', '--duration', '2s', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).target.url, `${base}/v1/chat/completions`);
      const plain = await mdl(['loadtest', base, '--protocol', 'openai', '--model', 'm', '--rate', '5', '--duration', '2s', '--no-ui']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stderr, new RegExp(`POST ${base}/v1/chat/completions \\(openai\\)`));
    } finally {
      await server.close();
    }
  });

  it('tune --protocol openai searches concurrency as the openai runtime, on the resolved path', async () => {
    const server = await startOpenAiServer({ ttftMs: 5, tokenIntervalMs: 2, tokens: 4 });
    try {
      const base = server.url.replace(/\/+$/, '');
      const r = await mdl(['tune', base, '--protocol', 'openai', '--model', 'm', '--slo', 'p95<2s', '--window', '1s', '--max-level', '2', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.target.runtime, 'openai');
      assert.equal(result.axis, 'concurrency');
      assert.equal(result.target.url, `${base}/v1/chat/completions`);
      assert.match(result.notes[0], /^Runtime openai, implied by protocol openai/);
    } finally {
      await server.close();
    }
  });
});
