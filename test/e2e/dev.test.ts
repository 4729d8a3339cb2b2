import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LocalRuntimeStatus } from '../../src/local/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = fileURLToPath(new URL('../fixtures/dev-spec/mdl.config.yaml', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI (`node bin/run.js dev …`) and resolves once it printed its URL. */
function startDev(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['bin/run.js', 'dev', '-c', SPEC, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 15 s; stderr:\n${err}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => err, exited });
      }
    });
    void exited.then(() => reject(new Error(`mdl dev exited early; stderr:\n${err}`)));
  });
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function processesOf(url: string): Promise<number[]> {
  const status = (await (await fetch(`${url}/.mdl/status`)).json()) as LocalRuntimeStatus;
  const pids = status.replicas.flatMap((r) => [r.pid, r.guardPid]).filter((p): p is number => p !== undefined);
  assert.equal(pids.length, 2 * status.replicas.length);
  return pids;
}

async function allGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

describe('mdl dev (built CLI)', function () {
  this.timeout(40_000);
  let running: Running | undefined;
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    running = undefined;
  });

  it('prints the URL on stdout, serves, and leaves no process after SIGINT (exit 130)', async () => {
    running = await startDev(['--replicas', '2']);
    assert.equal((await fetch(`${running.url}/work?ms=1`)).status, 200);
    const pids = await processesOf(running.url);
    running.child.kill('SIGINT');
    const { code } = await running.exited;
    assert.equal(code, 130);
    assert.deepEqual(await allGone(pids, 2000), []);
    assert.match(running.stderr(), /\[fx-1\] fixture listening/);
    assert.match(running.stderr(), /fx-2 ready in/);
  });

  it('leaves no process after SIGTERM', async () => {
    running = await startDev([]);
    const pids = await processesOf(running.url);
    running.child.kill('SIGTERM');
    await running.exited;
    assert.deepEqual(await allGone(pids, 2000), []);
  });

  it('leaves no process after a SIGKILL of mdl itself (the guards stop their replicas)', async () => {
    running = await startDev([]);
    const pids = await processesOf(running.url);
    running.child.kill('SIGKILL');
    await running.exited;
    assert.deepEqual(await allGone(pids, 5000), []);
  });

  it('rejects a bad --sync-period with exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/run.js', 'dev', '-c', SPEC, '--sync-period', '15'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--sync-period/);
  });
});
