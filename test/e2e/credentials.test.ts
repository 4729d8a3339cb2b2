/**
 * Credentials scoped and redacted (issue 15), through the built CLI against real servers on 127.0.0.1: the
 * spec's headers go to the spec's own origin only, header values may come from the environment, and no
 * output (stdout, stderr, --json, --out, --junit, the GitHub step summary, tune's HTML report) shows a
 * header value or URL user info unless --show-secrets.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { startHeaderRecorder, type HeaderRecorder } from '../fixtures/header-recorder.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function mdl(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, CI: 'true', ...options.env };
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/run.js'), ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A folder holding a spec whose loadtest section is `loadtest` (YAML flow text). */
function specDir(loadtest: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-cred-'));
  writeFileSync(join(dir, 'mdl.config.yaml'), `name: m\nimage: example.invalid/m:1\nloadtest: ${loadtest}\n`);
  return dir;
}

const PROD_TOKEN = 'Bearer prod-token-0123456789';

describe('credentials: scoped to their origin, redacted in every output (built CLI)', function () {
  this.timeout(60_000);
  let recorder: HeaderRecorder;
  before(async () => {
    recorder = await startHeaderRecorder();
  });
  after(() => recorder.close());
  beforeEach(() => {
    recorder.requests.length = 0;
  });

  it("does not send the spec's Authorization to a URL of another origin given on the command line, and says so once", async () => {
    // The repro: the spec points at production; the command line at another server.
    const dir = specDir(`{ url: "http://127.0.0.1:1/prod", headers: { Authorization: "${PROD_TOKEN}" } }`);
    const r = await mdl(['loadtest', `${recorder.url}/elsewhere`, '--rate', '4', '--duration', '1s'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const load = recorder.to('/elsewhere');
    assert.ok(load.length >= 3, `only ${load.length} requests arrived`);
    for (const req of load) assert.equal(req.headers.authorization, undefined, 'the spec header reached another origin');
    assert.equal(r.stderr.match(/not sending the spec's loadtest\.headers \(authorization\)/g)?.length, 1, r.stderr);
    assert.match(r.stderr, /--spec-headers/);
    assert.ok(!r.stderr.includes('prod-token'), 'the warning does not show the value');
  });

  it('sends them there with --spec-headers; --header values always go', async () => {
    const dir = specDir(`{ url: "http://127.0.0.1:1/prod", headers: { Authorization: "${PROD_TOKEN}" } }`);
    const r = await mdl(['loadtest', `${recorder.url}/elsewhere`, '--rate', '4', '--duration', '1s', '--spec-headers', '-H', 'X-Run: e2e'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const load = recorder.to('/elsewhere');
    assert.ok(load.length >= 3);
    for (const req of load) {
      assert.equal(req.headers.authorization, PROD_TOKEN);
      assert.equal(req.headers['x-run'], 'e2e');
    }
    assert.doesNotMatch(r.stderr, /not sending/);
  });

  it("sends the spec's headers to its own origin, with ${VAR} read from the environment", async () => {
    const dir = specDir(`{ url: "${recorder.url}/prod", headers: { Authorization: "Bearer \${MDL_E2E_TOKEN}", X-Literal: "$\${NOT_A_VAR}" } }`);
    const r = await mdl(['loadtest', '--rate', '4', '--duration', '1s', '--json'], { cwd: dir, env: { MDL_E2E_TOKEN: 'tok-from-env-4242' } });
    assert.equal(r.code, 0, r.stderr);
    const load = recorder.requests.filter((q) => q.path.startsWith('/prod'));
    assert.ok(load.length >= 3, JSON.stringify(recorder.requests.map((q) => q.path)));
    for (const req of load) {
      assert.equal(req.headers.authorization, 'Bearer tok-from-env-4242');
      assert.equal(req.headers['x-literal'], '${NOT_A_VAR}');
    }
    assert.ok(!r.stdout.includes('tok-from-env') && !r.stderr.includes('tok-from-env'), 'the expanded value is redacted too');
    assert.equal(JSON.parse(r.stdout).target.headers.authorization, '[redacted]');
  });

  it('an unset variable is exit 2 naming the header and the variable, and nothing is sent', async () => {
    const dir = specDir(`{ url: "${recorder.url}/prod", headers: { Authorization: "Bearer \${MDL_E2E_UNSET_TOKEN}" } }`);
    const env = { ...process.env };
    delete env.MDL_E2E_UNSET_TOKEN;
    const r = await mdl(['loadtest', '--rate', '4', '--duration', '1s'], { cwd: dir, env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /header "authorization" uses \$\{MDL_E2E_UNSET_TOKEN\}, but the environment variable MDL_E2E_UNSET_TOKEN is not set/);
    assert.match(r.stderr, /loadtest\.headers\.authorization/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.equal(recorder.requests.length, 0);
  });

  describe('redaction of header values and URL user info', () => {
    let server: CapacityServer;
    const password = 'pa55-w0rd-e2e';
    const token = 's3cret-e2e-token-value';
    before(async () => {
      server = await startCapacityServer({ slots: 8, serviceMs: 20 });
    });
    after(() => server.close());
    const withUserinfo = () => server.url.replace('http://', `http://svc-user:${password}@`);

    it('loadtest: --json, --out, --junit, the step summary and the text summary show neither', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-redact-'));
      const files = { out: join(dir, 'run.ndjson'), junit: join(dir, 'junit.xml'), summary: join(dir, 'summary.md') };
      const args = ['loadtest', `${withUserinfo()}/`, '--rate', '10', '--duration', '1s', '-H', `Authorization: Bearer ${token}`, '--out', files.out, '--junit', files.junit, '-t', 'p99<10s'];
      const json = await mdl([...args, '--json'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: files.summary } });
      assert.equal(json.code, 0, json.stderr);
      const text = await mdl(args, { cwd: dir });
      assert.equal(text.code, 0, text.stderr);
      const outputs: Record<string, string> = {
        'stdout (--json)': json.stdout,
        'stderr (--json)': json.stderr,
        'stderr (text summary)': text.stderr,
        '--out': readFileSync(files.out, 'utf8'),
        '--junit': readFileSync(files.junit, 'utf8'),
        'step summary': readFileSync(files.summary, 'utf8'),
      };
      for (const [where, content] of Object.entries(outputs)) {
        assert.ok(!content.includes(password), `${where} shows the URL password`);
        assert.ok(!content.includes(token), `${where} shows the header value`);
      }
      // Not vacuous: each output names the target, user kept and password hidden.
      for (const where of ['stdout (--json)', 'stderr (text summary)', '--out', '--junit', 'step summary']) {
        assert.ok(outputs[where]!.includes(`svc-user:redacted@127.0.0.1:${server.port}`), `${where} does not name the target`);
      }
      assert.equal(JSON.parse(json.stdout).target.headers.authorization, '[redacted]');
      // --show-secrets is what shows them.
      const shown = await mdl([...args.slice(0, 8), '--show-secrets', '--json'], { cwd: dir });
      const result = JSON.parse(shown.stdout);
      assert.equal(result.target.url, `${withUserinfo()}/`);
      assert.equal(result.target.headers.authorization, `Bearer ${token}`);
    });

    it('tune: --json and the HTML report show neither', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-redact-tune-'));
      const report = join(dir, 'report.html');
      // An SLO no level meets: the search ends at its first step (exit 99), with a result and a report.
      const r = await mdl(['tune', `${withUserinfo()}/`, '--slo', 'p95<1ms', '--window', '1s', '-H', `Authorization: Bearer ${token}`, '--report', report, '--json'], { cwd: dir });
      assert.equal(r.code, 99, r.stderr);
      const html = readFileSync(report, 'utf8');
      for (const [where, content] of Object.entries({ stdout: r.stdout, stderr: r.stderr, report: html })) {
        assert.ok(!content.includes(password), `${where} shows the URL password`);
        assert.ok(!content.includes(token), `${where} shows the header value`);
      }
      assert.equal(JSON.parse(r.stdout).target.url, `http://svc-user:redacted@127.0.0.1:${server.port}/`);
      assert.ok(html.includes(`svc-user:redacted@127.0.0.1:${server.port}`), 'the report names the target');
    });

    it('an error message does not show URL user info', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-redact-err-'));
      const r = await mdl(['loadtest', `http://svc-user:${password}@127.0.0.1:notaport/`, '--rate', '1', '--duration', '1s'], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /svc-user:redacted@127\.0\.0\.1:notaport\/" is not a URL/);
      assert.ok(!r.stderr.includes(password), r.stderr);
      // Every request refused: the run stops early (exit 99) with a message naming the target.
      const refused = await mdl(['loadtest', `http://svc-user:${password}@127.0.0.1:1/`, '--rate', '20', '--duration', '3s', '--json'], { cwd: dir });
      assert.equal(refused.code, 99, refused.stderr);
      assert.match(refused.stderr, /requests to http:\/\/svc-user:redacted@127\.0\.0\.1:1\/ failed/);
      assert.ok(!refused.stderr.includes(password) && !refused.stdout.includes(password), refused.stderr);
      const malformed = await mdl(['loadtest', `${server.url}/`, '--rate', '1', '--duration', '1s', '-H', `Authorization Bearer ${token}`], { cwd: dir });
      assert.equal(malformed.code, 2, malformed.stderr);
      assert.match(malformed.stderr, /--header "Authorization \[redacted\]" is not Name: value/);
      assert.ok(!malformed.stderr.includes(token), malformed.stderr);
    });
  });
});
