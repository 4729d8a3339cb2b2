/**
 * Plain lines for `mdl dev` on stderr: replica output prefixed by replica (at most `linesPerSecond` a second
 * per replica, with a note of how many were left out), lifecycle and scaling events, and a traffic line every
 * 10 s while there is traffic. The Ink dashboard renders the same events.
 */
import type { LocalRuntimeEvent } from './events.js';
import { OutputLimiter } from './output-limit.js';

const TRAFFIC_EVERY_MS = 10_000;

export interface PlainReporterOptions {
  /** Replica output lines shown per replica per second (unlimited when unset). */
  linesPerSecond?: number;
  /** Where a replica's full output is, named in the notes of left-out lines. */
  logPath?: (replica: string) => string;
  now?: () => number;
}

export function plainReporter(write: (line: string) => void, options: PlainReporterOptions = {}): (event: LocalRuntimeEvent) => void {
  let lastTraffic = 0;
  let lastTotal = 0;
  const now = options.now ?? Date.now;
  const limiter = options.linesPerSecond === undefined ? undefined : new OutputLimiter({
    perSecond: options.linesPerSecond,
    note: (replica, n) => `[${replica}] … ${n} line${n === 1 ? '' : 's'} suppressed${options.logPath ? ` (full output: ${options.logPath(replica)})` : ''}`,
  });
  return (e) => {
    switch (e.type) {
      case 'replica-output': {
        const line = `[${e.replica}] ${e.line}`;
        if (!limiter) return write(line);
        for (const l of limiter.offer(e.replica, line, now())) write(l);
        return;
      }
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
        // Once a second: the notes of windows that left lines out and have gone quiet since.
        for (const l of limiter?.flush(now()) ?? []) write(l);
        const s = e.status;
        const at = now();
        if (at - lastTraffic < TRAFFIC_EVERY_MS || s.totals.requestsTotal === lastTotal) return;
        lastTraffic = at;
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
