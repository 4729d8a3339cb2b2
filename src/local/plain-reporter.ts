/**
 * Plain lines for `mdl dev` on stderr: replica output prefixed by replica, lifecycle and scaling events, and a
 * traffic line every 10 s while there is traffic. The Ink dashboard renders the same events.
 */
import type { LocalRuntimeEvent } from './events.js';

const TRAFFIC_EVERY_MS = 10_000;

export function plainReporter(write: (line: string) => void): (event: LocalRuntimeEvent) => void {
  let lastTraffic = 0;
  let lastTotal = 0;
  return (e) => {
    switch (e.type) {
      case 'replica-output':
        return write(`[${e.replica}] ${e.line}`);
      case 'replica-starting':
        return write(`mdl: ${e.replica} starting (pid ${e.pid ?? '?'}, port ${e.port})`);
      case 'replica-ready':
        return write(`mdl: ${e.replica} ready in ${(e.timeToReadyMs / 1000).toFixed(1)} s`);
      case 'replica-unready':
        return write(`mdl: ${e.replica} failed its readiness check; no traffic until it passes again`);
      case 'replica-draining':
        return write(`mdl: ${e.replica} draining (${e.inFlight} in flight)`);
      case 'replica-stopped':
        return write(`mdl: ${e.replica} stopped`);
      case 'replica-crashed':
        return write(
          `mdl: ${e.replica} exited unexpectedly (exit code ${e.exitCode ?? 'unknown'})` +
            (e.restartInMs > 0 ? `; restart ${e.restarts + 1} in ${(e.restartInMs / 1000).toFixed(1)} s` : ''),
        );
      case 'runtime-error':
        return write(`mdl: ${e.what} failed: ${e.message}`);
      case 'scale':
        return write(`mdl: scaling ${e.from} → ${e.to} replicas: ${e.reason}`);
      case 'autoscaler-sync':
        return;
      case 'status': {
        const s = e.status;
        const now = Date.now();
        if (now - lastTraffic < TRAFFIC_EVERY_MS || s.totals.requestsTotal === lastTotal) return;
        lastTraffic = now;
        lastTotal = s.totals.requestsTotal;
        const p95 = Math.max(0, ...s.replicas.map((r) => r.latency?.p95Ms ?? 0));
        return write(
          `mdl: ${s.readyReplicas}/${s.desiredReplicas} ready · ${s.totals.ratePerSecond} req/s · ` +
            `${s.totals.inFlight} in flight · p95 ${p95} ms · ${s.totals.requestsTotal} requests, ${s.totals.errorsTotal} errors`,
        );
      }
    }
  };
}
