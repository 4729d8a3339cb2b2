/**
 * The flag types that carry units, for every command: durations, rates, fractions and endpoint URLs. Each
 * one is checked by oclif while it parses the command line, so a bad value exits 2 naming the flag and a
 * valid example before any work starts, and --help shows what the flag takes (`--interval=<duration>`).
 *
 * The value stays the text the user wrote (units.ts parses it where it is used): the services take the same
 * strings from the spec and from other commands, and units.ts stays the one parser of each unit.
 */
import { Args, Flags } from '@oclif/core';
import { formatDuration, parseDurationMs, parseRatePerSecond, parseShare, UnitError, DURATION_EXPECTED, RATE_EXPECTED } from '../units.js';

/**
 * A flag value that is not what the flag takes. oclif prefixes parse errors with its own text; the base
 * command (src/cli/base-command.ts) reports this one's own message and hint instead, with exit 2.
 */
export class FlagValueError extends Error {
  constructor(
    readonly flag: string,
    readonly detail: string,
    readonly hint: string,
  ) {
    super(`${flag} ${detail}`);
    this.name = 'FlagValueError';
  }
}

function reject(flag: string, detail: string, example: string): never {
  throw new FlagValueError(flag, detail, `Expected ${example}.`);
}

// A type, not an interface: oclif's custom options need an index signature.
type DurationOptions = {
  /** The least accepted, in ms (default: anything above 0). */
  minMs?: number;
  /** Accept 0 (e.g. a stabilization window of 0s). */
  zero?: boolean;
};

/** Checks a duration for `flag`; returns the text unchanged. */
export function checkDuration(flag: string, text: string, options: DurationOptions = {}): string {
  // A bare 0 needs no unit: `--warmup 0` turns the warm-up off.
  if (options.zero && /^\s*0\s*$/.test(text)) return text;
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch (error) {
    if (error instanceof UnitError) reject(flag, `"${text}" is not a duration`, DURATION_EXPECTED);
    throw error;
  }
  if (ms === 0 && options.zero) return text;
  if (options.minMs !== undefined && ms < options.minMs) reject(flag, `"${text}" is too short: it must be at least ${formatDuration(options.minMs)}`, `at least ${formatDuration(options.minMs)}, e.g. ${formatDuration(Math.max(options.minMs, 2000))}`);
  if (!(ms > 0)) reject(flag, `"${text}" must be above 0`, `${DURATION_EXPECTED}${options.zero ? ', or 0s' : ''}`);
  return text;
}

/** Checks a rate (requests per second) above 0 for `flag`; returns the text unchanged. */
export function checkRate(flag: string, text: string): string {
  let value: number;
  try {
    value = parseRatePerSecond(text);
  } catch (error) {
    if (error instanceof UnitError) reject(flag, `"${text}" is not a rate`, RATE_EXPECTED);
    throw error;
  }
  if (!(value > 0) || !Number.isFinite(value)) reject(flag, `"${text}" must be above 0`, RATE_EXPECTED);
  return text;
}

/** A share in [0, 1] written as 50% or 0.5; returns the text unchanged. */
export function checkFraction(flag: string, text: string): string {
  try {
    parseShare(text);
  } catch (error) {
    if (error instanceof UnitError) reject(flag, error.message, error.expected);
    throw error;
  }
  return text;
}

/** An endpoint: an absolute http:// or https:// URL; returns the text unchanged. */
export function checkHttpUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    reject(name, `"${text}" is not a URL`, 'an absolute URL such as http://127.0.0.1:8080/predict');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') reject(name, `"${text}" is not an http:// or https:// URL`, 'an absolute URL such as http://127.0.0.1:8080/predict');
  return text;
}

/** A namespace (a DNS-1123 label, as the API server requires): the text unchanged. */
export function checkNamespace(name: string, text: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text)) {
    reject(name, `"${text}" is not a namespace name`, "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (such as ml-serving)");
  }
  return text;
}

/** An object's name (a DNS-1123 subdomain, as Deployments are named): the text unchanged. */
export function checkObjectName(name: string, text: string): string {
  if (text.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(text)) {
    reject(name, `"${text}" is not a Kubernetes object name`, "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (such as iris)");
  }
  return text;
}

/** A duration flag (300ms, 30s, 5m, 1h30m). */
export const durationFlag = Flags.custom<string, DurationOptions>({
  helpValue: '<duration>',
  parse: async (input, _ctx, opts) => checkDuration(`--${opts.name}`, input, opts),
});

/** A request rate flag (20, 20rps, 1200/min), above 0. */
export const rateFlag = Flags.custom<string>({
  helpValue: '<rate>',
  parse: async (input, _ctx, opts) => checkRate(`--${opts.name}`, input),
});

/** A share flag (50%, 0.5). */
export const fractionFlag = Flags.custom<string>({
  helpValue: '<share>',
  parse: async (input, _ctx, opts) => checkFraction(`--${opts.name}`, input),
});

/** The endpoint URL argument of loadtest and tune. */
export const endpointArg = Args.custom<string>({
  parse: async (input) => checkHttpUrl('URL', input),
});
