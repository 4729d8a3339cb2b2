/**
 * A traffic profile: the one object that `mdl simulate`, tune's proof, `mdl replay` and open-loop load stages
 * are driven by. It is a list of (seconds, requests per second) points, the rate linear between consecutive
 * points; two points at the same time make a step (the rate jumps there). It starts at its first point (time
 * 0) and ends at its last. Built from the spec's `traffic`, a named shape, or a CSV/JSONL file of rows.
 * Pure: text and numbers in, profiles out; reading files is the caller's business.
 */
import { badInput } from '../errors.js';
import type { Stage } from '../load/types.js';
import { parseProfileSpec, parseTrafficCsv, profileRateAt, type ProfileSpec, type TrafficSeries } from './traffic.js';

export interface ProfilePoint {
  atS: number;
  ratePerSecond: number;
}

export interface Profile {
  /** At least two points; times from 0, never decreasing. */
  points: ProfilePoint[];
  /** Where it came from, for the output ("spike.csv", "step,from=300,to=20", "spec traffic"). */
  source: string;
}

export function profileDurationS(p: Profile): number {
  return p.points[p.points.length - 1]!.atS;
}

/** The rate at a time; after a step, the rate after it. 0 outside the profile. */
export function profileRate(p: Profile, tS: number): number {
  const pts = p.points;
  if (tS < 0 || tS > pts[pts.length - 1]!.atS) return 0;
  let i = 0;
  while (i < pts.length - 2 && pts[i + 1]!.atS <= tS) i++;
  const a = pts[i]!;
  const b = pts[i + 1]!;
  if (b.atS === a.atS || tS >= b.atS) return b.ratePerSecond;
  return a.ratePerSecond + ((b.ratePerSecond - a.ratePerSecond) * (tS - a.atS)) / (b.atS - a.atS);
}

/** Requests the profile sends between two times (the integral of the rate). */
export function profileCount(p: Profile, fromS: number, toS: number): number {
  let n = 0;
  const pts = p.points;
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    const lo = Math.max(a.atS, fromS);
    const hi = Math.min(b.atS, toS);
    if (hi <= lo) continue;
    const rate = (t: number) => a.ratePerSecond + ((b.ratePerSecond - a.ratePerSecond) * (t - a.atS)) / (b.atS - a.atS);
    n += ((rate(lo) + rate(hi)) / 2) * (hi - lo);
  }
  return n;
}

/** When the rate first rises above where it started (the ramp the autoscaler must follow); null if never. */
export function rampStartS(p: Profile): number | null {
  const start = p.points[0]!.ratePerSecond;
  for (let i = 0; i + 1 < p.points.length; i++) {
    if (p.points[i + 1]!.ratePerSecond > start) return p.points[i]!.atS;
  }
  return null;
}

export function peakRate(p: Profile): number {
  return Math.max(...p.points.map((x) => x.ratePerSecond));
}

/**
 * The profile on the simulator's fixed steps: each step's mean rate (the integral over it ÷ its length), so the
 * simulated requests are the requests the load engine sends.
 */
export function profileToSeries(p: Profile, stepMs: number): TrafficSeries {
  const stepS = stepMs / 1000;
  const steps = Math.max(1, Math.ceil(profileDurationS(p) / stepS - 1e-9));
  const rates = new Float64Array(steps);
  for (let i = 0; i < steps; i++) rates[i] = profileCount(p, i * stepS, (i + 1) * stepS) / stepS;
  return { stepMs, ratesPerSecond: rates, source: p.source };
}

/**
 * The profile as the load engine's open-loop stages (each stage ramps linearly from the previous stage's
 * rate): a zero-length first stage jumps to the starting rate, a step is a zero-length stage.
 */
