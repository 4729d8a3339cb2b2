/**
 * A measurement function over an idealised server (N slots, fixed service time), with optional seeded
 * noise: the capacity search can be tested against a known truth without sockets or clocks.
 */
import type { MeasureControl, MeasureFn } from '../../src/tune/capacity-search.js';
import type { WindowResult } from '../../src/tune/types.js';
import { seededRandom } from '../../src/load/schedule.js';

export interface QueueModel {
  slots: number;
  serviceMs: number;
  /** Relative noise on latency and throughput per window (0 = exact). */
  noise?: number;
  seed?: number;
}

/** The load engine's seeded generator (mulberry32), so a model run repeats exactly. */
export const rng = seededRandom;

export function modelMeasure(model: QueueModel, calls: Array<{ level: number; windows: number }> = []): MeasureFn {
  const random = rng(model.seed ?? 1);
  const jitter = () => 1 + (model.noise ?? 0) * (2 * random() - 1);
  const capacityPerSecond = (model.slots * 1000) / model.serviceMs;
  return async (level: number, control: MeasureControl) =>
    windowLoop(level, control, calls, (inFlight, windowS) => {
      let latency: number;
      let achieved: number;
      let sent: number;
      let inFlightEnd: number;
      if (control.axis === 'concurrency') {
        // Closed loop: up to `slots` in service, the rest wait one or more service times.
        const waits = Math.ceil(level / model.slots);
        latency = model.serviceMs * (level <= model.slots ? 1 : waits);
        achieved = Math.min(level, model.slots) * (1000 / model.serviceMs);
        sent = achieved * windowS;
        inFlightEnd = level;
      } else {
        sent = level * windowS;
        achieved = Math.min(level, capacityPerSecond);
        inFlightEnd = inFlight + Math.max(0, level - capacityPerSecond) * windowS;
        if (level <= capacityPerSecond) inFlightEnd = (level * model.serviceMs) / 1000;
        const queued = (inFlight + inFlightEnd) / 2 - model.slots;
        latency = model.serviceMs + Math.max(0, queued / capacityPerSecond) * 1000;
      }
      const l = latency * jitter();
      return {
        durationMs: control.windowMs,
        sent,
        completed: achieved * windowS * jitter(),
        failed: 0,
        dropped: 0,
        completedPerSecond: achieved * jitter(),
        latencyMs: { mean: l, p50: l, p90: l, p95: l, p99: l, max: l },
        inFlightStart: inFlight,
        inFlightEnd,
      };
    });
}

export interface CurveModel {
  /** The SLO percentile at a level (rate per second, or clients), ms. */
  percentileMs: (level: number) => number;
  /** Mean latency at the lowest levels (the service time), ms. */
  serviceMs: number;
  /** Throughput the server cannot exceed, per second. */
  saturationPerSecond: number;
  noise?: number;
  seed?: number;
}

/**
 * A measurement function over any latency curve: each window reports the curve's percentile (with seeded
 * relative noise), the throughput the level yields (open loop: the rate up to saturation, with a growing
 * backlog beyond it; closed loop: Little's law at the service time, up to saturation).
 */
export function curveMeasure(model: CurveModel, calls: Array<{ level: number; windows: number }> = []): MeasureFn {
  const random = rng(model.seed ?? 1);
  const jitter = () => 1 + (model.noise ?? 0) * (2 * random() - 1);
  const x = model.saturationPerSecond;
  return async (level: number, control: MeasureControl) =>
    windowLoop(level, control, calls, (inFlight, windowS) => {
      const achieved = control.axis === 'rate' ? Math.min(level, x) : Math.min((level * 1000) / model.serviceMs, x);
      const over = control.axis === 'rate' && level > x;
      const inFlightEnd = over ? inFlight + (level - x) * windowS : control.axis === 'rate' ? (level * model.serviceMs) / 1000 : level;
      const p = over ? model.percentileMs(x * 0.999) + ((inFlight + inFlightEnd) / 2 / x) * 1000 : model.percentileMs(level);
      const l = p * jitter();
      const mean = Math.min(l, model.serviceMs * jitter());
      return {
        durationMs: control.windowMs,
        sent: level * windowS,
        completed: achieved * windowS,
        failed: 0,
        dropped: 0,
        completedPerSecond: achieved * jitter(),
        latencyMs: { mean, p50: mean, p90: l, p95: l, p99: l, max: l },
        inFlightStart: inFlight,
        inFlightEnd,
      };
    });
}

/** Windows one after another, each starting with the in-flight requests the last one ended with. */
function windowLoop(
  level: number,
  control: MeasureControl,
  calls: Array<{ level: number; windows: number }>,
  next: (inFlight: number, windowS: number) => WindowResult,
): WindowResult[] {
  const windows: WindowResult[] = [];
  let inFlight = 0;
  for (let i = 0; i < control.maxWindows; i++) {
    const w = next(inFlight, control.windowMs / 1000);
    inFlight = w.inFlightEnd;
    windows.push(w);
    control.onWindow?.(w, i);
    if (control.shouldStop(windows)) break;
  }
  calls.push({ level, windows: windows.length });
  return windows;
}

/**
 * Open loop on a latency curve whose windows scatter: the k-th window's percentile is the curve's times
 * `factors[k mod n]` (with a tail around it: p90 0.85 ×, p99 1.3 ×, max 1.6 ×), the queue steady at two
 * in flight. With n windows a step, a step and a hold read the same mixture.
 */
export function scatterMeasure(percentileMs: (level: number) => number, factors: readonly number[]): MeasureFn {
  return async (level, control) => {
    const windows: WindowResult[] = [];
    for (let i = 0; i < control.maxWindows; i++) {
      const p95 = percentileMs(level) * factors[i % factors.length]!;
      const completed = (level * control.windowMs) / 1000;
      windows.push({
        durationMs: control.windowMs,
        sent: completed,
        completed,
        failed: 0,
        dropped: 0,
        completedPerSecond: level,
        latencyMs: { mean: 100, p50: 100, p90: 0.85 * p95, p95, p99: 1.3 * p95, max: 1.6 * p95 },
        inFlightStart: 2,
        inFlightEnd: 2,
      });
      control.onWindow?.(windows[i]!, i);
      if (control.shouldStop(windows)) break;
    }
    return windows;
  };
}
