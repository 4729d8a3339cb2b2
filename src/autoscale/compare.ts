/**
 * The what-if: simulate one traffic profile under several scaling settings and compare them. Pure — the
 * caller reads the files and the spec. Every assumption carries where it came from, so the output can say so.
 */
import { formatDuration } from '../units.js';
import { clusterMetricPipeline } from './metric-pipeline.js';
import { prepareCapacity, simulate, type CapacityCurve, type ScalingSignal, type SimulationTotals } from './simulator.js';
import type { TrafficSeries } from './traffic.js';
import type { HpaSpec } from './types.js';

export const SIMULATION_SCHEMA_VERSION = 1;

/** A value and where it came from ("spec slo.latency.p95", "--cold-start", "default"). */
export interface Sourced<T> {
  value: T;
  source: string;
}

export interface Scenario {
  /** "spec", "what-if", "recommended". */
  label: string;
  hpa: HpaSpec;
  signal: ScalingSignal;
  /** Where each setting came from, keyed like the HPA fields ("minReplicas", "target", "behavior"). */
  sources: Record<string, string>;
}

export interface WhatIfInput {
  scenarios: Scenario[];
  traffic: TrafficSeries;
  capacity: CapacityCurve;
  sloLatencyMs: Sourced<number>;
  sloErrorRate?: Sourced<number>;
  podStartMs: Sourced<number>;
  syncPeriodMs: Sourced<number>;
  metricWindowMs?: Sourced<number>;
  metricLagMs: Sourced<number>;
  /**
   * CPU is read as metrics-server serves it, one scrape every this long (the scrape model of the
   * simulator, which matches the real controller on the test cluster); without it, CPU uses the lag model.
   */
  metricScrapeMs?: Sourced<number>;
  /**
   * Custom metrics (concurrency, rps) are read as Prometheus serves them through prometheus-adapter, one
   * scrape of each pod every this long (metric-pipeline.ts); without it, they use the lag model.
   */
  prometheusScrapeMs?: Sourced<number>;
  initialReplicas?: Sourced<number>;
  /** At most this many points per series in the result (the full run is kept in the totals). */
  seriesPoints?: number;
  /** A replica's price: each scenario then carries its replica-hours in money. */
  price?: Price;
}

/** What one replica costs for an hour, and where that price came from. */
export interface Price {
  perReplicaHour: number;
  currency: string;
  source: string;
}

export interface ScenarioSeries {
  timeS: number[];
  ratePerSecond: number[];
  desiredReplicas: number[];
  readyReplicas: number[];
  loadPerReplica: number[];
  latencyMs: number[];
}

export interface ScenarioResult {
  label: string;
  signal: ScalingSignal;
  hpa: HpaSpec;
  sources: Record<string, string>;
  totals: SimulationTotals & { shareOverSlo: number };
  /** replica-hours × price, when a price was given. */
  cost?: { amount: number; currency: string };
  series: ScenarioSeries;
}

/** The `mdl simulate --json` document, shaped like the simulation part of a TuneResult. */
export interface SimulationReport {
  schemaVersion: typeof SIMULATION_SCHEMA_VERSION;
  kind: 'simulation';
  traffic: { source: string; stepMs: number; durationS: number; meanPerSecond: number; peakPerSecond: number };
  capacity: { axis: CapacityCurve['axis']; source: string; points: CapacityCurve['points']; maxRatePerReplica: number };
  /** The model's settings, each with where it came from: the inputs of the run, as given. */
  assumptions: Pick<WhatIfInput, 'sloLatencyMs' | 'sloErrorRate' | 'podStartMs' | 'syncPeriodMs' | 'metricWindowMs' | 'metricLagMs' | 'metricScrapeMs' | 'prometheusScrapeMs' | 'initialReplicas'>;
  price?: Price;
  scenarios: ScenarioResult[];
}

