/**
 * `mdl tune --local`: the spec's model run by the local runtime with a fixed replica count (its autoscaler
 * off, so the count under test stays put), and the local cold-start probe: add one replica and time process
 * start → ready → first request served by it.
 */
import type { LocalRuntime } from '../local/index.js';
import { badInput } from '../errors.js';
import type { ModelSpec } from '../spec/types.js';
import type { ColdStartProbe, ColdStartSample } from './cold-start.js';

export interface LocalTarget {
  url: string;
  runtime: LocalRuntime;
  coldStart: ColdStartProbe;
  stop(): Promise<void>;
}

export interface FirstRequest {
  url: string;
  method?: string | undefined;
  body?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/** Sends the first request once, reads the answer to its end and returns its HTTP status. */
export async function sendFirstRequest(request: FirstRequest, signal?: AbortSignal): Promise<number> {
  const res = await fetch(request.url, {
    method: request.method ?? (request.body ? 'POST' : 'GET'),
    ...(request.body ? { body: request.body } : {}),
    headers: { ...(request.body ? { 'content-type': 'application/json' } : {}), ...(request.headers ?? {}) },
    ...(signal ? { signal } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function startLocalTarget(spec: ModelSpec, replicas: number, request: Omit<FirstRequest, 'url'>): Promise<LocalTarget> {
  if (!spec.local) {
    throw badInput('The spec has no local.command, so mdl cannot run the model on this machine.', {
      where: 'local.command',
      hint: 'Add e.g.  local: { command: "python serve.py --port {port}" }, or pass the URL of a running server instead of --local.',
    });
  }
  const { startLocalRuntime } = await import('../local/index.js');
  const runtime = await startLocalRuntime({
    command: spec.local.command,
    cwd: spec.local.cwd,
    env: spec.local.env,
    name: spec.name,
    port: 0,
    replicas,
    healthPath: spec.health.readiness.path ?? '/',
    startTimeoutMs: spec.health.startup.maxLoadMs + 30_000,
    scaling: { minReplicas: replicas, maxReplicas: replicas + 1, metric: { type: 'concurrency', target: 1 }, enabled: false },
  });
  const url = new URL(spec.loadtest.path, runtime.url).toString();
  return {
    url,
    runtime,
    // Read when the probe runs: the caller fills the request in once the search's request is known.
    coldStart: localColdStartProbe(runtime, replicas, {
      url,
      get method() { return request.method; },
      get body() { return request.body; },
      get headers() { return request.headers; },
    }, spec.health.startup.maxLoadMs + 30_000),
    stop: () => runtime.stop(),
  };
}

/** Scales to replicas + 1, times the new replica, and scales back. */
export function localColdStartProbe(runtime: LocalRuntime, replicas: number, request: FirstRequest, timeoutMs: number): ColdStartProbe {
  return {
    async measure(signal?: AbortSignal): Promise<ColdStartSample> {
      const before = new Set(runtime.status().replicas.map((r) => r.id));
      const t0 = performance.now();
      let newId: string | undefined;
      let readyAt: number | undefined;
      const off = runtime.events.on((e) => {
        if (e.type === 'replica-starting' && !before.has(e.replica) && newId === undefined) newId = e.replica;
        if (e.type === 'replica-ready' && e.replica === newId) readyAt = performance.now();
      });
      try {
        runtime.scaleTo(replicas + 1, 'tune: cold start');
        while (readyAt === undefined) {
          if (signal?.aborted) throw new Error('interrupted');
          if (performance.now() - t0 > timeoutMs) throw new Error(`the added replica was not ready within ${Math.round(timeoutMs / 1000)} s`);
          await sleep(20);
        }
        // The balancer sends to the least busy replica: requests one at a time reach the new one quickly.
        let firstAt: number | undefined;
        for (let i = 0; i < 200 && firstAt === undefined; i++) {
          await sendFirstRequest(request, signal);
          const served = runtime.status().replicas.find((r) => r.id === newId)?.requestsTotal ?? 0;
          if (served > 0) firstAt = performance.now();
        }
        if (firstAt === undefined) throw new Error('the added replica served none of 200 requests');
        return { startToReadyMs: readyAt - t0, readyToFirstResponseMs: firstAt - readyAt, totalMs: firstAt - t0 };
      } finally {
        off();
        runtime.scaleTo(replicas, 'tune: cold start measured');
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
