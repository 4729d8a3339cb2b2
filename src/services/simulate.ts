/**
 * `mdl simulate`: gathers the inputs (spec, traffic file or profile, capacity file or tune result, flag
 * overrides), runs the what-if in src/autoscale and returns the report. File reading happens here; the
 * simulation itself is pure.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runWhatIf, type Scenario, type SimulationReport, type Sourced, type WhatIfInput } from '../autoscale/compare.js';
import { hpaSpecFor, METRICS_SERVER_SCRAPE_MS, type CapacityCurve, type CapacityPoint, type ScalingSignal } from '../autoscale/simulator.js';
import { PROMETHEUS_SCRAPE_MS } from '../autoscale/metric-pipeline.js';
import { looksLikeProfileFile, parseProfileFile, parseProfileShape, profileToSeries } from '../autoscale/profile.js';
import type { TrafficSeries } from '../autoscale/traffic.js';
import type { HpaSpec, MetricSpec as HpaMetricSpec } from '../autoscale/types.js';
import { badInput, isMdlError } from '../errors.js';
import type { LoadedSpec, ModelSpec } from '../spec/index.js';
import { parseDurationMs, UnitError } from '../units.js';
import { curveForSimulator } from '../tune/simulate-adapter.js';
import { parseTuneResult } from '../tune/read-result.js';

export interface SimulateOptions {
  cwd: string;
  configPath?: string;
  env?: string;
  traffic?: string;
  profile?: string;
  capacity?: string;
  from?: string;
  min?: number;
  max?: number;
  metric?: string;
  target?: number;
  scaleUpWindow?: string;
  scaleDownWindow?: string;
  coldStart?: string;
  slo?: string;
  syncPeriod?: string;
  metricWindow?: string;
  metricLag?: string;
  step?: string;
  initial?: number;
}

const SIGNALS: ScalingSignal[] = ['concurrency', 'rps', 'cpu'];

function duration(value: string, flag: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw badInput(`${flag} ${value}: ${(error as UnitError).message}`, { where: flag, hint: `Use ${(error as UnitError).expected}.` });
  }
}

async function readText(path: string, cwd: string, flag: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw badInput(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: flag,
      hint: 'Check the path; it is relative to the current directory.',
    });
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badInput(`${source} is not JSON: ${(error as Error).message}`, { where: source });
  }
}

function asPoints(value: unknown, source: string): CapacityPoint[] {
  if (!Array.isArray(value)) throw badInput(`no capacity points in ${source}`, { where: source, hint: 'Expected "points": [{"loadPerReplica": 4, "latencyMs": 120}, ...].' });
  return value.map((p, i) => {
    const o = p as Record<string, unknown>;
    const load = Number(o.loadPerReplica ?? o.concurrency ?? o.ratePerSecond ?? o.load);
    const latency = Number(o.latencyMs ?? o.p95Ms ?? o.latency);
    if (!Number.isFinite(load) || !Number.isFinite(latency)) {
      throw badInput(`capacity point ${i} in ${source} needs loadPerReplica and latencyMs numbers`, { where: `${source} points[${i}]` });
    }
    const errorRate = o.errorRate === undefined ? undefined : Number(o.errorRate);
    return errorRate === undefined ? { loadPerReplica: load, latencyMs: latency } : { loadPerReplica: load, latencyMs: latency, errorRate };
  });
}

function asAxis(value: unknown, source: string): CapacityCurve['axis'] {
  if (value === 'concurrency' || value === 'rate') return value;
  if (value === 'rps') return 'rate';
  throw badInput(`capacity axis "${String(value)}" in ${source} is neither concurrency nor rate`, { where: source });
}

/**
 * A TuneResult as `mdl tune --json` writes it (told by its search section; read by the one TuneResult
 * reader, src/tune/read-result.ts): its measured curve through the same mapping that tune's own proof uses
 * (steady steps, the SLO percentile), and its cold start when it was measured.
 */
function fromTuneResult(doc: Record<string, unknown>, source: string): { curve: CapacityCurve; coldStartMs?: number } | undefined {
  if (doc === null || typeof doc !== 'object' || !('search' in doc)) return undefined;
  const { search, coldStartMs: coldStart } = parseTuneResult(doc, source);
  const curve = { ...curveForSimulator(search.curve, search.axis, search.slo), source: `${source} (mdl tune)` };
  if (curve.points.length === 0) {
    throw badInput(`the TuneResult in ${source} has no steady measured step to build a capacity curve from`, {
      where: source,
      hint: 'Run mdl tune again until it finds a capacity, or pass --capacity FILE.',
    });
  }
  // A default cold start is not a finding of the run; simulate then uses its own (flag, spec, default).
  return coldStart && coldStart.source !== 'default' ? { curve, coldStartMs: coldStart.value } : { curve };
}

