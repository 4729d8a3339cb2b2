/** One plain line per second on stderr while a load test runs (CI, pipes, --no-ui). */
import type { LoadSnapshot } from '../load/types.js';

export function formatProgressLine(s: LoadSnapshot): string {
  // Measured seconds of the measured duration: totalMs and elapsedMs include the warm-up, `second` does not.
  const warmupMs = Math.max(0, s.elapsedMs - Math.max(1, s.second) * 1000);
  const clock = s.warmup ? `warm-up ${Math.round(s.elapsedMs / 1000)}s` : `${s.second}s${s.totalMs !== undefined ? `/${Math.round((s.totalMs - warmupMs) / 1000)}s` : ''}`;
  const target = s.targetPerSecond !== undefined ? ` target ${fmt(s.targetPerSecond)}/s` : '';
  const errors = Object.entries(s.errors)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const llm = s.llm ? ` ttft p50 ${fmt(s.llm.ttftMs.p50)} ms · ${fmt(s.llm.outputTokensPerSecond)} tok/s` : '';
  return (
    `[${clock}]${target} sent ${fmt(s.sentPerSecond)}/s · ok ${s.completed} · failed ${s.failed}` +
    `${s.dropped ? ` · dropped ${s.dropped}` : ''} · in flight ${s.inFlight} · p50 ${fmt(s.latencyMs.p50)} ms · p99 ${fmt(s.latencyMs.p99)} ms` +
    `${llm}${errors ? ` · ${errors}` : ''}`
  );
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

/** Subscribes a writer to snapshots: returns the onSnapshot hook. */
export function plainProgress(write: (line: string) => void): (s: LoadSnapshot) => void {
  return (s) => write(`${formatProgressLine(s)}\n`);
}