export function profileToStages(p: Profile): Stage[] {
  const stages: Stage[] = [{ durationMs: 0, targetPerSecond: p.points[0]!.ratePerSecond }];
  for (let i = 1; i < p.points.length; i++) {
    stages.push({ durationMs: Math.round((p.points[i]!.atS - p.points[i - 1]!.atS) * 1000), targetPerSecond: p.points[i]!.ratePerSecond });
  }
  return stages;
}

/**
 * The spec's `traffic` section as a profile to replay: baseline for 2 ramps, ramp to the peak, hold it for 6
 * ramps, ramp down, baseline for 2 ramps (a 15 s ramp gives the spike `30s:20,15s:300,90s:300,15s:20` and
 * 30 s of baseline after it); the baseline spans at most 60 s and the hold 180 s, so a slow ramp does not
 * make the replay hours long.
 */
export function profileFromTraffic(
  t: { baselinePerSecond: number; peakPerSecond: number; rampSeconds: number },
  shape: { leadS?: number; holdS?: number; tailS?: number } = {},
): Profile {
  const ramp = Math.max(1, t.rampSeconds);
  const lead = shape.leadS ?? Math.min(60, 2 * ramp);
  const hold = shape.holdS ?? Math.min(180, 6 * ramp);
  const tail = shape.tailS ?? Math.min(60, 2 * ramp);
  const b = t.baselinePerSecond;
  const peak = t.peakPerSecond;
  const at = [0, lead, lead + ramp, lead + ramp + hold, lead + 2 * ramp + hold, lead + 2 * ramp + hold + tail];
  const rates = [b, b, peak, peak, b, b];
  return { points: at.map((atS, i) => ({ atS, ratePerSecond: rates[i]! })), source: `spec traffic (baseline ${b}/s, peak ${peak}/s, ramp ${ramp} s)` };
}

/** Points per day a diurnal cosine is drawn with (every 15 minutes of a 24 h day). */
const DIURNAL_POINTS_PER_PERIOD = 96;

/** A generated shape (src/autoscale/traffic.ts's ProfileSpec) as points: exact for the linear shapes, the diurnal cosine sampled. */
export function profileFromSpec(spec: ProfileSpec, source: string): Profile {
  const D = spec.durationMs / 1000;
  const at = spec.atMs / 1000;
  const rise = spec.riseMs / 1000;
  let times: number[];
  switch (spec.kind) {
    case 'steady':
      times = [0, D];
      break;
    case 'ramp':
      times = [0, at, D];
      break;
    case 'spike':
      times = [0, at, at + rise, at + rise + spec.holdMs / 1000, at + 2 * rise + spec.holdMs / 1000, D];
      break;
    case 'step': {
      const points = [0, at, at, D].filter((t) => t <= D);
      const rates = [spec.baselinePerSecond, spec.baselinePerSecond, spec.peakPerSecond, spec.peakPerSecond];
      return tidy({ points: points.map((atS, i) => ({ atS, ratePerSecond: rates[i]! })), source });
    }
    case 'diurnal': {
      const every = (spec.periodMs ?? 86_400_000) / 1000 / DIURNAL_POINTS_PER_PERIOD;
      times = [];
      for (let t = 0; t < D; t += every) times.push(t);
      times.push(D);
      break;
    }
  }
  const inside = [...new Set(times.filter((t) => t >= 0 && t < D))].sort((a, b) => a - b);
  inside.push(D);
  return tidy({ points: inside.map((atS) => ({ atS, ratePerSecond: profileRateAt(spec, atS) })), source });
}

/** Drops points that add nothing (a repeated point, a zero-length hold). */
function tidy(p: Profile): Profile {
  const out: ProfilePoint[] = [];
  for (const x of p.points) {
    const last = out[out.length - 1];
    if (last && last.atS === x.atS && last.ratePerSecond === x.ratePerSecond) continue;
    out.push(x);
  }
  if (out.length === 1) out.push({ atS: out[0]!.atS, ratePerSecond: out[0]!.ratePerSecond });
  return { ...p, points: out };
}

