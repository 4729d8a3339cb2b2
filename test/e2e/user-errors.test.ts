/**
 * A user's mistake is found before any work: each run below exits 2, names what is wrong and where, sends
 * no request to the endpoint, and ends within a second of the CLI's own start-up (measured against
 * `mdl version` in the same run, so a loaded machine does not fail it).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

function mdl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/run.js'), ...args], { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, ms: performance.now() - started });
    });
  });
}

describe('user errors are found before any load (built CLI)', function () {
  this.timeout(60_000);
  let server: CapacityServer;
  let url: string;
  /** The slowest of three `mdl version` runs: the start-up the budget of 1 s is added to. */
  let startupMs = 0;
  const dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-user-errors-'));
  const missing = join(dir, 'no-such-folder');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const jsonSpec = join(dir, 'mdl.config.json');

  before(async () => {
    server = await startCapacityServer({ slots: 10, serviceMs: 5 });
    url = `${server.url}/`;
    writeFileSync(jsonSpec, JSON.stringify({ name: 'echo', image: 'example.com/echo:1.0.0', slo: { p95: '1s' }, loadtest: { url: server.url } }));
    for (let i = 0; i < 3; i++) startupMs = Math.max(startupMs, (await mdl(['version'])).ms);
  });
  after(() => server.close());

  const cases: Array<{ name: string; args: () => string[]; env?: () => NodeJS.ProcessEnv; stderr: RegExp }> = [
    { name: 'status --interval 2x', args: () => ['status', '--name', 'm', '--interval', '2x'], stderr: /--interval "2x" is not a duration[\s\S]*at --interval[\s\S]*such as 300ms, 30s/ },
    { name: 'status --interval 0s (a hot loop)', args: () => ['status', '--name', 'm', '--watch', '--interval', '0s'], stderr: /--interval "0s" is too short: it must be at least 1s[\s\S]*e\.g\. 2s/ },
    { name: 'tune --report in a missing folder', args: () => ['tune', url, '--slo', 'p95<1s', '--report', join(missing, 'r.html')], stderr: /--report .*r\.html cannot be written: the folder .*no-such-folder does not exist[\s\S]*at --report/ },
    { name: 'tune --report naming a folder', args: () => ['tune', url, '--slo', 'p95<1s', '--report', folder], stderr: /--report .*a-folder cannot be written: it is a folder/ },
    { name: 'tune --write on a JSON spec', args: () => ['tune', '-c', jsonSpec, '--write'], stderr: /--write edits YAML specs only; .*mdl\.config\.json is json[\s\S]*at --write/ },
    { name: 'loadtest --junit in a missing folder', args: () => ['loadtest', url, '--duration', '5s', '--junit', join(missing, 'j.xml')], stderr: /--junit .*j\.xml cannot be written: the folder .* does not exist[\s\S]*at --junit/ },
    { name: 'loadtest --out naming a folder', args: () => ['loadtest', url, '--duration', '5s', '--out', folder], stderr: /--out .*a-folder cannot be written: it is a folder[\s\S]*at --out/ },
    {
      name: 'loadtest with an unwritable GITHUB_STEP_SUMMARY',
      args: () => ['loadtest', url, '--duration', '5s'],
      env: () => ({ GITHUB_STEP_SUMMARY: join(missing, 'summary.md') }),
      stderr: /GITHUB_STEP_SUMMARY=.*summary\.md cannot be written[\s\S]*at GITHUB_STEP_SUMMARY/,
    },
    { name: 'loadtest --rate 2x', args: () => ['loadtest', url, '--rate', '2x'], stderr: /--rate "2x" is not a rate[\s\S]*such as 20rps/ },
    { name: 'loadtest --max-error-rate 150%', args: () => ['loadtest', url, '--max-error-rate', '150%'], stderr: /--max-error-rate "150%" is not a share between 0 and 100%/ },
    { name: 'loadtest --rate with --concurrency', args: () => ['loadtest', url, '--rate', '5', '--concurrency', '2'], stderr: /--concurrency=2 cannot also be provided when using --rate/ },
    { name: 'loadtest --namespace without a model named', args: () => ['loadtest', url, '--duration', '5s', '--namespace', 'prod'], stderr: /--namespace and --context watch a deployed model, and no model is named[\s\S]*at --namespace[\s\S]*--name NAME/ },
    { name: 'loadtest --local with --namespace', args: () => ['loadtest', '--local', '-c', jsonSpec, '--namespace', 'prod'], stderr: /--local loads the spec's model on this machine; --name, --namespace and --context watch one deployed in a cluster[\s\S]*at --local/ },
    { name: 'status --namespace that is not a namespace name', args: () => ['status', '--name', 'iris', '--namespace', '/dev/null'], stderr: /--namespace "\/dev\/null" is not a namespace name[\s\S]*lowercase letters, digits and '-'/ },
    { name: 'status --name that is not an object name', args: () => ['status', '--name', 'Iris/../x'], stderr: /--name "Iris\/\.\.\/x" is not a Kubernetes object name/ },
    { name: 'loadtest --name that is not an object name', args: () => ['loadtest', url, '--duration', '5s', '--namespace', 'prod', '--name', 'a b'], stderr: /--name "a b" is not a Kubernetes object name/ },
    { name: 'tune --force without --write', args: () => ['tune', url, '--slo', 'p95<1s', '--force'], stderr: /All of the following must be provided when using --force: --write/ },
  ];

  for (const c of cases) {
    it(`${c.name}: exit 2 naming it, no request sent, within 1 s of start-up`, async () => {
      const before = server.stats.served;
      const r = await mdl(c.args(), c.env?.() ?? {});
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.stderr);
      assert.doesNotMatch(r.stderr, /bug in mdl|\n\s+at .*\.js:\d+/);
      assert.equal(server.stats.served, before, 'requests were sent');
      assert.ok(r.ms < startupMs + 1000, `exited after ${Math.round(r.ms)} ms; start-up is ${Math.round(startupMs)} ms`);
    });
  }
});
