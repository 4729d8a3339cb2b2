/**
 * One replay: start the local runtime (the one `mdl dev` runs) with the given autoscaler settings, play the
 * profile through it open loop (Poisson arrivals on the load engine's thread), record each second's offered
 * and achieved rate, latency, errors and replicas and every scaling event, stop the runtime, then simulate
 * the same profile with the same settings and put the two side by side. An aborted signal stops the load
 * early; what was measured is kept, and the simulation is cut to the same seconds.
 */
import { peakRate, profileToStages, rampStartS, type Profile } from '../autoscale/profile.js';
import type { LoadOptions } from '../load/engine.js';
import { ReplicaTracker } from '../load/replica-series.js';
import type { LoadResult, LoadSnapshot } from '../load/types.js';
import type { LocalRuntimeOptions } from '../local/options.js';
import type { ScalingSettings } from '../tune/prove.js';
import type { MetricKind } from '../tune/recommend.js';
import type { CapacityPoint, SearchAxis, Slo } from '../tune/types.js';
import { differences, measuredSeconds, summarize } from './compare.js';
import { simulateReplay } from './simulate-replay.js';
import type { ReplayRun } from './types.js';

export interface ReplayInput {
  label: string;
  settings: ScalingSettings & { metric: MetricKind };
  profile: Profile;
  slo: Slo;
  /** The runtime as the spec starts it (src/local/from-spec.ts); its scaling is replaced by the settings. */
  runtime: LocalRuntimeOptions;
  /** The spec's request path on the balancer. */
  path: string;
  /** The request (method, body, headers, timeout…); url and mode are the replay's. */
  request: Omit<LoadOptions, 'url' | 'mode'>;
  tune: { curve: CapacityPoint[]; axis: SearchAxis; coldStartMs: number; coldStartSource: string };
  seed?: number;
  signal?: AbortSignal;
  /** Progress lines (runtime started, scaling decisions, the load finished). */
  note?: (line: string) => void;
  /** Each second as it is measured (a live view). */
  onSnapshot?: (s: LoadSnapshot) => void;
  /** The load engine; default: on its own thread, as mdl loadtest runs it. */
  runLoad?: (options: LoadOptions, hooks: { signal?: AbortSignal; onSnapshot?: (s: LoadSnapshot) => void }) => Promise<LoadResult>;
}

/** The settings as the local runtime's scaling options (HPA behaviour with both directions' policies). */
export function runtimeScaling(s: ScalingSettings & { metric: MetricKind }, syncPeriodMs: number | undefined): LocalRuntimeOptions['scaling'] {
  if (s.metric !== 'concurrency' && s.metric !== 'rps' && s.metric !== 'cpu') {
    throw new Error(`the local runtime cannot scale on ${s.metric}`);
  }
  return {
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    metric: { type: s.metric, target: s.target },
    behavior: {
      scaleUp: { stabilizationWindowSeconds: s.scaleUp.stabilizationWindowSeconds, selectPolicy: 'Max', policies: s.scaleUp.policies },
      scaleDown: { stabilizationWindowSeconds: s.scaleDown.stabilizationWindowSeconds, selectPolicy: 'Max', policies: s.scaleDown.policies },
    },
    enabled: true,
    ...(syncPeriodMs === undefined ? {} : { syncPeriodMs }),
  };
}

