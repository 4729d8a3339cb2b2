/**
 * Compares a recording of the real HPA (test/cluster/hpa-fidelity-recorder.ts) with the simulator on the same
 * CPU demand trace. Alignment: the real controller's sync times and metrics-server's scrape times are not
 * published, so both are estimated from the recording — the syncs from the times the Deployment's replicas
 * changed (every change happens at a sync), the scrapes from the times new samples appeared and their
 * timestamps — and the simulator's syncs and scrapes are placed on those grids.
 */
import { hpaSpecFor, prepareCapacity, simulate, type ScalingSettings } from '../../../src/autoscale/simulator.js';
import type { FidelityRecording } from '../../cluster/hpa-fidelity-recorder.js';
import type { ControllerSync } from './controller-log.js';

export interface FidelitySettings {
  scaling: ScalingSettings;
  syncPeriodMs: number;
  downscaleStabilizationMs: number;
  tolerance: number;
  /** metrics-server --metric-resolution. */
  scrapeIntervalMs: number;
  /** Simulator steps per sync period. */
  stepsPerSync: number;
  /** Simulator step (ms) when the syncs are replayed from the log: fine enough that a scrape and a sync a
   *  hundred ms apart fall in different steps (a step's load is set at its start). */
  replayStepMs: number;
  /** Scrapes a new pod must be present at before it has a sample (kwok's first reading is 0 and dropped: 3). */
  scrapesToFirstSample: number;
  /** 'lag' runs the simulator's fixed-lag model instead (mdl simulate's CPU defaults: a 30 s window read
   *  15 s late, new pods unready for one window), to show what the scrape model adds. Default 'scrape'. */
  metricModel?: 'scrape' | 'lag';
}

