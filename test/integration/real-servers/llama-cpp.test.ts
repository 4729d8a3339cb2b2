/**
 * llama.cpp's two OpenAI-compatible servers with a tiny GGUF written here (random weights, real tokens on
 * CPU): llama-cpp-python's server, whose default ends a running stream when another request arrives (mdl's
 * loadtest must fail loudly against it), the same server with that off, and llama-server with parallel slots
 * and its Prometheus metrics, which the metric registry's openai names must match. loadtest (streaming,
 * TTFT/ITL), tune and dev run against them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { METRIC_REGISTRY } from '../../../src/spec/metric-registry.js';
import type { LoadResult } from '../../../src/load/types.js';
import type { TuneResult } from '../../../src/tune/result.js';
import {
  COLD_INSTALL_MS,
  exportedSeries,
  installRealServers,
  llamaServerArgs,
  mdl,
  sampleValue,
  startLlamaCppPython,
  startLlamaServer,
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
      const result = JSON.parse(r.stdout) as LoadResult;
      const classes = Object.entries(result.errors).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
      assert.ok(classes.length > 0 && result.requests.failed > result.requests.completed, JSON.stringify(result.requests));
      assert.match(r.stderr, new RegExp(classes[0]![0]), 'the summary names the dominant error class');
      assert.ok(result.durationMs < 20_000, `stopped early, not after the full 20 s (${result.durationMs} ms)`);
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
      assert.ok(result.llm.itlMs.count >= 20, `inter-token gaps measured (${result.llm.itlMs.count})`);
      assert.equal(result.llm.tokenCountsApproximate, false, 'the server reports usage');
    });
  });

  describe("llama.cpp's llama-server (4 slots, --metrics)", () => {
    const SLOTS = 4;
    let server: StartedServer;
    before(async () => {
      server = await startLlamaServer(servers, model, { slots: SLOTS });
    });
    after(async () => server?.stop());
    const scrape = async () => (await fetch(server.metricsUrl!)).text();

    it('exports the metrics the registry names for openai, as gauges, and they follow the load', async () => {
      const text = await scrape();
      const names = exportedSeries(text);
      for (const [type, m] of Object.entries(METRIC_REGISTRY.openai)) {
        assert.ok(names.has(m.series), `registry openai ${type}: ${m.series} is not exported; llama-server exports ${[...names].join(', ')}`);
        assert.match(text, new RegExp(`^# TYPE ${m.series} ${m.kind}$`, 'm'));
      }
      const processing = METRIC_REGISTRY.openai.concurrency!.series;
      const deferred = METRIC_REGISTRY.openai.queue!.series;
      let most = { processing: 0, deferred: 0 };
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const t = await scrape();
          most = { processing: Math.max(most.processing, sampleValue(t, processing) ?? 0), deferred: Math.max(most.deferred, sampleValue(t, deferred) ?? 0) };
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      // Twice as many streams as slots: the slots fill and the rest wait.
      const r = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', String(2 * SLOTS), '--requests', '80', '--json'], { killAfterMs: 120_000 });
      watching = false;
      await watcher;
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as LoadResult).requests.completed, 80);
      assert.ok(most.processing >= 2 && most.processing <= SLOTS, `${processing} peaked at ${most.processing} with ${SLOTS} slots`);
      assert.ok(most.deferred >= 1, `${deferred} never rose with ${2 * SLOTS} streams on ${SLOTS} slots`);
      const idle = await scrape();
      assert.equal(sampleValue(idle, processing), 0);
    });

    it('mdl tune (concurrency axis): a fresh loadtest at its answer meets the SLO and one at 3× fails it', async function () {
      this.timeout(600_000);
      // The SLO from this machine's own single-stream latency, so the knee is the slots', not the machine's load.
      const base = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '1', '--requests', '20', '--json']);
      assert.equal(base.code, 0, base.stderr);
      const sloMs = Math.max(50, Math.round((JSON.parse(base.stdout) as LoadResult).latencyMs.p95 * 3));
      const slo = `p95<${sloMs}ms`;
      const t = await mdl(['tune', server.url, '--protocol', 'openai', '--runtime', 'openai', '--model', 'tiny', '--body', BODY, '--slo', slo, '--window', '2s', '--max-level', '64', '--json'], { killAfterMs: 420_000 });
      assert.ok(t.code === 0 || t.code === 99, t.stderr);
      const result = JSON.parse(t.stdout) as TuneResult;
      assert.equal(result.axis, 'concurrency');
      assert.equal(result.recommendation?.metric.prometheusMetric, 'llamacpp:requests_processing');
      const level = result.capacityPerReplica?.level.value;
      assert.ok(level !== undefined && level >= 1, `tune found no capacity: ${result.notes.join(' ')}`);
      const at = async (concurrency: number) => {
        const r = await mdl(['loadtest', server.url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', String(concurrency), '--duration', '8s', '--warmup', '2s', '-t', slo, '--json'], { killAfterMs: 60_000 });
        return { code: r.code, p95: (JSON.parse(r.stdout) as LoadResult).latencyMs.p95 };
      };
      const atAnswer = await at(Math.floor(level));
      assert.equal(atAnswer.code, 0, `at tune's ${level} streams the SLO ${slo} failed (p95 ${atAnswer.p95} ms)`);
      const beyond = await at(Math.ceil(level * 3));
      assert.equal(beyond.code, 99, `at 3 × ${level} streams the SLO ${slo} held (p95 ${beyond.p95} ms)`);
    });
  });

  it('mdl dev runs llama-server replicas from a spec (runtime openai) and balances streams over them', async function () {
    this.timeout(180_000);
    const dir = workDir('llama-dev');
    writeText(
      join(dir, 'mdl.config.yaml'),
      ['name: tiny-llama', 'runtime: openai', 'scaling: { minReplicas: 2, maxReplicas: 2 }', 'local:', `  command: ${[servers.llamaServer, ...llamaServerArgs(model, '{port}', 2)].join(' ')}`, ''].join('\n'),
    );
    const child = spawn(process.execPath, [resolve('bin/run.js'), 'dev', '-c', join(dir, 'mdl.config.yaml')], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    try {
      const url = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`mdl dev printed no URL in 120 s:\n${err}`)), 120_000);
        child.stdout.on('data', () => {
          const m = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) {
            clearTimeout(timer);
            ok(m[1]!);
          }
        });
        void exited.then((code) => fail(new Error(`mdl dev exited (${code}):\n${err}`)));
      });
      const r = await mdl(['loadtest', url, '--protocol', 'openai', '--model', 'tiny', '--body', BODY, '--concurrency', '4', '--requests', '40', '--json'], { killAfterMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout) as LoadResult;
      assert.equal(result.requests.completed, 40);
      assert.equal(result.llm?.ttftMs.count, 40);
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      assert.ok(code === 0 || code === 130, `mdl dev stopped with ${code}:\n${err}`);
    }
  });
});
