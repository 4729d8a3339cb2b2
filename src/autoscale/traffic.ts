/**
 * Traffic profiles for the simulator: a CSV of time,rate, or a generated shape (steady, diurnal, spike, ramp).
 * Pure: parsers take text, generators take numbers; reading files is the caller's business.
 */
import { badInput } from '../errors.js';
import { parseDurationMs, parseRatePerSecond, UnitError } from '../units.js';

export interface TrafficPoint {
  timeS: number;
  ratePerSecond: number;
}

/** Requests per second at fixed steps; step i covers [i·stepMs, (i+1)·stepMs). */
export interface TrafficSeries {
  stepMs: number;
  ratesPerSecond: Float64Array;
  /** Where it came from, for the output ("traffic.csv", "diurnal,peak=400"). */
  source: string;
}

export type ProfileKind = 'steady' | 'diurnal' | 'spike' | 'ramp' | 'step';

export interface ProfileSpec {
  kind: ProfileKind;
  /** Highest rate (steady: the rate). */
  peakPerSecond: number;
  /** Lowest rate (diurnal trough, spike and ramp start). */
  baselinePerSecond: number;
  durationMs: number;
  /** diurnal: hour of day of the peak (0–24), on a day `periodMs` long. */
  peakHour: number;
  /** diurnal: the length of one "day" (default 24 h, or the duration when shorter: a day compressed into it). */
  periodMs?: number;
  /** spike: start of the spike; step: when the rate jumps to the peak; ramp: length of the ramp (then the peak holds). */
  atMs: number;
  /** spike: time to reach the peak and to come back down. */
  riseMs: number;
  /** spike: how long the peak lasts. */
  holdMs: number;
}

const PROFILE_DEFAULT_DURATION_MS: Record<ProfileKind, number> = {
  steady: 3_600_000,
  diurnal: 86_400_000,
  spike: 7_200_000,
  ramp: 3_600_000,
  step: 3_600_000,
};

const PROFILE_EXPECTED =
  'a profile such as "diurnal,peak=400", "steady,rate=50", "spike,baseline=20,peak=400,at=30m", "ramp,from=10,to=300,over=20m" or "step,from=300,to=20,at=1m"';

/** Parses "diurnal,peak=400,baseline=20,duration=7d" and friends. */
export function parseProfileSpec(text: string, where = '--profile'): ProfileSpec {
  const [kindText, ...pairs] = text.split(',').map((p) => p.trim());
  const kind = kindText as ProfileKind;
  if (!(kind in PROFILE_DEFAULT_DURATION_MS)) {
    throw badInput(`unknown traffic profile "${kindText}"`, { where, hint: `Use ${PROFILE_EXPECTED}.` });
  }
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([a-zA-Z]+)=(.+)$/.exec(pair);
    if (!m) throw badInput(`"${pair}" is not key=value in profile "${text}"`, { where, hint: `Use ${PROFILE_EXPECTED}.` });
    values[m[1]!] = m[2]!;
  }
  const rate = (key: string, fallback: number): number => {
    const v = values[key];
    if (v === undefined) return fallback;
    try {
      return parseRatePerSecond(v);
    } catch (error) {
      throw badInput(`${key}=${v}: ${(error as UnitError).message}`, { where, hint: `Use ${(error as UnitError).expected}.` });
    }
  };
  const duration = (key: string, fallback: number): number => {
    const v = values[key];
    if (v === undefined) return fallback;
    try {
      return parseDurationMs(v);
    } catch (error) {
      throw badInput(`${key}=${v}: ${(error as UnitError).message}`, { where, hint: `Use ${(error as UnitError).expected}.` });
    }
  };
  const known = new Set(['peak', 'rate', 'baseline', 'from', 'to', 'duration', 'peakHour', 'period', 'at', 'over', 'rise', 'hold']);
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw badInput(`unknown profile setting "${key}"`, { where, hint: `Known: ${[...known].join(', ')}.` });
  }
  const peak = rate('peak', rate('rate', rate('to', NaN)));
  if (!Number.isFinite(peak)) {
    throw badInput(`profile "${text}" needs a peak rate`, { where, hint: `Use ${PROFILE_EXPECTED}.` });
  }
  const baseline = rate('baseline', rate('from', kind === 'steady' ? peak : kind === 'ramp' ? 0 : peak / 10));
  const durationMs = duration('duration', PROFILE_DEFAULT_DURATION_MS[kind]);
  const peakHour = values.peakHour === undefined ? 14 : Number(values.peakHour);
  if (!(peakHour >= 0 && peakHour <= 24)) throw badInput(`peakHour=${values.peakHour} is not an hour of the day`, { where });
  const periodMs = duration('period', Math.min(durationMs, 86_400_000));
  if (!(durationMs > 0)) throw badInput(`duration=${values.duration} must be above 0`, { where, hint: 'Use a duration such as 5m or 1h.' });
  if (!(periodMs > 0)) throw badInput(`period=${values.period} must be above 0`, { where, hint: 'Use a duration such as 5m or 1d.' });
  return {
    kind,
    peakPerSecond: peak,
    baselinePerSecond: baseline,
    durationMs,
    peakHour,
    ...(kind === 'diurnal' ? { periodMs } : {}),
    atMs: duration(kind === 'ramp' ? 'over' : 'at', kind === 'ramp' ? durationMs : durationMs / 3),
    riseMs: duration('rise', 60_000),
    holdMs: duration('hold', 600_000),
  };
}