/** A capacity curve from JSON ({axis, points}), a TuneResult ({capacityCurve} or {capacity: {curve}}), or CSV. */
export function parseCapacity(text: string, source: string): { curve: CapacityCurve; coldStartMs?: number } {
  if (source.endsWith('.csv')) {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
    if (header.length < 2 || !['concurrency', 'rate', 'rps'].includes(header[0]!)) {
      throw badInput(`${source} needs a header "concurrency,latencyMs[,errorRate]" or "rate,latencyMs[,errorRate]"`, { where: `${source}:1` });
    }
    const points = lines.map((line) => {
      const [load, latency, errorRate] = line.split(',').map((c) => Number(c.trim()));
      return errorRate === undefined ? { loadPerReplica: load, latencyMs: latency } : { loadPerReplica: load, latencyMs: latency, errorRate };
    });
    return { curve: { axis: asAxis(header[0], source), points: asPoints(points, source), source } };
  }
  const doc = parseJson(text, source) as Record<string, unknown>;
  const tuned = fromTuneResult(doc, source);
  if (tuned) return tuned;
  const capacity = doc.capacity as Record<string, unknown> | undefined;
  const curve = (doc.capacityCurve ?? capacity?.curve ?? (doc.points ? doc : undefined)) as Record<string, unknown> | undefined;
  if (!curve) {
    throw badInput(`no capacity curve in ${source}`, { where: source, hint: 'Give {"axis": "concurrency", "points": [...]}, or a TuneResult written by mdl tune --json.' });
  }
  const coldStart = doc.coldStart as Record<string, unknown> | undefined;
  const coldStartMs = Number(doc.coldStartMs ?? coldStart?.readyMs ?? coldStart?.totalMs ?? coldStart?.ms ?? NaN);
  return {
    curve: { axis: asAxis(curve.axis ?? 'concurrency', source), points: asPoints(curve.points, source), source },
    ...(Number.isFinite(coldStartMs) ? { coldStartMs } : {}),
  };
}

function signalOf(metricType: string, where: string): ScalingSignal {
  if ((SIGNALS as string[]).includes(metricType)) return metricType as ScalingSignal;
  throw badInput(`the simulator models the cpu, concurrency and rps metrics, not ${metricType}`, {
    where,
    hint: 'Pass --metric concurrency|rps|cpu with a --target to simulate one of those instead.',
  });
}

function sloOf(spec: ModelSpec | undefined, file: string, flag: string | undefined): Sourced<number> {
  if (flag !== undefined) return { value: duration(flag, '--slo'), source: '--slo' };
  const l = spec?.slo.latency;
  for (const key of ['p95Ms', 'p99Ms', 'p90Ms', 'p50Ms'] as const) {
    const v = l?.[key];
    if (v !== undefined) return { value: v, source: `${file} slo.${key.replace('Ms', '')}` };
  }
  throw badInput('no latency SLO to judge the simulation by', { where: '--slo', hint: 'Pass --slo 300ms or set slo.p95 in the spec.' });
}

async function trafficOf(options: SimulateOptions, spec: ModelSpec | undefined, stepMs: number): Promise<TrafficSeries> {
  if (options.traffic !== undefined && options.profile !== undefined) {
    throw badInput('--traffic and --profile both given', { hint: 'Use one: a CSV of time,rate or a generated profile.' });
  }
  // The same profile objects replay and loadtest stages use (src/autoscale/profile.ts), on the simulation's steps.
  const file = options.traffic ?? (options.profile !== undefined && looksLikeProfileFile(options.profile) ? options.profile : undefined);
  if (file !== undefined) {
    const text = await readText(file, options.cwd, options.traffic !== undefined ? '--traffic' : '--profile');
    return profileToSeries(parseProfileFile(text, file), stepMs);
  }
  if (options.profile !== undefined) return profileToSeries(parseProfileShape(options.profile), stepMs);
  if (spec?.traffic) {
    const profile = `diurnal,baseline=${spec.traffic.baselinePerSecond},peak=${spec.traffic.peakPerSecond}`;
    return profileToSeries({ ...parseProfileShape(profile), source: `${profile} (from spec traffic)` }, stepMs);
  }
  throw badInput('no traffic to simulate', { where: '--traffic', hint: 'Pass --traffic FILE.csv or --profile diurnal,peak=400, or set traffic in the spec.' });
}

