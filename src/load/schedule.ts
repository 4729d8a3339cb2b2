/**
 * Open-loop arrival schedules, pure: a mode and a seed in, send times (ms from the start) out.
 *
 * The cumulative count N(t) = ∫ rate is piecewise quadratic (linear ramps between stages). The k-th
 * constant-rate request goes out when N(t) = k; Poisson arrivals use the same inverse on a unit-rate
 * Poisson process (sums of Exp(1)), which gives a non-homogeneous Poisson process that follows ramps.
 */
import type { ArrivalProcess, LoadMode, Stage } from './types.js';

/** A rate held or ramped over a time span: rate goes linearly from fromPerSecond to toPerSecond. */
interface Segment {
  startMs: number;
  durationMs: number;
  fromPerSecond: number;
  toPerSecond: number;
  /** N at the segment start. */
  countAtStart: number;
  /** Index of the user's stage, or -1 for warm-up. */
  stageIndex: number;
}

/** mulberry32: small, fast and seedable, so shuffles and Poisson runs can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScheduleOptions {
  /** Warm-up before the measured part; for stages it is held at the first stage's target rate. */
  warmupMs: number;
  /** Length of the measured part for a fixed rate (stages carry their own). */
  durationMs: number;
  seed?: number;
}

export class ArrivalSchedule {
  readonly totalMs: number;
  private readonly segments: Segment[];
  private readonly arrival: ArrivalProcess;
  private readonly random: () => number;
  private k = 0;
  private unitTime = 0;
  private seg = 0;

  constructor(mode: Exclude<LoadMode, { kind: 'concurrency' }>, options: ScheduleOptions) {
    this.arrival = mode.arrival;
    this.random = seededRandom(options.seed ?? 1);
    const spans: Array<Omit<Segment, 'startMs' | 'countAtStart'>> = [];
    if (mode.kind === 'rate') {
      if (options.warmupMs > 0) {
        spans.push({ durationMs: options.warmupMs, fromPerSecond: mode.ratePerSecond, toPerSecond: mode.ratePerSecond, stageIndex: -1 });
      }
      spans.push({ durationMs: options.durationMs, fromPerSecond: mode.ratePerSecond, toPerSecond: mode.ratePerSecond, stageIndex: 0 });
    } else {
      const first = mode.stages[0]?.targetPerSecond ?? 0;
      if (options.warmupMs > 0) spans.push({ durationMs: options.warmupMs, fromPerSecond: first, toPerSecond: first, stageIndex: -1 });
      let previous = 0;
      mode.stages.forEach((stage: Stage, i) => {
        spans.push({ durationMs: stage.durationMs, fromPerSecond: previous, toPerSecond: stage.targetPerSecond, stageIndex: i });
        previous = stage.targetPerSecond;
      });
    }
    let startMs = 0;
    let count = 0;
    this.segments = spans.map((s) => {
      const seg = { ...s, startMs, countAtStart: count };
      startMs += s.durationMs;
      count += ((s.fromPerSecond + s.toPerSecond) / 2) * (s.durationMs / 1000);
      return seg;
    });
    this.totalMs = startMs;
  }

  /** The target rate at a time, for snapshots and progress lines. */
  rateAt(tMs: number): number {
    const s = this.segmentAt(tMs);
    if (!s) return 0;
    return s.fromPerSecond + ((s.toPerSecond - s.fromPerSecond) * (tMs - s.startMs)) / s.durationMs;
  }

  /** Index of the user's stage at a time; -1 in warm-up; undefined after the end. */
  stageIndexAt(tMs: number): number | undefined {
    return this.segmentAt(tMs)?.stageIndex;
  }

  /** Expected number of requests between two times (the integral of the rate). */
  expectedCount(fromMs: number, toMs: number): number {
    return this.countAt(toMs) - this.countAt(fromMs);
  }

  /** The next send time in ms from the start, or undefined when the schedule is over. */
  next(): number | undefined {
    const target = this.arrival === 'constant' ? this.k++ : (this.unitTime += -Math.log(1 - this.random()));
    return this.inverse(target);
  }

  private countAt(tMs: number): number {
    const s = this.segmentAt(tMs);
    if (!s) return tMs <= 0 ? 0 : this.segments.reduce((n, x) => n + ((x.fromPerSecond + x.toPerSecond) / 2) * (x.durationMs / 1000), 0);
    const dt = (tMs - s.startMs) / 1000;
    const slope = (s.toPerSecond - s.fromPerSecond) / (s.durationMs / 1000);
    return s.countAtStart + s.fromPerSecond * dt + (slope * dt * dt) / 2;
  }

  private segmentAt(tMs: number): Segment | undefined {
    if (tMs < 0) return undefined;
    return this.segments.find((s) => tMs >= s.startMs && tMs < s.startMs + s.durationMs);
  }

  /** Solves N(t) = target, scanning forward from the current segment (targets only grow). */
  private inverse(target: number): number | undefined {
    for (; this.seg < this.segments.length; this.seg++) {
      const s = this.segments[this.seg]!;
      const need = target - s.countAtStart;
      const d = s.durationMs / 1000;
      const a = (s.toPerSecond - s.fromPerSecond) / d / 2;
      const b = s.fromPerSecond;
      let dt: number;
      if (Math.abs(a) < 1e-12) {
        if (b <= 0) continue;
        dt = need / b;
      } else {
        const disc = b * b + 4 * a * need;
        if (disc < 0) continue;
        dt = (-b + Math.sqrt(disc)) / (2 * a);
      }
      // The tolerance keeps float error from adding a request at the very end of a segment.
      if (dt >= 0 && dt < d - 1e-9) return s.startMs + dt * 1000;
    }
    return undefined;
  }
}

/** Parses "30s:10,2m:200,30s:0" into stages (duration:rate, ramped linearly from the previous rate). */
export function parseStages(
  input: string,
  parseDurationMs: (s: string) => number,
  parseRate: (s: string) => number,
): Stage[] {
  const parts = input.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('no stages');
  return parts.map((part) => {
    const idx = part.lastIndexOf(':');
    if (idx <= 0) throw new Error(`stage "${part}" is not duration:rate`);
    const durationMs = parseDurationMs(part.slice(0, idx));
    if (durationMs <= 0) throw new Error(`stage "${part}" has no duration`);
    return { durationMs, targetPerSecond: parseRate(part.slice(idx + 1)) };
  });
}