/** The profile's rate at a time (seconds from the start). */
export function profileRateAt(p: ProfileSpec, timeS: number): number {
  const tMs = timeS * 1000;
  const span = p.peakPerSecond - p.baselinePerSecond;
  switch (p.kind) {
    case 'steady':
      return p.peakPerSecond;
    case 'diurnal': {
      const dayFraction = tMs / (p.periodMs ?? 86_400_000) - p.peakHour / 24;
      return p.baselinePerSecond + (span * (1 + Math.cos(2 * Math.PI * dayFraction))) / 2;
    }
    case 'spike': {
      const start = p.atMs;
      const top = start + p.riseMs;
      const fall = top + p.holdMs;
      const end = fall + p.riseMs;
      if (tMs <= start || tMs >= end) return p.baselinePerSecond;
      if (tMs < top) return p.baselinePerSecond + (span * (tMs - start)) / p.riseMs;
      if (tMs <= fall) return p.peakPerSecond;
      return p.peakPerSecond - (span * (tMs - fall)) / p.riseMs;
    }
    case 'ramp':
      return p.atMs <= 0 || tMs >= p.atMs ? p.peakPerSecond : p.baselinePerSecond + (span * tMs) / p.atMs;
    case 'step':
      return tMs < p.atMs ? p.baselinePerSecond : p.peakPerSecond;
  }
}

/** Samples a generated profile at the middle of each step. */
export function generateTraffic(p: ProfileSpec, stepMs: number, source: string = p.kind): TrafficSeries {
  const steps = Math.max(1, Math.ceil(p.durationMs / stepMs));
  const rates = new Float64Array(steps);
  for (let i = 0; i < steps; i++) rates[i] = profileRateAt(p, ((i + 0.5) * stepMs) / 1000);
  return { stepMs, ratesPerSecond: rates, source };
}

const TIME_COLUMNS = ['time', 'timestamp', 't', 'seconds', 'time_s', 'timeS'];

/**
 * Parses "time,rate" lines: time in seconds from the start or an ISO-8601 timestamp, rate as a number of
 * requests per second or a rate with a unit ("1200/min"). A header line and # comments are allowed.
 */
export function parseTrafficCsv(text: string, source = 'traffic.csv', options: { allowSameTime?: boolean } = {}): TrafficPoint[] {
  const points: TrafficPoint[] = [];
  let firstEpochMs: number | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ''));
    const where = `${source}:${n + 1}`;
    if (points.length === 0 && firstEpochMs === undefined && TIME_COLUMNS.includes(cells[0] ?? '')) continue; // header
    if (cells.length < 2) {
      throw badInput(`expected "time,rate" but found "${line}"`, { where, hint: 'Each line is seconds-from-start (or an ISO time) and requests per second.' });
    }
    let timeS: number;
    const t = cells[0]!;
    if (/^-?\d+(\.\d+)?$/.test(t)) {
      timeS = Number(t);
    } else {
      const epoch = Date.parse(t);
      if (Number.isNaN(epoch)) {
        throw badInput(`"${t}" is not a time`, { where, hint: 'Use seconds from the start (0, 15, 30) or ISO-8601 timestamps.' });
      }
      firstEpochMs ??= epoch;
      timeS = (epoch - firstEpochMs) / 1000;
    }
    let rate: number;
    if (/^-\s*\d/.test(cells[1]!)) {
      throw badInput(`rate ${cells[1]} is negative`, { where, hint: 'Rates are requests per second, 0 or more: write e.g. "0" or "20".' });
    }
    try {
      rate = parseRatePerSecond(cells[1]!);
    } catch (error) {
      throw badInput(`"${cells[1]}" is not a rate`, { where, hint: `Use ${(error as UnitError).expected}.` });
    }
    const previous = points[points.length - 1];
    if (previous && (options.allowSameTime ? timeS < previous.timeS : timeS <= previous.timeS)) {
      const rule = options.allowSameTime ? 'times must not decrease (two lines at the same time make a step)' : 'times must increase';
      throw badInput(`time ${t} does not come after the previous line's`, { where, hint: `Sort the file by time; ${rule}.` });
    }
    points.push({ timeS, ratePerSecond: rate });
  }
  if (points.length === 0) throw badInput('the traffic file has no data lines', { where: source, hint: 'Add lines of "time,rate".' });
  return points;
}

/** Resamples points onto steps by linear interpolation (at the middle of each step); the last rate holds. */
export function resampleTraffic(points: TrafficPoint[], stepMs: number, source: string, durationMs?: number): TrafficSeries {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const total = durationMs ?? Math.max(stepMs, (last.timeS - first.timeS) * 1000 + stepMs);
  const steps = Math.max(1, Math.ceil(total / stepMs));
  const rates = new Float64Array(steps);
  let j = 0;
  for (let i = 0; i < steps; i++) {
    const tS = first.timeS + ((i + 0.5) * stepMs) / 1000;
    while (j < points.length - 1 && points[j + 1]!.timeS <= tS) j++;
    const a = points[j]!;
    const b = points[j + 1];
    if (!b || tS <= a.timeS) rates[i] = tS < a.timeS ? first.ratePerSecond : a.ratePerSecond;
    else rates[i] = a.ratePerSecond + ((b.ratePerSecond - a.ratePerSecond) * (tS - a.timeS)) / (b.timeS - a.timeS);
  }
  return { stepMs, ratesPerSecond: rates, source };
}