async function capacityOf(options: SimulateOptions): Promise<{ curve: CapacityCurve; coldStartMs?: number }> {
  if (options.capacity !== undefined && options.from !== undefined) {
    throw badInput('--capacity and --from both given', { hint: 'Use one: a capacity curve file or a tune result.' });
  }
  const path = options.capacity ?? options.from;
  if (path === undefined) {
    throw badInput('no capacity curve', {
      where: '--capacity',
      hint: 'Pass --capacity FILE (JSON {axis, points} or CSV) or --from TUNE_RESULT.json from mdl tune --json.',
    });
  }
  return parseCapacity(await readText(path, options.cwd, options.capacity ? '--capacity' : '--from'), path);
}

function metricFor(signal: ScalingSignal, target: number): HpaMetricSpec {
  return hpaSpecFor({ minReplicas: 1, maxReplicas: 1, metric: signal, target }).metrics![0]!;
}

function hasOverrides(o: SimulateOptions): boolean {
  return [o.min, o.max, o.metric, o.target, o.scaleUpWindow, o.scaleDownWindow].some((v) => v !== undefined);
}

/** The spec's HPA with the flags applied, and where each setting came from. */
function applyOverrides(base: Scenario | undefined, o: SimulateOptions): Scenario {
  const sources: Record<string, string> = { ...(base?.sources ?? {}) };
  const hpa: HpaSpec = base ? structuredClone(base.hpa) : { maxReplicas: 0 };
  let signal = base?.signal;
  if (o.min !== undefined) {
    hpa.minReplicas = o.min;
    sources.minReplicas = '--min';
  }
  if (o.max !== undefined) {
    hpa.maxReplicas = o.max;
    sources.maxReplicas = '--max';
  }
  if (o.metric !== undefined || o.target !== undefined) {
    signal = o.metric !== undefined ? signalOf(o.metric, '--metric') : signal;
    if (signal === undefined) throw badInput('--target needs --metric when there is no spec', { where: '--metric' });
    if (o.target === undefined) throw badInput('--metric needs a --target in that metric', { where: '--target', hint: 'E.g. --metric concurrency --target 8.' });
    hpa.metrics = [metricFor(signal, o.target)];
    sources.metric = o.metric !== undefined ? '--metric' : sources.metric ?? 'spec';
    sources.target = '--target';
  }
  if (o.scaleUpWindow !== undefined || o.scaleDownWindow !== undefined) {
    hpa.behavior = structuredClone(hpa.behavior ?? {});
    if (o.scaleUpWindow !== undefined) {
      hpa.behavior.scaleUp = { ...hpa.behavior.scaleUp, stabilizationWindowSeconds: Math.round(duration(o.scaleUpWindow, '--scale-up-window') / 1000) };
      sources.scaleUpWindow = '--scale-up-window';
    }
    if (o.scaleDownWindow !== undefined) {
      hpa.behavior.scaleDown = { ...hpa.behavior.scaleDown, stabilizationWindowSeconds: Math.round(duration(o.scaleDownWindow, '--scale-down-window') / 1000) };
      sources.scaleDownWindow = '--scale-down-window';
    }
  }
  if (!base && (o.min === undefined || o.max === undefined || signal === undefined)) {
    throw badInput('without a spec, --min, --max, --metric and --target are all needed', {
      hint: 'Run in a folder with mdl.config.yaml (or pass --config), or give all four flags.',
    });
  }
  if ((hpa.minReplicas ?? 1) > hpa.maxReplicas) {
    throw badInput(`minReplicas ${hpa.minReplicas} is above maxReplicas ${hpa.maxReplicas}`, { where: o.min !== undefined ? '--min' : '--max' });
  }
  return { label: base ? 'what-if' : 'flags', hpa, signal: signal!, sources };
}

