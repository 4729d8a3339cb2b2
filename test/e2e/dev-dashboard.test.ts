/**
 * `mdl dev` on a terminal as a user sees it: the built CLI in a 100×30 tmux pane with the demo spec, read
 * back with capture-pane; q drains, exits 130 and leaves no replica or guard process behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalRuntimeStatus } from '../../src/local/index.js';
import { terminalEnv } from '../support/tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin/run.js');
const SPEC = join(ROOT, 'examples/demo/mdl.config.yaml');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>, seen?: () => string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${seen ? `; last seen:\n${seen()}` : ''}`);
    await sleep(200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('e2e: mdl dev live view', function () {
  this.timeout(60_000);
  // A private tmux server (its own socket), so nothing else running tmux is touched.
  const socket = `mdl-dev-e2e-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: terminalEnv() });
  const capture = () => tmux('capture-pane', '-p', '-t', 'dev');
  let dir: string;

  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist/commands/dev.js')), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'mdl-dev-dash-'));
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the URL, the replicas panel and traffic in a 100×30 pane; q exits 130 with no process left', async () => {
    const exitFile = join(dir, 'exit');
    // The shell stays after mdl exits, so the exit code can be read back.
    const command = `NO_COLOR=1 '${process.execPath}' '${RUN}' dev -c '${SPEC}' 2>&1; echo $? > '${exitFile}'; sleep 30`;
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dev', '-x', '100', '-y', '30', command);
    const screen = await waitFor('the replica to be ready', 40_000, () => {
      const s = capture();
      return /Replicas ready 1\/1/.test(s) && /── Traffic/.test(s) ? s : undefined;
    }, capture);
    const url = /mdl dev iris (http:\/\/127\.0\.0\.1:\d+)/.exec(screen)?.[1];
    assert.ok(url, `no URL in the header:\n${screen}`);
    // The URL is also the first line on stdout (the pane shows both streams).
    assert.equal(screen.split('\n')[0], url);
    assert.match(screen, /Replicas ready 1\/1 \(1–4\) · concurrency (<unknown>|[\d.]+) \/ 2/);
    assert.match(screen, /desired ┤ *[▁-█]+$/m);
    assert.match(screen, /ready ┤ *[▁-█]+$/m);
    assert.match(screen, /q stop/);
    assert.ok(screen.split('\n').every((l) => [...l].length <= 100));

    const status = (await (await fetch(`${url}/.mdl/status`)).json()) as LocalRuntimeStatus;
    const pids = status.replicas.flatMap((r) => [r.pid, r.guardPid]).filter((p): p is number => p !== undefined);
    assert.ok(pids.length >= 2);

    tmux('send-keys', '-t', 'dev', 'q');
    const code = await waitFor('mdl dev to exit', 20_000, () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() || undefined : undefined), capture);
    assert.equal(code, '130');
    assert.match(capture(), /mdl dev: stopped/);
    await waitFor('replicas and guards gone', 5_000, () => (pids.some(alive) ? undefined : true), () => `alive: ${pids.filter(alive).join(', ')}`);
  });
});