/** Max over buckets for replicas and latency (what a chart must not hide), mean for rates and loads. */
function downsample(values: ArrayLike<number>, points: number, mode: 'max' | 'mean'): number[] {
  const n = values.length;
  const bucket = Math.max(1, Math.ceil(n / points));
  const out: number[] = [];
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let acc = mode === 'max' ? -Infinity : 0;
    for (let i = start; i < end; i++) acc = mode === 'max' ? Math.max(acc, values[i]!) : acc + values[i]!;
    out.push(mode === 'max' ? acc : acc / (end - start));
  }
  return out;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function runWhatIf(input: WhatIfInput): SimulationReport {
  const capacity = prepareCapacity(input.capacity);
  const rates = input.traffic.ratesPerSecond;
  let sum = 0;
  let peak = 0;
  for (const r of rates) {
    sum += r;
    if (r > peak) peak = r;
  }
  const points = input.seriesPoints ?? 500;
  const scenarios = input.scenarios.map((s): ScenarioResult => {
    const r = simulate(
      {
        hpa: s.hpa,
        signal: s.signal,
        sloLatencyMs: input.sloLatencyMs.value,
        ...(input.sloErrorRate ? { sloErrorRate: input.sloErrorRate.value } : {}),
        podStartMs: input.podStartMs.value,
        syncPeriodMs: input.syncPeriodMs.value,
        ...(input.metricWindowMs ? { metricWindowMs: input.metricWindowMs.value } : {}),
        metricLagMs: input.metricLagMs.value,
        ...(input.metricScrapeMs && s.signal === 'cpu' ? { metricScrape: { intervalMs: input.metricScrapeMs.value } } : {}),
        ...(input.prometheusScrapeMs && s.signal !== 'cpu' ? clusterMetricPipeline(s.signal, input.prometheusScrapeMs.value) : {}),
        ...(input.initialReplicas ? { initialReplicas: input.initialReplicas.value } : {}),
        recordSteps: true,
      },
      input.traffic,
      capacity,
    );
    const st = r.steps!;
    return {
      label: s.label,
      signal: s.signal,
      hpa: s.hpa,
      sources: s.sources,
      totals: { ...r.totals, shareOverSlo: r.totals.durationS > 0 ? r.totals.secondsOverSlo / r.totals.durationS : 0 },
      ...(input.price ? { cost: { amount: round(r.totals.replicaHours * input.price.perReplicaHour, 2), currency: input.price.currency } } : {}),
      series: {
        timeS: downsample(st.timeS, points, 'max').map((t) => round(t, 0)),
        ratePerSecond: downsample(st.ratePerSecond, points, 'mean').map((v) => round(v)),
        desiredReplicas: downsample(st.desiredReplicas, points, 'max'),
        readyReplicas: downsample(st.readyReplicas, points, 'max'),
        loadPerReplica: downsample(st.loadPerReplica, points, 'mean').map((v) => round(v)),
        latencyMs: downsample(st.latencyMs, points, 'max').map((v) => round(v, 1)),
      },
    };
  });
  return {
    schemaVersion: SIMULATION_SCHEMA_VERSION,
    kind: 'simulation',
    traffic: {
      source: input.traffic.source,
      stepMs: input.traffic.stepMs,
      durationS: (rates.length * input.traffic.stepMs) / 1000,
      meanPerSecond: round(rates.length ? sum / rates.length : 0),
      peakPerSecond: round(peak),
    },
    capacity: {
      axis: input.capacity.axis,
      source: input.capacity.source ?? 'unknown',
      points: input.capacity.points,
      maxRatePerReplica: round(capacity.maxRatePerReplica),
    },
    assumptions: {
      sloLatencyMs: input.sloLatencyMs,
      ...(input.sloErrorRate ? { sloErrorRate: input.sloErrorRate } : {}),
      podStartMs: input.podStartMs,
      syncPeriodMs: input.syncPeriodMs,
      ...(input.metricWindowMs ? { metricWindowMs: input.metricWindowMs } : {}),
      metricLagMs: input.metricLagMs,
      ...(input.metricScrapeMs ? { metricScrapeMs: input.metricScrapeMs } : {}),
      ...(input.prometheusScrapeMs ? { prometheusScrapeMs: input.prometheusScrapeMs } : {}),
      ...(input.initialReplicas ? { initialReplicas: input.initialReplicas } : {}),
    },
    ...(input.price ? { price: input.price } : {}),
    scenarios,
  };
}

