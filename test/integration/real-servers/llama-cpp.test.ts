/**
 * llama-cpp-python's OpenAI-compatible server with a tiny GGUF written here (random weights, real tokens on
 * CPU): with its default, which ends a running stream when another request arrives, mdl's loadtest must fail
 * loudly; with that off, loadtest (streaming, TTFT/ITL), tune and dev run against it. It serves requests one
 * at a time (one llama context, no slots) and exports no Prometheus metrics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { LoadResult } from '../../../src/load/types.js';
import type { TuneResult } from '../../../src/tune/result.js';
import {
  COLD_INSTALL_MS,
  installRealServers,
  llamaCppPythonArgs,
  mdl,
  startLlamaCppPython,
  tinyGguf,
  workDir,
  writeText,
  type RealServers,
  type StartedServer,
} from '../../support/real-servers/servers.js';

/** Short replies keep each request to a few hundred ms on a busy machine. */
const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'hello world' }], max_tokens: 16 });

describe('real servers: llama.cpp (OpenAI-compatible, streaming) with a tiny GGUF', function () {
  this.timeout(180_000);
  let servers: RealServers;
  let model: string;
  before(async function () {
    this.timeout(COLD_INSTALL_MS);
    servers = await installRealServers();
    model = await tinyGguf(servers, workDir('llama'));
  });

  describe("llama-cpp-python's server", () => {
    let server: StartedServer | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('with its default (a new request ends the running stream), mdl loadtest stops early and exits 99 naming the error class', async () => {
      server = await startLlamaCppPython(servers, model, { interrupt: true });
      const r = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '4', '--duration', '20s', '--json'], { killAfterMs: 60_000 });
      assert.equal(r.code, 99, `exit ${r.code}; stderr:\n${r.stderr}`);
      // Each new stream ends the one running: the client sees its connection closed mid-stream.
      const doc = JSON.parse(r.stdout) as { error: { message: string; exitCode: number } };
      assert.equal(doc.error.exitCode, 99);
      assert.match(doc.error.message, /stopped early: \d+ of \d+ requests .* failed .* most were reset \(\d+\)/);
      assert.match(r.stderr, /most were reset/);
      assert.ok(r.wallMs < 20_000, `stopped early, not after the full 20 s (${r.wallMs} ms)`);
    });

    it('with interrupt_requests off: every stream completes, TTFT and ITL measured from real tokens', async () => {
      server = await startLlamaCppPython(servers, model, { interrupt: false });
      const r = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '2', '--requests', '20', '--json'], { killAfterMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout) as LoadResult;
      assert.equal(result.requests.completed, 20, JSON.stringify(result.errors));
      assert.ok(result.llm, 'an openai run has LLM figures');
      assert.equal(result.llm.ttftMs.count, 20);
      assert.ok(result.llm.ttftMs.p50 > 0 && result.llm.ttftMs.p50 < result.latencyMs.p50, 'the first token comes before the end');
      // 16 tokens at most per reply: at most 15 gaps each, and replies are several tokens long.
      assert.ok(result.llm.itlMs.count >= 20 && result.llm.itlMs.count <= 20 * 15, `inter-token gaps measured (${result.llm.itlMs.count})`);
      // This server ignores stream_options.include_usage: tokens are counted by chunks, and said so.
      assert.equal(result.llm.tokenCountsApproximate, true);
    });

    it('mdl tune (concurrency axis): its answer is reproduced by fresh loadtests — half of it meets the SLO, 4× fails it', async function () {
      this.timeout(600_000);
      server = await startLlamaCppPython(servers, model, { interrupt: false });
      // The SLO from this machine's own single-stream latency: the knee is then the server's one-at-a-time
      // queue, not how busy the machine is.
      const base = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '1', '--requests', '15', '--json']);
      assert.equal(base.code, 0, base.stderr);
      const sloMs = Math.max(50, Math.round((JSON.parse(base.stdout) as LoadResult).latencyMs.p95 * 2.5));
      const slo = `p95<${sloMs}ms`;
      const t = await mdl(['tune', server.url, '--protocol', 'openai', '--runtime', 'openai', '--model', 'tiny', '--body', BODY, '--slo', slo, '--window', '2s', '--max-level', '32', '--json'], { killAfterMs: 420_000 });
      assert.ok(t.code === 0 || t.code === 99, t.stderr);
      const result = JSON.parse(t.stdout) as TuneResult;
      assert.equal(result.axis, 'concurrency');
      assert.equal(result.recommendation?.metric.prometheusMetric, 'llamacpp:requests_processing');
      const level = result.capacityPerReplica?.level.value;
      assert.ok(level !== undefined && level >= 1, `tune found no capacity: ${result.notes.join(' ')}`);
      const at = async (concurrency: number) => {
        const r = await mdl(['loadtest', server!.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', String(concurrency), '--duration', '8s', '--warmup', '2s', '-t', slo, '--json'], { killAfterMs: 60_000 });
        return { code: r.code, p95: (JSON.parse(r.stdout) as LoadResult).latencyMs.p95 };
      };
      // This machine is shared: the best of three runs stands for the server, not for the neighbours' load.
      // The tight figure (5 runs at the answer, 5 at 1.1×) is test/bench/real-servers.ts's.
      const half = Math.max(1, Math.floor(level / 2));
      const under = [await at(half)];
      while (under.length < 3 && under.every((r) => r.code !== 0)) under.push(await at(half));
      assert.ok(under.some((r) => r.code === 0), `at ${half} streams (half of tune's ${level}) the SLO ${slo} failed in every run (p95 ${under.map((r) => r.p95.toFixed(0)).join(', ')} ms): tune overestimated`);
      const beyond = await at(Math.ceil(level * 4));
      assert.equal(beyond.code, 99, `at 4 × ${level} streams the SLO ${slo} held (p95 ${beyond.p95} ms): tune underestimated`);
    });
  });

  it('mdl dev runs llama-cpp-python replicas from a spec (runtime openai) and balances streams over them', async function () {
    this.timeout(240_000);
    const dir = workDir('llama-dev');
    writeText(
      join(dir, 'mdl.config.yaml'),
      [
        'name: tiny-llama',
        'runtime: openai',
        'scaling: { minReplicas: 2, maxReplicas: 2 }',
        // llama-cpp-python's server has no /health: its model list answers once the model is loaded.
        'health: { readiness: { path: /v1/models }, liveness: { path: /v1/models } }',
        'local:',
        `  command: ${[servers.python, ...llamaCppPythonArgs(model, '{port}', false)].join(' ')}`,
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [resolve('bin/run.js'), 'dev', '-c', join(dir, 'mdl.config.yaml')], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    try {
      const url = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`mdl dev printed no URL in 150 s:\n${err}`)), 150_000);
        child.stdout.on('data', () => {
          const m = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) {
            clearTimeout(timer);
            ok(m[1]!);
          }
        });
        void exited.then((code) => fail(new Error(`mdl dev exited (${code}):\n${err}`)));
      });
      const r = await mdl(['loadtest', url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '2', '--requests', '20', '--json'], { killAfterMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout) as LoadResult;
      assert.equal(result.requests.completed, 20);
      assert.equal(result.llm?.ttftMs.count, 20, 'every stream through the balancer brought real tokens');
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      assert.ok(code === 0 || code === 130, `mdl dev stopped with ${code}:\n${err}`);
    }
  });
});
