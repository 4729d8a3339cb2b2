/**
 * A CI cancel (SIGTERM) or Ctrl+C (SIGINT) during a run of the built CLI: every requested output is written,
 * complete, with what was measured, and the exit code is 130; a second signal ends the process at once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { listen, type RunningServer } from '../fixtures/serve.js';

/** Just enough of an API server for `mdl status`: one Deployment of the model, no pods, no autoscaling API. */
async function statusApiDouble(): Promise<RunningServer> {
  const deployment = {
    metadata: { name: 'm', namespace: 'ml', generation: 1 },
    spec: { replicas: 1, selector: { matchLabels: { app: 'm' } } },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
  };
  const bodies: Record<string, unknown> = {
    '/apis/apps': { preferredVersion: { version: 'v1' } },
    '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] },
    '/apis/apps/v1/namespaces/ml/deployments': { items: [deployment] },
    '/api/v1/namespaces/ml/pods': { items: [] },
  };
  return listen((req, res) => {
    const body = bodies[new URL(req.url ?? '/', 'http://x').pathname];
    if (body === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404 }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stderr matches. */
  waitFor: (pattern: RegExp) => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/run.js'), ...args], { env: { ...process.env, CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => {
    stderr += c;
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else waiters.push(w);
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, atMs: performance.now() });
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(() => reject(new Error(`exited before ${pattern}: ${stderr}`)));
      }),
    exit,
  };
}

/** Every element opened is closed in order, and the document has one root: what an XML reader needs of it. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes nothing open in:\n${xml}`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  assert.deepEqual(stack, [], `unclosed elements in:\n${xml}`);
  assert.equal(roots, 1, `one root element expected in:\n${xml}`);
}

/** Polls until the condition holds; fails if the process ends first. */
async function until(condition: () => boolean, run: Running): Promise<void> {
  let exited = false;
  void run.exit.then(() => (exited = true));
  while (!condition()) {
    if (exited) throw new Error(`exited first: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readNdjson(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('stop signals (built CLI)', function () {
  this.timeout(60_000);
  let server: CapacityServer;
  const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-signals-'));
  before(async () => {
    server = await startCapacityServer({ slots: 50, serviceMs: 5 });
  });
  after(() => server.close());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during loadtest --junit --out --json writes the JUnit file, the LoadResult and the step summary, exit 130`, async () => {
      const junit = join(dir, `${signal}.xml`);
      const out = join(dir, `${signal}.ndjson`);
      const summary = join(dir, `${signal}-summary.md`);
      const run = start(['loadtest', `${server.url}/`, '--rate', '40', '--duration', '5m', '-t', 'p99<5s', '-t', 'error_rate<1%', '--junit', junit, '--out', out, '--json'], {
        GITHUB_STEP_SUMMARY: summary,
      });
      // After two measured seconds (--json prints no progress; the NDJSON file shows it): something to report.
      await until(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 2, run);
      run.child.kill(signal);
      const { code } = await run.exit;
      assert.equal(code, 130, run.stderr());

      const xml = readFileSync(junit, 'utf8');
      assertWellFormedXml(xml);
      assert.match(xml, /<testsuites name="mdl loadtest" tests="2" failures="0"/);
      assert.equal(xml.match(/<testcase /g)?.length, 2);

      const lines = readNdjson(out);
      assert.ok(lines.filter((l) => l.kind === 'snapshot').length >= 2, `${lines.length} lines`);
      const last = lines.at(-1)!;
      assert.equal(last.kind, 'result');
      assert.equal(last.interrupted, true);

      const result = JSON.parse(run.stdout()) as { interrupted: boolean; requests: { sent: number; completed: number } };
      assert.equal(result.interrupted, true);
      assert.ok(result.requests.sent >= 40, `sent ${result.requests.sent}`);
      assert.equal(result.requests.completed, result.requests.sent);
      assert.match(readFileSync(summary, 'utf8'), /p99<5s/);
    });
  }

  it('a second SIGTERM exits 130 at once, without waiting for the requests in flight', async () => {
    // Every request takes 20 s: a graceful stop would wait that long for those in flight.
    const slow = await startCapacityServer({ slots: 100, serviceMs: 20_000 });
    try {
      const run = start(['loadtest', `${slow.url}/`, '--rate', '20', '--duration', '5m', '--timeout', '60s']);
      await run.waitFor(/\[2s\//);
      run.child.kill('SIGTERM');
      await run.waitFor(/Stopping: no new requests/);
      const secondAt = performance.now();
      run.child.kill('SIGTERM');
      const { code, atMs } = await run.exit;
      assert.equal(code, 130, run.stderr());
      // Well inside the 18 s that the requests in flight still had to go.
      assert.ok(atMs - secondAt < 5_000, `exited ${Math.round(atMs - secondAt)} ms after the second signal`);
    } finally {
      await slow.close();
    }
  });

  it('SIGTERM ends status --watch with the last reading printed and exit 130; --watch-for ends it with 0', async () => {
    const api = await statusApiDouble();
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: d, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: d, context: {cluster: d, user: u, namespace: ml}}]\ncurrent-context: d\n`);
      const env = { KUBECONFIG: kubeconfig };
      const run = start(['status', '--name', 'm', '--watch', '--interval', '1s'], env);
      await until(() => /--- \d{4}-/.test(run.stdout()), run);
      run.child.kill('SIGTERM');
      const { code } = await run.exit;
      assert.equal(code, 130, run.stderr());
      assert.match(run.stdout(), /m/);
      const bounded = start(['status', '--name', 'm', '--watch', '--interval', '1s', '--watch-for', '2s'], env);
      assert.equal((await bounded.exit).code, 0, bounded.stderr());
      assert.ok(bounded.stdout().split('--- ').length >= 2, bounded.stdout());
    } finally {
      await api.close();
    }
  });
});