/** The scenario of the spec's current scaling settings, from the HPA object mdl render would produce. */
async function specScenario(spec: ModelSpec, file: string, signalOverride?: ScalingSignal): Promise<Scenario> {
  const { horizontalPodAutoscaler } = await import('../manifests/autoscaler.js');
  const hpa = horizontalPodAutoscaler(spec).spec as unknown as HpaSpec;
  const signal = signalOverride ?? signalOf(spec.scaling.metric.type, `${file} scaling.metric.type`);
  return {
    label: 'spec',
    hpa,
    signal,
    sources: {
      minReplicas: `${file} scaling.minReplicas`,
      maxReplicas: `${file} scaling.maxReplicas`,
      metric: `${file} scaling.metric`,
      target: `${file} scaling.metric.target`,
      ...(hpa.behavior ? { behavior: `${file} scaling.behavior` } : {}),
    },
  };
}

export async function runSimulate(options: SimulateOptions, load: () => Promise<LoadedSpec>): Promise<SimulationReport> {
  let loaded: LoadedSpec | undefined;
  try {
    loaded = await load();
  } catch (error) {
    // Without a spec the flags alone can describe the what-if; with --config the spec is required.
    const noSpec = isMdlError(error) && /no mdl spec found/.test(error.message) && options.configPath === undefined;
    if (!noSpec || !hasOverrides(options)) throw error;
  }
  const spec = loaded?.spec;
  const file = loaded ? loaded.source.filepath.split('/').pop()! : '';

  const stepMs = options.step !== undefined ? duration(options.step, '--step') : 15_000;
  const syncPeriodMs: Sourced<number> =
    options.syncPeriod !== undefined ? { value: duration(options.syncPeriod, '--sync-period'), source: '--sync-period' } : { value: 15_000, source: 'controller default' };
  const [traffic, capacity] = await Promise.all([trafficOf(options, spec, stepMs), capacityOf(options)]);

  const scenarios: Scenario[] = [];
  let base: Scenario | undefined;
  if (spec) {
    try {
      base = await specScenario(spec, file);
      scenarios.push(base);
    } catch (error) {
      // A spec metric the simulator cannot model (memory, gpu, queue, external): with --metric the what-if
      // still runs on the spec's other settings, without a column for the spec itself.
      if (!(isMdlError(error) && options.metric !== undefined)) throw error;
      base = await specScenario(spec, file, signalOf(options.metric, '--metric'));
    }
  }
  if (hasOverrides(options) || !base) scenarios.push(applyOverrides(base, options));

  let podStartMs: Sourced<number>;
  if (options.coldStart !== undefined) podStartMs = { value: duration(options.coldStart, '--cold-start'), source: '--cold-start' };
  else if (capacity.coldStartMs !== undefined) podStartMs = { value: capacity.coldStartMs, source: `${options.from ?? options.capacity} cold start` };
  else if (spec) podStartMs = { value: spec.health.startup.maxLoadMs, source: `${file} health startup (worst case)` };
  else podStartMs = { value: 60_000, source: 'default' };

  const input: WhatIfInput = {
    scenarios,
    traffic,
    capacity: capacity.curve,
    sloLatencyMs: sloOf(spec, file, options.slo),
    ...(spec?.slo.errorRate !== undefined ? { sloErrorRate: { value: spec.slo.errorRate, source: `${file} slo.errorRate` } } : {}),
    podStartMs,
    syncPeriodMs,
    ...(options.metricWindow !== undefined ? { metricWindowMs: { value: duration(options.metricWindow, '--metric-window'), source: '--metric-window' } } : {}),
    metricLagMs: options.metricLag !== undefined ? { value: duration(options.metricLag, '--metric-lag'), source: '--metric-lag' } : { value: 15_000, source: 'default: one scrape interval' },
    // Unless the metric timing is given by hand, CPU follows metrics-server's scrapes and custom metrics
    // Prometheus' scrapes, as the real controller reads them.
    ...(options.metricLag === undefined && options.metricWindow === undefined
      ? {
          metricScrapeMs: { value: METRICS_SERVER_SCRAPE_MS, source: "default: metrics-server's resolution" },
          prometheusScrapeMs: { value: PROMETHEUS_SCRAPE_MS, source: "default: kube-prometheus-stack's scrape interval" },
        }
      : {}),
    ...(options.initial !== undefined ? { initialReplicas: { value: options.initial, source: '--initial' } } : {}),
    ...(spec?.cost ? { price: spec.cost } : {}),
  };
  return runWhatIf(input);
}
