/**
 * Cold start: the time from asking for one more replica to that replica serving its first request.
 * Measured by the runtime that owns replicas (the local supervisor; on a cluster: pod created → Ready →
 * first request). When it cannot be measured, a default per runtime stands in and says so.
 */
import type { Sourced } from './types.js';

export interface ColdStartSample {
  /** Process started (local) or pod created (cluster) → readiness probe passed. */
  startToReadyMs: number;
  /** Ready → first request answered through that replica. */
  readyToFirstResponseMs: number;
  totalMs: number;
  /** Cluster: pod created → its containers running (image ready, process started), within startToReadyMs. */
  startToRunningMs?: number;
  /** Cluster: who answered the first request — the new pod itself (through the API server's pod proxy), or
   *  the tuned URL (any replica behind it), when the pod cannot be reached that way. */
  firstAnswerFrom?: 'pod' | 'url';
}

export interface ColdStartProbe {
  /** Adds one replica, times it, and leaves the replica count as it found it. */
  measure(signal?: AbortSignal): Promise<ColdStartSample>;
}

/** Typical cold starts: LLM servers load gigabytes of weights; a small HTTP model server starts in seconds. */
const DEFAULT_COLD_START_MS: Record<string, number> = {
  vllm: 180_000,
  tgi: 180_000,
  openai: 120_000,
  triton: 90_000,
  torchserve: 60_000,
  'kserve-v2': 45_000,
  http: 30_000,
};

export function defaultColdStart(runtime: string): Sourced<number> {
  const value = DEFAULT_COLD_START_MS[runtime] ?? DEFAULT_COLD_START_MS.http!;
  return { value, source: 'default', note: `typical for ${runtime} (not measured; pass --local or --cluster to measure)` };
}

export function coldStartFromSample(sample: ColdStartSample, where: string): Sourced<number> {
  return {
    value: Math.round(sample.totalMs),
    source: 'measured',
    note: `${where}: start → ready ${Math.round(sample.startToReadyMs)} ms` +
      (sample.startToRunningMs !== undefined ? ` (containers running after ${Math.round(sample.startToRunningMs)} ms)` : '') +
      `, ready → first response ${Math.round(sample.readyToFirstResponseMs)} ms` +
      (sample.firstAnswerFrom === 'pod' ? ' from the new pod itself' : sample.firstAnswerFrom === 'url' ? ' through the tuned URL (the new pod could not be reached through the API server; which replica answered is not known)' : ''),
  };
}
