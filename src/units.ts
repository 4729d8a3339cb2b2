/**
 * Human units, parsed once: durations ("300ms", "5m", "1h30m"), rates ("20rps", "1200/min"),
 * percentages ("1%") and Kubernetes quantities ("4Gi", "500m"). Pure; errors are UnitError so that
 * callers (the spec loader, flag parsers) can attach where the value came from.
 */
export class UnitError extends Error {
  constructor(
    message: string,
    readonly expected: string,
  ) {
    super(message);
    this.name = 'UnitError';
  }
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
export const DURATION_EXPECTED = 'a duration such as 300ms, 30s, 5m or 1h30m';

/** Milliseconds from "300ms", "1.5s", "5m", "1h30m". A bare number is rejected: units are explicit. */
export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') {
    throw new UnitError(`${input} has no unit`, DURATION_EXPECTED);
  }
  let rest = input.trim();
  if (rest === '') throw new UnitError('empty duration', DURATION_EXPECTED);
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_RE.exec(rest);
    if (!m) throw new UnitError(`"${input}" is not a duration`, DURATION_EXPECTED);
    total += Number(m[1]) * DURATION_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** "1m30s" style text for a millisecond count, for messages and reports. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}

const RATE_RE = /^(\d+(?:\.\d+)?)\s*(rps|\/s|\/sec|\/m|\/min|rpm|\/h)?$/;
export const RATE_EXPECTED = 'a rate such as 20rps, 20/s or 1200/min';

/** Requests per second from "20rps", "20/s", "1200/min", "20" (a bare number is per second). */
export function parseRatePerSecond(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`${input} is not a rate`, RATE_EXPECTED);
    return input;
  }
  const m = RATE_RE.exec(input.trim());
  if (!m) throw new UnitError(`"${input}" is not a rate`, RATE_EXPECTED);
  const value = Number(m[1]);
  switch (m[2]) {
    case '/m':
    case '/min':
    case 'rpm':
      return value / 60;
    case '/h':
      return value / 3600;
    default:
      return value;
  }
}

export const PERCENT_EXPECTED = 'a percentage such as 1% or 0.5%';

/** A fraction in [0, 1] from "1%" or "0.5%". */
export function parsePercent(input: string | number): number {
  if (typeof input === 'number') throw new UnitError(`${input} has no % sign`, PERCENT_EXPECTED);
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(input.trim());
  if (!m) throw new UnitError(`"${input}" is not a percentage`, PERCENT_EXPECTED);
  const value = Number(m[1]) / 100;
  if (value > 1) throw new UnitError(`"${input}" is above 100%`, PERCENT_EXPECTED);
  return value;
}

export const SHARE_EXPECTED = 'a share such as 50% or 0.5';

/** A fraction in [0, 1] from "50%" or "0.5" (flags that take either spelling, e.g. --max-error-rate). */
export function parseShare(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(input);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new UnitError(`"${input}" is not a share between 0 and 100%`, SHARE_EXPECTED);
  return value;
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 } as const;
const DECIMAL = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 } as const;
const QUANTITY_RE = /^([+-]?\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
export const QUANTITY_EXPECTED = 'a Kubernetes quantity such as 500m, 2, 4Gi or 512Mi';

/** The numeric value of a Kubernetes quantity ("500m" → 0.5, "4Gi" → 4·2^30). */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new UnitError(`${input} is not a quantity`, QUANTITY_EXPECTED);
    return input;
  }
  const m = QUANTITY_RE.exec(input.trim());
  if (!m) throw new UnitError(`"${input}" is not a quantity`, QUANTITY_EXPECTED);
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return value * BINARY[suffix as keyof typeof BINARY];
  if (suffix in DECIMAL) return value * DECIMAL[suffix as keyof typeof DECIMAL];
  return value * 10 ** Number(suffix.slice(1));
}

/** True when the text is a valid Kubernetes quantity; used to keep the user's own spelling in manifests. */
export function isQuantity(input: string): boolean {
  return QUANTITY_RE.test(input.trim());
}
