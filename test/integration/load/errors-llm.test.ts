import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSecureServer as createHttp2Server } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../../../src/load/engine.js';
import { evaluateThresholds, parseThreshold } from '../../../src/load/thresholds.js';
import type { LoadOptions } from '../../../src/load/engine.js';
import { startMisbehavingServer } from '../../fixtures/misbehaving-server.js';
import { startOpenAiServer } from '../../fixtures/openai-server.js';
import type { RunningServer } from '../../fixtures/serve.js';

const within = (actual: number, low: number, high: number, what: string) =>
  assert.ok(actual >= low && actual <= high, `${what}: ${actual} not in [${low}, ${high}]`);
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe('load engine: error classes', function () {
  this.timeout(30_000);
  let bad: RunningServer;
  before(async () => {
    bad = await startMisbehavingServer({ burstEvery: 10, burstLength: 3 });
  });
  after(() => bad.close());
  const run = (path: string, extra: Partial<LoadOptions> = {}) =>
    runLoad({ url: `${bad.url}${path}`, mode: { kind: 'concurrency', concurrency: 2 }, maxRequests: 10, timeoutMs: 1000, ...extra });

  it('reset, timeout (hang and slow body), http_<code>, bursts of 5xx', async () => {
    assert.deepEqual((await run('/reset')).errors, { reset: 10 });
    const hang = await run('/hang', { timeoutMs: 300, maxRequests: 4 });
    assert.deepEqual(hang.errors, { timeout: 4 });
    const slow = await run('/slow-body', { timeoutMs: 500, maxRequests: 2 });
    assert.deepEqual(slow.errors, { timeout: 2 });
    assert.deepEqual((await run('/status/503')).errors, { http_503: 10 });
    assert.deepEqual((await run('/status/404')).errors, { http_404: 10 });
    const burst = await run('/burst', { maxRequests: 20, mode: { kind: 'concurrency', concurrency: 1 } });
    assert.deepEqual(burst.errors, { http_503: 6 });
    assert.equal(burst.requests.completed, 14);
  });

  it('a server that times every request out sends at the target rate but completes none: rps>=N fails', async () => {
    const r = await runLoad({ url: `${bad.url}/hang`, mode: { kind: 'rate', ratePerSecond: 20, arrival: 'constant' }, durationMs: 1000, timeoutMs: 200 });
    near(r.throughput.sentPerSecond, 20, 1, 'sent per second');
    assert.equal(r.throughput.completedPerSecond, 0);
    const [rps] = evaluateThresholds([parseThreshold('rps>=10')], r);
    assert.equal(rps!.observed, 0);
    assert.equal(rps!.passed, false);
  });

  it('connect refused', async () => {
    const closed = await startMisbehavingServer();
    const url = closed.url;
    await closed.close();
    const r = await runLoad({ url: `${url}/ok`, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 3, timeoutMs: 1000 });
    assert.deepEqual(r.errors, { connect_refused: 3 });
  });

  it('malformed: invalid JSON for kserve-v2, broken SSE for openai; valid kserve answers pass', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] });
    const kserveBad = await runLoad({ url: `${bad.url}/invalid-json/v2/models/m/infer`, protocol: 'kserve-v2', body, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 3 });
    assert.deepEqual(kserveBad.errors, { malformed: 3 });
    const kserveOk = await runLoad({ url: `${bad.url}/`, protocol: 'kserve-v2', model: 'm', body, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 3 });
    assert.deepEqual(kserveOk.errors, {});
    assert.equal(kserveOk.requests.completed, 3);
    const sse = await runLoad({ url: `${bad.url}/broken-sse/v1/chat/completions`, protocol: 'openai', mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 3 });
    assert.deepEqual(sse.errors, { malformed: 3 });
  });

  it('TLS: a self-signed certificate fails verification, and passes with insecure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const verified = await runLoad({ url, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 2, timeoutMs: 2000 });
      assert.deepEqual(verified.errors, { tls: 2 });
      const insecure = await runLoad({ url, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 2, insecure: true });
      assert.deepEqual(insecure.errors, {});
      assert.equal(insecure.requests.completed, 2);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('load engine: HTTP/2', function () {
  this.timeout(30_000);

  it('--http2 negotiates h2 over TLS through undici', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-h2-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const versions = new Set<string>();
    const server = createHttp2Server({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')), allowHTTP1: false }, (req, res) => {
      versions.add(req.httpVersion);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const r = await runLoad({ url, http2: true, insecure: true, mode: { kind: 'concurrency', concurrency: 2 }, maxRequests: 10 });
      assert.deepEqual(r.errors, {});
      assert.equal(r.requests.completed, 10);
      assert.deepEqual([...versions], ['2.0']);
    } finally {
      server.close();
    }
  });
});

describe('load engine: LLM metrics against the streaming server settings', function () {
  this.timeout(30_000);

  it('TTFT, ITL, TPOT and tokens from the usage chunk match the server', async () => {
    const server = await startOpenAiServer({ ttftMs: 60, tokenIntervalMs: 15, tokens: 12 });
    try {
      const r = await runLoad({
        url: server.url,
        protocol: 'openai',
        model: 'tiny',
        mode: { kind: 'concurrency', concurrency: 4 },
        durationMs: 2000,
        thresholds: [parseThreshold('ttft_p99<2s'), parseThreshold('ttft_p50<1ms')],
      });
      const llm = r.llm!;
      assert.equal(llm.tokenCountsApproximate, false);
      // Server timers never fire early by more than a fraction of a ms; a busy machine can make them late.
      within(llm.ttftMs.p50, 59.5, 75, 'TTFT p50');
      within(llm.itlMs.p50, 14.5, 20, 'ITL p50');
      within(llm.tpotMs.p50, 14.5, 25, 'TPOT p50');
      // Each request takes about 60 + 11 × 15 = 225 ms: 4 workers give about 17.8 requests and 213 tokens per second.
      near(llm.outputTokensPerSecond / r.throughput.completedPerSecond, 12, 0.8, 'tokens per request');
      assert.deepEqual(r.thresholds.map((t) => t.passed), [true, false]);
      // Goodput counts requests meeting every per-request limit: ttft <= 1 ms meets none.
      assert.equal(llm.goodputPerSecond, 0);
    } finally {
      await server.close();
    }
  });

  it('without the usage chunk counts chunks and labels them approximate', async () => {
    const server = await startOpenAiServer({ ttftMs: 10, tokenIntervalMs: 2, tokens: 7, usage: false });
    try {
      const r = await runLoad({ url: `${server.url}/v1/completions`, protocol: 'openai', mode: { kind: 'concurrency', concurrency: 2 }, maxRequests: 10, thresholds: [parseThreshold('ttft_p99<2s')] });
      assert.equal(r.llm!.tokenCountsApproximate, true);
      assert.equal(r.requests.completed, 10);
      assert.ok(r.llm!.goodputPerSecond > 0);
      near(r.llm!.outputTokensPerSecond / r.throughput.completedPerSecond, 7, 0.01, 'counted tokens per request');
    } finally {
      await server.close();
    }
  });
});
