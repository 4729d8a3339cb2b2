import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runMdl } from '../support/run-mdl.js';
import { startBatchingServer, type BatchingServer } from '../fixtures/batching-server.js';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';

const mdl = (args: string[], cwd: string) => runMdl(args, { cwd, timeoutMs: 150_000 });

describe('mdl tune (built CLI)', function () {
  this.timeout(180_000);
  let server: CapacityServer;
  let dir: string;
  before(async () => {
    server = await startCapacityServer({ slots: 4, serviceMs: 40 });
    dir = mkdtempSync(join(tmpdir(), 'mdl-tune-e2e-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds capacity, prints a TuneResult, writes the report, and patches the spec keeping its comments', async () => {
    const spec = join(dir, 'mdl.config.yaml');
    writeFileSync(
      spec,
      `# fixture model
name: fixture
image: ghcr.io/acme/fixture:1.0.0
runtime: http
scaling:
  minReplicas: 1   # as first deployed
  maxReplicas: 5
  metric: { type: rps, target: 50rps }
slo: { p95: 400ms, errorRate: 1% }
traffic: { baseline: 20rps, peak: 400rps, ramp: 2m }
loadtest:
  url: ${server.url}
`,
    );
    const report = join(dir, 'tune.html');
    const { code, stdout, stderr } = await mdl(['tune', '--window', '1s', '--write', '--report', report, '--json'], dir);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.schemaVersion, 2);
    assert.equal(result.axis, 'rate');
    assert.equal(result.slo.source, 'spec');
    const perSecond = result.capacityPerReplica.perSecond.value;
    // This test is about the result, the report and the write-back; the accuracy gate is
    // test/e2e/tune-truth.test.ts (a server with an exact truth) and the sweep bench. Here only: found, and
    // not above what 4 slots of 40 ms can complete.
    assert.ok(perSecond > 0 && perSecond < 100 * 1.05, `capacity ${perSecond}/s vs at most 100/s`);
    assert.equal(result.recommendation.metric.kind, 'rps');
    assert.ok(result.search.curve.length >= 3);
    // Version 2: each step's completions and sends per second (version 1 called the completions achievedPerSecond).
    for (const p of result.search.curve) {
      assert.equal(typeof p.completedPerSecond, 'number', JSON.stringify(p));
      assert.equal(typeof p.sentPerSecond, 'number', JSON.stringify(p));
      assert.equal('achievedPerSecond' in p, false);
    }
    assert.match(readFileSync(report, 'utf8'), /<svg /);
    const written = readFileSync(spec, 'utf8');
    assert.match(written, /^# fixture model$/m);
    assert.match(written, /minReplicas: \d+ {3}# as first deployed/);
    const parsed = parse(written);
    assert.equal(parsed.scaling.minReplicas, result.recommendation.minReplicas.value);
    assert.equal(parsed.scaling.metric.target, `${result.recommendation.target.value}rps`);
    assert.equal(parsed.traffic.peak, '400rps');
  });

  it('exits 99 when no level meets the SLO, and 2 on a bad --slo', async () => {
    const impossible = await mdl(['tune', server.url, '--slo', 'p95<5ms', '--window', '1s', '--json'], dir);
    assert.equal(impossible.code, 99, impossible.stderr);
    assert.equal(JSON.parse(impossible.stdout).recommendation, null);
    const bad = await mdl(['tune', server.url, '--slo', 'p95<fast'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--slo/);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('stops in seconds against an endpoint that refuses connections, naming connect_refused, with exit 99', async () => {
    const started = Date.now();
    const r = await mdl(['tune', 'http://127.0.0.1:1/x', '--slo', 'p95<100ms'], dir);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stderr, /connect_refused/);
    assert.match(r.stderr, /is the server up/);
    assert.doesNotMatch(r.stderr, /5000 ms|p95 0 ms/, 'no latency figure for steps without answers');
    // It used to run 61 s; the bound needs 10 requests, which the 4/s start sends in under 3 s.
    assert.ok(seconds < 20, `${seconds} s`);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});

describe('mdl tune on a token-streaming server (built CLI)', function () {
  this.timeout(180_000);
  const TOKENS = 8; // every answer streams exactly this many tokens
  let server: BatchingServer;
  let dir: string;
  before(async () => {
    server = await startBatchingServer({ maxBatch: 4, tokens: TOKENS, stepBaseMs: 10, stepPerRequestMs: 2 });
    dir = mkdtempSync(join(tmpdir(), 'mdl-tune-tokens-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures output tokens per replica and prices a million of them', async () => {
    writeFileSync(
      join(dir, 'mdl.config.yaml'),
      `name: llm
image: ghcr.io/acme/llm:1.0.0
runtime: openai
slo: { p95: 400ms, errorRate: 1% }
traffic: { baseline: 5rps, peak: 60rps, ramp: 2m }
cost: { perReplicaHour: 3.60, currency: USD }
loadtest:
  url: ${server.url}
`,
    );
    const { code, stdout, stderr } = await mdl(['tune', '--window', '1s', '--json'], dir);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    const perSecond = result.capacityPerReplica.perSecond.value;
    const tokens = result.capacityPerReplica.outputTokensPerSecond;
    assert.equal(tokens.source, 'measured');
    // The fixture streams TOKENS per answer, so the token rate is TOKENS × the completion rate.
    assert.ok(Math.abs(tokens.value / perSecond - TOKENS) <= 0.05 * TOKENS, `${tokens.value} tokens/s at ${perSecond} answers/s`);
    // 3.60 USD an hour over the tokens one replica streams in an hour at capacity.
    const expected = (3.6 / (TOKENS * perSecond * 3600)) * 1e6;
    const got = result.cost.perMillionOutputTokens;
    assert.ok(Math.abs(got - expected) <= 0.05 * expected, `${got} USD per million against ${expected}`);
  });
});

