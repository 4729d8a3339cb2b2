import assert from 'node:assert/strict';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeEvent, type LocalRuntimeOptions } from '../../src/local/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/replica-server.mjs', import.meta.url));

function options(overrides: Partial<LocalRuntimeOptions> = {}): LocalRuntimeOptions {
  return {
    command: ['node', FIXTURE, '--port', '{port}'],
    name: 'fx',
    healthPath: '/health',
    replicas: 1,
    readinessIntervalMs: 50,
    restartBackoffMs: 100,
    stopGraceMs: 2000,
    scaling: { minReplicas: 1, maxReplicas: 3, metric: { type: 'concurrency', target: 2 }, syncPeriodMs: 60_000 },
    ...overrides,
  };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
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

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}

describe('local runtime (real processes on 127.0.0.1)', function () {
  this.timeout(40_000);
  let runtime: LocalRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('serves through the balancer once ready, with status JSON at /.mdl/status', async () => {
    runtime = await startLocalRuntime(options({ replicas: 2 }));
    const status = runtime.status();
    assert.equal(status.readyReplicas, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${runtime!.url}/work?ms=100`)));
    const pids = new Set(answers.map((a) => (JSON.parse(a.body) as { pid: number }).pid));
    assert.equal(pids.size, 2, 'least-outstanding spreads concurrent requests over both replicas');
    const served = JSON.parse((await get(`${runtime.url}/.mdl/status`)).body) as ReturnType<LocalRuntime['status']>;
    assert.equal(served.schemaVersion, 1);
    assert.equal(served.totals.requestsTotal, 6);
    assert.ok(served.replicas.every((r) => r.state === 'ready' && r.timeToReadyMs !== undefined && r.requestsTotal === 3));
  });

  it('sends no traffic to a replica before its health path answers', async () => {
    runtime = await startLocalRuntime(options({ command: ['node', FIXTURE, '--port', '{port}', '--ready-after-ms', '1500'] }));
    const r = runtime.status().replicas[0]!;
    assert.ok(r.timeToReadyMs! >= 1500, `ready after ${r.timeToReadyMs} ms, the replica said 1500`);
    assert.equal((await get(`${runtime.url}/work?ms=1`)).status, 200);
  });

  it('streams a server-sent-events response through unbuffered', async () => {
    runtime = await startLocalRuntime(options());
    const started = Date.now();
    const firstChunkAt = await new Promise<number>((resolve, reject) => {
      request(`${runtime!.url}/sse?events=3&every-ms=700`, (res) => {
        res.once('data', () => resolve(Date.now() - started));
        res.resume();
      })
        .on('error', reject)
        .end();
    });
    // The whole stream takes 1.4 s; a buffering proxy would deliver nothing before its end.
    assert.ok(firstChunkAt < 1000, `first event after ${firstChunkAt} ms`);
  });

  it('restarts a crashed replica under the same name and reports it', async () => {
    const events: LocalRuntimeEvent[] = [];
    runtime = await startLocalRuntime(options(), { listener: (e) => events.push(e) });
    const before = runtime.status().replicas[0]!;
    await get(`${runtime.url}/crash`);
    await until('crash reported', () => events.some((e) => e.type === 'replica-crashed'), 5000);
    const crash = events.find((e) => e.type === 'replica-crashed');
    assert.ok(crash?.type === 'replica-crashed' && crash.exitCode === 3 && crash.replica === before.id);
    await until('ready again', () => runtime!.status().replicas[0]?.state === 'ready', 10_000);
    const after = runtime.status().replicas[0]!;
    assert.equal(after.id, before.id);
    assert.equal(after.restarts, 1);
    assert.notEqual(after.pid, before.pid);
    assert.equal(alive(before.pid), false);
    assert.equal((await get(`${runtime.url}/work?ms=1`)).status, 200);
  });

  it('drains a replica before stopping it: no request is cut', async () => {
    runtime = await startLocalRuntime(options({ replicas: 2 }));
    const pidsBefore = runtime.status().replicas.map((r) => r.pid);
    const inFlight = Array.from({ length: 20 }, () => get(`${runtime!.url}/work?ms=1500`));
    await until('requests in flight on both', () => runtime!.status().replicas.every((r) => r.inFlight > 0), 3000);
    runtime.scaleTo(1);
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((a) => a.status),
      new Array(20).fill(200),
    );
    await until('one replica left', () => runtime!.status().replicas.length === 1, 5000);
    await until('the drained process ended', () => pidsBefore.filter((p) => alive(p)).length === 1, 5000);
  });

  it('scales up under load and back down after the stabilization window', async () => {
    const events: LocalRuntimeEvent[] = [];
    runtime = await startLocalRuntime(
      options({
        scaling: {
          minReplicas: 1,
          maxReplicas: 3,
          metric: { type: 'concurrency', target: 2 },
          syncPeriodMs: 500,
          behavior: { scaleDown: { stabilizationWindowSeconds: 2 } },
        },
      }),
      { listener: (e) => events.push(e) },
    );
    // 8 clients, each always waiting on one request: concurrency 8 against a target of 2 per replica.
    let loading = true;
    const clients = Array.from({ length: 8 }, async () => {
      while (loading) await get(`${runtime!.url}/work?ms=100`);
    });
    await until('3 ready replicas', () => runtime!.status().readyReplicas === 3, 10_000);
    loading = false;
    await Promise.all(clients);
    await until('back to 1 replica', () => runtime!.status().replicas.length === 1, 10_000);
    const scaling = runtime.status().scalingEvents;
    const up = scaling.find((e) => e.to > e.from);
    const down = scaling.find((e) => e.to < e.from);
    assert.ok(up && down, JSON.stringify(scaling));
    assert.ok(up.timeToReadyMs !== undefined && up.timeToReadyMs > 0, 'time to ready of the scale-up is recorded');
    assert.ok(up.metricValue! > 2.2, `scaled up at ${up.metricValue} per replica`);
    assert.ok(Date.parse(down.at) - Date.parse(up.at) >= 2000, 'the scale-down waited for its window');
    assert.ok(events.some((e) => e.type === 'autoscaler-sync'));
  });

  it('scales on the CPU of the replica processes, read from /proc', async () => {
    runtime = await startLocalRuntime(
      options({
        scaling: { minReplicas: 1, maxReplicas: 2, metric: { type: 'cpu', target: 20 }, syncPeriodMs: 700, cpuRequestCores: 1 },
      }),
    );
    // One client keeps the replica busy on the CPU far above 20 % of a core.
    let loading = true;
    const client = (async () => {
      while (loading) await get(`${runtime!.url}/burn?ms=200`);
    })();
    try {
      await until('a scale-up on cpu', () => runtime!.status().scalingEvents.some((e) => e.to > e.from), 10_000);
    } finally {
      loading = false;
      await client;
    }
    const up = runtime.status().scalingEvents.find((e) => e.to > e.from)!;
    assert.ok(up.metricValue! > 22, `cpu ${up.metricValue} % at the scale-up`);
  });

  it('scales on requests per second measured at the balancer', async () => {
    runtime = await startLocalRuntime(
      options({ scaling: { minReplicas: 1, maxReplicas: 2, metric: { type: 'rps', target: 5 }, syncPeriodMs: 700 } }),
    );
    let loading = true;
    const client = (async () => {
      while (loading) await get(`${runtime!.url}/work?ms=10`);
    })();
    try {
      await until('a scale-up on rps', () => runtime!.status().scalingEvents.some((e) => e.to > e.from), 10_000);
    } finally {
      loading = false;
      await client;
    }
    assert.ok(runtime.status().scalingEvents[0]!.metricValue! > 5.5);
  });

  it('answers 503 at once to requests that arrive while it stops', async () => {
    runtime = await startLocalRuntime(options());
    const agent = new (await import('node:http')).Agent({ keepAlive: true });
    const send = () =>
      new Promise<number>((resolve, reject) => {
        request(`${runtime!.url}/work?ms=1`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
    assert.equal(await send(), 200);
    const slow = get(`${runtime.url}/work?ms=800`);
    await until('the slow request in flight', () => runtime!.status().totals.inFlight === 1, 2000);
    const stopping = runtime.stop();
    // Same keep-alive connection, after the stop began: no replica will take it, and it must not wait 30 s.
    const started = Date.now();
    const status = await send().catch(() => 0);
    assert.ok(status === 503 || status === 0, `status ${status}`);
    assert.ok(Date.now() - started < 2000);
    assert.equal((await slow).status, 200, 'the in-flight request still completes');
    await stopping;
    agent.destroy();
    runtime = undefined;
  });

  it('leaves no process behind after stop()', async () => {
    runtime = await startLocalRuntime(options({ replicas: 2 }));
    const pids = runtime.status().replicas.flatMap((r) => [r.pid, r.guardPid]);
    assert.equal(pids.filter(alive).length, 4);
    await runtime.stop();
    runtime = undefined;
    assert.deepEqual(pids.filter(alive), []);
  });

  it('runs a shell command through /bin/sh and stops the whole process group, grandchildren included', async () => {
    // With "; true" the shell cannot exec: the server is the shell's child, not the replica's own process.
    runtime = await startLocalRuntime(options({ command: `node '${FIXTURE}' --port {port}; true` }));
    const shellPid = runtime.status().replicas[0]!.pid;
    const serverPid = Number((await get(`${runtime.url}/pid`)).body);
    assert.notEqual(serverPid, shellPid);
    assert.ok(alive(serverPid));
    await runtime.stop();
    runtime = undefined;
    await until('the grandchild ended', () => !alive(serverPid), 3000);
  });

  it('fails with the replica output when the command cannot become ready', async () => {
    await assert.rejects(
      startLocalRuntime(options({ command: ['node', '-e', 'console.log("boom"); process.exit(4)'], restartBackoffMs: 10 })),
      (error: Error & { exitCode?: number; hint?: string }) =>
        error.exitCode === 2 && /exit code 4/.test(error.message) && /boom/.test(error.hint ?? ''),
    );
  });
});
