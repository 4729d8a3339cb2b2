/**
 * Flags (and, when a spec is present, its loadtest and slo sections) → engine options, in one place so
 * that every value is validated once and errors name the flag. Pure except for reading files.
 */
import { readFile } from 'node:fs/promises';
import { looksLikeProfileFile, parseProfileFile, parseProfileShape, profileToStages, type Profile } from '../autoscale/profile.js';
import { badInput, MdlError } from '../errors.js';
import type { LoadOptions } from '../load/engine.js';
import { DEFAULT_MAX_ERROR_RATE } from '../load/error-bound.js';
import { DEFAULT_WARMUP_MS } from '../load/warmup.js';
import { loadPayloadFile } from '../load/payload.js';
import { REDACTED } from '../load/redact.js';
import { resolveRequestHeaders, withheldWarning } from '../load/request-headers.js';
import { resolveProtocolUrl } from '../load/protocols.js';
import { parseStages } from '../load/schedule.js';
import { parseThreshold, sloToThresholds, type Threshold } from '../load/thresholds.js';
import type { ArrivalProcess, LoadMode, LoadProtocol } from '../load/types.js';
import type { ModelSpec } from '../spec/types.js';
import { formatDuration, parseDurationMs, parseRatePerSecond, parseShare, UnitError } from '../units.js';

export interface LoadtestFlags {
  url?: string;
  rate?: string;
  concurrency?: number;
  stages?: string;
  /** Open-loop stages from a traffic profile: a named shape or a CSV/JSONL file of (seconds, rps) rows. */
  profile?: string;
  arrival?: string;
  duration?: string;
  requests?: number;
  warmup?: string;
  timeout?: string;
  connections?: number;
  'max-in-flight'?: number;
  protocol?: string;
  method?: string;
  header?: string[];
  body?: string;
  payload?: string;
  shuffle?: boolean;
  seed?: number;
  model?: string;
  threshold?: string[];
  insecure?: boolean;
  http2?: boolean;
  'show-secrets'?: boolean;
  'spec-headers'?: boolean;
  'max-error-rate'?: string;
}

/** What building the options needs from outside: the environment for ${VAR} in headers, a warning sink. */
export interface LoadOptionsContext {
  env?: Readonly<Record<string, string | undefined>>;
  /** Told once when the spec's headers are withheld from the target (another origin). */
  warn?: (message: string) => void;
}

/** What the spec contributes (src/spec's loadtest and slo sections), all optional. */
export interface LoadtestSpecDefaults {
  url?: string;
  payload?: string;
  /** An inline request body from the spec (JSON text). */
  body?: string;
  method?: string;
  protocol?: string;
  model?: string;
  headers?: Record<string, string>;
  slo?: Record<string, unknown>;
}

/** The spec's loadtest and slo sections as defaults: its URL joined with its path, payload, headers, SLO. */
export function specDefaults(spec: Pick<ModelSpec, 'loadtest' | 'slo'>): LoadtestSpecDefaults {
  const lt = spec.loadtest;
  const out: LoadtestSpecDefaults = { protocol: lt.protocol, method: lt.method, headers: { ...lt.headers } };
  if (lt.url !== undefined) out.url = `${lt.url.replace(/\/+$/, '')}${lt.path}`;
  if (lt.model !== undefined) out.model = lt.model;
  if (lt.payload?.kind === 'file') out.payload = lt.payload.path;
  if (lt.payload?.kind === 'inline') out.body = JSON.stringify(lt.payload.value);
  const slo: Record<string, string> = {};
  for (const key of ['p50', 'p90', 'p95', 'p99'] as const) {
    const ms = spec.slo.latency[`${key}Ms`];
    if (ms !== undefined) slo[key] = ms >= 1000 && ms % 1000 === 0 ? formatDuration(ms) : `${ms}ms`;
  }
  if (spec.slo.errorRate !== undefined) slo.errorRate = `${Math.round(spec.slo.errorRate * 1e6) / 1e4}%`;
  if (Object.keys(slo).length > 0) out.slo = slo;
  return out;
}

export const DEFAULT_RATE_PER_SECOND = 10;
export const DEFAULT_DURATION = '30s';

