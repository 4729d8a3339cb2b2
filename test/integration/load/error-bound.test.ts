import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runLoad } from '../../../src/load/engine.js';
import { ErrorBound, errorBoundError } from '../../../src/load/error-bound.js';
import { ExitCode } from '../../../src/errors.js';
import { startMisbehavingServer } from '../../fixtures/misbehaving-server.js';
import type { RunningServer } from '../../fixtures/serve.js';

/** A port on 127.0.0.1 that nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Runs 50 req/s for 20 s, aborted once the bound breaches, as `mdl loadtest` does. */
async function boundedRun(url: string, bound: ErrorBound) {
  const controller = new AbortController();
  const result = await runLoad(
    { url, mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' }, durationMs: 20_000, timeoutMs: 2000 },
    { signal: controller.signal, onSnapshot: (s) => { if (bound.observe(s)) controller.abort(); } },
  );
  return result;
}

describe('a run whose requests mostly fail stops early and names the error', function () {
  this.timeout(30_000);
  let server: RunningServer;
  before(async () => {
    server = await startMisbehavingServer();
  });
  after(() => server.close());

  it('a refused connection stops within seconds as connect_refused, exit 99, with a hint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/x`;
    const bound = new ErrorBound();
    const r = await boundedRun(url, bound);
    const breach = bound.breached();
    assert.ok(breach, 'the bound breached');
    assert.equal(breach.dominant, 'connect_refused');
    // 20 s at 50/s would send 1000; stopping after the first second or two sends about 100.
    assert.ok(r.requests.sent < 300, `sent ${r.requests.sent}`);
    const error = errorBoundError(breach, 0.5, url);
    assert.equal(error.exitCode, ExitCode.thresholds);
    assert.match(error.message, /connect_refused/);
    assert.match(error.hint ?? '', /server up/);
  });

  it('a wrong path (every answer 404) is named http_404 with a path/model hint', async () => {
    const bound = new ErrorBound();
    await boundedRun(`${server.url}/status/404`, bound);
    const breach = bound.breached();
    assert.equal(breach?.dominant, 'http_404');
    assert.match(errorBoundError(breach!, 0.5, 'u').hint ?? '', /path and the model/);
  });

  it('a server that resets every stream is named reset', async () => {
    const bound = new ErrorBound();
    await boundedRun(`${server.url}/reset`, bound);
    assert.equal(bound.breached()?.dominant, 'reset');
  });

  it('a healthy endpoint never breaches', async () => {
    const bound = new ErrorBound();
    const controller = new AbortController();
    await runLoad(
      { url: `${server.url}/ok`, mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' }, durationMs: 1500 },
      { signal: controller.signal, onSnapshot: (s) => void bound.observe(s) },
    );
    assert.equal(bound.breached(), undefined);
  });
});