/** "cpu 70 %, 2–10 replicas, scale-down window 300 s" — the settings in one line. */
export function describeScenario(s: { hpa: HpaSpec; signal: ScalingSignal }): string {
  const m = s.hpa.metrics?.[0];
  let target = '';
  if (m?.type === 'Resource') target = `${m.resource.target.averageUtilization ?? m.resource.target.averageValue}${m.resource.target.averageUtilization !== undefined ? ' %' : ''}`;
  else if (m?.type === 'Pods') target = String(m.pods.target.averageValue);
  else if (m?.type === 'External') target = String(m.external.target.averageValue ?? m.external.target.value);
  const unit = s.signal === 'rps' ? ' rps' : s.signal === 'concurrency' ? ' in flight' : '';
  const parts = [`${s.signal} ${target}${unit}`, `${s.hpa.minReplicas ?? 1}–${s.hpa.maxReplicas} replicas`];
  const down = s.hpa.behavior?.scaleDown?.stabilizationWindowSeconds;
  if (down !== undefined) parts.push(`scale-down window ${down}s`);
  return parts.join(', ');
}

function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** The comparison as text for the terminal. */
export function formatWhatIf(report: SimulationReport): string {
  const a = report.assumptions;
  const lines: string[] = [];
  lines.push(
    `Simulated ${formatDuration(report.traffic.durationS * 1000)} of traffic in ${formatDuration(report.traffic.stepMs)} steps: ` +
      `mean ${round(report.traffic.meanPerSecond, 1)} rps, peak ${round(report.traffic.peakPerSecond, 1)} rps (${report.traffic.source})`,
  );
  lines.push(
    `Capacity: ${round(report.capacity.maxRatePerReplica, 1)} rps per replica at most, ${report.capacity.points.length} measured points on the ${report.capacity.axis} axis (${report.capacity.source})`,
  );
  lines.push(
    `Pod start ${formatDuration(a.podStartMs.value)} (${a.podStartMs.source}) · sync ${formatDuration(a.syncPeriodMs.value)} (${a.syncPeriodMs.source}) · ` +
      `metric lag ${formatDuration(a.metricLagMs.value)} (${a.metricLagMs.source})` +
      (a.metricWindowMs ? ` · window ${formatDuration(a.metricWindowMs.value)} (${a.metricWindowMs.source})` : '') +
      (a.metricScrapeMs ? ` · CPU scraped every ${formatDuration(a.metricScrapeMs.value)} (${a.metricScrapeMs.source})` : '') +
      (a.prometheusScrapeMs ? ` · custom metrics scraped by Prometheus every ${formatDuration(a.prometheusScrapeMs.value)} (${a.prometheusScrapeMs.source})` : ''),
  );
  lines.push(
    `SLO: latency ≤ ${a.sloLatencyMs.value} ms (${a.sloLatencyMs.source})` +
      (a.sloErrorRate ? `, errors ≤ ${round(a.sloErrorRate.value * 100, 2)} % (${a.sloErrorRate.source})` : ''),
  );
  if (report.price) lines.push(`Price: ${report.price.perReplicaHour} ${report.price.currency} per replica-hour (${report.price.source})`);
  lines.push('');
  const rows: [string, (t: ScenarioResult['totals']) => string][] = [
    ['time over SLO', (t) => `${formatDuration(t.secondsOverSlo * 1000)} (${round(t.shareOverSlo * 100, 2)} %)`],
    ['dropped requests', (t) => fmtInt(t.droppedRequests)],
    ['queued request-seconds', (t) => fmtInt(t.queuedRequestSeconds)],
    ['failed requests', (t) => fmtInt(t.failedRequests)],
    ['replica-hours', (t) => String(round(t.replicaHours, 1))],
    ...(report.price ? ([[`cost (${report.price.currency})`, (t) => (t.replicaHours * report.price!.perReplicaHour).toFixed(2)]] as typeof rows) : []),
    ['peak replicas', (t) => String(t.peakReplicas)],
    ['scale events', (t) => String(t.scaleEvents)],
  ];
  const headers = report.scenarios.map((s) => `${s.label}: ${describeScenario(s)}`);
  const cells = rows.map(([, f]) => report.scenarios.map((s) => f(s.totals)));
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const widths = report.scenarios.map((_, i) => Math.max(headers[i]!.length, ...cells.map((c) => c[i]!.length)));
  lines.push(`${''.padEnd(labelWidth)}  ${headers.map((h, i) => h.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  rows.forEach(([label], r) => {
    lines.push(`${label.padEnd(labelWidth)}  ${cells[r]!.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  });
  return lines.join('\n');
}