function unit<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UnitError) throw badInput(`${flag}: ${error.message}`, { where: flag, hint: `Expected ${error.expected}.` });
    if (error instanceof MdlError) throw error;
    throw badInput(`${flag}: ${(error as Error).message}`, { where: flag });
  }
}

/** A malformed --header as shown in its error: a name alone, else the name and [redacted] — the rest is often the credential. */
function shownHeader(v: string): string {
  // A lone word of letters and dashes is a header name without its value (tokens have digits).
  if (/^\s*[A-Za-z-]{1,64}\s*$/.test(v)) return `"${v.trim()}"`;
  const name = /^\s*([A-Za-z0-9-]{1,64})\s/.exec(v)?.[1];
  return name ? `"${name} ${REDACTED}"` : `"${REDACTED}"`;
}

export function parseHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const v of values ?? []) {
    const idx = v.indexOf(':');
    if (idx <= 0) throw badInput(`--header ${shownHeader(v)} is not Name: value`, { where: '--header', hint: 'Write it as --header "Authorization: Bearer …".' });
    headers[v.slice(0, idx).trim().toLowerCase()] = v.slice(idx + 1).trim();
  }
  return headers;
}

export async function buildLoadOptions(flags: LoadtestFlags, spec: LoadtestSpecDefaults = {}, context: LoadOptionsContext = {}): Promise<LoadOptions> {
  const url = flags.url ?? spec.url;
  if (!url) throw badInput('no URL to test', { where: 'URL', hint: 'Pass the endpoint URL, e.g. mdl loadtest http://127.0.0.1:8080/predict, or set loadtest.url in the spec.' });
  const given = [flags.rate !== undefined && '--rate', flags.concurrency !== undefined && '--concurrency', flags.stages !== undefined && '--stages', flags.profile !== undefined && '--profile'].filter(Boolean);
  if (given.length > 1) throw badInput(`${given.join(' and ')} cannot be used together`, { where: given.join(', '), hint: 'Pick one: open loop (--rate, --stages or --profile) or closed loop (--concurrency).' });
  const arrivalText = flags.arrival ?? 'constant';
  if (arrivalText !== 'constant' && arrivalText !== 'poisson') throw badInput(`--arrival must be constant or poisson, not "${arrivalText}"`, { where: '--arrival' });
  const arrival = arrivalText as ArrivalProcess;
  let mode: LoadMode;
  if (flags.concurrency !== undefined) {
    if (!(Number.isInteger(flags.concurrency) && flags.concurrency > 0)) throw badInput('--concurrency must be a whole number above 0', { where: '--concurrency' });
    if (flags.arrival !== undefined) throw badInput('--arrival applies to --rate and --stages only', { where: '--arrival' });
    mode = { kind: 'concurrency', concurrency: flags.concurrency };
  } else if (flags.profile !== undefined) {
    if (flags.duration !== undefined) throw badInput('--duration cannot be used with --profile: the profile gives the duration', { where: '--duration' });
    mode = { kind: 'stages', stages: profileToStages(await loadProfile(flags.profile)), arrival };
  } else if (flags.stages !== undefined) {
    if (flags.duration !== undefined) throw badInput('--duration cannot be used with --stages: the stages give the duration', { where: '--duration' });
    const stages = unit('--stages', () => parseStages(flags.stages!, parseDurationMs, parseRatePerSecond));
    mode = { kind: 'stages', stages, arrival };
  } else {
    const ratePerSecond = flags.rate === undefined ? DEFAULT_RATE_PER_SECOND : unit('--rate', () => parseRatePerSecond(flags.rate!));
    if (!(ratePerSecond > 0)) throw badInput('--rate must be above 0', { where: '--rate' });
    mode = { kind: 'rate', ratePerSecond, arrival };
  }
  const durationMs =
    mode.kind === 'stages' ? undefined
    : flags.duration !== undefined ? unit('--duration', () => parseDurationMs(flags.duration!))
    : flags.requests !== undefined ? undefined
    : parseDurationMs(DEFAULT_DURATION);
  if (durationMs !== undefined && durationMs <= 0) throw badInput('--duration must be above 0', { where: '--duration' });
  if (flags.requests !== undefined && !(Number.isInteger(flags.requests) && flags.requests > 0)) throw badInput('--requests must be a whole number above 0', { where: '--requests' });
  const protocol = (flags.protocol ?? spec.protocol ?? 'http') as LoadProtocol;
  if (!['http', 'kserve-v2', 'openai'].includes(protocol)) throw badInput(`--protocol must be http, kserve-v2 or openai, not "${protocol}"`, { where: '--protocol' });
  if (flags.body !== undefined && flags.payload !== undefined) throw badInput('--body and --payload cannot be used together', { where: '--body, --payload' });
  let body: string | undefined = flags.body === undefined && flags.payload === undefined ? spec.body : undefined;
  if (flags.body !== undefined) {
    const text = flags.body.startsWith('@') ? await readBodyFile(flags.body.slice(1)) : flags.body;
    try {
      JSON.parse(text);
    } catch (error) {
      throw badInput(`--body is not JSON: ${(error as Error).message}`, { where: '--body', hint: "Quote it for the shell: --body '{\"inputs\": [1, 2]}', or pass @file.json." });
    }
    body = text;
  }
  const payloadPath = flags.payload ?? (flags.body === undefined && spec.body === undefined ? spec.payload : undefined);
  const payload = payloadPath ? await loadPayloadFile(payloadPath) : undefined;
  const thresholds: Threshold[] = [
    ...(flags.threshold ?? []).map((t) => unit('--threshold', () => parseThreshold(t, 'flag'))),
    ...unit('slo', () => sloToThresholds(spec.slo)),
  ];
  const timeoutMs = flags.timeout === undefined ? undefined : unit('--timeout', () => parseDurationMs(flags.timeout!));
  if (timeoutMs !== undefined && timeoutMs <= 0) throw badInput('--timeout must be above 0', { where: '--timeout' });
  if (flags.connections !== undefined && !(Number.isInteger(flags.connections) && flags.connections > 0)) throw badInput('--connections must be a whole number above 0', { where: '--connections' });
  const { headers, withheld } = resolveRequestHeaders({
    targetUrl: url,
    specUrl: spec.url,
    specHeaders: spec.headers,
    flagHeaders: parseHeaders(flags.header),
    sendSpecHeaders: flags['spec-headers'],
    env: context.env ?? process.env,
  });
  if (withheld) context.warn?.(withheldWarning(withheld));
  const model = flags.model ?? spec.model;
  return {
    // What is loaded, and so what every summary shows: the protocol's path under a base URL.
    url: resolveProtocolUrl(url, protocol, model),
    protocol,
    mode,
    method: flags.method ?? (flags.url === undefined || body !== undefined || payload !== undefined ? spec.method : undefined),
    headers,
    body,
    payload,
    shuffle: flags.shuffle,
    seed: flags.seed,
    model,
    durationMs,
    warmupMs: parseWarmup(flags.warmup),
    maxRequests: flags.requests,
    timeoutMs,
    connections: flags.connections,
    maxInFlight: flags['max-in-flight'],
    insecure: flags.insecure,
    http2: flags.http2,
    thresholds,
    showSecrets: flags['show-secrets'],
  };
}