export async function runReplay(input: ReplayInput): Promise<ReplayRun> {
  const note = input.note ?? (() => {});
  const [{ startLocalRuntime }, { toReplicaEvents, newReplicaEventMemory }] = await Promise.all([import('../local/index.js'), import('../local/replica-events.js')]);
  const scaling = runtimeScaling(input.settings, input.runtime.scaling.syncPeriodMs);
  const runtime = await startLocalRuntime({ ...input.runtime, replicas: input.settings.minReplicas, scaling, waitFor: 'all' });
  const syncPeriodMs = runtime.status().autoscaler.syncPeriodMs;
  const tracker = new ReplicaTracker('local-runtime');
  const memory = newReplicaEventMemory();
  const syncWallMs: number[] = [];
  const replicasNow = () => {
    const s = runtime.status();
    tracker.observe({ kind: 'replicas', timestampMs: Date.now(), desired: s.desiredReplicas, ready: s.readyReplicas, current: s.replicas.length });
  };
  replicasNow();
  const off = runtime.events.on((e) => {
    for (const r of toReplicaEvents(e, memory)) tracker.observe(r);
    if (e.type === 'autoscaler-sync') syncWallMs.push(e.at);
    // The status tick is once a second; a change is recorded when it happens.
    if (e.type === 'scale' || e.type === 'replica-ready' || e.type === 'replica-stopped' || e.type === 'replica-draining' || e.type === 'replica-unready') replicasNow();
    if (e.type === 'scale') note(`  ${e.from} → ${e.to} replicas: ${e.reason}`);
  });
  note(`» ${input.label}: ${input.settings.minReplicas}–${input.settings.maxReplicas} replicas, ${input.settings.metric} target ${input.settings.target}, on ${runtime.url}`);
  let result: LoadResult;
  try {
    const runLoad = input.runLoad ?? (await import('../load/engine-thread.js')).runLoadInThread;
    result = await runLoad(
      {
        ...input.request,
        url: new URL(input.path, runtime.url).toString(),
        mode: { kind: 'stages', stages: profileToStages(input.profile), arrival: 'poisson' },
        warmupMs: 0,
        seed: input.seed ?? 1,
        thresholds: [],
      },
      { ...(input.signal ? { signal: input.signal } : {}), ...(input.onSnapshot ? { onSnapshot: input.onSnapshot } : {}) },
    );
  } finally {
    off();
    await runtime.stop();
  }
  const replicas = tracker.seriesFor(result.series);
  const measured = measuredSeconds(result.series, replicas, input.profile, input.slo);
  const first = result.series.find((s) => !s.warmup);
  const loadStartWall = first ? first.timestampMs - first.second * 1000 : Date.now();
  const rampS = rampStartS(input.profile);
  const sim = simulateReplay({
    profile: input.profile,
    settings: input.settings,
    curve: input.tune.curve,
    axis: input.tune.axis,
    slo: input.slo,
    coldStartMs: input.tune.coldStartMs,
    coldStartSource: input.tune.coldStartSource,
    syncPeriodMs,
    syncTimesMs: syncWallMs.map((t) => t - loadStartWall),
    maxQueueMs: input.request.timeoutMs ?? 30_000,
  });
  // Interrupted: compare the seconds both have.
  const simulatedSeconds = result.interrupted ? sim.seconds.slice(0, measured.length) : sim.seconds;
  const measuredSummary = summarize(measured, rampS);
  const simulatedSummary = summarize(simulatedSeconds, rampS);
  note(`» ${input.label}: measured ${measuredSummary.secondsOverSlo} s over the SLO, ${measuredSummary.replicaSeconds} replica-seconds (peak ${peakRate(input.profile)}/s offered)`);
  return {
    label: input.label,
    settings: input.settings,
    measured: {
      seconds: measured,
      scalingEvents: (replicas?.scalingEvents ?? []).map((e) => ({ second: e.atSecond, from: e.from, to: e.to, ...(e.reason ? { reason: e.reason } : {}), ...(e.readyAfterMs !== undefined ? { readyAfterMs: e.readyAfterMs } : {}) })),
      summary: measuredSummary,
      overallP95Ms: result.latencyMs.count > 0 ? result.latencyMs.p95 : null,
      interrupted: result.interrupted,
    },
    simulated: { seconds: simulatedSeconds, summary: simulatedSummary, lagChain: sim.lagChain },
    differences: differences(measuredSummary, simulatedSummary),
  };
}