/** A named shape: "step,from=300,to=20,at=1m,duration=3m", "spike,…", "diurnal,peak=300,duration=5m", "steady,…", "ramp,…". */
export function parseProfileShape(text: string, where = '--profile'): Profile {
  return profileFromSpec(parseProfileSpec(text, where), text);
}

const FILE_HINT = 'Write one row per line: "seconds,requests per second" (CSV, e.g. 0,20) or {"seconds": 0, "rps": 20} (JSONL).';
const TIME_KEYS = ['seconds', 'atS', 'time', 't', 'timeS', 'second'];
const RATE_KEYS = ['rps', 'ratePerSecond', 'rate', 'requestsPerSecond'];

/**
 * A file of (seconds, requests per second) rows: CSV (time,rate, as `mdl simulate --traffic` reads it) or JSONL
 * (one object a line with a time and a rate key), told apart by the first data line. Times start at 0 (the
 * first row's time is subtracted) and never decrease; two rows at one time make a step.
 */
export function parseProfileFile(text: string, source: string): Profile {
  const firstData = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (firstData === undefined) throw badInput(`the profile file ${source} has no rows`, { where: source, hint: FILE_HINT });
  const points = firstData.startsWith('{') ? parseJsonlRows(text, source) : parseTrafficCsv(text, source, { allowSameTime: true }).map((p) => ({ atS: p.timeS, ratePerSecond: p.ratePerSecond }));
  const t0 = points[0]!.atS;
  const shifted = points.map((p) => ({ atS: p.atS - t0, ratePerSecond: p.ratePerSecond }));
  if (shifted.length < 2 || shifted[shifted.length - 1]!.atS <= 0) {
    throw badInput(`the profile file ${source} spans no time: it needs at least two rows at different times`, { where: source, hint: FILE_HINT });
  }
  return { points: shifted, source };
}

function parseJsonlRows(text: string, source: string): ProfilePoint[] {
  const points: ProfilePoint[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${source}:${n + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw badInput(`line ${n + 1} is not a JSON object: ${line.slice(0, 60)}`, { where, hint: FILE_HINT });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw badInput(`line ${n + 1} is not a JSON object`, { where, hint: FILE_HINT });
    const o = row as Record<string, unknown>;
    const timeKey = TIME_KEYS.find((k) => k in o);
    const rateKey = RATE_KEYS.find((k) => k in o);
    if (!timeKey || !rateKey) {
      throw badInput(`line ${n + 1} needs a time (${TIME_KEYS.join(', ')}) and a rate (${RATE_KEYS.join(', ')})`, { where, hint: FILE_HINT });
    }
    const atS = o[timeKey];
    const rate = o[rateKey];
    if (typeof atS !== 'number' || !Number.isFinite(atS)) throw badInput(`"${timeKey}": ${JSON.stringify(atS)} is not a number of seconds`, { where, hint: 'Write e.g. "seconds": 30.' });
    if (typeof rate !== 'number' || !Number.isFinite(rate)) throw badInput(`"${rateKey}": ${JSON.stringify(rate)} is not a number of requests per second`, { where, hint: `Write e.g. "${rateKey}": 20.` });
    if (rate < 0) throw badInput(`rate ${rate} is negative`, { where, hint: `Rates are requests per second, 0 or more: write e.g. "${rateKey}": 0.` });
    const previous = points[points.length - 1];
    if (previous && atS < previous.atS) {
      throw badInput(`time ${atS} comes before the previous row's (${previous.atS})`, { where, hint: 'Sort the rows by time; two rows at the same time make a step.' });
    }
    points.push({ atS, ratePerSecond: rate });
  }
  return points;
}

/** Whether a --profile value names a file rather than a shape. */
export function looksLikeProfileFile(text: string): boolean {
  return /\.(csv|jsonl|ndjson|txt)$/i.test(text) || text.includes('/');
}