/** --warmup as milliseconds: a duration, or 0 to measure from the first request; default DEFAULT_WARMUP_MS. */
export function parseWarmup(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WARMUP_MS;
  if (/^\s*0\s*$/.test(text)) return 0;
  return unit('--warmup', () => parseDurationMs(text));
}

/** --max-error-rate as a fraction: "50%", "0.5", or "100%" to never stop on errors. */
export function parseMaxErrorRate(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_ERROR_RATE;
  const value = (() => {
    try {
      return parseShare(text);
    } catch {
      return NaN;
    }
  })();
  if (Number.isNaN(value)) {
    throw badInput(`--max-error-rate "${text}" is not a rate between 0 and 100%`, { where: '--max-error-rate', hint: 'Write it as 50% or 0.5; 100% never stops a run for its errors.' });
  }
  return value;
}

/** --profile: a shape ("step,from=300,to=20,at=1m,duration=3m") or a file of rows (src/autoscale/profile.ts). */
async function loadProfile(value: string): Promise<Profile> {
  if (!looksLikeProfileFile(value)) return parseProfileShape(value, '--profile');
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    throw badInput(`cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: '--profile', hint: 'Check the path; it is relative to the current directory.' });
  }
  return parseProfileFile(text, value);
}

async function readBodyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw badInput(`cannot read the body file: ${(error as Error).message}`, { where: '--body' });
  }
}