export interface FidelityComparison {
  syncPoints: number;
  agreeing: number;
  agreement: number;
  maxDifference: number;
  /** Trace time (ms) of the simulator's origin, of the first real sync, and of the first scrape after it. */
  originMs: number;
  syncPhaseMs: number;
  scrapePhaseMs: number;
  /** How long after a scrape its sample was served (estimated from the recording). */
  visibleAfterMs: number;
  podStartMs: number;
  /** The real controller's sync period as fitted (nominal plus the time a sync takes). */
  syncPeriodMs: number;
  series: { tMs: number; real: number; simulated: number; demandCores: number }[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The grid `phase + k·period` that best fits event times observed up to `lateMs` after they happened: most
 * events in (grid point, grid point + lateMs], then the least total lateness. The period is searched around
 * the nominal one because the controller re-queues an HPA a sync period after it finished the last sync, so
 * its syncs drift by the time a sync takes (a few ms each).
 */
export function syncGrid(eventsMs: number[], nominalPeriodMs: number, lateMs: number): { periodMs: number; phaseMs: number } {
  let best = { periodMs: nominalPeriodMs, phaseMs: 0 };
  let bestScore = -1;
  let bestSpread = Infinity;
  const slack = Math.round(nominalPeriodMs * 0.02);
  for (let period = nominalPeriodMs - slack; period <= nominalPeriodMs + slack; period++) {
    for (let phase = 0; phase < period; phase += 5) {
      let score = 0;
      let spread = 0;
      for (const e of eventsMs) {
        const after = (((e - phase) % period) + period) % period;
        if (after <= lateMs) score++;
        spread += after;
      }
      if (score > bestScore || (score === bestScore && spread < bestSpread)) {
        best = { periodMs: period, phaseMs: phase };
        bestScore = score;
        bestSpread = spread;
      }
    }
  }
  return best;
}

/** The phase of metrics-server's scrapes: each sample's true time lies within its whole second (the
 *  timestamp is truncated) and before it was first seen. */
export function scrapePhase(samples: FidelityRecording['samples'], intervalMs: number): number {
  let best = 0;
  let bestScore = -1;
  for (let phase = 0; phase < intervalMs; phase += 10) {
    let score = 0;
    for (const s of samples) {
      // The scrape of this sample on the grid: the grid point nearest to the second it names.
      const k = Math.round((s.timestampMs + 500 - phase) / intervalMs);
      const at = phase + k * intervalMs;
      if (at >= s.timestampMs && at < s.timestampMs + 1000 && at <= s.seenMs) score++;
    }
    if (score > bestScore) {
      best = phase;
      bestScore = score;
    }
  }
  return best;
}

/**
 * How long after its scrape a sample is served to the controller (the scrape's duration, storing): the median
 * over the samples of the time each was first seen, less half the poll interval that saw it, after its scrape
 * on the fitted grid. The timestamp alone places the scrape within a second; when the controller can read the
 * sample decides which sync acts on it.
 */
export function scrapeVisibleAfter(samples: FidelityRecording['samples'], intervalMs: number, phaseMs: number, pollMs: number): number {
  const delays = samples.map((s) => {
    const at = phaseMs + Math.round((s.timestampMs + 500 - phaseMs) / intervalMs) * intervalMs;
    return s.seenMs - pollMs / 2 - at;
  });
  const d = median(delays);
  return Number.isFinite(d) ? Math.min(Math.max(0, Math.round(d / 10) * 10), intervalMs - 1) : 0;
}

/**
 * When samples are served, from the syncs that read them (recordings whose controller log names the sample
 * each sync read): sample k was served after the last sync that still read an older one and before the
 * first that read it (and before the recorder saw it). Returns the phase (mod the interval) of the serving
 * grid that the most samples fit — the middle of the best range, where they all fit — or null without such
 * syncs. Replaying it makes each simulated sync read the sample its real sync read: which one a sync gets
 * is a race of tens of ms (a scrape's duration against the sync's start) that nothing else records.
 */
export function servedPhase(samples: FidelityRecording['samples'], syncs: ControllerSync[], intervalMs: number): number | null {
  const read = syncs.filter((s) => s.sampleMs !== undefined);
  if (read.length === 0) return null;
  const windows = samples.flatMap((smp) => {
    const first = read.find((s) => Math.abs(s.sampleMs! - smp.timestampMs) < 1);
    const before = read.filter((s) => s.sampleMs! < smp.timestampMs - 1 && (!first || s.tMs < first.tMs)).at(-1);
    if (!first || !before) return [];
    return [{ from: Math.max(before.tMs, smp.timestampMs), to: Math.min(first.tMs, smp.seenMs) }];
  });
  if (windows.length === 0) return null;
  const score = (phase: number) => windows.filter((w) => {
    const at = phase + Math.ceil((w.from - phase) / intervalMs) * intervalMs;
    return at > w.from && at < w.to;
  }).length;
  let best = -1;
  let bestFrom = 0;
  let bestTo = 0;
  for (let phase = 0; phase < intervalMs; phase += 5) {
    const sc = score(phase);
    if (sc > best) [best, bestFrom, bestTo] = [sc, phase, phase];
    else if (sc === best && bestTo === phase - 5) bestTo = phase;
  }
  return (bestFrom + bestTo) / 2;
}

/** What the comparison reads of a recording. */
export type RecordedRun = Pick<FidelityRecording, 'durationMs' | 'replicas' | 'pods' | 'samples'> & Partial<Pick<FidelityRecording, 'samplePollMs' | 'syncs'>>;

export function compareWithSimulator(rec: RecordedRun, settings: FidelitySettings,
  demandAt: (tMs: number) => number): FidelityComparison {
  // The real syncs: from the controller's log when the recording has them (each sync starts a sync period
  // after the last one ended, so they drift by the time a sync takes, which varies); otherwise a grid fitted
  // to the times the Deployment's replicas changed (every change happens at a sync; polled every 100 ms
  // plus the request, so seen up to ~400 ms after it).
  const logged = (rec.syncs ?? []).map((s) => s.tMs);
  const grid = logged.length >= 10 ? null : syncGrid(rec.replicas.slice(1).map((r) => r.tMs), settings.syncPeriodMs, 400);
  const P = grid ? grid.periodMs : Math.round(median(logged.slice(1).map((t, i) => t - logged[i]!)));
  const stepMs = grid ? P / settings.stepsPerSync : settings.replayStepMs;
  const syncPhaseMs = grid ? grid.phaseMs : logged[0]!;
  const originMs = syncPhaseMs - P; // the simulator's time 0, a sync period before the first real sync
  const syncTimesMs = grid ? null : logged.map((t) => t - originMs);
  // When the syncs say when samples were served, the scrape is taken to be then too (kwok answers a scrape
  // at once, so its value is the usage just before it is served); the second-precision timestamps alone
  // only bound it, and a scrape placed at their earliest could read the split before a scale event.
  const served = servedPhase(rec.samples, rec.syncs ?? [], settings.scrapeIntervalMs);
  const scrapePhaseMs = served ?? scrapePhase(rec.samples, settings.scrapeIntervalMs);
  const visibleAfterMs = served !== null
    ? 0
    // Recordings from before the poll interval was recorded polled every 250 ms.
    : scrapeVisibleAfter(rec.samples, settings.scrapeIntervalMs, scrapePhaseMs, rec.samplePollMs ?? 250);
  const readyDelays = rec.pods.filter((p) => p.readyMs !== undefined && p.createdMs > 0).map((p) => p.readyMs! - p.createdMs);
  const podStartMs = Math.round(median(readyDelays) / 10) * 10 || 1000;

  const n = Math.floor((rec.durationMs - originMs) / stepMs);
  const rates = new Float64Array(n);
  for (let i = 0; i < n; i++) rates[i] = demandAt(originMs + i * stepMs);
  const initial = rec.replicas[0]?.replicas ?? settings.scaling.minReplicas;
  const result = simulate({
    hpa: hpaSpecFor(settings.scaling),
    signal: 'cpu',
    sloLatencyMs: 1e9,
    // Replaying, the period only has to be a whole number of steps.
    syncPeriodMs: grid ? P : stepMs * Math.max(1, Math.round(P / stepMs)),
    ...(syncTimesMs ? { syncTimesMs } : {}),
    ...(settings.metricModel === 'lag'
      // What `mdl simulate` assumes for CPU by default: a 30 s window read 15 s late.
      ? { metricLagMs: 15_000, metricWindowMs: 30_000 }
      // kwok reports the usage at the moment of the scrape: a sample is one step wide.
      : { metricWindowMs: stepMs, metricScrape: { intervalMs: settings.scrapeIntervalMs, offsetMs: scrapePhaseMs - originMs, scrapesToFirstSample: settings.scrapesToFirstSample, visibleAfterMs } }),
    podStartMs,
    initialReplicas: initial,
    // One replica at 100 % of its 1000m request burns one core: the traffic's "rate" is cores.
    cpuSaturationRatePerReplica: 1,
    controller: { tolerance: settings.tolerance, downscaleStabilizationMs: settings.downscaleStabilizationMs },
    recordSteps: true,
  }, { stepMs: stepMs, ratesPerSecond: rates, source: 'fidelity trace' }, prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 1e6, latencyMs: 1 }] }));

  const realAt = (tMs: number) => {
    let v = initial;
    for (const r of rec.replicas) {
      if (r.tMs > tMs) break;
      v = r.replicas;
    }
    return v;
  };
  // Each sync: the simulator's count in the step after the one the sync fell in; the real count in force
  // after it, read half a period later, when any change has been seen.
  const syncs = syncTimesMs ?? Array.from({ length: Math.floor((n * stepMs) / P) }, (_, k) => k * P);
  const series: FidelityComparison['series'] = [];
  for (const at of syncs.slice(1)) {
    const tMs = originMs + at;
    const index = Math.floor(at / stepMs + 1e-9) + (syncTimesMs ? 1 : 0);
    if (tMs < 0 || index >= n || tMs + P > rec.durationMs) continue;
    series.push({ tMs, real: realAt(tMs + P / 2), simulated: result.steps!.desiredReplicas[index]!, demandCores: demandAt(tMs) });
  }
  const agreeing = series.filter((s) => s.real === s.simulated).length;
  return {
    syncPoints: series.length,
    agreeing,
    agreement: series.length ? agreeing / series.length : 0,
    maxDifference: Math.max(0, ...series.map((s) => Math.abs(s.real - s.simulated))),
    originMs,
    syncPhaseMs,
    scrapePhaseMs,
    visibleAfterMs,
    podStartMs,
    syncPeriodMs: P,
    series,
  };
}
