/**
 * The dashboard as a user sees it: the built CLI in a 100×30 tmux pane against a loopback fixture server,
 * read back with capture-pane; and plain lines when stderr is a pipe.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { Tmux, waitFor } from '../support/tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin/run.js');

describe('e2e: the load dashboard', function () {
  this.timeout(60_000);
  let server: CapacityServer;
  let dir: string;

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/commands/loadtest.js')), 'run `npm run build` first (npm test does)');
    server = await startCapacityServer({ slots: 8, serviceMs: 5 });
    dir = mkdtempSync(join(tmpdir(), 'mdl-dash-'));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows every panel in a 100×30 terminal with plausible numbers, and q ends it with exit 130', async () => {
    const tmux = new Tmux();
    const exitFile = join(dir, 'exit');
    // The shell stays after mdl exits, so the final frame and the summary can be read back.
    const command = `NO_COLOR=1 '${process.execPath}' '${RUN}' loadtest ${server.url}/ --rate 50 --duration 20s -t 'p95<500ms' 2>&1; echo $? > '${exitFile}'; sleep 30`;
    try {
      tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dash', '-x', '100', '-y', '30', command);
      const screen = await waitFor('a few seconds of load', 20_000, () => {
        const s = tmux.capture();
        // 20 s measured after the default 1 s warm-up: the clock counts both.
        const m = /0:(\d\d) \/ 0:21/.exec(s);
        return m && Number(m[1]) >= 4 ? s : undefined;
      }, () => tmux.capture());
      const lines = screen.split('\n');
      assert.ok(lines.every((l) => [...l].length <= 100));
      assert.match(screen, new RegExp(`mdl loadtest ${server.url}/ +http · rate 50/s constant`));
      assert.match(screen, /running/);
      const completed = Number(/Throughput sent [\d.]+\/s of 50\/s · completed ([\d.]+)\/s/.exec(screen)?.[1]);
      assert.ok(completed >= 40 && completed <= 60, `completed ${completed}/s`);
      const p50 = Number(/Latency ms p50 ([\d.]+)/.exec(screen)?.[1]);
      assert.ok(p50 >= 4 && p50 < 100, `p50 ${p50} ms against a 5 ms server`);
      assert.match(screen, /p95 [\d.]+ · p99 [\d.]+ · worst [\d.]+ @0:\d\d · SLO p95 500/);
      assert.match(screen, /rps ┤ *[▁-█]{4,}$/m);
      assert.match(screen, /Replicas not reported/);
      assert.match(screen, /Errors 0 failed \(0\.0%\) of \d+/);
      assert.match(screen, /Thresholds 1\/1 pass so far +✓ p95<500ms/);
      assert.match(screen, /q stop/);

      tmux.tmux('send-keys', '-t', 'dash', 'q');
      const code = await waitFor('mdl to exit', 15_000, () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined));
      assert.equal(code, '130');
      const after = tmux.capture();
      // The final frame stays, the summary follows it, the cursor is back.
      assert.match(after, /interrupted/);
      assert.doesNotMatch(after, /q stop/);
      assert.ok(after.indexOf('Thresholds') < after.lastIndexOf('p95'), 'summary after the final frame');
    } finally {
      tmux.kill();
    }
  });

  it('against mdl dev: replicas, the autoscaler metric and a scale-up with its time to ready, on the load clock', async function () {
    this.timeout(90_000);
    const spec = join(ROOT, 'test/fixtures/dev-spec/mdl.config.yaml');
    const dev = spawn(process.execPath, [RUN, 'dev', '-c', spec, '--sync-period', '1s'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    const exited = new Promise<number | null>((r) => dev.on('exit', (code) => r(code)));
    const tmux = new Tmux();
    try {
      let out = '';
      dev.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      const url = await waitFor('mdl dev to print its URL', 20_000, () => /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1]);
      // 120 requests/s of 100 ms each keep 12 in flight: 6 per replica against a target of 4, so the
      // autoscaler adds the third replica (maxReplicas 3).
      const command = `NO_COLOR=1 '${process.execPath}' '${RUN}' loadtest '${url}/work?ms=100' --rate 120 --duration 60s 2>&1; sleep 30`;
      tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dash', '-x', '100', '-y', '30', command);
      const screen = await waitFor('a scale-up that became ready', 45_000, () => {
        const s = tmux.capture();
        return /scale up 2→3 · ready after [\d.]+ m?s/.test(s) ? s : undefined;
      }, () => tmux.capture());
      assert.match(screen, /Replicas ready 3\/3 \(2–3\) · concurrency [\d.]+ \/ 4 · scale-up lag [\d.]+ m?s/);
      assert.match(screen, /desired ┤ *[▁-█]+/);
      assert.match(screen, /ready ┤ *[▁-█]+/);
      assert.match(screen, / +0:\d\d +scale up 2→3/);
      tmux.tmux('send-keys', '-t', 'dash', 'q');
    } finally {
      tmux.kill();
      dev.kill('SIGINT');
      await exited;
    }
  });

  it('prints one plain line per second when stderr is a pipe', async () => {
    const started = Date.now();
    const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
      const child = execFile(process.execPath, [RUN, 'loadtest', `${server.url}/`, '--rate', '50', '--duration', '4s'], { encoding: 'utf8' }, (error, _stdout, stderr) =>
        resolve({ stderr, code: error ? (error.code as number) : 0 }),
      );
      child.stdin?.end();
    });
    assert.equal(code, 0, stderr);
    const progress = stderr.split('\n').filter((l) => /^\[\d+s\/4s\] target 50\/s sent [\d.]+\/s · ok \d+ · failed 0 · in flight \d+ · p50 [\d.]+ ms/.test(l));
    assert.ok(progress.length >= 3 && progress.length <= 5, `${progress.length} progress lines in ${Date.now() - started} ms:\n${stderr}`);
    assert.doesNotMatch(stderr, /\u001b\[/);
  });
});
