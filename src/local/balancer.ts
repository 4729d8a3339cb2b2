/**
 * The balancer in front of the replicas: one port, least outstanding requests, bodies streamed both ways (a
 * server-sent-events response passes chunk by chunk), keep-alive connections to each replica. Requests that
 * arrive while no replica is ready wait in a queue, bounded in time.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Replica } from './replica.js';

export interface BalancerHooks {
  now(): number;
  replicas(): readonly Replica[];
  /** Handles the balancer's own paths (/.mdl/…); returns true when it answered. */
  ownRoute(req: IncomingMessage, res: ServerResponse): boolean;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

function forwardHeaders(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

export class Balancer {
  readonly server: Server;
  private readonly agents = new Map<string, Agent>();
  private waiting: Array<() => void> = [];
  private rotate = 0;
  queued = 0;
  /** ∫ queued dt, like the replicas' in-flight integral: waiting requests count as load for the autoscaler. */
  private queuedIntegral = 0;
  private queuedSinceMs: number;
  rejectedTotal = 0;
  /** Set when the runtime stops: no new waiting, waiting requests get their 503 now. */
  private closing = false;

  constructor(
    private readonly hooks: BalancerHooks,
    private readonly queueTimeoutMs: number,
  ) {
    this.queuedSinceMs = hooks.now();
    // A request that fails inside the balancer fails alone: a 502 (or a closed socket), never a rejection
    // that nobody handles.
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502, { 'content-type': 'text/plain' }).end(`mdl balancer: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  queuedIntegralAt(nowMs: number): number {
    this.queuedIntegral += this.queued * (nowMs - this.queuedSinceMs);
    this.queuedSinceMs = nowMs;
    return this.queuedIntegral;
  }

  /** Wakes requests waiting for a replica (called when one becomes ready). */
  replicaReady(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  /** The replica's keep-alive connections are closed once it stops. */
  forget(replica: Replica): void {
    this.agents.get(replica.id)?.destroy();
    this.agents.delete(replica.id);
  }

  /** Stops new connections; requests that would wait for a replica are answered 503 from now on. */
  beginClose(): void {
    this.closing = true;
    this.server.close();
    this.replicaReady();
  }

  close(): Promise<void> {
    this.beginClose();
    this.waiting = [];
    for (const agent of this.agents.values()) agent.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private pick(): Replica | undefined {
    let best: Replica | undefined;
    const list = this.hooks.replicas();
    const n = list.length;
    // Start the scan at a rotating offset so that ties spread over the replicas.
    for (let i = 0; i < n; i++) {
      const r = list[(i + this.rotate) % n]!;
      if (!r.takesTraffic) continue;
      if (!best || r.counters.inFlight < best.counters.inFlight) best = r;
    }
    this.rotate = (this.rotate + 1) % Math.max(n, 1);
    return best;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.hooks.ownRoute(req, res)) return;
    let replica = this.pick();
    if (!replica) {
      const deadline = this.hooks.now() + this.queueTimeoutMs;
      this.queuedIntegralAt(this.hooks.now());
      this.queued++;
      try {
        while (!replica && !this.closing && this.hooks.now() < deadline && !res.destroyed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.max(0, deadline - this.hooks.now()));
            this.waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
          replica = this.pick();
        }
      } finally {
        this.queuedIntegralAt(this.hooks.now());
        this.queued--;
      }
      if (!replica) {
        this.rejectedTotal++;
        if (!res.headersSent && !res.destroyed) {
          const body = JSON.stringify({
            error: this.closing ? 'the local runtime is stopping' : `no replica became ready within ${this.queueTimeoutMs} ms`,
          });
          res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        }
        return;
      }
    }
    this.proxy(replica, req, res);
  }

  private agentFor(replica: Replica): Agent {
    let agent = this.agents.get(replica.id);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
      this.agents.set(replica.id, agent);
    }
    return agent;
  }

  private proxy(replica: Replica, req: IncomingMessage, res: ServerResponse): void {
    const startedMs = this.hooks.now();
    const counters = replica.counters;
    counters.started(startedMs);
    let finished = false;
    const finish = (ok: boolean) => {
      if (finished) return;
      finished = true;
      const now = this.hooks.now();
      counters.finished(now, now - startedMs, ok);
    };
    const upstream = request(
      {
        host: '127.0.0.1',
        port: replica.port,
        method: req.method,
        path: req.url,
        headers: { ...forwardHeaders(req.headers), 'x-forwarded-for': req.socket.remoteAddress ?? '' },
        agent: this.agentFor(replica),
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, forwardHeaders(up.headers));
        // Headers go out now, so a streaming (SSE) response reaches the client before its first event.
        res.flushHeaders();
        up.pipe(res);
        up.on('end', () => finish((up.statusCode ?? 500) < 500));
        up.on('error', () => {
          finish(false);
          res.destroy();
        });
      },
    );
    upstream.on('error', (error) => {
      finish(false);
      if (!res.headersSent) {
        const body = JSON.stringify({ error: `replica ${replica.id} failed: ${error.message}` });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy();
      }
    });
    // A client that goes away cancels the upstream request.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish(false);
      }
    });
    req.pipe(upstream);
  }
}
